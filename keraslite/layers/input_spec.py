"""InputSpec: what a layer accepts (rank, fixed axes), checked with errors that name the layer."""
from __future__ import annotations

from collections.abc import Mapping, Sequence


class InputSpec:
    """Constraints on one input: ``ndim``, ``min_ndim``, ``max_ndim``, ``axes={axis: size}``."""

    def __init__(self, ndim: int | None = None, min_ndim: int | None = None,
                 max_ndim: int | None = None, axes: Mapping[int, int | None] | None = None,
                 shape: Sequence[int | None] | None = None, allow_last_axis_squeeze: bool = False,
                 name: str | None = None) -> None:
        self.ndim = ndim
        self.min_ndim = min_ndim
        self.max_ndim = max_ndim
        self.axes: dict[int, int | None] = dict(axes or {})
        self.shape = shape
        self.name = name

    def __repr__(self) -> str:
        return (f"InputSpec(ndim={self.ndim}, min_ndim={self.min_ndim}, "
                f"max_ndim={self.max_ndim}, axes={self.axes})")


def _describe(expected):
    return expected


def check_input(layer_name: str, spec: InputSpec, shape: Sequence[int | None],
                index: int = 0) -> None:
    """Raises a ValueError naming the layer, what it expected and the shape it received."""
    where = f"Input {index} of layer '{layer_name}'"
    ndim = len(shape)
    if spec.ndim is not None and ndim != spec.ndim:
        raise ValueError(
            f"{where} is incompatible with the layer: expected ndim={spec.ndim}, found "
            f"ndim={ndim}. Full shape received: {tuple(shape)}"
        )
    if spec.min_ndim is not None and ndim < spec.min_ndim:
        raise ValueError(
            f"{where} is incompatible with the layer: expected min_ndim={spec.min_ndim}, found "
            f"ndim={ndim}. Full shape received: {tuple(shape)}"
        )
    if spec.max_ndim is not None and ndim > spec.max_ndim:
        raise ValueError(
            f"{where} is incompatible with the layer: expected max_ndim={spec.max_ndim}, found "
            f"ndim={ndim}. Full shape received: {tuple(shape)}"
        )
    for axis, size in spec.axes.items():
        if size is None:
            continue
        try:
            got = shape[axis]
        except IndexError:
            raise ValueError(
                f"{where} is incompatible with the layer: expected axis {axis} to exist. "
                f"Full shape received: {tuple(shape)}"
            ) from None
        if got is not None and got != size:
            axis_name = "the last axis" if axis == -1 else f"axis {axis}"
            raise ValueError(
                f"Layer '{layer_name}' expected {axis_name} of its input to be {size}. "
                f"Received: shape={tuple(shape)}"
            )
    if spec.shape is not None:
        for i, (want, got) in enumerate(zip(spec.shape, shape)):
            if want is not None and got is not None and want != got:
                raise ValueError(
                    f"{where} is incompatible with the layer: expected shape={spec.shape}, "
                    f"found shape={tuple(shape)}"
                )
