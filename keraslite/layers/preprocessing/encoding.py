"""CategoryEncoding and Discretization: integer/bucket encodings computed with ops."""
from __future__ import annotations

import numbers

import numpy as np

from keraslite import ops
from keraslite.layers import arg_utils
from keraslite.layers.layer import Layer
from keraslite.layers.preprocessing.normalization import _iter_batches

ENCODE_MODES = ("one_hot", "multi_hot", "count")


def encode_categorical(indices, depth, output_mode, dtype="float32", idf_weights=None):
    """Encodes integer ``indices`` as one_hot (per entry) or multi_hot/count/tf_idf (per row:
    the last axis is reduced)."""
    one_hot = ops.one_hot(ops.cast(indices, "int32"), depth, dtype=dtype)
    if output_mode == "one_hot":
        return one_hot
    counts = ops.sum(one_hot, axis=-2)
    if output_mode == "multi_hot":
        return ops.minimum(counts, ops.cast(1, dtype))
    if output_mode == "tf_idf":
        return counts * ops.cast(idf_weights, dtype)
    return counts


class CategoryEncoding(Layer):
    """Encodes integer category ids in ``[0, num_tokens)`` as dense vectors.

    Args:
        num_tokens: number of categories.
        output_mode: ``"one_hot"`` (one vector per entry; a trailing axis of size 1 is replaced),
            ``"multi_hot"`` (1 for each id present in a row) or ``"count"`` (occurrences per
            row). A rank-1 input is one row for multi_hot/count, as in Keras.

    Example::

        keraslite.layers.CategoryEncoding(4, output_mode="count")(np.array([[0, 1, 1]]))
        # [[1., 2., 0., 0.]]
    """

    def __init__(self, num_tokens=None, output_mode="multi_hot", sparse=False, **kwargs):
        super().__init__(**kwargs)
        if num_tokens is None:
            raise arg_utils.invalid("CategoryEncoding", "num_tokens", "a positive integer",
                                    num_tokens)
        self.num_tokens = arg_utils.positive_int("CategoryEncoding", "num_tokens", num_tokens)
        if output_mode not in ENCODE_MODES:
            raise arg_utils.invalid("CategoryEncoding", "output_mode",
                                    "'one_hot', 'multi_hot' or 'count'", output_mode)
        if sparse:
            raise arg_utils.invalid("CategoryEncoding", "sparse", "False (dense output only)",
                                    sparse)
        self.output_mode = output_mode
        self.sparse = False

    def call(self, inputs, count_weights=None):
        x = ops.cast(inputs, "int32")
        if self.output_mode == "one_hot":
            if len(x.shape) > 1 and x.shape[-1] == 1:
                x = ops.squeeze(x, -1)
            return ops.one_hot(x, self.num_tokens, dtype=self.compute_dtype)
        if len(x.shape) == 0:
            x = ops.reshape(x, (1,))
        one_hot = ops.one_hot(x, self.num_tokens, dtype=self.compute_dtype)
        if count_weights is not None and self.output_mode == "count":
            one_hot = one_hot * ops.expand_dims(ops.cast(count_weights, self.compute_dtype), -1)
        counts = ops.sum(one_hot, axis=-2)
        if self.output_mode == "multi_hot":
            return ops.minimum(counts, ops.cast(1, self.compute_dtype))
        return counts

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape)
        if self.output_mode == "one_hot":
            if len(shape) > 1 and shape[-1] == 1:
                shape = shape[:-1]
            return shape + (self.num_tokens,)
        return shape[:-1] + (self.num_tokens,)

    def get_config(self):
        return {**super().get_config(), "num_tokens": self.num_tokens,
                "output_mode": self.output_mode, "sparse": self.sparse}


