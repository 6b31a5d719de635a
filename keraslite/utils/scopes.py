"""Keras's top-level scope objects that keraslite accepts: ``name_scope``, ``SymbolicScope``
and ``RematScope``.

keraslite names state by model path (``layers/dense_1/kernel``), not by a name stack, and does
not rematerialize layers, so these scopes change no result: they exist so Keras scripts that
use them run. Each records what is active, which code (and tests) can read back.
"""
from __future__ import annotations

_stack: dict[str, list] = {"name": [], "symbolic": [], "remat": []}


class _Scope:
    _kind = ""

    def __enter__(self):
        _stack[self._kind].append(self)
        return self

    def __exit__(self, *exc_info):
        _stack[self._kind].pop()
        return False


class name_scope(_Scope):  # noqa: N801 - Keras's name
    """A named scope, entered with ``with``; ``current_path()`` joins the active names.

    keraslite's variable paths come from the model structure, so the scope does not rename
    variables (Keras uses it to prefix variable paths).

    Example::

        with keraslite.name_scope("block1"):
            ...
    """

    _kind = "name"

    def __init__(self, name: str, **kwargs):
        if not isinstance(name, str) or not name:
            raise ValueError(f"name_scope: argument `name` must be a non-empty string. "
                             f"Received: name={name!r}")
        self.name = name
        self.kwargs = kwargs


def current_path() -> str:
    """The active ``name_scope`` names joined with ``/`` ("" outside every scope)."""
    return "/".join(scope.name for scope in _stack["name"])


class SymbolicScope(_Scope):
    """Marks code run while building a symbolic graph (``in_symbolic_scope()`` is True)."""

    _kind = "symbolic"


def in_symbolic_scope() -> bool:
    return bool(_stack["symbolic"])


_REMAT_MODES = ("full", "activations", "larger_than", "list_of_layers")


class RematScope(_Scope):
    """Keras's switch for rematerializing layers inside the scope.

    Rematerialization saves memory and never changes results. keraslite does not rematerialize
    layers by scope (wrap a function with ``keraslite.remat`` instead): ``mode="full"`` (Keras's
    default) and ``None`` are accepted and change nothing; the other modes raise.
    """

    _kind = "remat"

    def __init__(self, mode: str | None = "full", output_size_threshold: int = 1024,
                 layer_names=None):
        if mode not in (None, "full"):
            detail = ("one of Keras's modes" if mode in _REMAT_MODES else "not a Keras mode")
            raise NotImplementedError(
                f"RematScope: argument `mode` may only be 'full' or None in keraslite (layers "
                f"are not rematerialized by scope; wrap a function with keraslite.remat). "
                f"Received: mode={mode!r} ({detail})")
        if layer_names is not None:
            raise NotImplementedError("RematScope: argument `layer_names` is not supported in "
                                      f"keraslite. Received: layer_names={layer_names!r}")
        self.mode = mode
        self.output_size_threshold = output_size_threshold
        self.layer_names = layer_names


def get_current_remat_mode():
    """The innermost active ``RematScope``, or None."""
    return _stack["remat"][-1] if _stack["remat"] else None
