"""One-call layer test: shapes (symbolic and eager), weight counts, config round trip, a
training step, and the same numbers from a layer rebuilt from its config.

Example::

    run_layer_test(keraslite.layers.Dense, {"units": 4}, input_shape=(2, 3),
                   expected_output_shape=(2, 4), expected_num_trainable_weights=2)
"""
from __future__ import annotations

import json

import numpy as np

import keraslite
from keraslite import backend
from keraslite.ops.keras_tensor import KerasTensor
from keraslite.variables import StatelessScope


def _is_shape(s):
    return isinstance(s, tuple) and all(d is None or isinstance(d, int) for d in s)


def _map_shapes(fn, shapes):
    """Applies ``fn`` to one shape or to each shape of a list of shapes."""
    if _is_shape(tuple(shapes)):
        return fn(tuple(shapes))
    return [fn(tuple(s)) for s in shapes]


def _random_inputs(input_shape, input_dtype, rng):
    def make(shape):
        if "int" in input_dtype:
            return rng.integers(0, 5, size=shape).astype(input_dtype)
        return rng.standard_normal(shape).astype(input_dtype)

    return _map_shapes(make, input_shape)


def _numpy(x):
    if isinstance(x, (list, tuple)):
        return [_numpy(t) for t in x]
    return backend.convert_to_numpy(x)


def _shape_of(out):
    if isinstance(out, (list, tuple)):
        return [tuple(t.shape) for t in out]
    return tuple(out.shape)


def _with_none_batch(shapes):
    return _map_shapes(lambda s: (None,) + s[1:], shapes)


def run_layer_test(layer_cls, init_kwargs, input_shape=None, input_data=None,
                   input_dtype="float32", expected_output_shape=None,
                   expected_num_trainable_weights=0, expected_num_non_trainable_weights=0,
                   expected_num_seed_generators=0, run_training_check=True,
                   run_symbolic_check=True, run_mixed_precision_check=True, atol=1e-6):
    """Checks the standard contract of a layer; returns the eager output as NumPy.

    Args:
        input_shape: full input shape including the batch size (a list of shapes for
            multi-input layers). Ignored when ``input_data`` is given.
        expected_output_shape: eager output shape (batch included); the symbolic output must
            match it with the batch size replaced by ``None``.
    """
    rng = np.random.default_rng(1234)
    if input_data is None:
        input_data = _random_inputs(input_shape, input_dtype, rng)
    input_shape = _map_shapes(lambda s: s, [np.shape(x) for x in input_data]) \
        if isinstance(input_data, (list, tuple)) else np.shape(input_data)

    # 1. Eager call builds the layer; shapes and weight counts.
    layer = layer_cls(**init_kwargs)
    output = layer(input_data)
    eager_shape = _shape_of(output)
    if expected_output_shape is not None:
        assert eager_shape == _map_shapes(lambda s: s, expected_output_shape), (
            f"eager output shape {eager_shape} != expected {expected_output_shape}")
    assert len(layer.trainable_weights) == expected_num_trainable_weights, (
        f"{len(layer.trainable_weights)} trainable weights, expected "
        f"{expected_num_trainable_weights}: {layer.trainable_weights}")
    assert len(layer.non_trainable_weights) == expected_num_non_trainable_weights, (
        f"{len(layer.non_trainable_weights)} non-trainable weights, expected "
        f"{expected_num_non_trainable_weights}: {layer.non_trainable_weights}")
    assert len(layer._seed_generators) == expected_num_seed_generators
    assert len(layer.weights) == expected_num_trainable_weights + expected_num_non_trainable_weights

    # 2. compute_output_shape agrees with the eager call.
    cos = layer.compute_output_shape(input_shape)
    assert _map_shapes(lambda s: tuple(s), cos) == eager_shape, (
        f"compute_output_shape gave {cos}, eager call gave {eager_shape}")

    # 3. Symbolic call on KerasTensors (batch None) agrees with the eager call.
    if run_symbolic_check:
        sym_layer = layer_cls(**init_kwargs)
        sym_in = _map_shapes(lambda s: KerasTensor(s, input_dtype), _with_none_batch(input_shape))
        sym_out = sym_layer(sym_in)
        assert _shape_of(sym_out) == _with_none_batch(eager_shape), (
            f"symbolic output shape {_shape_of(sym_out)} != eager {_with_none_batch(eager_shape)}")
        assert len(sym_layer.weights) == len(layer.weights)
        for a, b in zip(sym_layer.weights, layer.weights):
            assert (a.name, a.shape) == (b.name, b.shape)

    # 4. Config round trip: same config, same output with copied weights.
    # The clone is made from the config after a JSON round trip, as a saved model's would be.
    config = layer.get_config()
    clone = layer_cls.from_config(json.loads(json.dumps(config)))
    assert clone.get_config() == config
    clone(input_data)
    clone.set_weights(layer.get_weights())
    np.testing.assert_allclose(_numpy(clone(input_data, training=False)),
                               _numpy(layer(input_data, training=False)), atol=atol, rtol=0)

    # 5. A training step: gradients of mean(output) w.r.t. the trainable weights.
    if run_training_check:
        _check_training_step(layer, input_data)

    # 6. Mixed precision: float outputs in the compute dtype, float weights kept in float32.
    if run_mixed_precision_check and "float" in str(input_dtype):
        _check_mixed_precision(layer_cls, init_kwargs, input_data)
    return _numpy(output)


def _check_mixed_precision(layer_cls, init_kwargs, input_data):
    from keraslite import ops

    layer = layer_cls(**{**init_kwargs, "dtype": "mixed_bfloat16"})
    out = layer(input_data)
    for o in out if isinstance(out, (list, tuple)) else [out]:
        dtype = ops.standardize_dtype(o.dtype)
        if "float" in dtype:
            assert dtype == "bfloat16", f"{layer_cls.__name__} under mixed_bfloat16 output {dtype}"
    for v in layer.weights:
        if "float" in v.dtype:
            assert v.dtype == "float32", f"{v.path} is {v.dtype} under mixed_bfloat16"


def _check_training_step(layer, input_data):
    from keraslite import ops

    trainable = list(layer.trainable_variables)
    before = {id(v): v.numpy() for v in layer.variables}

    def loss_fn(params, x):
        with StatelessScope(dict(zip(trainable, params))) as scope:
            out = layer(x, training=True)
            outs = out if isinstance(out, (list, tuple)) else [out]
            loss = sum(ops.mean(ops.cast(o, "float32")) for o in outs)
            updates = [scope.current(v) for v in layer.non_trainable_variables]
        return loss, updates

    params = [v.value for v in trainable]
    (loss, updates), grads = backend.value_and_grad(loss_fn, has_aux=True)(params, input_data)
    assert np.isfinite(backend.convert_to_numpy(loss))
    assert len(grads) == len(trainable)
    for v, g in zip(trainable, grads):
        g = backend.convert_to_numpy(g)
        assert g.shape == v.shape, f"gradient of {v.path} has shape {g.shape}, expected {v.shape}"
        assert np.all(np.isfinite(g)), f"gradient of {v.path} is not finite"
    for v, u in zip(layer.non_trainable_variables, updates):
        assert tuple(np.shape(backend.convert_to_numpy(u))) == v.shape
    # The stateless step must not have mutated any variable.
    for v in layer.variables:
        np.testing.assert_array_equal(v.numpy(), before[id(v)])


__all__ = ["run_layer_test", "keraslite"]
