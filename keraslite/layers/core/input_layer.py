"""InputLayer and ``Input``: the entry points of a functional graph."""
from __future__ import annotations

from keraslite.backends import core
from keraslite.layers.layer import Layer
from keraslite.ops.keras_tensor import KerasTensor
from keraslite.utils.unsupported_args import require_default


class InputLayer(Layer):
    """Holds the symbolic tensor a functional model starts from. Has no weights."""

    def __init__(self, shape=None, batch_size=None, dtype=None, sparse=False, ragged=None,
                 batch_shape=None, input_tensor=None, optional=False, name=None, **kwargs):
        # keraslite has no ragged tensors and no optional (None-valued) inputs.
        require_default("InputLayer", "ragged", ragged or None)
        require_default("InputLayer", "optional", optional, False)
        kwargs.pop("input_shape", None)
        batch_shape = kwargs.pop("batch_input_shape", batch_shape)
        super().__init__(name=name or _input_name(), **kwargs)
        if input_tensor is not None:
            if not isinstance(input_tensor, KerasTensor):
                raise TypeError(
                    f"InputLayer '{self.name}': input_tensor must be a KerasTensor. "
                    f"Received: {type(input_tensor).__name__}"
                )
            batch_shape = input_tensor.shape
            dtype = dtype or input_tensor.dtype
        if batch_shape is None:
            if shape is None:
                raise ValueError(
                    f"InputLayer '{self.name}' needs a shape, e.g. Input(shape=(784,)). "
                    "Received: shape=None"
                )
            if isinstance(shape, int):
                shape = (shape,)
            _check_dims(self.name, shape)
            batch_shape = (batch_size,) + tuple(shape)
        else:
            _check_dims(self.name, batch_shape[1:])
        self.batch_shape = tuple(None if d is None else int(d) for d in batch_shape)
        self._dtype_in = core.standardize_dtype(dtype) if dtype else self.compute_dtype
        self.sparse = sparse
        self.built = True
        tensor = input_tensor or KerasTensor(self.batch_shape, self._dtype_in, name=self.name)
        tensor.name = self.name
        from keraslite.models.node import Node

        Node(self, (), {}, tensor)
        self.output_tensor = tensor

    @property
    def dtype(self):
        return self._dtype_in

    def call(self, inputs):
        return inputs

    def get_config(self):
        return {"batch_shape": self.batch_shape, "dtype": self._dtype_in,
                "sparse": self.sparse, "name": self.name}


def _check_dims(name, shape):
    for d in shape:
        if d is not None and (not isinstance(d, int) or d < 0):
            raise ValueError(
                f"InputLayer '{name}': every dimension of shape must be a non-negative int or None. "
                f"Received: shape={tuple(shape)}"
            )


def _input_name():
    from keraslite.utils import naming

    return naming.unique_name("input_layer")


def Input(shape=None, batch_size=None, dtype=None, sparse=False, ragged=None, batch_shape=None,
          name=None, tensor=None, optional=False):
    """A symbolic input for the functional API, e.g. ``x = Input(shape=(784,))``."""
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, sparse=sparse,
                       ragged=ragged, batch_shape=batch_shape, name=name, input_tensor=tensor,
                       optional=optional)
    return layer.output_tensor
