"""scikit-learn estimators over keraslite models: ``SKLearnClassifier``, ``SKLearnRegressor``,
``SKLearnTransformer`` (needs scikit-learn: ``pip install scikit-learn``)."""
from __future__ import annotations

from keraslite.wrappers.sklearn_wrapper import (  # noqa: F401
    SKLearnClassifier, SKLearnRegressor, SKLearnTransformer,
)

__all__ = ["SKLearnClassifier", "SKLearnRegressor", "SKLearnTransformer"]
