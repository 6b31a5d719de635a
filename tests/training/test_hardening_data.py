"""Issue 10 (data path and training): silent wrong answers and leaked backend messages.

Each test checks real behaviour against NumPy or the model's own earlier state; the same file
runs under KERASLITE_BACKEND=jax and =tensorflow.
"""
import numpy as np
import pytest

import keraslite
from keraslite import layers, losses, metrics, optimizers
from keraslite.backends import compile as B_compile
from keraslite.training import state, step_loop

RNG = np.random.RandomState(0)
X = RNG.rand(16, 4).astype("float32")
Y = RNG.randint(0, 3, size=16)


def classifier(loss="sparse_categorical_crossentropy", **compile_kwargs):
    model = keraslite.Sequential([keraslite.Input((4,)), layers.Dense(3, activation="softmax")])
    model.compile(optimizer="sgd", loss=loss, **compile_kwargs)
    return model


def numpy_forward(model, x):
    kernel, bias = model.get_weights()
    logits = x.astype(np.float64) @ kernel + bias
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


# -- 1. streamed labels are range-checked on every batch ------------------------------------
def _bad_second_batch():
    yield X[:8], Y[:8]
    yield X[8:], np.full(8, 9)


class _BadSecondItem(keraslite.utils.PyDataset):
    def __len__(self):
        return 2

    def __getitem__(self, i):
        return (X[:8], Y[:8]) if i == 0 else (X[8:], np.full(8, 9))


@pytest.mark.parametrize("source", ["generator", "pydataset", "tf.data"])
@pytest.mark.parametrize("method", ["fit", "evaluate"])
def test_labels_out_of_range_in_a_later_batch_name_the_batch(source, method):
    if source == "generator":
        data = _bad_second_batch()
    elif source == "pydataset":
        data = _BadSecondItem()
    else:
        tf = pytest.importorskip("tensorflow")
        data = tf.data.Dataset.from_tensor_slices(
            (X, np.concatenate([Y[:8], np.full(8, 9)]))).batch(8)
    model = classifier()
    before = model.get_weights()
    call = getattr(model, method)
    kwargs = {"epochs": 1} if method == "fit" else {}
    with pytest.raises(ValueError, match=r"Batch 1 .*\[0, 2\].*9"):
        call(data, verbose=0, **kwargs)
    if method == "evaluate":
        assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


def test_generator_that_drops_y_mid_epoch_names_the_batch():
    def gen():
        yield X[:8], Y[:8]
        yield X[8:]

    with pytest.raises(ValueError, match=r"Batch 1 .*only x"):
        classifier().fit(gen(), epochs=1, verbose=0)


# -- 2. wide integers are never wrapped to int32 -------------------------------------------
def test_int64_labels_beyond_int32_are_refused_with_the_index():
    y = Y.astype(np.int64)
    y[5] += 2**32
    with pytest.raises(ValueError, match=rf"y holds 1 integer.*{y[5]} at index \(5,\)"):
        classifier().fit(X, y, verbose=0)


def test_uint64_embedding_ids_beyond_int32_are_refused():
    model = keraslite.Sequential([keraslite.Input((2,), dtype="int32"), layers.Embedding(10, 2)])
    ids = np.array([[1, 2], [3, 2**32 + 3]], dtype=np.uint64)
    with pytest.raises(ValueError, match=r"x holds 1 integer.*4294967299.*index \(1, 1\)"):
        model.predict(ids, verbose=0)


def test_int64_ids_that_fit_int32_still_work():
    model = keraslite.Sequential([keraslite.Input((2,), dtype="int32"), layers.Embedding(10, 2)])
    ids = np.array([[1, 9]], dtype=np.int64)
    table = model.get_weights()[0]
    np.testing.assert_allclose(model.predict(ids, verbose=0), table[[[1, 9]]], rtol=1e-6)


def test_wide_int64_features_convert_to_float_as_keras_does():
    model = keraslite.Sequential([keraslite.Input((2,)), layers.Dense(1, use_bias=False)])
    model.set_weights([np.array([[1.0], [0.0]], dtype=np.float32)])
    x = np.array([[2**33 + 5, 1]], dtype=np.int64)
    out = model.predict(x, verbose=0)
    # The nearest float32 of 2**33 + 5, not 5 (what an int32 wrap would give).
    assert out[0, 0] == np.float32(2**33 + 5)


# -- 3. losses keraslite does not know are not shape-checked; arguments are ----------------
class _UserSparseLoss(losses.Loss):
    def call(self, y_true, y_pred):
        return losses.sparse_categorical_crossentropy(y_true, y_pred)


