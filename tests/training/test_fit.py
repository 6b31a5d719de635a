"""compile / fit / evaluate / predict / *_on_batch against NumPy references."""
import numpy as np
import pytest

import keraslite
from keraslite import callbacks, layers, optimizers


def linear_model(in_dim=3, out_dim=1):
    return keraslite.Sequential([keraslite.Input((in_dim,)), layers.Dense(out_dim)])


def test_one_sgd_step_equals_numpy_gradient_step():
    model = linear_model(3, 2)
    model.compile(optimizer=optimizers.SGD(learning_rate=0.1), loss="mse")
    x = np.random.rand(8, 3).astype("float32")
    y = np.random.rand(8, 2).astype("float32")
    k, b = model.get_weights()
    err = x @ k + b - y  # d(mean((xk+b-y)^2))/d out = 2 err / (8*2)
    grad_k = x.T @ (2 * err / err.size)
    grad_b = (2 * err / err.size).sum(0)
    loss = model.train_on_batch(x, y)
    np.testing.assert_allclose(loss, np.mean(err ** 2), rtol=1e-5)
    k2, b2 = model.get_weights()
    np.testing.assert_allclose(k2, k - 0.1 * grad_k, atol=1e-6)
    np.testing.assert_allclose(b2, b - 0.1 * grad_b, atol=1e-6)


def test_adam_step_inside_fit_matches_numpy():
    model = linear_model(2, 1)
    model.compile(optimizer=optimizers.Adam(learning_rate=0.01), loss="mse")
    x = np.random.rand(4, 2).astype("float32")
    y = np.random.rand(4, 1).astype("float32")
    k, b = model.get_weights()
    model.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    err = x @ k + b - y
    g = x.T @ (2 * err / err.size)
    m = 0.1 * g
    v = 0.001 * g ** 2
    lr = 0.01 * np.sqrt(1 - 0.999) / (1 - 0.9)
    expected = k - lr * m / (np.sqrt(v) + 1e-7)
    np.testing.assert_allclose(model.get_weights()[0], expected, atol=1e-6)


def test_sgd_fit_converges_to_least_squares_solution():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(256, 4)).astype("float32")
    true_w = np.array([[1.5], [-2.0], [0.5], [3.0]], "float32")
    y = x @ true_w + 0.7 + 0.01 * rng.normal(size=(256, 1)).astype("float32")
    model = linear_model(4, 1)
    model.compile(optimizer=optimizers.SGD(learning_rate=0.05), loss="mse")
    model.fit(x, y, batch_size=32, epochs=60, verbose=0)
    design = np.hstack([x, np.ones((256, 1), "float32")])
    solution = np.linalg.lstsq(design, y, rcond=None)[0]
    k, b = model.get_weights()
    np.testing.assert_allclose(k, solution[:4], atol=2e-3)
    np.testing.assert_allclose(b, solution[4], atol=2e-3)


