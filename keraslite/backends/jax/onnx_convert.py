"""ONNX from the JAX backend through jax2onnx (see keraslite/export/onnx_export.py).

Two adjustments make keraslite's models convert with jax2onnx 0.17:

* jax2onnx replaces ``jnp.shape`` while it traces, so that it returns a traced array. keraslite
  reads shapes as Python tuples (a recurrent layer's initial state is
  ``zeros((batch, units))``), which then fails on the traced batch size. The traced function
  therefore sees the real ``jnp.shape``: the batch size stays a symbolic dimension, which
  jax2onnx lowers to Shape/Gather nodes, so the batch stays dynamic. With that, ``lax.scan``
  (SimpleRNN, LSTM, GRU, Bidirectional) converts to an ONNX Loop.
* jax2onnx lowers ``reduce_window_max`` (max pooling) to an ONNX MaxPool over every axis of the
  array, batch and channels included, which onnxruntime refuses ("Unsupported pooling size"
  for 4-D windows). keraslite's pooling windows are 1 on the batch and channel axes, so the
  replacement below moves those two axes first (N, C, spatial...), pools over the 1 to 3
  spatial axes, and moves them back. Other windows keep jax2onnx's own lowering.
"""
from __future__ import annotations

import contextlib
from typing import Any, Callable, Iterator, Sequence

import jax
import jax.numpy as jnp
import numpy as np


def onnx_model_bytes(call: Callable[..., Any], values: Sequence[Any],
                     specs: Sequence[tuple[tuple, str, str]], opset: int) -> bytes:
    """``call(values, *inputs)`` as a serialized ONNX model (jax2onnx), the weights folded in as
    initializers; unknown dimensions become named symbolic dimensions (the batch: "batch")."""
    try:
        from jax2onnx import to_onnx
    except ImportError as error:
        raise ImportError("Exporting ONNX from the JAX backend needs jax2onnx and onnx: pip "
                          f"install \"keraslite[onnx]\" ({error}).") from error
    _install_max_pool_lowering()
    weights = [jnp.asarray(v) for v in values]
    shapes = [tuple(("batch" if j == 0 else f"d{i}_{j}") if d is None else int(d)
                    for j, d in enumerate(shape)) for i, (shape, _, _) in enumerate(specs)]
    names = [name for _, _, name in specs]

    def traced(*inputs):
        with _real_jnp_shape():
            return call(weights, *inputs)

    proto = to_onnx(traced, shapes, opset=opset, input_names=names,
                    model_name="keraslite_model")
    return proto.SerializeToString()


@contextlib.contextmanager
def _real_jnp_shape() -> Iterator[None]:
    """``jnp.shape`` as JAX defines it, for the duration of keraslite's own code."""
    try:  # jax2onnx's own module; a version without it does not patch jnp.shape this way
        from jax2onnx.plugins.jax.numpy.shape import JnpShapePlugin
    except ImportError:
        yield
        return
    original = getattr(getattr(JnpShapePlugin, "_PRIM", None), "__orig_impl__shape", None)
    patched = jnp.shape
    if original is None or original is patched:
        yield
        return
    jnp.shape = original
    try:
        yield
    finally:
        jnp.shape = patched


_INSTALLED = []


def _install_max_pool_lowering() -> None:
    """Registers the channel-aware max-pooling lowering once per process."""
    if _INSTALLED:
        return
    try:  # jax2onnx's plugin registry; other versions keep their own lowering
        from jax2onnx.plugins import plugin_system

        plugin_system.import_all_plugins()
        name = jax.lax.reduce_window_max_p.name
        fallback = plugin_system.PLUGIN_REGISTRY.get(name)
    except (ImportError, AttributeError):
        fallback = None
    if fallback is None:  # nothing to improve on: jax2onnx's own lowering (or its error)
        _INSTALLED.append(True)
        return
    plugin = _channel_max_pool_class(type(fallback))()
    plugin.primitive = name
    plugin.metadata = getattr(fallback, "metadata", {})
    plugin_system.PLUGIN_REGISTRY[name] = plugin
    _INSTALLED.append(True)


