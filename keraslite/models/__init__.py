"""Models: ``Model`` (functional or subclassed), ``Sequential``, and model-level helpers."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from keraslite.models.model import Model
from keraslite.models.functional import Functional
from keraslite.models.sequential import Sequential
from keraslite.models.cloning import clone_model

if TYPE_CHECKING:
    from keraslite.utils.typing import FilePath


def load_model(filepath: FilePath, custom_objects: dict[str, Any] | None = None,
               compile: bool = True, safe_mode: bool = True) -> Model:
    """Loads a model saved with ``model.save("....keraslite")``, on either backend."""
    from keraslite.saving.model_file import load_model as _load

    return _load(filepath, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode)


__all__ = ["Model", "Functional", "Sequential", "clone_model", "load_model"]