@pytest.mark.parametrize("loss", [
    lambda t, p: losses.sparse_categorical_crossentropy(t, p), _UserSparseLoss()],
    ids=["lambda", "subclass"])
def test_user_losses_with_integer_labels_train_like_the_builtin(loss):
    reference = classifier()
    weights = reference.get_weights()
    reference.fit(X, Y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    model = classifier(loss=loss)
    model.set_weights(weights)
    model.fit(X, Y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    for a, b in zip(model.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("make, argument", [
    (lambda: losses.Huber(delta=-1.0), "delta"),
    (lambda: losses.BinaryCrossentropy(label_smoothing=1.5), "label_smoothing"),
    (lambda: losses.CategoricalFocalCrossentropy(gamma=-2.0), "gamma"),
    (lambda: losses.BinaryFocalCrossentropy(alpha=float("nan")), "alpha"),
    (lambda: losses.CategoricalCrossentropy(from_logits="yes"), "from_logits"),
    (lambda: metrics.BinaryAccuracy(threshold=2.0), "threshold"),
    (lambda: metrics.TopKCategoricalAccuracy(k=0), "k"),
    (lambda: metrics.Precision(top_k=0), "top_k"),
    (lambda: metrics.Recall(thresholds=[0.5, -0.1]), "threshold"),
])
def test_loss_and_metric_arguments_outside_their_domain(make, argument):
    with pytest.raises((ValueError, TypeError), match=f"`{argument}`"):
        make()


# -- 4. a failed compiled call leaves the last good weights ---------------------------------
def test_failure_inside_the_compiled_loop_keeps_the_last_good_weights(monkeypatch, tmp_path):
    model = keraslite.Sequential([keraslite.Input((4,)), layers.Dense(3)])
    model.compile(optimizer="adam", loss="mse")
    y = RNG.rand(16, 3).astype("float32")
    seen = {}

    class Record(keraslite.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            seen["weights"] = self.model.get_weights()

    original = step_loop.StepLoop.__call__

    def fails_after_dispatch(self, *args):
        out = original(self, *args)  # on JAX the state was donated to this call
        if "weights" in seen:
            raise RuntimeError("RESOURCE_EXHAUSTED: out of memory (simulated)")
        return out

    # Checkpoint after every epoch (fit spaces them out to bound their cost).
    monkeypatch.setattr(state, "_CHECKPOINT_SPACING", 0.0)
    monkeypatch.setattr(step_loop.StepLoop, "__call__", fails_after_dispatch)
    with pytest.raises(RuntimeError, match="simulated"):
        model.fit(X, y, batch_size=4, epochs=3, verbose=0, callbacks=[Record()])
    monkeypatch.setattr(step_loop.StepLoop, "__call__", original)
    for a, b in zip(model.get_weights(), seen["weights"]):
        np.testing.assert_array_equal(a, b)
    kernel, bias = seen["weights"]
    np.testing.assert_allclose(model.predict(X, verbose=0), X @ kernel + bias, rtol=1e-5,
                               atol=1e-6)
    model.save(str(tmp_path / "m.keraslite"))
    model.fit(X, y, epochs=1, verbose=0)


def _train_on_batch_fails_after_dispatch(monkeypatch, model, y, before_failure):
    """Runs train_on_batch once, then ``before_failure()``, then a train_on_batch that fails
    after its compiled call (on JAX the state was donated to it)."""
    original = step_loop.StepLoop.__call__

    def fails_after_dispatch(self, *args):
        out = original(self, *args)
        raise RuntimeError("RESOURCE_EXHAUSTED: out of memory (simulated)")

    # No new checkpoint after the first call's: the failed call must fall back to it.
    monkeypatch.setattr(state, "_CHECKPOINT_SPACING", 1e9)
    model.train_on_batch(X, y)
    before_failure()
    monkeypatch.setattr(step_loop.StepLoop, "__call__", fails_after_dispatch)
    with pytest.raises(RuntimeError, match="simulated"):
        model.train_on_batch(X, y)
    monkeypatch.setattr(step_loop.StepLoop, "__call__", original)


def test_failed_train_on_batch_falls_back_to_a_recent_call(monkeypatch):
    model = keraslite.Sequential([keraslite.Input((4,)), layers.Dense(3)])
    model.compile(optimizer="adam", loss="mse")
    y = RNG.rand(16, 3).astype("float32")
    initial = model.get_weights()
    after_first = []
    _train_on_batch_fails_after_dispatch(
        monkeypatch, model, y, lambda: after_first.extend(model.get_weights()))
    # Where calls consume their inputs (JAX donates them) the weights come back from the copy
    # kept across calls, the one the first call took before it ran; elsewhere the failed
    # call's inputs are intact, the weights the first call left.
    expected = initial if B_compile.DONATES_STATE else after_first
    assert not np.array_equal(initial[0], after_first[0])
    for a, b in zip(model.get_weights(), expected):
        np.testing.assert_array_equal(a, b)
    kernel, bias = expected
    np.testing.assert_allclose(model.predict(X, verbose=0), X @ kernel + bias, rtol=1e-5,
                               atol=1e-6)
    assert np.isfinite(model.train_on_batch(X, y))


def test_failed_train_on_batch_keeps_weights_set_between_calls(monkeypatch):
    model = keraslite.Sequential([keraslite.Input((4,)), layers.Dense(3)])
    model.compile(optimizer="adam", loss="mse")
    y = RNG.rand(16, 3).astype("float32")
    chosen = [RNG.rand(4, 3).astype("float32"), RNG.rand(3).astype("float32")]
    _train_on_batch_fails_after_dispatch(monkeypatch, model, y,
                                         lambda: model.set_weights(chosen))
    # set_weights changed the values the previous call left: the failed call took a new copy.
    for a, b in zip(model.get_weights(), chosen):
        np.testing.assert_array_equal(a, b)


# -- 5. errors that name the argument instead of a backend message ---------------------------
def test_sample_weight_of_the_wrong_shape():
    with pytest.raises(ValueError, match=r"sample_weight of shape \(16, 3\)"):
        classifier().fit(X, Y, sample_weight=np.ones((16, 3)), verbose=0)


def test_per_timestep_sample_weight_weighs_each_step():
    model = keraslite.Sequential([keraslite.Input((5, 2)), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x, y = RNG.rand(4, 5, 2).astype("float32"), RNG.rand(4, 5, 1).astype("float32")
    weights = RNG.rand(4, 5).astype("float32")
    pred = model.predict(x, verbose=0)
    expected = np.mean(((pred - y) ** 2)[..., 0] * weights)
    got = model.evaluate(x, y, sample_weight=weights, batch_size=4, verbose=0)
    np.testing.assert_allclose(got, expected, rtol=1e-5)
    per_sample = RNG.rand(4).astype("float32")
    expected = np.mean(((pred - y) ** 2)[..., 0] * per_sample[:, None])
    got = model.evaluate(x, y, sample_weight=per_sample, batch_size=4, verbose=0)
    np.testing.assert_allclose(got, expected, rtol=1e-5)


@pytest.mark.parametrize("x, kind", [
    (np.zeros((16, 4), dtype="datetime64[s]"), "dates"),
    (np.zeros((16, 4), dtype="timedelta64[s]"), "durations"),
    (X.astype(np.complex64), "complex"),
])
def test_dates_and_complex_inputs_are_refused(x, kind):
    with pytest.raises(TypeError, match=f"x holds {kind}"):
        classifier().fit(x, Y, verbose=0)


def test_float64_beyond_float32_names_the_input_and_index():
    x = X.astype(np.float64)
    x[3, 2] = 1e300
    with pytest.raises(ValueError, match=r"x holds 1 value.*float32.*index \(3, 2\)"):
        classifier().fit(x, Y, verbose=0)


@pytest.mark.parametrize("kwargs, argument", [
    ({"learning_rate": "0.1"}, "learning_rate"),
    ({"learning_rate": float("nan")}, "learning_rate"),
    ({"gradient_accumulation_steps": 10**12}, "gradient_accumulation_steps"),
    ({"clipnorm": -1.0}, "clipnorm"),
])
def test_optimizer_arguments(kwargs, argument):
    with pytest.raises((ValueError, TypeError), match=f"`{argument}`"):
        optimizers.SGD(**kwargs)


def test_metric_returning_a_string_names_the_metric():
    def name_only(y_true, y_pred):
        return "abc"

    model = classifier(metrics=[name_only])
    with pytest.raises(TypeError, match="Metric 'name_only' must return numbers"):
        model.fit(X, Y, verbose=0)


def test_set_weights_with_strings_names_the_weight():
    model = classifier()
    weights = model.get_weights()
    weights[1] = np.array(["a", "b", "c"])
    with pytest.raises(TypeError, match="weight 'bias'.*<U1"):
        model.set_weights(weights)


def test_calling_a_model_on_a_nested_list_is_one_array():
    model = classifier()
    out = keraslite.ops.convert_to_numpy(model([[1.0, 2.0, 3.0, 4.0]]))
    np.testing.assert_allclose(out, numpy_forward(model, np.array([[1.0, 2.0, 3.0, 4.0]])),
                               rtol=1e-5)


def test_nan_class_weight_and_loss_weights_are_named():
    with pytest.raises(ValueError, match=r"class_weight\[1\]"):
        classifier().fit(X, Y, class_weight={0: 1.0, 1: float("nan"), 2: 1.0}, verbose=0)
    with pytest.raises(ValueError, match="loss_weights"):
        classifier(loss_weights=float("nan")).fit(X, Y, verbose=0)


# -- 6. API ---------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs", [{"epochs": 0}, {"epochs": 2, "initial_epoch": 2},
                                    {"epochs": 1, "initial_epoch": 3}])
def test_fit_without_epochs_returns_an_empty_history(kwargs):
    model = classifier()
    before = model.get_weights()
    history = model.fit(X, Y, verbose=0, **kwargs)
    assert isinstance(history, keraslite.callbacks.History)
    assert history.history == {} and history.epoch == []
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


def test_get_weights_returns_writable_copies():
    model = classifier()
    weights = model.get_weights()
    assert all(w.flags.writeable for w in weights)
    original = weights[0][0, 0]
    weights[0][0, 0] = original + 1.0
    assert model.get_weights()[0][0, 0] == original


def test_backup_and_restore_resumes_when_only_verbose_changes(tmp_path):
    class StopAfterFirstEpoch(keraslite.callbacks.Callback):
        def __init__(self, armed):
            super().__init__()
            self.armed = armed

        def on_epoch_begin(self, epoch, logs=None):
            if epoch == 1 and self.armed:
                raise KeyboardInterrupt

    def callbacks(armed):
        return [keraslite.callbacks.BackupAndRestore(str(tmp_path / "backup")),
                StopAfterFirstEpoch(armed)]

    with pytest.raises(KeyboardInterrupt):
        classifier().fit(X, Y, epochs=3, verbose=0, callbacks=callbacks(True))
    # Only verbose changes: the implicit progress bar is not one of the user's callbacks.
    history = classifier().fit(X, Y, epochs=3, verbose=2, callbacks=callbacks(False))
    assert history.epoch == [1, 2]


# -- issue 16: pandas and the trailing axis of size 1 ---------------------------------------
def test_pandas_frames_and_series_are_arrays():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(X, columns=list("abcd"))
    series = pd.Series(Y)
    model = classifier()
    model.fit(frame, series, epochs=1, verbose=0)
    np.testing.assert_allclose(model.predict(frame, verbose=0), numpy_forward(model, X),
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model.evaluate(frame, series, verbose=0),
                               model.evaluate(X, Y, verbose=0), rtol=1e-6)


def test_dict_of_pandas_series_for_named_inputs():
    pd = pytest.importorskip("pandas")
    a, b = keraslite.Input((1,), name="a"), keraslite.Input((1,), name="b")
    out = layers.Dense(1)(layers.Concatenate()([a, b]))
    model = keraslite.Model([a, b], out)
    frame = pd.DataFrame({"a": X[:, 0], "b": X[:, 1]})
    got = model.predict({"a": frame["a"], "b": frame["b"]}, verbose=0)
    kernel, bias = model.get_weights()
    np.testing.assert_allclose(got, X[:, :2] @ kernel + bias, rtol=1e-5, atol=1e-6)


def test_missing_trailing_axis_of_size_one_is_added():
    model = keraslite.Sequential([keraslite.Input((6, 6, 1)), layers.Conv2D(2, 3),
                                  layers.Flatten(), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    images = RNG.rand(4, 6, 6).astype("float32")
    y = RNG.rand(4, 1).astype("float32")
    np.testing.assert_allclose(model.predict(images, verbose=0),
                               model.predict(images[..., None], verbose=0), rtol=1e-6)
    np.testing.assert_allclose(model.evaluate(images, y, verbose=0),
                               model.evaluate(images[..., None], y, verbose=0), rtol=1e-6)
    model.fit(images, y, epochs=1, verbose=0)


def test_calling_a_layer_on_wide_int64_ids_is_refused_not_wrapped():
    embedding = layers.Embedding(10, 2)
    with pytest.raises(ValueError, match=r"4294967299 at index \(0, 1\)"):
        embedding(np.array([[1, 2**32 + 3]], dtype=np.int64))
    got = keraslite.ops.convert_to_numpy(embedding(np.array([[1, 3]], dtype=np.int64)))
    table = embedding.get_weights()[0]
    np.testing.assert_allclose(got, table[[[1, 3]]])
