"""TensorBoard: event files read back with TensorBoard's own reader equal the History values;
batch scalars, histograms, images, the model config; no TensorFlow import under JAX."""
import json
import os
import subprocess
import sys
import types

import numpy as np
import pytest

pytest.importorskip("tensorboardX")
pytest.importorskip("tensorboard")

# TensorBoard's reader would import TensorFlow if it is installed; its own stand-in (what the
# `tensorboard` program uses without TensorFlow) reads event files just as well and keeps the
# JAX test process free of TensorFlow.
sys.modules.setdefault("tensorboard.compat.notf", types.ModuleType("tensorboard.compat.notf"))

from callback_test_helper import linear_data, linear_model  # noqa: E402
from keraslite.callbacks import CallbackList, LambdaCallback, TensorBoard  # noqa: E402


def _read(directory):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    accumulator = EventAccumulator(str(directory), size_guidance={
        "scalars": 0, "histograms": 0, "images": 0, "tensors": 0})
    accumulator.Reload()
    return accumulator


def _scalars(accumulator, tag):
    return [(e.step, e.value) for e in accumulator.Scalars(tag)]


def test_epoch_scalars_equal_history(tmp_path):
    x, y = linear_data(16)
    model = linear_model(metrics=["mae"])
    history = model.fit(x, y, epochs=3, batch_size=8, verbose=0, validation_data=(x[:8], y[:8]),
                        callbacks=[TensorBoard(tmp_path)])
    train, val = _read(tmp_path / "train"), _read(tmp_path / "validation")
    assert set(train.Tags()["scalars"]) == {"epoch_loss", "epoch_mae", "epoch_learning_rate"}
    for name in ("loss", "mae"):
        np.testing.assert_allclose(_scalars(train, f"epoch_{name}"),
                                   list(enumerate(history.history[name])), rtol=1e-6)
        np.testing.assert_allclose(_scalars(val, f"epoch_{name}"),
                                   list(enumerate(history.history[f"val_{name}"])), rtol=1e-6)
    np.testing.assert_allclose(_scalars(train, "epoch_learning_rate"),
                               [(e, 0.05) for e in range(3)], rtol=1e-6)
    # After each validation: the metrics at step = optimizer iterations (2 steps per epoch).
    expected = [(2 * (e + 1), v) for e, v in enumerate(history.history["val_loss"])]
    np.testing.assert_allclose(_scalars(val, "evaluation_loss_vs_iterations"), expected,
                               rtol=1e-6)
    config = json.loads(train.Tensors("keras")[0].tensor_proto.string_val[0])
    assert config["class_name"] == "Sequential"
    assert train.summary_metadata["keras"].plugin_data.plugin_name == "graph_keras_model"


def test_batch_scalars_every_n_batches(tmp_path):
    x, y = linear_data(24)
    model = linear_model()
    running = []
    record = LambdaCallback(on_train_batch_end=lambda batch, logs: running.append(logs["loss"]))
    board = TensorBoard(tmp_path, update_freq=2, write_graph=False,
                        write_steps_per_second=True)
    model.fit(x, y, epochs=2, batch_size=8, verbose=0, callbacks=[record, board])
    train = _read(tmp_path / "train")
    # Batches are counted across epochs (3 per epoch): logged at 2, 4, 6 with the running loss.
    np.testing.assert_allclose(_scalars(train, "batch_loss"),
                               [(s, running[s - 1]) for s in (2, 4, 6)], rtol=1e-6)
    assert [s for s, _ in _scalars(train, "batch_steps_per_second")] == [2, 4, 6]
    assert [s for s, v in _scalars(train, "epoch_steps_per_second") if v > 0] == [0, 1]
    assert "keras" not in train.Tags()["tensors"]


