"""Embedding: looks up a dense vector for each integer index."""
from __future__ import annotations

from keraslite import ops
from keraslite.layers import arg_utils
from keraslite.layers.layer import Layer


class Embedding(Layer):
    """Maps integer indices in ``[0, input_dim)`` to vectors of size ``output_dim``.

    Args:
        input_dim: vocabulary size (largest index + 1).
        output_dim: size of each embedding vector.
        mask_zero: whether index 0 is padding; the layer then outputs a mask
            ``inputs != 0`` that later layers (e.g. recurrent ones) receive as ``mask``.

    Example::

        layer = keraslite.layers.Embedding(10, 4, mask_zero=True)
        y = layer(np.array([[1, 2, 0]]))   # shape (1, 3, 4); weight: embeddings (10, 4)
    """

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform",
                 embeddings_regularizer=None, embeddings_constraint=None, mask_zero=False,
                 weights=None, lora_rank=None, lora_alpha=None, quantization_config=None,
                 activity_regularizer=None, **kwargs):
        # Keras configs carry these (quantization and LoRA are not supported here).
        for key, value in (("lora_rank", lora_rank), ("lora_alpha", lora_alpha),
                           ("quantization_config", quantization_config)):
            if value is not None:
                raise ValueError(f"Embedding: argument `{key}` is not supported by keraslite. "
                                 f"Received: {key}={value!r}; leave it unset.")
        super().__init__(**kwargs)
        from keraslite import initializers

        self.input_dim = arg_utils.positive_int("Embedding", "input_dim", input_dim)
        self.output_dim = arg_utils.positive_int("Embedding", "output_dim", output_dim)
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = arg_utils.get("regularizers", embeddings_regularizer)
        self.embeddings_constraint = arg_utils.get("constraints", embeddings_constraint)
        self.activity_regularizer = arg_utils.get("regularizers", activity_regularizer)
        self.mask_zero = bool(mask_zero)
        self.supports_masking = self.mask_zero
        # Indices must not be cast to a low-precision float under mixed precision.
        self.autocast = False
        self._initial_weights = weights

    def build(self, input_shape=None):
        self.embeddings = self.add_weight(
            shape=(self.input_dim, self.output_dim), initializer=self.embeddings_initializer,
            name="embeddings", regularizer=self.embeddings_regularizer,
            constraint=self.embeddings_constraint,
        )
        self.built = True
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None

    def call(self, inputs):
        dtype = ops.standardize_dtype(inputs.dtype)
        if dtype not in ("int32", "int64"):
            inputs = ops.cast(inputs, "int32")
        outputs = ops.take(self.embeddings.value, inputs, axis=0)
        return ops.cast(outputs, self.compute_dtype)

    def compute_mask(self, inputs, previous_mask=None):
        if not self.mask_zero:
            return None
        return ops.not_equal(inputs, 0)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.output_dim,)

    def get_config(self):
        return {
            **super().get_config(),
            "input_dim": self.input_dim,
            "output_dim": self.output_dim,
            "embeddings_initializer": arg_utils.serialize("initializers",
                                                          self.embeddings_initializer),
            "embeddings_regularizer": arg_utils.serialize("regularizers",
                                                          self.embeddings_regularizer),
            "activity_regularizer": arg_utils.serialize("regularizers", self.activity_regularizer),
            "embeddings_constraint": arg_utils.serialize("constraints", self.embeddings_constraint),
            "mask_zero": self.mask_zero,
        }
