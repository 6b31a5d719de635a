"""``Model.distribute_strategy`` on JAX: there is no ``tf.distribute`` strategy. keraslite's
distribution (``keraslite.distribution.distribution()``: DataParallel, ModelParallel) is the
JAX way to spread a model over devices, so the strategy is always None here."""
from __future__ import annotations


def creation_strategy() -> None:
    return None


def current_strategy(recorded: None) -> None:
    return None
