"""Normalization layers: the layer contract, NumPy references, Keras 3 weight layouts and
argument/shape errors."""
import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "jax")

from keraslite import backend, layers, ops  # noqa: E402
from layer_test_helper import run_layer_test  # noqa: E402

RNG = np.random.default_rng(0)


def _rand(*shape):
    return (RNG.standard_normal(shape) * 2 + 1).astype("float32")


def _np(x):
    return backend.convert_to_numpy(x)


@pytest.mark.parametrize("cls,kwargs,shape,n_train,n_non_train", [
    (layers.LayerNormalization, {}, (2, 3, 4), 2, 0),
    (layers.LayerNormalization, {"axis": [1, 2], "center": False}, (2, 3, 4), 1, 0),
    (layers.LayerNormalization, {"rms_scaling": True, "axis": -2}, (2, 3, 4), 1, 0),
    (layers.GroupNormalization, {"groups": 2}, (2, 5, 5, 4), 2, 0),
    (layers.GroupNormalization, {"groups": -1, "axis": 1, "scale": False}, (2, 3, 4), 1, 0),
    (layers.UnitNormalization, {}, (2, 5), 0, 0),
    (layers.UnitNormalization, {"axis": [1, 2]}, (2, 3, 4), 0, 0),
    (layers.BatchNormalization, {"axis": [1]}, (4, 3, 2, 2), 2, 2),
    (layers.BatchNormalization, {"axis": -3}, (4, 3, 2, 2), 2, 2),
])
def test_contract(cls, kwargs, shape, n_train, n_non_train):
    run_layer_test(cls, kwargs, input_shape=shape, expected_output_shape=shape,
                   expected_num_trainable_weights=n_train,
                   expected_num_non_trainable_weights=n_non_train,
                   run_training_check=n_train > 0, atol=1e-5)


# -- NumPy references ------------------------------------------------------------------------
@pytest.mark.parametrize("axis", [-1, 1, [1, 2], [2, 1]])
def test_layer_norm_reference(axis):
    x = _rand(3, 4, 5)
    layer = layers.LayerNormalization(axis=axis, epsilon=1e-3)
    layer(x)
    axes = tuple(sorted(a % 3 for a in ([axis] if isinstance(axis, int) else axis)))
    gamma, beta = _rand(*layer.gamma.shape), _rand(*layer.beta.shape)
    layer.set_weights([gamma, beta])
    shape = [1, 1, 1]
    for a in axes:
        shape[a] = x.shape[a]
    g, b = gamma.reshape(shape), beta.reshape(shape)
    mean = x.astype("float64").mean(axis=axes, keepdims=True)
    var = x.astype("float64").var(axis=axes, keepdims=True)
    ref = (x - mean) / np.sqrt(var + 1e-3) * g + b
    np.testing.assert_allclose(_np(layer(x)), ref, atol=1e-5, rtol=1e-5)


