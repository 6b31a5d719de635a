"""Array data for fit/evaluate/predict: validation with clear errors, splitting, staging.

x, y and sample_weight may be arrays, or lists/dicts of arrays for models with several inputs
or outputs. They are flattened once into a list of NumPy arrays of equal length; the compiled
loops receive that list on the device and gather batches from it by index.
"""
from __future__ import annotations

import numpy as np

from keraslite.utils import tree


_FLOAT32_MAX = float(np.finfo(np.float32).max)
_INT32 = np.iinfo(np.int32)


def is_pandas(value) -> bool:
    """A pandas DataFrame or Series (recognised without importing pandas)."""
    return type(value).__module__.startswith("pandas") and hasattr(value, "to_numpy")


def _as_array(value, what):
    if is_pandas(value):
        pandas_value, value = value, value.to_numpy()
        if value.dtype == object:  # mixed bool/number columns: numbers if they all convert
            try:
                value = pandas_value.to_numpy(dtype=np.float64)
            except (TypeError, ValueError):
                pass
    if hasattr(value, "numpy") and not isinstance(value, np.ndarray):
        value = value.numpy()
    try:
        arr = np.asarray(value)
    except Exception as e:  # ragged lists and the like
        raise ValueError(f"{what} could not be converted to an array: {e}") from None
    if arr.dtype.kind in "USO":
        raise TypeError(
            f"{what} holds {'strings' if arr.dtype.kind in 'US' else 'Python objects'} "
            f"(dtype={arr.dtype}); keraslite trains on numbers. Encode the data as numbers first "
            "(e.g. with a StringLookup layer or a NumPy mapping)."
        )
    if arr.dtype.kind in "MmcV":
        kind, hint = {
            "M": ("dates", "dates to seconds: a.astype('datetime64[s]').astype('int64')"),
            "m": ("durations", "durations to seconds: a / np.timedelta64(1, 's')"),
            "c": ("complex numbers", "np.stack([a.real, a.imag], axis=-1)"),
        }.get(arr.dtype.kind, ("raw records", "one numeric column per field"))
        raise TypeError(
            f"{what} holds {kind} (dtype={arr.dtype}); keraslite trains on real numbers. "
            f"Convert them first, e.g. {hint}."
        )
    if arr.ndim == 0:
        raise ValueError(f"{what} must have a batch dimension. Received a scalar.")
    if arr.dtype.kind in "fc" and arr.size and not np.isfinite(arr).all():
        _raise_non_finite(arr, what)
    if arr.dtype == np.float64:
        # float64 data enters the model as float32 (floatx): a finite value beyond float32's
        # range would become inf there and surface later as a NaN loss, far from its cause.
        too_big = np.abs(arr) > _FLOAT32_MAX
        if too_big.any():
            where = tuple(int(i) for i in np.argwhere(too_big)[0])
            raise ValueError(
                f"{what} holds {int(too_big.sum())} value(s) beyond float32's range "
                f"(+-{_FLOAT32_MAX:.4g}); the first is {arr[where]!r} at index {where}. The data "
                "is computed in float32: rescale it (e.g. standardize or take a log) first."
            )
        arr = arr.astype(np.float32)
    elif arr.dtype == np.int64 or arr.dtype == np.uint64:
        arr = _narrow_integers(arr, what)
    return arr


def _narrow_integers(arr, what):
    """int64/uint64 -> int32 when every value fits. Otherwise: targets are refused (labels and
    ids cannot be rounded), weights become float32, and inputs stay wide until the model's
    input dtype decides (``training/input_standardization.py``). Never a silent wrap."""
    outside = (arr < _INT32.min) | (arr > _INT32.max)
    if not arr.size or not outside.any():
        return arr.astype(np.int32)
    role = what.split("[")[0].split("(")[0]
    if role == "sample_weight":
        return arr.astype(np.float32)
    if role == "x":
        return arr
    where = tuple(int(i) for i in np.argwhere(outside)[0])
    raise ValueError(
        f"{what} holds {int(outside.sum())} integer value(s) outside the int32 range "
        f"[{_INT32.min}, {_INT32.max}]; the first is {arr[where]} at index {where}. Integer "
        "targets are class ids and must fit int32; if they are numeric values, pass "
        "y.astype('float32')."
    )


def _raise_non_finite(arr, what):
    bad = ~np.isfinite(arr)
    first = tuple(int(i) for i in np.argwhere(bad)[0])
    nans = int(np.isnan(arr).sum())
    raise ValueError(
        f"{what} holds {nans} NaN and {int(bad.sum()) - nans} infinite value(s); the first is at "
        f"index {first}. Training on them would turn the weights into NaN. Remove or replace "
        "them first (e.g. np.nan_to_num, or impute missing values)."
    )