class Discretization(Layer):
    """Buckets continuous values: bucket ``i`` holds ``bin_boundaries[i-1] <= x <
    bin_boundaries[i]``.

    Give ``bin_boundaries`` directly, or ``num_bins`` and call ``adapt(data)`` to place the
    boundaries at the data's quantiles.

    Example::

        keraslite.layers.Discretization([0.0, 1.0])(np.array([-1.0, 0.5, 2.0]))   # [0, 1, 2]
    """

    def __init__(self, bin_boundaries=None, num_bins=None, epsilon=0.01, output_mode="int",
                 sparse=False, dtype=None, name=None, **kwargs):
        super().__init__(dtype=dtype, name=name, **kwargs)
        if output_mode not in ("int",) + ENCODE_MODES:
            raise arg_utils.invalid("Discretization", "output_mode",
                                    "'int', 'one_hot', 'multi_hot' or 'count'", output_mode)
        if sparse:
            raise arg_utils.invalid("Discretization", "sparse", "False (dense output only)",
                                    sparse)
        if bin_boundaries is not None and num_bins is not None and \
                len(bin_boundaries) != num_bins - 1:
            raise ValueError(
                "Discretization: `bin_boundaries` must have `num_bins - 1` entries when both "
                f"are given. Received: bin_boundaries={bin_boundaries!r}, num_bins={num_bins!r}")
        if num_bins is not None:
            num_bins = arg_utils.positive_int("Discretization", "num_bins", num_bins)
        if bin_boundaries is not None:
            try:
                bins = [float(b) for b in bin_boundaries]
            except (TypeError, ValueError):
                raise arg_utils.invalid("Discretization", "bin_boundaries",
                                        "a sorted list of numbers", bin_boundaries) from None
            if any(b > a for a, b in zip(bins[1:], bins[:-1])):
                raise arg_utils.invalid("Discretization", "bin_boundaries",
                                        "a sorted list of numbers", bin_boundaries)
            bin_boundaries = bins
        if not isinstance(epsilon, numbers.Real) or not 0 < epsilon < 1:
            raise arg_utils.invalid("Discretization", "epsilon", "a float in (0, 1)", epsilon)
        self.bin_boundaries = bin_boundaries
        self.num_bins = num_bins
        self.epsilon = float(epsilon)
        self.output_mode = output_mode
        self.sparse = False

    def adapt(self, data):
        """Places ``num_bins - 1`` boundaries at the quantiles of ``data``."""
        if self.num_bins is None:
            raise ValueError(
                "Discretization: adapt() needs `num_bins`. Received: num_bins=None "
                f"(bin_boundaries={self.bin_boundaries!r})")
        values = np.concatenate([np.ravel(b).astype("float64") for b in _iter_batches(data)])
        if values.size == 0:
            raise ValueError("Discretization: adapt() received no data.")
        qs = np.arange(1, self.num_bins) / self.num_bins
        self.bin_boundaries = [float(v) for v in np.quantile(values, qs, method="lower")]

    def call(self, inputs):
        if self.bin_boundaries is None:
            raise ValueError(
                f"Layer '{self.name}' has no bin boundaries: pass `bin_boundaries` or call "
                "adapt() first.")
        boundaries = ops.convert_to_tensor(np.asarray(self.bin_boundaries, "float32"))
        x = ops.cast(inputs, "float32")
        buckets = ops.sum(ops.cast(ops.expand_dims(x, -1) >= boundaries, "int32"), axis=-1)
        if self.output_mode == "int":
            return buckets
        depth = len(self.bin_boundaries) + 1
        if self.output_mode == "one_hot":
            return ops.one_hot(buckets, depth, dtype=self.compute_dtype)
        if len(buckets.shape) == 1:
            buckets = ops.expand_dims(buckets, 0)
            return ops.squeeze(encode_categorical(buckets, depth, self.output_mode,
                                                  self.compute_dtype), 0)
        return encode_categorical(buckets, depth, self.output_mode, self.compute_dtype)

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape)
        if self.output_mode == "int":
            return shape
        depth = (len(self.bin_boundaries) if self.bin_boundaries else self.num_bins - 1) + 1
        if self.output_mode == "one_hot":
            return shape + (depth,)
        return shape[:-1] + (depth,)

    def get_config(self):
        return {**super().get_config(), "bin_boundaries": self.bin_boundaries,
                "num_bins": self.num_bins, "epsilon": self.epsilon,
                "output_mode": self.output_mode, "sparse": self.sparse}
