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


def __getattr__(name: str):
    # Keras's function forms, which live with the file formats in saving (loaded on use).
    if name in ("save_model", "model_from_json"):
        from keraslite.saving import file_functions

        return getattr(file_functions, name)
    raise AttributeError(f"module 'keraslite.models' has no attribute {name!r}")


__all__ = ["Model", "Functional", "Sequential", "clone_model", "load_model", "save_model",
           "model_from_json"]
