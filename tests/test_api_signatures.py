"""keraslite's public callables take Keras 3's parameter names, in Keras's positional order.

Keras 3 is the oracle (imported at test time only). ``scripts/api_signatures.py`` compares every
public class ``__init__`` and function both libraries have; a mismatch outside ``ALLOWED`` fails,
so a regression (a renamed parameter, a reordered signature) is caught. The other tests check
that the arguments added for the comparison do what Keras does, or refuse non-default values.
"""
from __future__ import annotations

import importlib.util
import inspect
import pathlib

import numpy as np
import pytest

import keraslite

keras = pytest.importorskip("keras")

_SCRIPT = pathlib.Path(__file__).resolve().parents[1] / "scripts" / "api_signatures.py"

# Mismatches keraslite keeps for now, with the reason. Keep this list short.
_IN_PROGRESS = "in progress elsewhere"
ALLOWED = {
    "keras.InputSpec": "dtype/optional checks on inputs are not implemented",
    "keras.layers.InputSpec": "dtype/optional checks on inputs are not implemented",
    "keras.KerasTensor": "symbolic tensors are built internally; ragged/record_history unused",
    "keras.Metric": "base class: subclasses pass name/dtype by keyword",
    "keras.metrics.Metric": "base class: subclasses pass name/dtype by keyword",
    "keras.Operation": "base class: not constructed by user scripts",
    "keras.StatelessScope": "keraslite's pure steps do not use a stateless scope's options",
    "keras.Variable": "no distribution-strategy synchronization or layouts on variables",
    **{f"keras.{model}.{step}": "Keras's JAX backend takes (state, data) here; keraslite's "
       "steps take data on both backends (compare with KERAS_BACKEND=tensorflow)"
       for model in ("Model", "Sequential") for step in ("train_step", "test_step", "predict_step")},
    "keras.layers.MultiHeadAttention": _IN_PROGRESS,
    "keras.layers.UpSampling2D": _IN_PROGRESS,
    "keras.layers.Resizing": _IN_PROGRESS,
    "keras.ops.image.resize": _IN_PROGRESS,
    "keras.ops.resize": _IN_PROGRESS,
}


