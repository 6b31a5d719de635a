"""Lambda: wraps a Python function of tensors as a layer (in memory only; never saved)."""
from __future__ import annotations

import inspect

from keraslite.layers import arg_utils
from keraslite.layers.layer import Layer


class Lambda(Layer):
    """Applies ``function(inputs, **arguments)`` written with ``keraslite.ops``.

    A Lambda holds arbitrary Python code, which keraslite never saves or loads (a saved file is
    data only), so ``get_config`` raises a ``ValueError``; write a ``Layer`` subclass registered
    with ``keraslite.saving.register_serializable`` for a model you want to save.

    Args:
        function: callable of the input; it receives ``mask=`` / ``training=`` if it names them.
        output_shape: output shape without the batch axis, or a callable of the input shape;
            ``None`` infers it by evaluating ``function`` abstractly.
        mask: a callable ``(inputs, mask) -> mask``, or a fixed mask to output.
        arguments: extra keyword arguments for ``function``.

    Example::

        double = keraslite.layers.Lambda(lambda x: x * 2.0)
        y = double(np.ones((2, 3)))   # all 2.0
    """

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise arg_utils.invalid("Lambda", "function", "a callable", function)
        if arguments is not None and not isinstance(arguments, dict):
            raise arg_utils.invalid("Lambda", "arguments", "a dict of keyword arguments or None",
                                    arguments)
        self.function = function
        self.arguments = dict(arguments or {})
        self.mask = mask
        self._output_shape = output_shape
        self.supports_masking = mask is not None
        try:
            params = inspect.signature(function).parameters
        except (TypeError, ValueError):
            params = {}
        takes_kwargs = any(p.kind is p.VAR_KEYWORD for p in params.values())
        self._fn_takes_mask = "mask" in params or takes_kwargs
        self._fn_takes_training = "training" in params or takes_kwargs

    def call(self, inputs, mask=None, training=None):
        kwargs = dict(self.arguments)
        if self._fn_takes_mask and "mask" not in kwargs:
            kwargs["mask"] = mask
        if self._fn_takes_training and "training" not in kwargs:
            kwargs["training"] = training
        return self.function(inputs, **kwargs)

    def compute_mask(self, inputs, previous_mask=None):
        if callable(self.mask):
            return self.mask(inputs, previous_mask)
        return self.mask

    def compute_output_shape(self, input_shape):
        if self._output_shape is None:
            return super().compute_output_shape(input_shape)
        if callable(self._output_shape):
            return self._output_shape(input_shape)
        shapes = input_shape
        while isinstance(shapes, (list, tuple)) and shapes and isinstance(
                shapes[0], (list, tuple)):
            shapes = shapes[0]
        batch = shapes[0] if isinstance(shapes, (list, tuple)) and shapes else None
        out = self._output_shape
        if isinstance(out, (list, tuple)) and out and isinstance(out[0], (list, tuple)):
            return [(batch,) + tuple(s) for s in out]
        return (batch,) + tuple(out)

    def get_config(self):
        name = getattr(self.function, "__name__", type(self.function).__name__)
        raise ValueError(
            f"Lambda layer '{self.name}' (function {name}) cannot be saved or serialized: a "
            "Lambda holds arbitrary Python code, and keraslite never saves or loads code (a "
            "saved model is data only). To save this model, write the computation as a Layer "
            "subclass with `call` and `get_config`, decorated with "
            "@keraslite.saving.register_serializable(), and use it instead of the Lambda."
        )
