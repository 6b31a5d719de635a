"""One compiled loop called with arguments of changing shapes and dtypes (data of another
length, another input dtype, another batch size) runs each call with the right program: the same
weights as the same calls run eagerly."""
import numpy as np

import keraslite as keras

RNG = np.random.default_rng(3)


def _model(run_eagerly: bool):
    model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(4, activation="tanh"),
                              keras.layers.Dense(2)])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse", run_eagerly=run_eagerly)
    return model


LONG_X, LONG_Y = RNG.normal(size=(40, 5)).astype("float32"), RNG.normal(size=(40, 2))
SHORT_X, SHORT_Y = RNG.normal(size=(24, 5)).astype("float32"), RNG.normal(size=(24, 2))
COUNTS = RNG.integers(0, 4, size=(24, 5)).astype("int32")  # integer inputs: another dtype


def _calls(model):
    losses = []
    for x, y in [(LONG_X, LONG_Y), (SHORT_X, SHORT_Y), (LONG_X, LONG_Y), (COUNTS, SHORT_Y)]:
        losses.append(model.fit(x, y, batch_size=8, epochs=1, shuffle=False,
                                verbose=0).history["loss"][-1])
        losses.append(model.train_on_batch(x[:8], y[:8]))
        losses.append(model.train_on_batch(x[:5], y[:5]))  # a smaller batch
    return losses


def test_changing_arguments_run_like_eager_calls():
    compiled, eager = _model(False), _model(True)
    eager.set_weights(compiled.get_weights())
    np.testing.assert_allclose(_calls(compiled), _calls(eager), rtol=1e-4, atol=1e-6)
    for got, want in zip(compiled.get_weights(), eager.get_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-6)
