"""ExportArchive endpoints on the JAX backend: each converted by jax2tf, so that TensorFlow can
trace it and keraslite/backends/common/saved_model_archive.py can save it."""
from __future__ import annotations

from typing import Any, Callable, Sequence


def to_tensorflow(fn: Callable[..., Any],
                  specs: Sequence[tuple[tuple, str, str]]) -> Callable[..., Any]:
    """``fn(weights, *inputs)`` as a TensorFlow-traceable function; an unknown size becomes a
    symbolic dimension, the leading one (the batch) shared by all inputs."""
    try:
        import tensorflow  # noqa: F401  (jax2tf needs it)
        from jax.experimental import jax2tf
    except ImportError as error:
        raise ImportError(
            "ExportArchive on the JAX backend writes its SavedModel through jax2tf, which needs "
            f"TensorFlow (pip install tensorflow) ({error}).") from error
    shapes = ["(" + ", ".join(("b" if j == 0 else f"d{i}_{j}") if d is None else str(d)
                              for j, d in enumerate(shape)) + ")"
              for i, (shape, _, _) in enumerate(specs)]
    return jax2tf.convert(fn, polymorphic_shapes=[None] + shapes, with_gradient=False)