def _script():
    spec = importlib.util.spec_from_file_location("api_signatures", _SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_no_signature_mismatch_outside_the_allow_list():
    script = _script()
    rows = script.measure() + script.measure_members()
    compared, _ = script.totals(rows)
    assert compared > 1000  # the comparison really ran over the public API
    unexpected = sorted(script.mismatch_keys(rows) - set(ALLOWED))
    details = {f"{script._label(r['path'])}.{n}": res for r in rows
               for n, res in r["mismatches"].items()}
    assert not unexpected, {k: details[k] for k in unexpected}


def test_comparison_detects_a_missing_parameter_and_a_misbinding_order():
    script = _script()

    class Reference:
        def __init__(self, units, activation=None, use_bias=True):
            pass

    def ours_missing(units, activation=None):
        pass

    def ours_misbound(units, use_bias=True, activation=None):
        pass

    assert script.compare(Reference, ours_missing)["missing"] == ["use_bias"]
    assert script.compare(Reference, ours_misbound)["order"]


def test_recurrent_layers_bind_positional_arguments_as_keras():
    for name, args in (("LSTM", (4, "relu", "tanh")), ("GRU", (4, "relu", "tanh")),
                       ("SimpleRNN", (4, "relu", False))):
        ours = getattr(keraslite.layers, name)(*args)
        ref = getattr(keras.layers, name)(*args)
        assert ours.activation.__name__ == ref.activation.__name__ == "relu"
        assert ours.return_sequences is ref.return_sequences is False
        if name != "SimpleRNN":
            assert ours.recurrent_activation.__name__ == ref.recurrent_activation.__name__
    ours = keraslite.layers.ConvLSTM1D(2, 3, 2, "same")
    ref = keras.layers.ConvLSTM1D(2, 3, 2, "same")
    assert tuple(ours.cell.strides) == tuple(ref.strides) and ours.cell.padding == ref.padding


def test_optimizer_base_arguments_bind_positionally_as_keras():
    args = (0.01, 0.8, 0.99, 1e-6, False, 0.05, 1.5)
    ours, ref = keraslite.optimizers.Adam(*args), keras.optimizers.Adam(*args)
    assert ours.weight_decay == ref.weight_decay == 0.05
    assert ours.clipnorm == ref.clipnorm == 1.5
    ours = keraslite.optimizers.SGD(0.1, 0.9, True, None, None, 0.5)
    assert ours.clipvalue == 0.5 and ours.nesterov is True


def test_sparse_categorical_crossentropy_axis():
    rng = np.random.default_rng(0)
    y_true = rng.integers(0, 3, size=(4, 5))
    logits = rng.normal(size=(4, 3, 5)).astype("float32")  # classes on axis 1
    # Closed form (Keras on TensorFlow supports only axis=-1): mean of -log softmax at the target.
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    closed = -np.take_along_axis(log_p, y_true[:, None, :], axis=1).mean()
    ours = keraslite.losses.SparseCategoricalCrossentropy(from_logits=True, axis=1)
    np.testing.assert_allclose(float(ours(y_true, logits)), closed, rtol=1e-5)
    last = np.moveaxis(logits, 1, -1)
    ref = keras.losses.SparseCategoricalCrossentropy(from_logits=True, axis=-1)(y_true, last)
    np.testing.assert_allclose(float(ref), closed, rtol=1e-5)


def test_metric_arguments_match_keras():
    y_true = np.array([0, 1, 2, 1])
    y_pred = np.array([[.7, .2, .1], [.2, .5, .3], [.1, .1, .8], [.3, .3, .4]], "float32")
    for kwargs in ({"ignore_class": 1}, {"axis": -1}):
        ours = keraslite.metrics.SparseCategoricalCrossentropy(**kwargs)
        ref = keras.metrics.SparseCategoricalCrossentropy(**kwargs)
        ours.update_state(y_true, y_pred)
        ref.update_state(y_true, y_pred)
        np.testing.assert_allclose(float(ours.result()), float(ref.result()), rtol=1e-5)
    a, b = y_pred, y_pred[::-1]
    ours, ref = keraslite.metrics.CosineSimilarity(axis=0), keras.metrics.CosineSimilarity(axis=0)
    ours.update_state(a, b)
    ref.update_state(a, b)
    np.testing.assert_allclose(float(ours.result()), float(ref.result()), rtol=1e-5)


def test_prod_dtype_and_set_image_data_format_keyword():
    x = np.array([200, 200], "uint8")
    result = keraslite.ops.convert_to_numpy(keraslite.ops.prod(x, dtype="int32"))
    assert result == np.prod(x.astype("int32")) and result.dtype == np.int32
    before = keraslite.config.image_data_format()
    try:
        keraslite.config.set_image_data_format(data_format="channels_first")
        assert keraslite.config.image_data_format() == "channels_first"
    finally:
        keraslite.config.set_image_data_format(before)


def test_layer_arguments_in_keras_positions():
    pool = keraslite.layers.MaxPooling2D(2, None, "valid", None, "pool_a")
    assert pool.name == "pool_a"
    drop = keraslite.layers.SpatialDropout2D(0.5, "channels_first")
    assert drop.data_format == "channels_first"
    norm = keraslite.layers.LayerNormalization(-1, 1e-3, True, True, "ones")
    ref = keras.layers.LayerNormalization(-1, 1e-3, True, True, "ones")
    assert type(norm.beta_initializer).__name__ == type(ref.beta_initializer).__name__ == "Ones"


@pytest.mark.parametrize("build, argument", [
    (lambda: keraslite.layers.Dense(2, lora_rank=4), "lora_rank"),
    (lambda: keraslite.layers.EinsumDense("ab,bc->ac", 2, lora_rank=4), "lora_rank"),
    (lambda: keraslite.layers.Embedding(3, 2, quantization_config={}), "quantization_config"),
    (lambda: keraslite.layers.BatchNormalization(renorm=True), "renorm"),
    (lambda: keraslite.layers.BatchNormalization(renorm_momentum=0.5), "renorm_momentum"),
    (lambda: keraslite.layers.StringLookup(salt=3), "salt"),
    (lambda: keraslite.layers.StringLookup(encoding="latin-1"), "encoding"),
    (lambda: keraslite.layers.IntegerLookup(oov_method="farmhash"), "oov_method"),
    (lambda: keraslite.Input(shape=(2,), ragged=True), "ragged"),
    (lambda: keraslite.Input(shape=(2,), optional=True), "optional"),
    (lambda: keraslite.ops.one_hot(np.array([1]), 3, sparse=True), "sparse"),
    (lambda: keraslite.ops.multi_hot(np.array([1]), 3, sparse=True), "sparse"),
    (lambda: keraslite.ops.moments(np.ones((2, 2)), [0], synchronized=True), "synchronized"),
    (lambda: keraslite.callbacks.BackupAndRestore("d", double_checkpoint=True),
     "double_checkpoint"),
])
def test_unsupported_non_default_values_are_refused_by_name(build, argument):
    with pytest.raises(ValueError, match=f"`{argument}` is not supported by keraslite"):
        build()


def test_defaults_of_unsupported_arguments_are_accepted():
    # What a Keras config or a script spelling out the defaults passes.
    keraslite.layers.Dense(2, lora_rank=None, lora_alpha=None, quantization_config=None)
    keraslite.layers.BatchNormalization(renorm=False, renorm_clipping=None, renorm_momentum=0.99)
    keraslite.layers.StringLookup(encoding="utf-8", salt=None)
    keraslite.layers.IntegerLookup(oov_method="floormod", salt=None)
    keraslite.Input(shape=(2,), ragged=False, optional=False)
    got = keraslite.ops.convert_to_numpy(keraslite.ops.one_hot(np.array([1]), 3, sparse=False))
    np.testing.assert_array_equal(got, np.eye(3)[[1]])
    assert "free_memory" in inspect.signature(keraslite.backend.clear_session).parameters
    keraslite.backend.clear_session(free_memory=True)


def test_model_methods_take_keras_arguments(tmp_path):
    model = keraslite.Sequential([keraslite.Input((3,)), keraslite.layers.Dense(2)])
    lines = []
    model.summary(layer_range=None, print_fn=lambda line, **_: lines.append(line))
    assert any("dense" in line for line in lines)
    with pytest.raises(ValueError, match="`layer_range` is not supported"):
        model.summary(layer_range=["dense", "dense"])
    path = tmp_path / "m.keraslite"
    model.save(str(path), True, True)  # filepath, overwrite, zipped: Keras's positions
    assert path.is_file()
    with pytest.raises(ValueError, match="`zipped` is not supported"):
        model.save(str(tmp_path / "n.keraslite"), True, False)
    assert not (tmp_path / "n.keraslite").exists()
    with pytest.raises(ValueError, match="`max_shard_size` is not supported"):
        model.save_weights(str(tmp_path / "w.safetensors"), True, 5)
    layer = keraslite.layers.Dense(2)
    layer.build_from_config(config={"input_shape": (None, 3)})
    assert layer.built and tuple(layer.kernel.shape) == (3, 2)
    # add_variable(shape, initializer, dtype, trainable, autocast, regularizer, constraint, name)
    var = layer.add_variable((2,), "ones", "float32", False, True, None, None, "extra")
    assert var.name == "extra" and not var.trainable
