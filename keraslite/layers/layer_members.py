"""Keras 3's ``Layer`` members beyond building and calling: the layer's ``path``, the metrics it
holds, ``input_dtype``, the ``save_own_variables``/``load_own_variables`` saving hooks,
``symbolic_call``, ``rematerialized_call`` and the quantization members (not supported).

Mixed into ``Layer``; relies on its ``name``, ``built``, ``_layers``, ``compute_dtype``,
``_own_weights`` and ``_symbolic_call``.

**Paths.** Keras names a layer by the layers it was built inside: a Sequential's layers are
``"seq/dense"``, a subclassed model's sublayers ``"model/block/dense"``, a functional model's
layers (built before the model exists) just their own names. keraslite follows the same rule:
every ``build`` and every call runs inside the layer's scope (a thread-local stack, since
``tf.data`` calls layers from other threads), and a layer's path is fixed the first time it is
built, from the scopes open then (``keraslite.name_scope`` names included, outermost first).
"""
from __future__ import annotations

import functools
import threading
from collections.abc import Callable, MutableMapping
from typing import TYPE_CHECKING, Any

import numpy as np

from keraslite.metrics.metric import Metric
from keraslite.utils import scopes

_local = threading.local()


def _layer_stack() -> list:
    stack = getattr(_local, "stack", None)
    if stack is None:
        stack = _local.stack = []
    return stack


class _LayerScope:
    """The layer's name on the stack while it builds or calls; re-entering the layer already on
    top (``Model.build`` runs the model's own abstract call) adds nothing, so names don't repeat."""

    __slots__ = ("layer", "pushed")

    def __init__(self, layer) -> None:
        self.layer = layer
        self.pushed = False

    def __enter__(self) -> _LayerScope:
        stack = _layer_stack()
        if not stack or stack[-1] is not self.layer:
            stack.append(self.layer)
            self.pushed = True
        return self

    def __exit__(self, *exc_info: Any) -> None:
        if self.pushed:
            _layer_stack().pop()


def _scope_path(layer) -> str:
    """The layer's path under the scopes open now (the layer itself last, once)."""
    names = [scope.name for scope in scopes._stack["name"]]
    names += [outer.name for outer in _layer_stack() if outer is not layer]
    return "/".join(names + [layer.name])


def _scoped_build(build: Callable) -> Callable:
    """``build`` run inside the layer's scope, recording the layer's path on the first build
    (Keras wraps ``build`` the same way; sublayers built inside take the layer's path)."""

    @functools.wraps(build)
    def wrapper(self, *args: Any, **kwargs: Any) -> Any:
        if getattr(self, "_kl_path", None) is None:
            self._kl_path = _scope_path(self)
        with _LayerScope(self):
            return build(self, *args, **kwargs)

    setattr(wrapper, "_kl_scoped", True)  # noqa: B010 - a marker the wrapper type lacks
    return wrapper


# Keras 3's quantization modes (keras.dtype_policies.QUANTIZATION_MODES), named in the error.
QUANTIZATION_MODES = ("int8", "float8", "int4", "gptq", "awq")


