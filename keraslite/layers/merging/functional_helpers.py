"""The lower-case functional forms of the merge layers: ``add([a, b])`` is
``Add()([a, b])``, on concrete and symbolic inputs alike."""
from __future__ import annotations

from typing import Sequence, Union

from keraslite.layers.merging.add import Add
from keraslite.layers.merging.concatenate import Concatenate
from keraslite.layers.merging.dot import Dot
from keraslite.layers.merging.elementwise import Average, Maximum, Minimum, Multiply, Subtract


def add(inputs: Sequence, **kwargs):
    """Element-wise sum of ``inputs`` (an ``Add`` layer called once)."""
    return Add(**kwargs)(inputs)


def subtract(inputs: Sequence, **kwargs):
    """``inputs[0] - inputs[1]`` (a ``Subtract`` layer called once)."""
    return Subtract(**kwargs)(inputs)


def multiply(inputs: Sequence, **kwargs):
    """Element-wise product of ``inputs``."""
    return Multiply(**kwargs)(inputs)


def average(inputs: Sequence, **kwargs):
    """Element-wise mean of ``inputs``."""
    return Average(**kwargs)(inputs)


def maximum(inputs: Sequence, **kwargs):
    """Element-wise maximum of ``inputs``."""
    return Maximum(**kwargs)(inputs)


def minimum(inputs: Sequence, **kwargs):
    """Element-wise minimum of ``inputs``."""
    return Minimum(**kwargs)(inputs)


def concatenate(inputs: Sequence, axis: int = -1, **kwargs):
    """``inputs`` joined along ``axis``."""
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(inputs: Sequence, axes: Union[int, Sequence[int]] = -1, normalize: bool = False,
        **kwargs):
    """Batched dot product of two inputs along ``axes`` (cosine similarity with
    ``normalize``)."""
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)
