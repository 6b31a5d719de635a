"""Weights for the applications: ``None``, a local file, or the published ImageNet file.

``weights="imagenet"`` fetches the published Keras file through ``keraslite.utils.get_file``
(cache folder, checksum, atomic write, reused offline) and loads it by layer name; any other
string is a path loaded with ``Model.load_weights`` (Keras ``.h5``/``.weights.h5`` or a
keraslite ``.safetensors``). Loading is all-or-nothing: a file for another architecture fails
naming the first layer that differs, and the model is left as built.
"""
from __future__ import annotations

import functools
import inspect
import os
from typing import Any, Callable

from keraslite.utils import pending_arrays
from keraslite.utils.file_utils import get_file

BASE_URL = "https://storage.googleapis.com/tensorflow/keras-applications/"


def fetch(file_name: str, origin: str, file_hash: str | None = None) -> str:
    """The local path of a published weight file, downloaded into the cache on first use."""
    try:
        return get_file(file_name, origin, cache_subdir="models", file_hash=file_hash)
    except (OSError, ValueError) as error:  # offline, HTTP error, truncated, checksum mismatch
        message = (f"Could not obtain the ImageNet weights {file_name!r} from {origin}: {error} "
                   "Alternatively, download the file by hand and pass its path as weights=...")
        try:
            wrapped = type(error)(message)  # the same class (DownloadError, ValueError), said more
        except Exception:  # noqa: BLE001 - a class with another constructor
            wrapped = ValueError(message)
        raise wrapped from error


def draws_held_when_loading(build: Callable) -> Callable:
    """Decorates a family's builder (a function with a ``weights`` argument that builds the
    model then calls ``load``): with weights to load, the initial draws of the variables wait
    for a reader instead of the workers (``pending_arrays.held``), and loading the file
    cancels them, so a model built to be loaded draws nothing it overwrites."""
    signature = inspect.signature(build)
    default = signature.parameters["weights"].default

    @functools.wraps(build)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        weights = signature.bind_partial(*args, **kwargs).arguments.get("weights", default)
        if weights is None:
            return build(*args, **kwargs)
        with pending_arrays.held():
            return build(*args, **kwargs)

    return wrapper


def load(model: Any, weights: Any, file_name: str | None = None, origin: str | None = None,
         file_hash: str | None = None) -> None:
    """Loads ``weights`` (None, "imagenet" or a path) into the built ``model``."""
    if weights is None:
        return
    if weights == "imagenet":
        if file_name is None or origin is None:
            raise ValueError(f"There are no published ImageNet weights for {model.name!r}; "
                             "pass weights=None or the path to a weights file.")
        path = fetch(file_name, origin, file_hash)
    else:
        path = os.fspath(weights)
    model.load_weights(path)