def test_layer_norm_rms_scaling_reference():
    x = _rand(2, 3, 6)
    layer = layers.LayerNormalization(rms_scaling=True)
    layer(x)
    assert [w.name for w in layer.weights] == ["gamma"]
    gamma = _rand(6)
    layer.set_weights([gamma])
    ref = x / np.sqrt(x.var(-1, keepdims=True) + 1e-3) * gamma
    np.testing.assert_allclose(_np(layer(x)), ref, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("groups,axis,shape", [(2, -1, (2, 3, 3, 4)), (3, 1, (2, 6, 5)),
                                               (1, -1, (2, 5, 4)), (-1, -1, (2, 5, 4))])
def test_group_norm_reference(groups, axis, shape):
    x = _rand(*shape)
    layer = layers.GroupNormalization(groups=groups, axis=axis, epsilon=1e-3)
    layer(x)
    dim = shape[axis]
    gamma, beta = _rand(dim), _rand(dim)
    layer.set_weights([gamma, beta])
    g = dim if groups == -1 else groups
    xc = np.moveaxis(x.astype("float64"), axis, -1)               # (B, ..., C)
    grouped = xc.reshape(xc.shape[:-1] + (g, dim // g))
    red = tuple(range(1, grouped.ndim - 2)) + (grouped.ndim - 1,)
    mean = grouped.mean(axis=red, keepdims=True)
    var = grouped.var(axis=red, keepdims=True)
    normed = ((grouped - mean) / np.sqrt(var + 1e-3)).reshape(xc.shape) * gamma + beta
    ref = np.moveaxis(normed, -1, axis)
    np.testing.assert_allclose(_np(layer(x)), ref, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("axis", [-1, 1, [1, 2]])
def test_unit_norm_reference(axis):
    x = _rand(2, 3, 4)
    x[0, 0] = 0.0
    axes = tuple(a % 3 for a in ([axis] if isinstance(axis, int) else axis))
    ref = x / np.sqrt(np.maximum((x ** 2).sum(axis=axes, keepdims=True), 1e-12))
    out = _np(layers.UnitNormalization(axis=axis)(x))
    np.testing.assert_allclose(out, ref, atol=1e-6)
    assert np.all(np.isfinite(out))


def test_batch_norm_channels_first_reference():
    x = _rand(6, 3, 4, 4)
    layer = layers.BatchNormalization(axis=1, momentum=0.5)
    out = _np(layer(x, training=True))
    mean = x.mean(axis=(0, 2, 3), keepdims=True)
    var = x.var(axis=(0, 2, 3), keepdims=True)
    np.testing.assert_allclose(out, (x - mean) / np.sqrt(var + 1e-3), atol=1e-5)
    np.testing.assert_allclose(layer.moving_mean.numpy(), 0.5 * mean.ravel(), atol=1e-5)


def test_mixed_precision_stats_in_float32():
    x = _rand(2, 4, 8) * 100
    for layer in (layers.LayerNormalization(dtype="mixed_float16"),
                  layers.GroupNormalization(groups=2, dtype="mixed_float16")):
        out = layer(x)
        assert ops.standardize_dtype(out.dtype) == "float16"
        assert all(w.dtype == "float32" for w in layer.weights)
        ref = _np(type(layer).from_config({**layer.get_config(), "dtype": "float32"})(x))
        np.testing.assert_allclose(_np(out).astype("float32"), ref, atol=1e-2)


# -- Keras 3 layout and numbers ------------------------------------------------------------------
@pytest.mark.parametrize("name,kwargs,shape", [
    ("LayerNormalization", {"axis": [2, 1]}, (2, 3, 4)),
    ("LayerNormalization", {"rms_scaling": True}, (2, 3, 4)),
    ("GroupNormalization", {"groups": 2, "axis": 1}, (2, 4, 5)),
    ("UnitNormalization", {"axis": [1, 2]}, (2, 3, 4)),
])
def test_matches_keras(name, kwargs, shape):
    if backend.backend() != "jax":
        pytest.skip("the Keras oracle runs in the JAX pass (Keras on JAX beside keraslite)")
    keras = pytest.importorskip("keras")
    x = _rand(*shape)
    theirs, ours = getattr(keras.layers, name)(**kwargs), getattr(layers, name)(**kwargs)
    theirs(x)
    ours(x)
    assert [(w.name, tuple(w.shape)) for w in ours.weights] == \
        [(w.name, tuple(w.shape)) for w in theirs.weights]
    weights = [_rand(*w.shape) for w in theirs.weights]
    theirs.set_weights(weights)
    ours.set_weights(weights)
    np.testing.assert_allclose(_np(ours(x)), np.asarray(theirs(x)), atol=1e-5, rtol=1e-5)


# -- errors ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("cls,kwargs,arg", [
    (layers.LayerNormalization, {"axis": "last"}, "axis"),
    (layers.LayerNormalization, {"epsilon": 0}, "epsilon"),
    (layers.GroupNormalization, {"groups": 0}, "groups"),
    (layers.GroupNormalization, {"axis": [1, 2]}, "axis"),
    (layers.UnitNormalization, {"axis": []}, "axis"),
    (layers.BatchNormalization, {"axis": "x"}, "axis"),
])
def test_invalid_arguments(cls, kwargs, arg):
    with pytest.raises(ValueError, match=rf"{cls.__name__}.*{arg}"):
        cls(**kwargs)


def test_invalid_axis_or_groups_for_input_name_the_layer():
    with pytest.raises(ValueError, match=r"ln_x.*axis=3.*\(2, 3, 4\)"):
        layers.LayerNormalization(axis=3, name="ln_x")(_rand(2, 3, 4))
    with pytest.raises(ValueError, match=r"gn_x.*groups=3.*\(2, 4\)"):
        layers.GroupNormalization(groups=3, name="gn_x")(_rand(2, 4))
    with pytest.raises(ValueError, match=r"bn_x.*axis=4"):
        layers.BatchNormalization(axis=4, name="bn_x")(_rand(2, 4))
    ln = layers.LayerNormalization(name="ln_y")
    ln(_rand(2, 4))
    with pytest.raises(ValueError, match=r"ln_y.*4.*\(2, 5\)"):
        ln(_rand(2, 5))
