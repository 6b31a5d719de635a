"""Checks shared by the per-family application tests (EfficientNetV2, ConvNeXt): structure
against Keras 3's (the cached oracle of test_structure_oracle), the published weight files named
by the installed Keras package, and one training step."""
from __future__ import annotations

import ast
import contextlib
import importlib.util
import pathlib
import re

import numpy as np
import pytest

import keraslite
from keraslite import applications, initializers
from keraslite.applications import weights as weights_lib
from keraslite.layers import layer_weights as layer_module
from tests.applications.test_structure_oracle import _normalize_keras, describe


class _ZerosOnly:
    """Stands in for the ``initializers`` module inside ``Layer.add_weight`` (which lives in
    ``layers.layer_weights``): only the structure is compared, and zero initial values make
    the big variants' builds faster."""

    @staticmethod
    def get(_identifier):
        return initializers.Zeros()


@contextlib.contextmanager
def zero_initialized():
    mp = pytest.MonkeyPatch()
    mp.setattr(layer_module, "initializers", _ZerosOnly)
    try:
        yield
    finally:
        mp.undo()


def _unnumbered(path: str) -> str:
    # Keras 3 names an unnamed weight ``variable`` plus a process-wide counter (LayerScale's).
    return re.sub(r"/variable_\d+$", "/variable", path)


def assert_same_structure(fn_name: str, kwargs: dict, keras_entry: dict) -> None:
    kwargs = dict(kwargs)
    if kwargs.get("input_shape") is not None:
        kwargs["input_shape"] = tuple(kwargs["input_shape"])
    with zero_initialized():
        model = getattr(applications, fn_name)(weights=None, **kwargs)
    ours, theirs = describe(model), _normalize_keras(keras_entry)
    for entry in (ours, theirs):
        entry["weights"] = [[_unnumbered(p), s] for p, s in entry["weights"]]
        entry["layers"] = [[c, n, [[_unnumbered(p), s] for p, s in ws]]
                           for c, n, ws in entry["layers"]]
    assert ours["params"] == theirs["params"]
    assert ours["output_shape"] == theirs["output_shape"]
    assert ours["name"] == theirs["name"]
    assert [(c, n) for c, n, _ in ours["layers"]] == [(c, n) for c, n, _ in theirs["layers"]]
    assert ours["layers"] == theirs["layers"]
    assert ours["weights"] == theirs["weights"]


def keras_published_files(module: str) -> tuple[str, dict]:
    """(base URL, WEIGHTS_HASHES) as the installed Keras package states them, read from its
    source as literals (nothing of Keras is imported or run)."""
    spec = importlib.util.find_spec("keras")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("Keras 3 (the oracle) is not installed")
    root = pathlib.Path(list(spec.submodule_search_locations)[0])
    source = root / "src" / "applications" / f"{module}.py"
    if not source.is_file():
        pytest.skip(f"this Keras has no {module} application")
    found = {}
    for node in ast.parse(source.read_text()).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(
                node.targets[0], ast.Name) and node.targets[0].id in ("BASE_WEIGHTS_PATH",
                                                                      "WEIGHTS_HASHES"):
            found[node.targets[0].id] = ast.literal_eval(node.value)
    return found["BASE_WEIGHTS_PATH"], found["WEIGHTS_HASHES"]


class _Fetched(Exception):
    pass


def requested_file(monkeypatch, build, **kwargs) -> tuple[str, str, str]:
    """(file name, URL, hash) that ``build(weights="imagenet", ...)`` asks for (not fetched)."""
    seen = []

    def fake_fetch(file_name, origin, file_hash=None):
        seen.append((file_name, origin, file_hash))
        raise _Fetched

    monkeypatch.setattr(weights_lib, "fetch", fake_fetch)
    with zero_initialized(), pytest.raises(_Fetched):
        build(weights="imagenet", **kwargs)
    return seen[0]


def train_one_step(model, x: np.ndarray, y: np.ndarray) -> float:
    model.compile(optimizer=keraslite.optimizers.SGD(0.01), loss="categorical_crossentropy")
    return float(np.asarray(model.train_on_batch(x, y)).reshape(-1)[0])