def test_histograms_and_images_of_the_weights(tmp_path):
    x, y = linear_data(16)
    model = linear_model()
    weights = []
    record = LambdaCallback(on_epoch_end=lambda epoch, logs: weights.append(model.get_weights()))
    model.fit(x, y, epochs=3, batch_size=8, verbose=0,
              callbacks=[record, TensorBoard(tmp_path, histogram_freq=2, write_images=True)])
    train = _read(tmp_path / "train")
    assert set(train.Tags()["histograms"]) == {"dense/kernel/histogram", "dense/bias/histogram"}
    assert set(train.Tags()["images"]) == {"dense/kernel/image", "dense/bias/image"}
    for index, tag in enumerate(("dense/kernel/histogram", "dense/bias/histogram")):
        events = train.Histograms(tag)
        assert [e.step for e in events] == [0, 2]  # every histogram_freq epochs
        for event, epoch in zip(events, (0, 2)):
            value, expected = event.histogram_value, weights[epoch][index]
            assert value.num == expected.size
            assert value.min == pytest.approx(expected.min(), rel=1e-6)
            assert value.max == pytest.approx(expected.max(), rel=1e-6)
            assert value.sum == pytest.approx(expected.sum(), rel=1e-5, abs=1e-6)
    image = train.Images("dense/kernel/image")[0]
    assert (image.width, image.height) == (3, 1)  # a (3, 1) kernel drawn wide


def test_batch_hooks_only_when_batch_logging():
    assert not CallbackList([TensorBoard("unused")]).needs_batch_hooks
    assert CallbackList([TensorBoard("unused", update_freq="batch")]).needs_train_batch_hooks
    assert TensorBoard("unused", update_freq="batch").update_freq == 1


def test_evaluate_writes_evaluation_scalars(tmp_path):
    x, y = linear_data(16)
    model = linear_model()
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    loss = model.evaluate(x, y, verbose=0, callbacks=[TensorBoard(tmp_path)])
    val = _read(tmp_path / "validation")
    np.testing.assert_allclose(_scalars(val, "evaluation_loss_vs_iterations"), [(2, loss)],
                               rtol=1e-6)
    assert not os.path.exists(tmp_path / "train")  # files only where something is written


@pytest.mark.parametrize("kwargs, error, pattern", [
    (dict(update_freq="sometimes"), ValueError,
     r"TensorBoard: `update_freq` must be 'epoch' or a positive integer number of batches. "
     r"Received: update_freq='sometimes'"),
    (dict(update_freq=0), ValueError, r"TensorBoard: `update_freq`.*update_freq=0"),
    (dict(update_freq=True), ValueError, r"TensorBoard: `update_freq`.*update_freq=True"),
    (dict(histogram_freq=-1), ValueError, r"TensorBoard: `histogram_freq` must be an integer "
                                          r">= 0. Received: histogram_freq=-1"),
    (dict(profile_batch=3), ValueError, r"TensorBoard: `profile_batch` is not supported"),
    (dict(log_dir=None), TypeError, r"TensorBoard: `log_dir` must be a path"),
])
def test_bad_arguments(kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        TensorBoard(**kwargs)


def test_missing_writer_package_names_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "tensorboardX", None)
    with pytest.raises(ImportError, match=r"'tensorboardX'.*pip install tensorboardX"):
        TensorBoard("unused")


NO_TF_SCRIPT = r"""
import os, sys, tempfile
import numpy as np
import keraslite
x = np.random.default_rng(0).normal(size=(16, 3)).astype("float32")
model = keraslite.Sequential([keraslite.Input((3,)), keraslite.layers.Dense(1)])
model.compile("sgd", "mse")
log_dir = tempfile.mkdtemp()
board = keraslite.callbacks.TensorBoard(log_dir, histogram_freq=1, update_freq=1,
                                        write_images=True)
model.fit(x, x[:, :1], epochs=2, batch_size=8, validation_split=0.25, verbose=0,
          callbacks=[board])
assert os.listdir(os.path.join(log_dir, "train")), "no event file"
print("tensorflow imported:", "tensorflow" in sys.modules)
"""


def test_jax_backend_never_imports_tensorflow():
    import keraslite

    if keraslite.backend.backend() != "jax":
        pytest.skip("checked once, in the JAX pass (the subprocess always uses JAX)")
    env = {**os.environ, "KERASLITE_BACKEND": "jax"}
    result = subprocess.run([sys.executable, "-c", NO_TF_SCRIPT], env=env, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "tensorflow imported: False" in result.stdout


def test_weight_images_shapes():
    from keraslite.callbacks.tensorboard import _as_image

    assert _as_image(np.ones(5)).shape == (1, 5, 1)
    assert _as_image(np.arange(12.0).reshape(6, 2)).shape == (2, 6, 1)  # drawn wide
    conv = _as_image(np.random.default_rng(0).normal(size=(3, 3, 1, 4)))
    assert conv.shape == (3, 16, 1) and conv.min() == 0.0 and conv.max() == 1.0
    assert _as_image(np.zeros((3, 3, 2, 4))) is None  # several input channels: no picture
