"""The arguments every Keras optimizer's ``__init__`` lists after its own, in Keras's order.

Keras spells them out in each optimizer's signature (so ``Adam(1e-3, 0.9, 0.999, 1e-7, False,
0.01)`` binds 0.01 to ``weight_decay``); keraslite's optimizers do the same and hand them to the
base ``Optimizer`` with :func:`base_args`.
"""
from __future__ import annotations

from typing import Any

BASE_ARGS = ("weight_decay", "clipnorm", "clipvalue", "global_clipnorm", "use_ema",
             "ema_momentum", "ema_overwrite_frequency", "loss_scale_factor",
             "gradient_accumulation_steps")


def base_args(given: dict[str, Any], skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """The base-optimizer arguments among an ``__init__``'s ``locals()``, less ``skip``."""
    return {k: given[k] for k in BASE_ARGS if k in given and k not in skip}
