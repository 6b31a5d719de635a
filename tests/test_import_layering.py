"""The import layering of keraslite (docs/architecture.md, "Layers of the library").

Each part of the library has a rank; a module may import, at its top level, only parts of the
same or a lower rank. A function-level import of a higher rank is a lazy import that dodges a
cycle; it is allowed only where ``LAZY_UPWARD`` lists it with the reason. The check reads the
source with ``ast`` and imports nothing, so it runs the same under either backend.
"""
from __future__ import annotations

import ast
import functools
import pathlib

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "keraslite"

# Lower ranks are more basic. Parts of the same rank do not import each other at top level
# unless the table of observed imports below says so (they may, the check allows equal ranks).
RANKS = {
    "config": 0, "utils": 0, "dtype_policies": 0, "tree": 0,
    "backends": 1, "backend": 1,
    # distribution only describes meshes and layouts (backends place arrays); variables ask it
    # where a new variable goes.
    "variables": 2, "distribution": 2,
    "ops": 3,
    "random": 4,
    "initializers": 5, "activations": 5, "regularizers": 5, "constraints": 5,
    "losses": 6,
    "metrics": 7, "optimizers": 7, "mixed_precision": 7,
    "layers": 8,
    # The Trainer is the base class Model builds on, and training never imports models: so
    # training sits below models (the sketch had them the other way round).
    "training": 9,
    "models": 10,
    "callbacks": 11, "saving": 11, "datasets": 11, "preprocessing": 11,
    "export": 11,  # traces models' inference functions through the backends' exporters
    "tuner": 12,  # searches build, fit and save models through the public API
    # scikit-learn estimators and matplotlib drawings over models and ops, through the public API
    "wrappers": 12, "visualization": 12,
    "automl": 13,  # task models searched with the tuner
    "applications": 11,  # builds models and loads weights through Model.load_weights
    "keraslite": 12,  # the package itself: the public facade, above everything
}

# Function-level imports of a higher-ranked part, each with why it cannot be at top level.
# Keys are (importing module, imported module).
LAZY_UPWARD = {
    ("keraslite.backend", "keraslite.variables"):
        "backend.py is the public API; Variable helpers load on use",
    ("keraslite.backend", "keraslite.ops.keras_tensor"):
        "keras.backend.is_keras_tensor names the symbolic tensor class, which is built on ops",
    ("keraslite.backends.jax.core", "keraslite.ops.keras_tensor"):
        "abstract evaluation returns KerasTensors, and ops imports the backend",
    ("keraslite.backends.tensorflow.core", "keraslite.ops.keras_tensor"):
        "abstract evaluation returns KerasTensors, and ops imports the backend",
    ("keraslite.variables", "keraslite.ops"):
        "Variable arithmetic operators call ops, and ops unwraps Variables",
    ("keraslite.ops.image.warps", "keraslite.random"):
        "elastic_transform draws its displacement noise with keraslite's seeded random ops",
    ("keraslite.ops.dispatch", "keraslite.layers.core.op_layer"):
        "an op on KerasTensors records an OpLayer node, and layers are built from ops",
    ("keraslite.losses", "keraslite.metrics.resolve"):
        "the 'crossentropy' string resolves by the same shape rules as metrics' 'accuracy'",
    ("keraslite.layers.layer", "keraslite.models.node"):
        "a symbolic call records a functional-graph Node, which refers to layers",
    ("keraslite.layers.core.input_layer", "keraslite.models.node"):
        "Input() records its Node, and models are built from layers",
    ("keraslite.layers.core.op_layer", "keraslite.saving"):
        "an OpLayer's config encodes call arguments with the saving codec",
    ("keraslite.layers.recurrent.rnn", "keraslite.saving.serialization"):
        "the cell is a nested layer config, resolved through the closed registry",
    ("keraslite.layers.recurrent.wrappers", "keraslite.saving.serialization"):
        "wrapped layers are nested layer configs, resolved through the closed registry",
    ("keraslite.saving.serialization", "keraslite.automl"):
        "a saved task model names 'keraslite.automl>' classes, registered when automl imports",
    ("keraslite.layers.core.wrapper", "keraslite.saving.serialization"):
        "the wrapped layer is a nested layer config, resolved through the closed registry",
    **{("keraslite.layers.serialization", f"keraslite.saving.{module}"):
       "keras.layers.serialize/deserialize are the saving codec's layer entry points"
       for module in ("serialization", "keras_config_reading", "keras_config_writing")},
    ("keraslite.layers.recurrent.stacked_rnn_cells", "keraslite.saving.serialization"):
        "the stacked cells are nested layer configs, resolved through the closed registry",
    ("keraslite.layers.preprocessing.pipeline", "keraslite.saving.serialization"):
        "the pipeline's layers are nested layer configs, resolved through the closed registry",
    ("keraslite.saving.model_file", "keraslite.__version__"):
        "a saved file records the library version",
    ("keraslite.saving.keras_archive_writer", "keraslite.__version__"):
        "a Keras archive's metadata records the library version",
    ("keraslite.models.model", "keraslite.export"):
        "Model.export delegates to export, which traces models",
    ("keraslite.utils.allocation_budget", "keraslite.saving.errors"):
        "the budget raises the loader's documented error class",
    ("keraslite.utils.archive_utils", "keraslite.saving"):
        "dataset archives are opened with the file guard every loader uses",
    ("keraslite.utils.file_utils", "keraslite.saving.atomic_io"):
        "downloads are written with the one atomic writer, which lives with the file formats",
    ("keraslite.utils.image_utils", "keraslite.saving.atomic_io"):
        "save_img writes with the one atomic writer, which lives with the file formats",
    ("keraslite.config", "keraslite.mixed_precision"):
        "config.set_dtype_policy/dtype_policy are Keras's names for the mixed-precision policy",
    ("keraslite.utils.registration", "keraslite.saving.serialization"):
        "keras.utils.register_keras_serializable and custom_object_scope use the saving "
        "registry",
    ("keraslite.utils.model_visualization", "keraslite.saving.atomic_io"):
        "plot_model writes its image with the one atomic writer",
    ("keraslite.utils.random_seed", "keraslite.backends"):
        "set_random_seed seeds the backend; utils stays importable without one",
    ("keraslite.utils.random_seed", "keraslite.random"):
        "set_random_seed resets keraslite's global seed state",
    ("keraslite.training.trainer", "keraslite.callbacks"):
        "fit/evaluate/predict build the CallbackList, and callbacks hold the model",
    ("keraslite.models", "keraslite.saving.model_file"):
        "models.load_model is the saving loader under Keras's name; saving builds models",
    ("keraslite.models", "keraslite.saving"):
        "models.save_model/model_from_json are saving's file functions under Keras's names",
    ("keraslite.models.model", "keraslite.saving"):
        "Model.save/save_weights/load_weights delegate to saving, which builds models",
    ("keraslite.models.functional_config", "keraslite.saving"):
        "a functional config encodes call arguments and nested layers with the saving codec",
    ("keraslite.models.sequential", "keraslite.saving.serialization"):
        "a Sequential config holds nested layer configs, resolved through the closed registry",
    ("keraslite.models.cloning", "keraslite.saving.compile_config"):
        "a clone is compiled from the original's compile config",
}



