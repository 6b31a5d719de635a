"""Models: ``Model`` (functional or subclassed), ``Sequential``, and model-level helpers."""
from keraslite.models.model import Model
from keraslite.models.functional import Functional
from keraslite.models.sequential import Sequential
from keraslite.models.cloning import clone_model


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Loads a model saved with ``model.save("....keraslite")``, on either backend."""
    from keraslite.saving.model_file import load_model as _load

    return _load(filepath, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode)


__all__ = ["Model", "Functional", "Sequential", "clone_model", "load_model"]
