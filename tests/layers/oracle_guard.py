"""Running Keras 3 as an oracle on a machine where Keras itself cannot compute a case.

Keras on TensorFlow calls TF's kernels as they are, and some configurations exist only in
oneDNN, which TensorFlow turns on only on some Intel CPUs: on other x86-64 CPUs Keras raises for a
channels_first Conv2D or a dilated Conv1DTranspose. keraslite has to compute those anyway, so a
test skips (naming Keras' error) only when the oracle raises; keraslite's own calls stay outside
the guard, and an error of keraslite's fails the test.
"""
from __future__ import annotations

import re
import sys
from typing import Callable, TypeVar

import pytest

T = TypeVar("T")

# The backend runtimes' "this kernel cannot run here" errors (TF's OpError family, XLA's runtime
# error). Anything else from Keras (a ValueError for a bad argument, say) means the test case
# itself is wrong, so it propagates and fails the test rather than hiding as a skip.
_KERNEL_ERRORS = ("OpError", "JaxRuntimeError", "XlaRuntimeError")


def is_kernel_error(error: BaseException) -> bool:
    return any(cls.__name__ in _KERNEL_ERRORS for cls in type(error).__mro__)


def skip_reason(error: BaseException) -> str:
    text = re.sub(r"\x1b\[[0-9;]*m", "", str(error))  # Keras bolds parts of its messages
    text = " ".join(text.split())
    keras = sys.modules.get("keras")
    who = f"Keras {keras.__version__} on {keras.backend.backend()}" if keras else "Keras"
    return f"{who} (the oracle) cannot compute this case here: {type(error).__name__}: {text}"[:600]


def oracle(fn: Callable[..., T], *args, **kwargs) -> T:
    """``fn(*args, **kwargs)``, a call into Keras; skips the test if Keras' backend raises."""
    try:
        return fn(*args, **kwargs)
    except Exception as error:  # noqa: BLE001 - filtered just below
        if not is_kernel_error(error):
            raise
        pytest.skip(skip_reason(error))
