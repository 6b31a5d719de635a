"""Loading Keras weight files (``.weights.h5`` from Keras 3, ``.h5`` from Keras 2 / tf.keras).

The format is told from the file's structure: a ``layer_names`` attribute (at the root or in a
``model_weights`` group) means the legacy layout, top-level ``vars``/``layers`` groups mean
Keras 3. The matching rules are in ``keras3_h5_layout`` and ``legacy_h5_layout``.

Loading is all-or-nothing: every layer is matched and every array's header checked before any
array is read, and all arrays are read before any weight is assigned. h5py is needed (an
optional dependency, imported only here); nothing from Keras is.

Example::

    model = keraslite.applications.VGG16(weights=None)
    load_keras_weights(model, "vgg16_weights_tf_dim_ordering_tf_kernels.h5")
"""
from __future__ import annotations

import os
import warnings
from typing import TYPE_CHECKING

from keraslite.saving import h5_plan, keras3_h5_layout, legacy_h5_layout, own_variables
from keraslite.saving.errors import CorruptFileError
from keraslite.saving.h5_safety import SafeH5File, has_hdf5_signature

if TYPE_CHECKING:
    from keraslite.models.model import Model
    from keraslite.utils.typing import FilePath

_FIX = ("Build the model with the same layers (and weight shapes) as the model that saved the "
        "file, or pass skip_mismatch=True to skip the layers that differ.")


def is_keras_h5(path: FilePath) -> bool:
    """Whether ``path`` is an HDF5 file (by its signature bytes): one for ``load_keras_weights``."""
    try:
        return os.path.isfile(path) and has_hdf5_signature(path)
    except (OSError, TypeError, ValueError):
        return False


def load_keras_weights(model: Model, path: FilePath, skip_mismatch: bool = False) -> None:
    """Loads a Keras 3 ``.weights.h5`` or a legacy Keras 2 ``.h5`` weight file into ``model``.

    Args:
        model: a built keraslite model (Sequential, functional or subclassed) or layer.
        path: the ``.h5`` / ``.weights.h5`` / ``.hdf5`` file.
        skip_mismatch: skip (with a warning) layers whose weights are missing from the file, have
            no counterpart in the model, or differ in number or shape; by default any of these
            raises ``ValueError`` naming the first one, and nothing is loaded.

    Raises:
        FileNotFoundError: no such file.
        keraslite.saving.errors.CorruptFileError: not an HDF5 file, or a damaged one.
        keraslite.saving.errors.UnsafeFileError: the file links to other files, or declares data
            it cannot back (refused before anything is read).
        ValueError: the file does not fit the model.
    """
    path = os.fspath(path)
    with SafeH5File(path) as safe_file:
        _check_built(model)
        try:
            plans, stores = _plan(model, safe_file, skip_mismatch)
            for plan in plans:
                h5_plan.check(plan, safe_file)
            for store in stores:  # a saving hook's arrays pass the same header checks
                for _, where, dataset in store.entries:
                    safe_file.weight_info(dataset, where)
        except (OSError, RuntimeError) as error:
            # HDF5 reports damaged metadata this way from calls not wrapped more precisely.
            raise CorruptFileError(f"'{path}' is damaged: {error}") from error
        _check_coverage(model, plans, stores)
        problems = [plan for plan in plans if plan.problem]
        if problems and not skip_mismatch:
            more = (f" ({len(problems) - 1} more mismatch(es) follow it.)"
                    if len(problems) > 1 else "")
            raise ValueError(f"Cannot load '{path}' into model '{model.name}': "
                             f"{problems[0].problem}.{more} {_FIX}")
        for plan in problems:
            warnings.warn(f"Skipping a layer while loading '{path}': {plan.problem}.",
                          stacklevel=2)
        values = []
        for plan in plans:
            if plan.problem is None:
                for variable, (dataset_path, dataset) in zip(plan.variables, plan.entries):
                    values.append((variable, safe_file.read(dataset, dataset_path)))
        store_values = [(store.layer, {key: safe_file.read(dataset, where)
                                       for key, where, dataset in store.entries})
                        for store in stores]
    # A saving hook may still refuse its arrays: then every weight is put back.
    with own_variables.restored_on_error([model] if stores else []):
        assigned = set()
        for variable, value in values:
            if id(variable) not in assigned:  # a weight shared by two layers is stored twice
                assigned.add(id(variable))
                variable.assign(value)
        for layer, arrays in store_values:
            own_variables.load_store(layer, arrays, f"'{path}'")


def _plan(model, safe_file, skip_mismatch):
    root = safe_file.root
    if legacy_h5_layout.has_layout(safe_file, root, "/"):
        return legacy_h5_layout.plan(model, safe_file, root, "", skip_mismatch), []
    model_weights = safe_file.child(root, "model_weights", "/model_weights")
    if isinstance(model_weights, safe_file.h5py.Group) and legacy_h5_layout.has_layout(
            safe_file, model_weights, "/model_weights"):
        return legacy_h5_layout.plan(model, safe_file, model_weights, "/model_weights",
                                     skip_mismatch), []
    if any(safe_file.child(root, name, name) is not None for name in ("vars", "layers")):
        return keras3_h5_layout.plan_with_stores(model, safe_file)
    raise CorruptFileError(
        f"'{safe_file.path}' is an HDF5 file but not a Keras weights file: it has neither a "
        "'layer_names' attribute (Keras 2) nor 'vars'/'layers' groups (Keras 3).")


def _check_built(model):
    if not getattr(model, "built", False):
        raise ValueError(
            f"Model '{model.name}' has not created its weights yet, so there is nothing to load "
            "into. Call it on a batch of data or call model.build(input_shape) first.")


def _check_coverage(model, plans, stores=()):
    """Every model weight must have a place in the file's layout (a matcher bug otherwise); a
    layer with its own saving hook places its own weights itself."""
    planned = {id(v) for plan in [*plans, *stores] for v in plan.variables}
    for variable in model.weights:
        if id(variable) not in planned:
            plans.append(h5_plan.LayerPlan(
                variable.path, "(no place in the file's layout)", [variable],
                problem=f"weight '{variable.path}' {tuple(variable.shape)} of the model has no "
                        "place in the file's layout"))
