"""``keraslite.export.ExportArchive``: a SavedModel with several named endpoints.

Where ``model.export(path)`` writes one ``serve`` function, an archive collects the layers it
tracks, any number of endpoints (each a function of tensors with an input signature) and named
variable collections, and writes them as one TensorFlow SavedModel::

    archive = keraslite.export.ExportArchive()
    archive.track(model)
    archive.add_endpoint("serve", lambda x: model(x, training=False),
                         input_signature=[keraslite.Input((6,), dtype="float32")])
    archive.add_variable_collection("weights", model.weights)
    archive.write_out("exported")       # tf.saved_model.load("exported").serve(x)

Each endpoint runs as a pure function of the tracked variables (read through a
``StatelessScope``), so the same path serves both backends: the TensorFlow backend traces it with
``tf.function``, the JAX backend converts it with jax2tf first (TensorFlow must be installed).
The tracked variables are saved as variables of the SavedModel (``variables``,
``trainable_variables``, ``non_trainable_variables``, plus each collection by name); the first
endpoint is also the ``serving_default`` signature. A signature's unknown sizes stay dynamic.
"""
from __future__ import annotations

import keyword
import os
import shutil
import tempfile
from typing import TYPE_CHECKING, Any, Callable, Sequence

from keraslite import tree
from keraslite.variables import StatelessScope, Variable

if TYPE_CHECKING:
    from keraslite.utils.typing import FilePath

# Names the SavedModel's root already uses for the variables.
_RESERVED = {"variables", "trainable_variables", "non_trainable_variables"}


