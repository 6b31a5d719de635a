"""CustomScaleLayer: ``shortcut + scale * residual``, InceptionResNetV2's scaled residual sum.

Its class name is Keras's (the layer of ``keras.applications.InceptionResNetV2``), so the
models' layer lists and saved configs agree. Scaling the residual branch down (0.1 to 0.2 in
InceptionResNetV2) keeps the very deep network stable to train.
"""
from __future__ import annotations

import numbers

from keraslite import ops
from keraslite.layers.layer import Layer


class CustomScaleLayer(Layer):
    """Called on ``[shortcut, residual]`` (the same shape), returns
    ``shortcut + residual * scale``.

    Example::

        y = keraslite.layers.CustomScaleLayer(0.17)([x, branch])
    """

    def __init__(self, scale: float, **kwargs):
        super().__init__(**kwargs)
        if isinstance(scale, bool) or not isinstance(scale, numbers.Real):
            raise TypeError("CustomScaleLayer: `scale` should be a number. "
                            f"Received: scale={scale!r}")
        self.scale = float(scale)

    @staticmethod
    def _check_pair(name: str, shapes) -> tuple:
        if not isinstance(shapes, (list, tuple)) or len(shapes) != 2:
            raise ValueError(f"Layer '{name}' (CustomScaleLayer) must be called on a list of "
                             f"two tensors [shortcut, residual]. Received: {shapes!r}")
        first, second = (tuple(s) for s in shapes)
        if len(first) != len(second) or any(
                a is not None and b is not None and a != b for a, b in zip(first, second)):
            raise ValueError(f"Layer '{name}' (CustomScaleLayer): the shortcut and the residual "
                             f"must have the same shape. Received: {first} and {second}")
        return first

    def build(self, input_shape):
        self._check_pair(self.name, input_shape)
        self.built = True

    output_spec_from_shape = True

    def call(self, inputs):
        shortcut, residual = inputs
        return ops.add(shortcut, ops.multiply(residual, ops.cast(self.scale, residual.dtype)))

    def compute_output_shape(self, input_shape):
        return self._check_pair(self.name, input_shape)

    def get_config(self):
        return {**super().get_config(), "scale": self.scale}