def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        yield name, path


def _part(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1 or parts[1] not in RANKS:
        return "keraslite"
    return parts[1]


def _imported(node, module, is_package) -> list[str]:
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    if node.level:
        base = module.split(".")[: len(module.split(".")) - node.level + (1 if is_package else 0)]
        target = ".".join(base + ([node.module] if node.module else []))
    else:
        target = node.module or ""
    # ``from keraslite import ops`` imports the submodule ``keraslite.ops``.
    if target == "keraslite":
        return [f"keraslite.{a.name}" for a in node.names]
    return [target]


@functools.lru_cache(maxsize=1)
def _imports() -> tuple:
    """(module, imported keraslite module, is_function_level) for every import statement."""
    found = []
    for module, path in _modules():
        tree = ast.parse(path.read_text(), str(path))
        is_package = path.name == "__init__.py"
        functions = [n for n in ast.walk(tree)
                     if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
        in_function = {id(sub) for f in functions for sub in ast.walk(f)}
        for node in ast.walk(tree):
            for target in _imported(node, module, is_package):
                if target.startswith("keraslite"):
                    found.append((module, target, id(node) in in_function))
    return tuple(found)


def _listed(table: dict, module: str, target: str) -> bool:
    return any(module == m and (target == t or target.startswith(t + ".")) for m, t in table)


def _violations():
    top, lazy = [], []
    for module, target, lazy_import in _imports():
        if RANKS[_part(target)] <= RANKS[_part(module)]:
            continue
        (lazy if lazy_import else top).append((module, target))
    return top, lazy


def test_every_part_of_the_library_has_a_rank():
    parts = {p.name if p.is_dir() else p.stem for p in PACKAGE.iterdir()
             if (p.is_dir() and (p / "__init__.py").exists()) or p.suffix == ".py"}
    parts.discard("__init__")
    assert parts <= set(RANKS), f"Give these parts a rank: {sorted(parts - set(RANKS))}"


def test_top_level_imports_only_go_down_the_layers():
    top, _ = _violations()
    assert not top, "Top-level imports of a higher layer:\n" + "\n".join(
        f"  {m} imports {t} ({_part(m)} rank {RANKS[_part(m)]} < {_part(t)} rank "
        f"{RANKS[_part(t)]})" for m, t in sorted(set(top)))


def test_function_level_imports_of_a_higher_layer_are_listed_with_a_reason():
    _, lazy = _violations()
    unlisted = sorted({(m, t) for m, t in lazy if not _listed(LAZY_UPWARD, m, t)})
    assert not unlisted, "Lazy imports of a higher layer not in LAZY_UPWARD:\n" + "\n".join(
        f"  {m} imports {t}" for m, t in unlisted)


@pytest.mark.parametrize("entry", sorted(LAZY_UPWARD))
def test_every_allowance_is_still_needed(entry):
    """An allowance no import uses any more must go, so the list stays true."""
    used = [(m, t) for m, t, _ in _imports()]
    assert any(_listed({entry: None}, m, t) for m, t in used), f"{entry} is unused: remove it"


def test_the_check_sees_a_violation():
    """The parser resolves relative and ``from keraslite import x`` imports to modules."""
    tree = ast.parse("from keraslite import models\nfrom ..saving import errors\n")
    targets = [t for node in tree.body
               for t in _imported(node, "keraslite.ops.numpy", False)]
    assert targets == ["keraslite.models", "keraslite.saving"]
    assert RANKS[_part(targets[0])] > RANKS[_part("keraslite.ops.numpy")]