def test_evaluate_matches_numpy_loss_and_accuracy_with_partial_batch():
    model = keraslite.Sequential([keraslite.Input((5,)), layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    x = np.random.rand(70, 5).astype("float32")
    y = np.random.randint(0, 3, size=70)
    k, b = model.get_weights()
    logits = x @ k + b
    probs = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    expected_loss = -np.mean(np.log(probs[np.arange(70), y]))
    expected_acc = np.mean(probs.argmax(-1) == y)
    loss, acc = model.evaluate(x, y, batch_size=32, verbose=0)  # 32 + 32 + 6
    np.testing.assert_allclose(loss, expected_loss, rtol=1e-5)
    np.testing.assert_allclose(acc, expected_acc, rtol=1e-6)
    logs = model.evaluate(x, y, batch_size=32, verbose=0, return_dict=True)
    assert sorted(logs) == ["accuracy", "loss"]


def test_sample_weight_weights_the_loss():
    model = linear_model(2, 1)
    model.compile(optimizer="sgd", loss="mse")
    x = np.random.rand(10, 2).astype("float32")
    y = np.random.rand(10, 1).astype("float32")
    w = np.random.rand(10).astype("float32")
    k, b = model.get_weights()
    sq = ((x @ k + b - y) ** 2)[:, 0]
    loss = model.evaluate(x, y, sample_weight=w, batch_size=10, verbose=0)
    np.testing.assert_allclose(loss, np.sum(sq * w) / 10, rtol=1e-5)


def test_validation_split_uses_the_last_samples():
    model = linear_model(2, 1)
    model.compile(optimizer=optimizers.SGD(learning_rate=0.0), loss="mse")
    x = np.random.rand(50, 2).astype("float32")
    y = np.random.rand(50, 1).astype("float32")
    history = model.fit(x, y, validation_split=0.2, epochs=1, verbose=0)
    expected = model.evaluate(x[40:], y[40:], verbose=0)
    np.testing.assert_allclose(history.history["val_loss"][0], expected, rtol=1e-6)
    assert history.params["steps"] == 2  # 40 training samples at batch 32


def test_multi_output_loss_weights_and_per_output_logs():
    a = keraslite.Input((3,))
    o1 = layers.Dense(2, name="o1")(a)
    o2 = layers.Dense(1, name="o2")(a)
    model = keraslite.Model(a, [o1, o2])
    model.compile(optimizer="sgd", loss=["mse", "mae"], loss_weights=[0.5, 2.0], metrics=[["mae"], []])
    x = np.random.rand(16, 3).astype("float32")
    y1 = np.random.rand(16, 2).astype("float32")
    y2 = np.random.rand(16, 1).astype("float32")
    k1, b1 = model.get_layer("o1").get_weights()
    k2, b2 = model.get_layer("o2").get_weights()
    mse = np.mean((x @ k1 + b1 - y1) ** 2)
    mae2 = np.mean(np.abs(x @ k2 + b2 - y2))
    logs = model.evaluate(x, [y1, y2], batch_size=16, verbose=0, return_dict=True)
    assert sorted(logs) == ["loss", "o1_loss", "o1_mae", "o2_loss"]
    np.testing.assert_allclose(logs["loss"], 0.5 * mse + 2.0 * mae2, rtol=1e-5)
    np.testing.assert_allclose(logs["o1_loss"], mse, rtol=1e-5)
    np.testing.assert_allclose(logs["o2_loss"], mae2, rtol=1e-5)
    np.testing.assert_allclose(logs["o1_mae"], np.mean(np.abs(x @ k1 + b1 - y1)), rtol=1e-5)
    model.fit(x, {"o1": y1, "o2": y2}, epochs=1, verbose=0)


def test_regularization_losses_are_added():
    model = keraslite.Sequential([keraslite.Input((2,)),
                                  layers.Dense(1, kernel_regularizer=keraslite.regularizers.L2(0.1))])
    model.compile(optimizer="sgd", loss="mse")
    x = np.random.rand(8, 2).astype("float32")
    y = np.random.rand(8, 1).astype("float32")
    k, b = model.get_weights()
    expected = np.mean((x @ k + b - y) ** 2) + 0.1 * np.sum(k ** 2)
    np.testing.assert_allclose(model.evaluate(x, y, verbose=0), expected, rtol=1e-5)


class Recorder(callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.weights = []
        self.batches = []

    def on_epoch_end(self, epoch, logs=None):
        self.weights.append(self.model.get_weights()[0].copy())

    def on_train_batch_end(self, batch, logs=None):
        self.batches.append(batch)


def test_callbacks_see_live_weights_and_every_batch():
    model = linear_model(2, 1)
    model.compile(optimizer="sgd", loss="mse")
    rec = Recorder()
    x = np.random.rand(40, 2).astype("float32")
    y = np.random.rand(40, 1).astype("float32")
    model.fit(x, y, batch_size=16, epochs=2, callbacks=[rec], verbose=0)
    assert rec.batches == [0, 1, 2, 0, 1, 2]
    np.testing.assert_array_equal(rec.weights[-1], model.get_weights()[0])
    assert not np.array_equal(rec.weights[0], rec.weights[1])


class ZeroLearningRate(callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        self.model.optimizer.learning_rate = 0.0


def test_learning_rate_change_in_callback_takes_effect():
    model = linear_model(2, 1)
    model.compile(optimizer=optimizers.SGD(learning_rate=0.1), loss="mse")
    x = np.random.rand(32, 2).astype("float32")
    y = np.random.rand(32, 1).astype("float32")
    model.fit(x, y, epochs=1, callbacks=[ZeroLearningRate()], verbose=0)
    after_first = model.get_weights()
    model.fit(x, y, epochs=2, verbose=0)
    for before, after in zip(after_first, model.get_weights()):
        np.testing.assert_array_equal(before, after)


class StopAtFirstEpoch(callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        self.model.stop_training = True


def test_stop_training_from_callback():
    model = linear_model(2, 1)
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(np.random.rand(8, 2), np.random.rand(8, 1), epochs=5,
                        callbacks=[StopAtFirstEpoch()], verbose=0)
    assert history.epoch == [0]


def test_initial_epoch_and_history_epochs():
    model = linear_model(2, 1)
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(np.random.rand(8, 2), np.random.rand(8, 1), epochs=4, initial_epoch=2,
                        verbose=0)
    assert history.epoch == [2, 3]


def test_batchnorm_moving_statistics_update_during_fit():
    model = keraslite.Sequential([keraslite.Input((3,)), layers.BatchNormalization(momentum=0.5)])
    model.compile(optimizer=optimizers.SGD(learning_rate=0.0), loss="mse")
    x = (np.random.rand(64, 3) * 4 + 2).astype("float32")
    model.fit(x, x, batch_size=64, epochs=1, verbose=0)
    gamma, beta, mean, var = model.get_weights()
    np.testing.assert_allclose(mean, 0.5 * x.mean(0), rtol=1e-5)
    np.testing.assert_allclose(var, 0.5 + 0.5 * x.var(0), rtol=1e-4)


def test_dropout_is_active_in_fit_and_off_in_predict():
    model = keraslite.Sequential([keraslite.Input((50,)), layers.Dropout(0.5)])
    x = np.ones((4, 50), "float32")
    np.testing.assert_array_equal(model.predict(x, verbose=0), x)
    out = np.asarray(model(x, training=True))
    assert set(np.unique(out)).issubset({0.0, 2.0}) and 0 < (out == 0).mean() < 1


def test_predict_on_batch_and_test_on_batch():
    model = linear_model(3, 2)
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    x = np.random.rand(5, 3).astype("float32")
    y = np.random.rand(5, 2).astype("float32")
    k, b = model.get_weights()
    np.testing.assert_allclose(model.predict_on_batch(x), x @ k + b, atol=1e-6)
    loss, mae = model.test_on_batch(x, y)
    np.testing.assert_allclose(loss, np.mean((x @ k + b - y) ** 2), rtol=1e-5)
    np.testing.assert_allclose(mae, np.mean(np.abs(x @ k + b - y)), rtol=1e-5)


def test_verbose_modes_print_like_keras(capsys):
    model = linear_model(2, 1)
    model.compile(optimizer="sgd", loss="mse")
    x, y = np.random.rand(64, 2), np.random.rand(64, 1)
    model.fit(x, y, epochs=2, verbose=0)
    assert capsys.readouterr().out == ""
    model.fit(x, y, epochs=2, verbose=2)
    out = capsys.readouterr().out
    assert "Epoch 1/2" in out and "Epoch 2/2" in out and "2/2" in out and "loss:" in out
    model.fit(x, y, epochs=1, verbose=1)
    out = capsys.readouterr().out
    assert "2/2" in out and "step" in out and "loss:" in out


def test_steps_per_execution_gives_the_same_weights():
    x = np.random.rand(96, 4).astype("float32")
    y = np.random.rand(96, 1).astype("float32")
    results = []
    for spe in (1, 5, "auto"):
        keraslite.utils.set_random_seed(3)
        model = linear_model(4, 1)
        model.compile(optimizer="adam", loss="mse", steps_per_execution=spe)
        model.fit(x, y, batch_size=16, epochs=2, verbose=0)
        results.append(model.get_weights())
    for other in results[1:]:
        for a, b in zip(results[0], other):
            np.testing.assert_allclose(a, b, atol=1e-6)