class LayerMembers:
    """Keras's ``path``, ``metrics``, ``input_dtype``, saving hooks and call hooks."""

    if TYPE_CHECKING:  # provided by Layer
        name: str
        built: bool
        _layers: list

        def _own_weights(self) -> list: ...

        @property
        def compute_dtype(self) -> str: ...

        def _symbolic_call(self, args: tuple, kwargs: dict) -> Any: ...

    # Set on every instance by Layer.__init__; the class defaults make them part of the class's
    # members, as Keras's properties of the same names are.
    input_spec: Any = None
    supports_masking: bool = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        build = cls.__dict__.get("build")
        if callable(build) and not getattr(build, "_kl_scoped", False):
            setattr(cls, "build", _scoped_build(build))  # noqa: B010 - wraps a subclass's own

    # -- path ---------------------------------------------------------------------------------
    @property
    def path(self) -> str | None:
        """The layer's name path, e.g. ``"model/block/dense"``: the names of the layers (and
        ``name_scope``s) it was first built inside, then its own. None until it is built."""
        if not self.built:
            return None
        return getattr(self, "_kl_path", None) or self.name

    def _path_scope(self) -> _LayerScope:
        """The scope a call of this layer runs in (sublayers first built inside get its path)."""
        return _LayerScope(self)

    # -- metrics ------------------------------------------------------------------------------
    @property
    def metrics(self) -> list[Metric]:
        """The ``Metric`` objects held as attributes of this layer (directly or in a list,
        tuple or dict), then those of its sublayers, each once. ``Model.metrics`` is the
        trainer's list instead (compiled metrics and trackers)."""
        found: list[Metric] = []
        seen: set[int] = set()
        self._collect_metrics(found, seen, set())
        return found

    def _collect_metrics(self, found: list, seen: set, visited: set) -> None:
        if id(self) in visited:
            return
        visited.add(id(self))
        for value in vars(self).values():
            items = (list(value.values()) if isinstance(value, dict)
                     else value if isinstance(value, (list, tuple)) else [value])
            for item in items:
                if isinstance(item, Metric) and id(item) not in seen:
                    seen.add(id(item))
                    found.append(item)
        for layer in self._layers:
            if type(layer).metrics is not LayerMembers.metrics:
                # A nested Model answers with the trainer's list (as Keras's Model does).
                for metric in layer.metrics:
                    if id(metric) not in seen:
                        seen.add(id(metric))
                        found.append(metric)
            layer._collect_metrics(found, seen, visited)

    @property
    def metrics_variables(self) -> list:
        """The state variables of every metric in ``metrics``."""
        return [v for metric in self.metrics for v in metric.variables]

    def add_metric(self, *args: Any, **kwargs: Any) -> None:
        """Removed in Keras 3, and not in keraslite either: raises ``NotImplementedError``."""
        raise NotImplementedError(
            f"Layer '{self.name}': add_metric() was removed in Keras 3 and keraslite does not "
            "have it. Pass metrics to Model.compile(metrics=[...]), or create a metric in "
            "__init__ or build() (e.g. self.tracker = keraslite.metrics.Mean()) and call its "
            "update_state() in call() or train_step()."
        )

    # -- dtypes and quantization --------------------------------------------------------------
    @property
    def input_dtype(self) -> str:
        """The dtype floating inputs are cast to: the dtype policy's compute dtype."""
        return self.compute_dtype

    @property
    def quantization_mode(self) -> None:
        """Always None: keraslite does not quantize layers."""
        return None

    def quantize(self, mode: str | None = None, type_check: bool = True,
                 config: Any = None) -> None:
        """Not supported: keraslite does not quantize layers (raises ``NotImplementedError``)."""
        raise self._quantization_error("quantize", mode)

    def quantized_build(self, input_shape: Any, mode: str | None) -> None:
        raise self._quantization_error("quantized_build", mode)

    def quantized_call(self, *args: Any, **kwargs: Any) -> Any:
        raise self._quantization_error("quantized_call", None)

    def _quantization_error(self, member: str, mode: Any) -> NotImplementedError:
        known = "a Keras mode" if mode in QUANTIZATION_MODES else (
            f"Keras's modes are {list(QUANTIZATION_MODES)}")
        return NotImplementedError(
            f"Layer '{self.name}'.{member}: keraslite does not quantize layers "
            f"(quantization_mode is always None). Received: mode={mode!r} ({known}). Keep the "
            "model in float32, bfloat16 or a mixed precision policy."
        )

    # -- call hooks ---------------------------------------------------------------------------
    def symbolic_call(self, *args: Any, **kwargs: Any) -> Any:
        """Calls the layer on ``KerasTensor`` inputs: builds it, infers the output spec without
        running anything and records the call in the functional graph."""
        return self._symbolic_call(args, kwargs)

    def rematerialized_call(self, layer_call: Callable, *args: Any,
                            **kwargs: Any) -> Callable:
        """``layer_call`` recomputing its intermediate values in the backward pass when a
        ``RematScope(mode="full")`` is active (the only mode keraslite accepts), else
        ``layer_call`` itself. keraslite's ``__call__`` does not route through this hook."""
        mode = scopes.get_current_remat_mode()
        if mode is None or getattr(mode, "mode", None) is None:
            return layer_call
        from keraslite import backend

        return backend.remat(layer_call)

    # -- saving hooks -------------------------------------------------------------------------
    def save_own_variables(self, store: MutableMapping[str, Any]) -> None:
        """Puts this layer's own variables (not its sublayers') into ``store`` under ``"0"``,
        ``"1"``, ... in creation order, trainable first. Override it (with
        ``load_own_variables``) to save other state: a store holds numeric arrays only."""
        for i, variable in enumerate(self._own_variables_list()):
            store[str(i)] = variable

    def load_own_variables(self, store: Any) -> None:
        """Assigns this layer's own variables from ``store`` (what ``save_own_variables``
        wrote); a different count is a ValueError naming the layer."""
        own = self._own_variables_list()
        keys = list(store.keys())
        if len(keys) != len(own):
            hint = (" It was never built, so it has none: build it (or implement "
                    "build_from_config) before loading." if not own and not self.built
                    else "")
            raise ValueError(
                f"Layer '{self.name}' expected {len(own)} variables "
                f"{[v.name for v in own]}, but the store holds {len(keys)} ({keys[:8]}).{hint}")
        for i, variable in enumerate(own):
            key = str(i)
            if key not in store:
                raise ValueError(f"Layer '{self.name}' expected the store keys "
                                 f"{[str(j) for j in range(len(own))]}. Received: {keys[:8]}")
            value = np.asarray(store[key])
            if tuple(value.shape) != tuple(variable.shape):
                raise ValueError(
                    f"Layer '{self.name}' variable '{variable.name}' has shape "
                    f"{tuple(variable.shape)}. Received: shape={tuple(value.shape)} under "
                    f"key '{key}'.")
        for i, variable in enumerate(own):
            variable.assign(np.asarray(store[str(i)]))

    def _own_variables_list(self) -> list:
        # ``_own_weights`` (trainable, then non-trainable), which a layer may extend as Keras's
        # tracking would (SpectralNormalization owns the wrapped kernel too).
        return list(self._own_weights())


def overrides_saving_hooks(layer) -> bool:
    """Whether ``layer``'s class overrides ``save_own_variables`` or ``load_own_variables``
    (Keras's custom saving hook): the file formats then hand it a store."""
    cls = type(layer)
    return (cls.save_own_variables is not LayerMembers.save_own_variables
            or cls.load_own_variables is not LayerMembers.load_own_variables)