class ExportArchive:
    """Collects tracked layers, endpoints and variable collections; ``write_out`` saves them."""

    def __init__(self) -> None:
        self._variables: list[Variable] = []
        self._tracked: list[Any] = []
        self._endpoints: dict[str, tuple[Callable[..., Any], Any, list]] = {}
        self._collections: dict[str, list[Variable]] = {}

    # -- what is saved -------------------------------------------------------------------
    @property
    def variables(self) -> list[Variable]:
        return list(self._variables)

    @property
    def trainable_variables(self) -> list[Variable]:
        return [v for v in self._variables if v.trainable]

    @property
    def non_trainable_variables(self) -> list[Variable]:
        return [v for v in self._variables if not v.trainable]

    @property
    def endpoint_names(self) -> list[str]:
        return list(self._endpoints)

    def track(self, resource: Any) -> None:
        """Saves the variables of ``resource`` (a built keraslite layer or model)."""
        from keraslite.layers.layer import Layer

        if not isinstance(resource, Layer):
            raise TypeError("ExportArchive.track expects a keraslite Layer or Model. "
                            f"Received: {type(resource).__name__}.")
        if not resource.built:
            raise ValueError(f"ExportArchive.track: layer '{resource.name}' is not built yet. "
                             "Call it on data (or build it) before tracking it.")
        self._tracked.append(resource)
        self._add_variables(resource.variables)

    def add_endpoint(self, name: str, fn: Callable[..., Any],
                     input_signature: Sequence[Any] | None = None) -> None:
        """Adds the endpoint ``name``: ``fn`` called with one tensor per entry of
        ``input_signature`` (each a ``tf.TensorSpec`` or a ``KerasTensor`` such as
        ``keraslite.Input((6,))``: anything with a shape and a dtype; a list of them for one
        argument that is a list). ``fn`` may read only tracked variables. It runs once here on
        zeros (unknown sizes as 1), so a signature that does not fit fails here."""
        self._check_name(name, "endpoint", self._endpoints)
        if not callable(fn):
            raise TypeError(f"ExportArchive.add_endpoint('{name}'): fn must be callable. "
                            f"Received: {type(fn).__name__}.")
        if input_signature is None:
            raise ValueError(f"ExportArchive.add_endpoint('{name}') needs an input_signature: "
                             "a list with one spec (shape and dtype) per argument of fn, e.g. "
                             "[keraslite.Input((6,), dtype='float32')] or "
                             "[tf.TensorSpec((None, 6), 'float32')].")
        if not isinstance(input_signature, (list, tuple)):
            input_signature = [input_signature]
        specs = [_spec(name, i, leaf) for i, leaf in enumerate(tree.flatten(input_signature))]
        seen: set = set()
        for i, (shape, dtype, input_name) in enumerate(specs):  # signature names are unique
            if input_name in seen:
                specs[i] = (shape, dtype, f"{input_name}_{i}")
            seen.add(specs[i][2])
        if not specs:
            raise ValueError(f"ExportArchive.add_endpoint('{name}'): input_signature has no "
                             "specs. Received: " + repr(input_signature) + ".")
        self._try(name, fn, input_signature, specs)
        self._endpoints[name] = (fn, input_signature, specs)

    def track_and_add_endpoint(self, name: str, resource: Any,
                               input_signature: Sequence[Any]) -> None:
        """``track(resource)`` and an endpoint calling it for inference."""
        self.track(resource)
        self.add_endpoint(name, lambda *args: resource(*args, training=False), input_signature)

    def add_variable_collection(self, name: str, variables: Sequence[Variable]) -> None:
        """Saves ``variables`` (keraslite Variables) as a list attribute ``name`` of the
        SavedModel; they are tracked too."""
        self._check_name(name, "variable collection", self._collections)
        if not isinstance(variables, (list, tuple)) or not all(
                isinstance(v, Variable) for v in variables):
            kinds = sorted({type(v).__name__ for v in variables}) if isinstance(
                variables, (list, tuple)) else type(variables).__name__
            raise TypeError(f"ExportArchive.add_variable_collection('{name}') expects a list of "
                            f"keraslite Variables. Received: {kinds}.")
        self._add_variables(variables)
        self._collections[name] = list(variables)

    def write_out(self, filepath: FilePath, options: Any = None, verbose: bool | None = None
                  ) -> None:
        """Writes the SavedModel folder ``filepath`` (under a temporary name, renamed into
        place: a failed write leaves nothing behind). ``options``: a
        ``tf.saved_model.SaveOptions``."""
        if not self._endpoints:
            raise ValueError("ExportArchive.write_out: the archive has no endpoint yet. Add one "
                             "with add_endpoint(name, fn, input_signature) or "
                             "track_and_add_endpoint(name, layer, input_signature).")
        from keraslite import config
        from keraslite.backends.common.saved_model_archive import save_archive

        convert = None
        if config.BACKEND == "jax":
            from keraslite.backends.jax.export_archive import to_tensorflow as convert
        endpoints = []
        for name, (fn, signature, specs) in self._endpoints.items():
            pure = self._pure(fn, signature)
            endpoints.append((name, convert(pure, specs) if convert else pure, specs))
        index = {id(v): i for i, v in enumerate(self._variables)}
        collections = {name: [index[id(v)] for v in variables]
                       for name, variables in self._collections.items()}
        values = [v.numpy() for v in self._variables]
        trainable = [v.trainable for v in self._variables]
        path = os.path.abspath(os.fspath(filepath))
        parent = os.path.dirname(path)
        os.makedirs(parent, exist_ok=True)
        staging = tempfile.mkdtemp(dir=parent, prefix=".export-")
        try:
            save_archive(endpoints, values, trainable, collections, staging, options)
            if os.path.isdir(path):
                shutil.rmtree(path)
            os.replace(staging, path)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        if verbose or verbose is None:
            print(f"Saved an ExportArchive to '{path}' (endpoints: "
                  f"{', '.join(self._endpoints)}; {len(values)} variables).")

    # -- helpers -----------------------------------------------------------------------------
    def _add_variables(self, variables: Sequence[Variable]) -> None:
        known = {id(v) for v in self._variables}
        for v in variables:
            if id(v) not in known:
                known.add(id(v))
                self._variables.append(v)

    def _check_name(self, name: Any, what: str, taken: dict) -> None:
        if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
            raise ValueError(f"ExportArchive: a {what} name must be a Python identifier (it "
                             f"becomes an attribute of the SavedModel). Received: {name!r}.")
        if name in _RESERVED or name.startswith("_"):
            raise ValueError(f"ExportArchive: the {what} name {name!r} is reserved (taken: "
                             f"{sorted(_RESERVED)}, names starting with '_').")
        if name in self._endpoints or name in self._collections:
            raise ValueError(f"ExportArchive: the name {name!r} is already taken. Endpoints: "
                             f"{list(self._endpoints)}; variable collections: "
                             f"{list(self._collections)}.")

    def _pure(self, fn: Callable[..., Any], signature: Any) -> Callable[..., Any]:
        """``fn`` as a function of (variable values, *flat inputs)."""
        variables = list(self._variables)

        def pure(values, *flat_inputs):
            args = tree.pack_sequence_as(list(signature), list(flat_inputs))
            with StatelessScope(list(zip(variables, values))):
                return fn(*args)

        return pure

    def _try(self, name: str, fn: Callable[..., Any], signature: Any, specs: list) -> None:
        import numpy as np

        from keraslite import ops

        zeros = [ops.convert_to_tensor(np.zeros(tuple(1 if d is None else d for d in shape),
                                                dtype))
                 for shape, dtype, _ in specs]
        scope = _RecordingScope(list(zip(self._variables, [v.value for v in self._variables])))
        try:
            with scope:
                fn(*tree.pack_sequence_as(list(signature), zeros))
        except Exception as error:
            raise ValueError(
                f"ExportArchive.add_endpoint('{name}'): fn could not run on inputs of the "
                f"input_signature {[(s, d) for s, d, _ in specs]}. It said: "
                f"{type(error).__name__}: {str(error)[:400]}") from error
        if scope.untracked:
            paths = sorted(v.path for v in scope.untracked.values())
            raise ValueError(f"ExportArchive.add_endpoint('{name}'): fn reads variables that "
                             f"are not tracked: {paths[:5]}. Call archive.track(layer) first "
                             "for every layer the endpoint uses.")


