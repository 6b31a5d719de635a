"""hard_swish (also hard_silu): x * relu6(x + 3) / 6, MobileNetV3's cheap swish."""
from __future__ import annotations

from typing import Any

from keraslite import ops


def hard_swish(x: Any) -> Any:
    """x * relu6(x + 3) / 6: 0 below -3, x above 3, a parabola between (Howard et al., 2019)."""
    return ops.hard_silu(x)


def hard_silu(x: Any) -> Any:
    """The same function as ``hard_swish``, under Keras's other name."""
    return ops.hard_silu(x)
