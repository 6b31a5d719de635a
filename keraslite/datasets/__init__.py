"""Datasets with Keras's names: ``mnist``, ``fashion_mnist``, ``cifar10``, ``cifar100``,
``imdb``, ``reuters``, ``boston_housing``, ``california_housing`` (each a module with
``load_data()``), downloaded once with ``keraslite.utils.get_file`` and verified against the
published checksum; and ``digits``, scikit-learn's bundled 8x8 digits, which need no network.

Modules load on first use.
"""
from __future__ import annotations

import importlib

from keraslite.datasets.digits import load_data as digits

# Keras data sets are modules with a load_data(); allow that spelling too.
digits.load_data = digits

_MODULES = ("mnist", "fashion_mnist", "cifar10", "cifar100", "imdb", "reuters",
            "boston_housing", "california_housing")

__all__ = ["digits", *_MODULES]


def __getattr__(name):
    if name in _MODULES:
        return importlib.import_module(f"keraslite.datasets.{name}")
    raise AttributeError(f"module 'keraslite.datasets' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_MODULES))