class _RecordingScope(StatelessScope):
    """A StatelessScope that notes every variable read but not in its mapping."""

    def __init__(self, values: Any) -> None:
        super().__init__(values)
        self.untracked: dict[int, Variable] = {}

    def lookup(self, var: Variable) -> Any:
        if id(var) not in self._values:
            self.untracked[id(var)] = var
        return super().lookup(var)


def _spec(endpoint: str, position: int, leaf: Any) -> tuple[tuple, str, str]:
    """(shape with None for unknown sizes, dtype, input name) of one signature entry."""
    from keraslite.backend import standardize_dtype

    shape, dtype = getattr(leaf, "shape", None), getattr(leaf, "dtype", None)
    if shape is None or dtype is None or isinstance(leaf, (str, bytes, int, float)):
        raise TypeError(
            f"ExportArchive.add_endpoint('{endpoint}'): input_signature entry {position} must "
            "be a spec with a shape and a dtype (a tf.TensorSpec, or a KerasTensor such as "
            f"keraslite.Input((6,))). Received: {leaf!r}.")
    if hasattr(shape, "as_list"):  # tf.TensorShape
        if getattr(shape, "rank", 0) is None:
            raise ValueError(f"ExportArchive.add_endpoint('{endpoint}'): input_signature entry "
                             f"{position} has an unknown rank; give its shape.")
        shape = shape.as_list()
    try:
        shape = tuple(None if d is None else int(d) for d in shape)
        dtype = standardize_dtype(getattr(dtype, "name", dtype))
    except (TypeError, ValueError) as error:
        raise ValueError(f"ExportArchive.add_endpoint('{endpoint}'): input_signature entry "
                         f"{position} has a shape or dtype keraslite cannot read: shape "
                         f"{shape!r}, dtype {dtype!r} ({error}).") from error
    if any(d is not None and d < 0 for d in shape):
        raise ValueError(f"ExportArchive.add_endpoint('{endpoint}'): input_signature entry "
                         f"{position} has a negative size: {shape}.")
    name = getattr(leaf, "name", None)
    name = name if isinstance(name, str) and name.isidentifier() else f"input_{position}"
    return shape, dtype, name


__all__ = ["ExportArchive"]
