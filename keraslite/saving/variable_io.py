"""Reading variables out to arrays and assigning arrays back, all-or-nothing."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from keraslite.saving.errors import CorruptFileError

if TYPE_CHECKING:
    from keraslite.variables import Variable


def variables_to_arrays(variables: dict[str, Variable]) -> dict[str, np.ndarray]:
    """``{key: np.ndarray}`` snapshots of ``{key: Variable}`` (live values, synced from fit)."""
    return {key: np.asarray(v.numpy()) for key, v in variables.items()}


def assign_arrays(variables: dict[str, Variable], arrays: dict[str, np.ndarray], source: str,
                  skip_mismatch: bool = False, allow_extra: bool = False) -> None:
    """Assigns ``arrays[key]`` to ``variables[key]`` for every key, after checking them all.

    Raises a ValueError naming the first mismatch (a missing, extra or differently shaped
    weight) before anything is assigned, so a failed load leaves the model unchanged. With
    ``skip_mismatch`` mismatched weights are left alone instead (and reported in a warning).
    """
    problems, plan = [], []
    for key, variable in variables.items():
        if key not in arrays:
            problems.append(f"weight '{key}' ({_describe(variable)}) is missing from {source}")
            continue
        array = arrays[key]
        if tuple(array.shape) != tuple(variable.shape):
            problems.append(
                f"weight '{key}' ({_describe(variable)}) has shape {tuple(variable.shape)} in "
                f"the model but {tuple(array.shape)} in {source}"
            )
            continue
        if array.dtype.kind not in "biuf" and array.dtype.name != "bfloat16":
            raise CorruptFileError(f"{source}: tensor '{key}' has non-numeric dtype {array.dtype}.")
        plan.append((variable, array))
    extra = [key for key in arrays if key not in variables]
    if extra and not allow_extra:
        problems.append(f"{source} holds {len(extra)} weight(s) the model does not have, the "
                        f"first being '{extra[0]}'")
    if problems and not skip_mismatch:
        more = f" ({len(problems) - 1} more mismatch(es))" if len(problems) > 1 else ""
        raise ValueError(
            f"The weights in {source} do not match the model: {problems[0]}{more}. Build the "
            "model with the same architecture as the one that was saved, or pass "
            "skip_mismatch=True to load only the weights that match."
        )
    if problems:
        import warnings

        warnings.warn(f"Skipped {len(problems)} mismatched weight(s) loading {source}: "
                      f"{problems[0]}" + (" ..." if len(problems) > 1 else ""), stacklevel=3)
    for variable, array in plan:
        variable.assign(array.astype(variable.dtype, copy=False)
                        if array.dtype.name != variable.dtype else array)


def _describe(variable) -> str:
    return getattr(variable, "path", None) or getattr(variable, "name", "?")
