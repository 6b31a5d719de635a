"""HashedCrossing: hashes the cross of two or more categorical features into buckets.

Bucket for bucket as Keras 3's layer (which calls TensorFlow's ``sparse.cross_hashed``): each
row's features are combined with FarmHash's fingerprint concatenation (``string_hash``),
host-side in NumPy, so it runs on every backend without TensorFlow.
"""
from __future__ import annotations

import numpy as np

from keraslite import ops
from keraslite.layers import arg_utils
from keraslite.layers.layer import Layer
from keraslite.layers.preprocessing import string_hash
from keraslite.layers.preprocessing.hashing import host_values
from keraslite.ops.keras_tensor import KerasTensor


class HashedCrossing(Layer):
    """Crosses categorical features (ints or strings) by hashing each row's combination.

    Args:
        num_bins: number of buckets.
        output_mode: ``"int"`` (bucket ids) or ``"one_hot"``.
        sparse: only False (dense outputs).

    Each input has shape ``()``, ``(batch,)`` or ``(batch, 1)``; all share one shape.

    Example::

        layer = keraslite.layers.HashedCrossing(num_bins=5)
        layer((np.array([1, 2]), np.array(["a", "b"])))
    """

    # Hashes host-side: in a TensorFlow graph (tf.data) it runs through tf_data_bridge.
    _host_side_preprocessing = True

    def __init__(self, num_bins=None, output_mode="int", sparse=False, name=None, dtype=None,
                 **kwargs):
        if output_mode == "int" and dtype is None:
            dtype = "int64"
        super().__init__(name=name, dtype=dtype, **kwargs)
        self.num_bins = arg_utils.positive_int("HashedCrossing", "num_bins", num_bins)
        if output_mode not in ("int", "one_hot"):
            raise arg_utils.invalid("HashedCrossing", "output_mode", "'int' or 'one_hot'",
                                    output_mode)
        if sparse:
            raise arg_utils.invalid("HashedCrossing", "sparse", "False (dense output only)",
                                    sparse)
        self.output_mode = output_mode
        self.sparse = False

    def _check_inputs(self, inputs):
        if not isinstance(inputs, (list, tuple)) or len(inputs) < 2:
            raise ValueError(
                f"Layer '{self.name}' (HashedCrossing) expects a list or tuple of at least two "
                f"inputs. Received: {type(inputs).__name__}"
                + (f" of length {len(inputs)}" if isinstance(inputs, (list, tuple)) else ""))
        shapes = [tuple(x.shape) for x in inputs]
        first = shapes[0]
        if len(first) > 2 or (len(first) == 2 and first[-1] != 1):
            raise ValueError(f"Layer '{self.name}' (HashedCrossing) expects inputs of shape (), "
                             f"(batch,) or (batch, 1). Received: shapes={shapes}")
        if any(s != first for s in shapes[1:]):
            raise ValueError(f"Layer '{self.name}' (HashedCrossing) expects inputs of equal "
                             f"shape. Received: shapes={shapes}")

    def _convert_inputs(self, inputs):
        if isinstance(inputs, (list, tuple)):
            converted = [host_values(self.name, x) for x in inputs]
            for i, arr in enumerate(converted):
                if arr.dtype != object and arr.dtype.kind not in "iu":
                    raise TypeError(
                        f"Layer '{self.name}' (HashedCrossing) expects integer or string "
                        f"inputs. Received: input {i} with dtype={arr.dtype}")
            return converted
        return inputs

    def call(self, inputs):
        self._check_inputs(inputs)
        shape = inputs[0].shape
        columns = [np.asarray(x).reshape(-1) for x in inputs]
        rows = zip(*[[v if isinstance(v, str) else int(v) for v in col] for col in columns])
        ids = np.asarray([string_hash.cross_hash(list(row), self.num_bins) for row in rows],
                         "int64").reshape(shape)
        if self.output_mode == "int":
            # From NumPy, so a JAX backend without 64-bit types narrows int64 quietly.
            return ops.convert_to_tensor(ids.astype(self.compute_dtype), dtype=self.compute_dtype)
        out = ops.convert_to_tensor(ids.astype("int32"))
        if len(out.shape) == 2:
            out = ops.squeeze(out, -1)
        return ops.one_hot(out, self.num_bins, dtype=self.compute_dtype)

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape[0])
        if self.output_mode == "int":
            return shape
        if shape and shape[-1] == 1:
            shape = shape[:-1]
        return shape + (self.num_bins,)

    def compute_output_spec(self, *args, **kwargs):
        inputs = args[0]
        self._check_inputs(inputs)
        return KerasTensor(self.compute_output_shape([tuple(x.shape) for x in inputs]),
                           self.compute_dtype)

    def get_config(self):
        return {**super().get_config(), "num_bins": self.num_bins,
                "output_mode": self.output_mode, "sparse": self.sparse}