def standardize(structure, what):
    """Arrays (or nested lists/dicts of arrays) -> same structure of NumPy arrays."""
    if structure is None:
        return None
    if is_pandas(structure):
        return _as_array(structure, what)
    if isinstance(structure, dict):
        return {k: standardize(v, f"{what}[{k!r}]") for k, v in structure.items()}
    if isinstance(structure, (list, tuple)) and structure and all(
        hasattr(v, "shape") or isinstance(v, (list, tuple, dict)) for v in structure
    ) and not _is_plain_nested_numbers(structure):
        return [standardize(v, f"{what}[{i}]") for i, v in enumerate(structure)]
    return _as_array(structure, what)


def _is_plain_nested_numbers(structure):
    """A list of lists of numbers is one array, not several inputs."""
    return all(isinstance(v, (list, tuple)) for v in structure) and not any(
        hasattr(v, "shape") for v in structure
    )


class ArrayData:
    """Validated in-memory data: ``x``, ``y`` and ``sample_weight`` with one sample count."""

    def __init__(self, x, y=None, sample_weight=None, what="fit"):
        if x is None:
            raise ValueError(f"{what}() needs input data x. Received: x=None")
        self.x = standardize(x, "x")
        self.y = standardize(y, "y")
        self.sample_weight = standardize(sample_weight, "sample_weight")
        counts = {}
        for name, part in (("x", self.x), ("y", self.y), ("sample_weight", self.sample_weight)):
            for i, leaf in enumerate(tree.flatten(part)):
                if leaf is None:
                    continue
                key = name if not tree.is_nested(part) else f"{name}[{i}]"
                counts[key] = leaf.shape[0]
        lengths = set(counts.values())
        if len(lengths) > 1:
            detail = ", ".join(f"{k}: {v} samples" for k, v in counts.items())
            raise ValueError(
                "x, y and sample_weight must all have the same number of samples (first "
                f"dimension). Received: {detail}"
            )
        self.num_samples = lengths.pop()
        if self.num_samples == 0:
            raise ValueError(
                f"{what}() received empty data: x has 0 samples. Pass at least one sample."
            )

    def flat(self):
        """The arrays (x leaves, y leaves, sample_weight; absent parts skipped) and the
        template that ``repack`` uses to rebuild ``(x, y, sample_weight)`` from a batch."""
        template = (self.x, self.y, self.sample_weight)
        return [a for a in tree.flatten(template) if a is not None], template

    def split(self, validation_split):
        """The last ``validation_split`` fraction becomes validation data (before shuffling)."""
        if not 0.0 < validation_split < 1.0:
            raise ValueError(
                f"validation_split must be a float between 0 and 1 (exclusive). "
                f"Received: validation_split={validation_split}"
            )
        cut = int(self.num_samples * (1.0 - validation_split))
        if cut == 0 or cut == self.num_samples:
            raise ValueError(
                f"validation_split={validation_split} leaves no samples for "
                f"{'training' if cut == 0 else 'validation'} out of {self.num_samples}."
            )
        train, val = _sliced(self, 0, cut), _sliced(self, cut, self.num_samples)
        return train, val


def _sliced(data, start, stop):
    out = ArrayData.__new__(ArrayData)
    out.x = tree.map_structure(lambda a: a[start:stop], data.x)
    out.y = None if data.y is None else tree.map_structure(lambda a: a[start:stop], data.y)
    out.sample_weight = None if data.sample_weight is None else data.sample_weight[start:stop]
    out.num_samples = stop - start
    return out


def repack(template, arrays):
    """Inverse of ``ArrayData.flat``: puts batch arrays back into ``(x, y, sample_weight)``."""
    it = iter(arrays)
    return tree.pack_as(template, [None if a is None else next(it) for a in tree.flatten(template)])


def signature(template):
    """Structure, per-sample shapes and dtypes of the data: the part a compiled step depends on."""
    return tuple(
        None if a is None else (tuple(a.shape[1:]), str(a.dtype)) for a in tree.flatten(template)
    ) + (repr(tree.map_structure(lambda a: 0, template)),)


def unpack_validation_data(validation_data):
    if isinstance(validation_data, ArrayData):
        return validation_data
    if not isinstance(validation_data, (list, tuple)) or len(validation_data) not in (2, 3):
        raise ValueError(
            "validation_data must be a tuple (x_val, y_val) or (x_val, y_val, val_sample_weight). "
            f"Received: {tree.describe(validation_data)}"
        )
    return ArrayData(*validation_data, what="fit(validation_data)")


def check_positive_int(value, name, allow_none=False):
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{name} must be a positive integer. Received: {name}={value!r}")
    return int(value)