def _channel_max_pool_class(base: type) -> type:
    from jax2onnx.converter.ir_builder import _dtype_to_ir
    from jax2onnx.plugins._ir_shapes import _ensure_value_metadata, _stamp_type_and_shape

    class ChannelMaxPool(base):  # type: ignore[misc, valid-type]
        """MaxPool over the spatial axes, with batch and channels as ONNX's N and C."""

        def lower(self, ctx: Any, eqn: Any) -> None:
            plan = _pool_plan(eqn)
            if plan is None:
                return super().lower(ctx, eqn)
            perm, kwargs = plan
            inverse = [int(i) for i in np.argsort(perm)]
            operand, out = eqn.invars[0], eqn.outvars[0]
            in_shape, out_shape = tuple(operand.aval.shape), tuple(out.aval.shape)
            dtype = _dtype_to_ir(np.dtype(operand.aval.dtype),
                                 ctx.builder.enable_double_precision)
            x = ctx.get_value_for_var(operand, name_hint=ctx.fresh_name("max_pool_in"))
            out_spec = ctx.get_value_for_var(out, name_hint=ctx.fresh_name("max_pool_out"))

            def stamp(value, shape):
                import onnx_ir as ir

                value.type = ir.TensorType(dtype)
                _stamp_type_and_shape(value, shape)
                _ensure_value_metadata(ctx, value)
                return value

            first = stamp(ctx.builder.Transpose(x, perm=perm,
                                                _outputs=[ctx.fresh_name("max_pool_nc")]),
                          [in_shape[i] for i in perm])
            pooled = stamp(ctx.builder.MaxPool(first, _outputs=[ctx.fresh_name("max_pool")],
                                               **kwargs),
                           [out_shape[i] for i in perm])
            name = getattr(out_spec, "name", None) or ctx.fresh_name("max_pool_out")
            result = stamp(ctx.builder.Transpose(pooled, perm=inverse, _outputs=[name]),
                           out_shape)
            ctx.bind_value_for_var(out, result)

    return ChannelMaxPool


def _pool_plan(eqn: Any) -> tuple[list[int], dict[str, Any]] | None:
    """(axis permutation to N, C, spatial..., MaxPool attributes) when exactly two axes are
    untouched by the window (batch and channels) and 1 to 3 are pooled; else None."""
    params = eqn.params
    window = tuple(int(d) for d in params["window_dimensions"])
    rank = len(window)
    strides = tuple(int(s) for s in params.get("window_strides", (1,) * rank))
    padding = params.get("padding", ((0, 0),) * rank)
    if isinstance(padding, str):
        return None
    padding = tuple((int(lo), int(hi)) for lo, hi in padding)
    base = tuple(int(d) for d in params.get("base_dilation", (1,) * rank))
    dilation = tuple(int(d) for d in params.get("window_dilation", (1,) * rank))
    if any(d != 1 for d in base):
        return None
    if np.dtype(eqn.invars[0].aval.dtype) not in (np.float16, np.float32, np.float64):
        return None
    pooled = [i for i in range(rank)
              if (window[i], strides[i], padding[i], dilation[i]) != (1, 1, (0, 0), 1)]
    kept = [i for i in range(rank) if i not in pooled]
    if len(kept) != 2 or not 1 <= len(pooled) <= 3:
        return None
    kwargs: dict[str, Any] = {"kernel_shape": [window[i] for i in pooled],
                              "strides": [strides[i] for i in pooled]}
    pads = [padding[i][0] for i in pooled] + [padding[i][1] for i in pooled]
    if any(pads):
        kwargs["pads"] = pads
    if any(dilation[i] != 1 for i in pooled):
        kwargs["dilations"] = [dilation[i] for i in pooled]
    return kept + pooled, kwargs
