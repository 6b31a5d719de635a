"""fit/evaluate/predict from generators, PyDataset, tf.data and iterables of batches: the same
numbers as the same batches given as arrays."""
import numpy as np
import pytest

import keraslite
from keraslite import layers, optimizers

X = np.random.RandomState(0).rand(100, 3).astype("float32")
Y = (X @ np.array([[1.0], [-2.0], [0.5]], "float32")).astype("float32")


def fresh_model():
    keraslite.utils.set_random_seed(7)
    model = keraslite.Sequential([keraslite.Input((3,)), layers.Dense(1)])
    model.compile(optimizer=optimizers.SGD(learning_rate=0.1), loss="mse", metrics=["mae"])
    return model


def batches(batch_size=32):
    for start in range(0, len(X), batch_size):
        yield X[start:start + batch_size], Y[start:start + batch_size]


def reference_weights(epochs):
    model = fresh_model()
    model.fit(X, Y, batch_size=32, epochs=epochs, shuffle=False, verbose=0)
    return model.get_weights()


def assert_same_weights(model, expected):
    for got, want in zip(model.get_weights(), expected):
        np.testing.assert_allclose(got, want, atol=1e-6)


class Batches(keraslite.utils.PyDataset):
    def __init__(self, batch_size=32, fail_at=None, **kwargs):
        super().__init__(**kwargs)
        self.batch_size = batch_size
        self.fail_at = fail_at
        self.epochs_ended = 0

    def __len__(self):
        return -(-len(X) // self.batch_size)

    def __getitem__(self, index):
        if index == self.fail_at:
            raise KeyError("missing file")
        s = slice(index * self.batch_size, (index + 1) * self.batch_size)
        return X[s], Y[s]

    def on_epoch_end(self):
        self.epochs_ended += 1


def test_finite_generator_matches_arrays():
    model = fresh_model()
    model.fit(batches(), epochs=1, verbose=0)
    assert_same_weights(model, reference_weights(1))


def test_infinite_generator_with_steps_per_epoch():
    def forever():
        while True:
            yield from batches()

    model = fresh_model()
    model.fit(forever(), steps_per_epoch=4, epochs=3, verbose=0)
    assert_same_weights(model, reference_weights(3))


@pytest.mark.parametrize("workers", [1, 3])
def test_pydataset_matches_arrays_and_calls_on_epoch_end(workers):
    data = Batches(workers=workers)
    model = fresh_model()
    history = model.fit(data, epochs=2, verbose=0, validation_data=Batches())
    assert_same_weights(model, reference_weights(2))
    assert data.epochs_ended == 2
    assert "val_loss" in history.history and history.params["steps"] == 4


class Reiterable:
    """Any object with __iter__ that yields batches (a list would mean several inputs, as in Keras)."""

    def __iter__(self):
        return batches()


def test_reiterable_of_batches_is_read_anew_each_epoch():
    model = fresh_model()
    model.fit(Reiterable(), epochs=2, verbose=0)
    assert_same_weights(model, reference_weights(2))


def test_tf_data_dataset_on_both_backends():
    tf = pytest.importorskip("tensorflow")
    dataset = tf.data.Dataset.from_tensor_slices((X, Y)).batch(32)
    model = fresh_model()
    model.fit(dataset, epochs=2, verbose=0)
    assert_same_weights(model, reference_weights(2))
    np.testing.assert_allclose(model.evaluate(dataset, verbose=0),
                               model.evaluate(X, Y, verbose=0), rtol=1e-6)


def test_evaluate_and_predict_on_sources():
    model = fresh_model()
    expected = model.evaluate(X, Y, batch_size=32, verbose=0)
    np.testing.assert_allclose(model.evaluate(batches(), verbose=0), expected, rtol=1e-6)
    np.testing.assert_allclose(model.evaluate(Batches(), verbose=0), expected, rtol=1e-6)
    np.testing.assert_allclose(model.predict(Batches(), verbose=0), model.predict(X, verbose=0),
                               atol=1e-6)
    np.testing.assert_allclose(model.predict((x for x, _ in batches()), verbose=0),
                               model.predict(X, verbose=0), atol=1e-6)


def test_exhausted_generator_warns_and_stops():
    model = fresh_model()
    with pytest.warns(UserWarning, match="ran out of batches"):
        history = model.fit(batches(), epochs=3, verbose=0)
    assert history.epoch == [0]


def test_empty_generator_is_a_clear_error():
    model = fresh_model()
    with pytest.raises(ValueError, match="no batches"):
        model.fit((b for b in []), epochs=1, verbose=0)


def test_malformed_batches_are_reported():
    model = fresh_model()
    with pytest.raises(ValueError, match="4 elements"):
        model.fit(((X, Y, None, None) for _ in range(2)), verbose=0)
    with pytest.raises(ValueError, match="needs targets"):
        model.fit((X for _ in range(2)), verbose=0)


def test_pydataset_getitem_error_names_the_index():
    model = fresh_model()
    with pytest.raises(ValueError, match=r"__getitem__\(2\) raised KeyError"):
        model.fit(Batches(fail_at=2), verbose=0)


def test_y_with_a_dataset_is_refused():
    model = fresh_model()
    with pytest.raises(ValueError, match="Put the targets"):
        model.fit(Batches(), Y, verbose=0)


def test_shuffle_batch_keeps_batches_together():
    from keraslite.training.data import ArrayData
    from keraslite.training.feeders import ArrayFeeder

    model = fresh_model()
    feeder = ArrayFeeder(model, ArrayData(X, Y), 32, "train", shuffle="batch")
    order = feeder._order(np.random.default_rng(0))
    assert sorted(order.tolist()) == list(range(100))
    chunks = [order[i:i + 32] for i in range(0, 96, 32)]
    for chunk in chunks:
        assert chunk[0] % 32 == 0 and np.array_equal(chunk, np.arange(chunk[0], chunk[0] + 32))
    np.testing.assert_array_equal(order[96:], np.arange(96, 100))
    with pytest.raises(ValueError, match="shuffle"):
        ArrayFeeder(model, ArrayData(X, Y), 32, "train", shuffle="sometimes")
