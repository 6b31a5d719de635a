"""Hashing: buckets strings or integers by hash, with the same buckets as Keras 3.

Values are hashed host-side (NumPy) with FarmHash's fingerprint, or with SipHash-2-4 when a
``salt`` is given (see ``string_hash``), so the layer runs on every backend without TensorFlow.
Inside ``tf.data.Dataset.map`` it runs through ``tf_data_bridge``.
"""
from __future__ import annotations

import numbers

import numpy as np

from keraslite import backend, ops
from keraslite.layers import arg_utils
from keraslite.layers.layer import Layer
from keraslite.layers.preprocessing import string_hash
from keraslite.layers.preprocessing.encoding import encode_categorical
from keraslite.layers.preprocessing.lookup import _is_string_tensor, _to_host_strings

HASH_MODES = ("int", "one_hot", "multi_hot", "count")


def host_values(layer_name: str, inputs) -> np.ndarray:
    """Any string/int/float input -> a NumPy array (object array of ``str`` for strings).

    A traced tensor has no value to hash: that gets a TypeError saying where the layer runs."""
    if isinstance(inputs, (list, tuple, str, bytes)):
        arr = np.asarray(inputs, dtype=object)
        if arr.size and isinstance(arr.ravel()[0], (str, bytes)):
            return _to_host_strings(arr)
        return np.asarray(inputs)
    if isinstance(inputs, np.ndarray):
        return _to_host_strings(inputs) if inputs.dtype.kind in "USO" else inputs
    if _is_string_tensor(inputs):
        return _to_host_strings(inputs)
    if backend.is_tensor(inputs) or hasattr(inputs, "numpy"):
        try:
            return np.asarray(backend.convert_to_numpy(inputs))
        except Exception as error:  # a traced value (jit / tf.function) cannot be read
            raise TypeError(
                f"Layer '{layer_name}' hashes values host-side and cannot run inside a "
                "compiled graph; apply it in the data pipeline (NumPy data or "
                f"tf.data.Dataset.map). Received: a traced {type(inputs).__name__}") from error
    if isinstance(inputs, (numbers.Number, np.generic)):
        return np.asarray(inputs)
    raise TypeError(f"Layer '{layer_name}' expects strings or integers. Received: "
                    f"{type(inputs).__name__}")


def as_hash_strings(layer_name: str, values: np.ndarray) -> np.ndarray:
    """Numbers become the decimal strings Keras hashes (floats are truncated to integers
    first, as Keras casts them to int64)."""
    if values.dtype == object:
        return values
    if values.dtype.kind == "f":
        values = values.astype("int64")
    if values.dtype.kind not in "iub":
        raise TypeError(f"Layer '{layer_name}' expects string, integer or float values. "
                        f"Received: dtype={values.dtype}")
    return np.vectorize(lambda v: str(int(v)), otypes=[object])(values) if values.size \
        else values.astype(object)


class Hashing(Layer):
    """Maps strings or integers to ``num_bins`` buckets by a stable hash (FarmHash fingerprint,
    or SipHash-2-4 keyed by ``salt``), bucket for bucket as Keras 3's ``Hashing``.

    Args:
        num_bins: number of buckets, including the mask bucket 0 when ``mask_value`` is set.
        mask_value: a value that goes to bucket 0 (others then fill ``1..num_bins-1``).
        salt: an int or a pair of ints keying SipHash; None uses the unkeyed fingerprint.
        output_mode: ``"int"``, ``"one_hot"``, ``"multi_hot"`` or ``"count"``.
        sparse: only False (dense outputs).

    Example::

        keraslite.layers.Hashing(num_bins=3)(np.array([["A"], ["B"], ["C"]]))
    """

    # Hashes host-side: in a TensorFlow graph (tf.data) it runs through tf_data_bridge.
    _host_side_preprocessing = True

    def __init__(self, num_bins=None, mask_value=None, salt=None, output_mode="int",
                 sparse=False, **kwargs):
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if output_mode == "int" else None
        super().__init__(**kwargs)
        self.num_bins = arg_utils.positive_int("Hashing", "num_bins", num_bins)
        if output_mode not in HASH_MODES:
            raise arg_utils.invalid("Hashing", "output_mode",
                                    " or ".join(map(repr, HASH_MODES)), output_mode)
        if output_mode == "int" and "int" not in self.compute_dtype:
            raise arg_utils.invalid("Hashing", "dtype", "an integer dtype with output_mode='int'",
                                    self.dtype_policy)
        if sparse:
            raise arg_utils.invalid("Hashing", "sparse", "False (dense output only)", sparse)
        self.salt = None
        if salt is not None:
            if isinstance(salt, (list, tuple)) and len(salt) == 2 and all(
                    isinstance(s, numbers.Integral) and not isinstance(s, bool) for s in salt):
                self.salt = [int(s) for s in salt]
            elif isinstance(salt, numbers.Integral) and not isinstance(salt, bool):
                self.salt = [int(salt), int(salt)]
            else:
                raise arg_utils.invalid("Hashing", "salt", "an int or a pair of ints", salt)
        self.mask_value = mask_value
        self.output_mode = output_mode
        self.sparse = False

    def _convert_inputs(self, inputs):
        return host_values(self.name, inputs)

    def hash_to_bins(self, values: np.ndarray) -> np.ndarray:
        """Host-side bucket ids (int64) for a NumPy array of values."""
        bins = self.num_bins
        mask = None
        if self.mask_value is not None and bins > 1:
            bins -= 1
            mask_value = self.mask_value
            if values.dtype == object and isinstance(mask_value, bytes):
                mask_value = mask_value.decode("utf-8")
            mask = values == mask_value if values.dtype == object or not isinstance(
                mask_value, (str, bytes)) else np.zeros(values.shape, bool)
        strings = as_hash_strings(self.name, values)
        if self.salt is not None:
            out = string_hash.hash_bucket_strong(strings, bins, tuple(self.salt))
        else:
            out = string_hash.hash_bucket_fast(strings, bins)
        if mask is not None:
            out = np.where(mask, 0, out + 1)
        return out

    def call(self, inputs):
        values = inputs
        if self.output_mode == "one_hot" and values.ndim > 0 and values.shape[-1] == 1:
            values = values[..., 0]
        ids = self.hash_to_bins(values)
        if self.output_mode == "int":
            # From NumPy, so a JAX backend without 64-bit types narrows int64 quietly.
            return ops.convert_to_tensor(ids.astype(self.compute_dtype), dtype=self.compute_dtype)
        indices = ops.convert_to_tensor(ids.astype("int32"))
        if len(indices.shape) == 0:
            indices = ops.reshape(indices, (1,))
        return encode_categorical(indices, self.num_bins, self.output_mode, self.compute_dtype)

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape)
        if self.output_mode == "int":
            return shape
        if self.output_mode == "one_hot":
            if len(shape) > 0 and shape[-1] == 1:
                shape = shape[:-1]
            return shape + (self.num_bins,)
        return shape[:-1] + (self.num_bins,)

    def compute_output_spec(self, *args, **kwargs):
        from keraslite.ops.keras_tensor import KerasTensor

        return KerasTensor(self.compute_output_shape(args[0].shape), self.compute_dtype)

    def get_config(self):
        return {**super().get_config(), "num_bins": self.num_bins, "salt": self.salt,
                "mask_value": self.mask_value, "output_mode": self.output_mode,
                "sparse": self.sparse}
