"""Models: ``Model`` (functional or subclassed), ``Sequential``, and model-level helpers."""
from keraslite.models.model import Model
from keraslite.models.functional import Functional
from keraslite.models.sequential import Sequential

__all__ = ["Model", "Functional", "Sequential"]
