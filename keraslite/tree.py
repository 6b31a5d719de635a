"""``keraslite.tree``: utilities over nested structures (the ``keras.tree`` API).

A structure is nested lists, tuples, namedtuples and dicts; anything else (``None`` included)
is a leaf. Dict children come in sorted-key order, an ``OrderedDict``'s in insertion order, so
a flattened dict does not depend on how it was built; rebuilt dicts keep their own key order.

>>> flatten({"b": [1, 2], "a": 3})
[3, 1, 2]
"""
from __future__ import annotations

import collections
from typing import Any, Callable, Iterator


class MAP_TO_NONE:  # noqa: N801 (Keras's name)
    """Returned by a ``traverse`` function to put ``None`` in place of a node."""


def _is_namedtuple(x) -> bool:
    return isinstance(x, tuple) and hasattr(type(x), "_fields")


def is_nested(structure: Any) -> bool:
    """Whether ``structure`` is a list, tuple, namedtuple or dict (not a leaf)."""
    return isinstance(structure, (list, tuple, dict))


def _keys(d: dict) -> list:
    if isinstance(d, collections.OrderedDict):
        return list(d)
    try:
        return sorted(d)
    except TypeError as error:
        raise TypeError(f"keraslite.tree: dict keys must be sortable to define an order. "
                        f"Received keys: {list(d)!r}") from error


def _children(node) -> list[tuple[Any, Any]]:
    """``(path entry, child)`` pairs of a nested node, in flattening order."""
    if isinstance(node, dict):
        return [(k, node[k]) for k in _keys(node)]
    return list(enumerate(node))


def _rebuild(node, children: list) -> Any:
    """A node of ``node``'s type holding ``children`` (given in flattening order)."""
    if isinstance(node, dict):
        by_key = dict(zip(_keys(node), children))
        if isinstance(node, collections.defaultdict):
            out = collections.defaultdict(node.default_factory)
            out.update((k, by_key[k]) for k in node)
            return out
        return type(node)((k, by_key[k]) for k in node)
    if _is_namedtuple(node):
        return type(node)(*children)
    if isinstance(node, tuple):
        return tuple(children) if type(node) is tuple else type(node)(children)
    return list(children)


def _leaf_test(none_is_leaf: bool) -> Callable[[Any], bool]:
    if none_is_leaf:
        return lambda x: not is_nested(x)
    return lambda x: x is not None and not is_nested(x)


def _paths(structure, prefix=(), is_leaf=lambda x: not is_nested(x)) -> Iterator[tuple]:
    if is_leaf(structure):
        yield prefix, structure
    elif is_nested(structure):
        for key, child in _children(structure):
            yield from _paths(child, prefix + (key,), is_leaf)


def flatten(structure: Any) -> list:
    """The leaves of ``structure``, in order (a leaf gives ``[leaf]``)."""
    return [leaf for _, leaf in _paths(structure)]


def flatten_with_path(structure: Any) -> list[tuple[tuple, Any]]:
    """``(path, leaf)`` pairs; a path is the tuple of indices and keys leading to the leaf."""
    return list(_paths(structure))


def pack_sequence_as(structure: Any, flat_sequence) -> Any:
    """``structure`` rebuilt with the leaves of ``flat_sequence`` (inverse of ``flatten``)."""
    if not isinstance(flat_sequence, (list, tuple)) and not is_nested(flat_sequence):
        raise TypeError("keraslite.tree.pack_sequence_as: argument `flat_sequence` must be a "
                        f"list or tuple. Received: {type(flat_sequence).__name__}")
    flat = list(flat_sequence)
    expected = len(flatten(structure))
    if expected != len(flat):
        raise ValueError("keraslite.tree.pack_sequence_as: `structure` has "
                         f"{expected} leaves but `flat_sequence` has {len(flat)} items.")
    it = iter(flat)

    def pack(node):
        if not is_nested(node):
            return next(it)
        return _rebuild(node, [pack(child) for _, child in _children(node)])

    return pack(structure)


def _type_name(x) -> str:
    if _is_namedtuple(x):
        return f"namedtuple {type(x).__name__}"
    return "dict" if isinstance(x, dict) else type(x).__name__


def _check_same(a, b, check_types: bool, path=()) -> None:
    where = f" at path {path}" if path else ""
    if is_nested(a) != is_nested(b):
        raise ValueError(f"The two structures don't have the same nested structure{where}: "
                         f"{_type_name(a)} vs {_type_name(b)}. First: {a!r:.200}. "
                         f"Second: {b!r:.200}")
    if not is_nested(a):
        return
    if check_types:
        same = (isinstance(a, dict) and isinstance(b, dict)) or type(a) is type(b)
        if not same:
            raise ValueError(f"The two structures don't have the same sequence type{where}: "
                             f"{_type_name(a)} vs {_type_name(b)}")
    if isinstance(a, dict) or isinstance(b, dict):
        if not (isinstance(a, dict) and isinstance(b, dict)) or set(a) != set(b):
            keys_a = sorted(map(repr, a)) if isinstance(a, dict) else "a sequence"
            keys_b = sorted(map(repr, b)) if isinstance(b, dict) else "a sequence"
            raise ValueError(f"The two structures don't have the same keys{where}: "
                             f"{keys_a} vs {keys_b}")
        for k in _keys(a):
            _check_same(a[k], b[k], check_types, path + (k,))
        return
    if len(a) != len(b):
        raise ValueError(f"The two structures don't have the same length{where}: "
                         f"{len(a)} vs {len(b)}")
    for i, (x, y) in enumerate(zip(a, b)):
        _check_same(x, y, check_types, path + (i,))


def assert_same_structure(a: Any, b: Any, check_types: bool | None = None) -> None:
    """Raises ValueError naming the first difference when ``a`` and ``b`` differ in nesting
    (container kinds, lengths, dict keys). ``check_types=False`` accepts a list for a tuple."""
    _check_same(a, b, True if check_types is None else bool(check_types))


def assert_same_paths(a: Any, b: Any) -> None:
    """Raises ValueError listing the paths one structure has and the other lacks."""
    paths_a = {p for p, _ in _paths(a)}
    paths_b = {p for p, _ in _paths(b)}
    if paths_a != paths_b:
        raise ValueError("`a` and `b` don't have the same paths. Paths in `a` missing in `b`: "
                         f"{sorted(paths_a - paths_b, key=repr)}. Paths in `b` missing in "
                         f"`a`: {sorted(paths_b - paths_a, key=repr)}")


def map_structure(func: Callable, *structures: Any, none_is_leaf: bool = True) -> Any:
    """``func`` applied to the matching leaves of ``structures``, in the first one's nesting.

    With ``none_is_leaf=False`` a ``None`` is an empty subtree and stays ``None``.
    """
    if not callable(func):
        raise TypeError(f"keraslite.tree.map_structure: argument `func` must be callable. "
                        f"Received: {type(func).__name__}")
    if not structures:
        raise ValueError("keraslite.tree.map_structure: pass at least one structure.")
    for other in structures[1:]:
        _check_same(structures[0], other, check_types=True)
    is_leaf = _leaf_test(none_is_leaf)

    def apply(*nodes):
        if is_leaf(nodes[0]):
            return func(*nodes)
        if nodes[0] is None:
            return None
        columns = zip(*[[c for _, c in _children(n)] for n in nodes])
        return _rebuild(nodes[0], [apply(*col) for col in columns])

    return apply(*structures)


def map_structure_up_to(shallow_structure: Any, func: Callable, *structures: Any) -> Any:
    """Like ``map_structure`` but stops at the leaves of ``shallow_structure``: ``func``
    receives whole subtrees of ``structures`` where the shallow structure has a leaf."""
    if not callable(func):
        raise TypeError("keraslite.tree.map_structure_up_to: argument `func` must be callable. "
                        f"Received: {type(func).__name__}")

    def apply(shallow, nodes, path):
        if not is_nested(shallow):
            return func(*nodes)
        for n in nodes:
            _check_shallow(shallow, n, path)
        columns = []
        for key, child in _children(shallow):
            columns.append(apply(child, [n[key] for n in nodes], path + (key,)))
        return _rebuild(shallow, columns)

    return apply(shallow_structure, structures, ())


def _check_shallow(shallow, node, path) -> None:
    where = f" at path {path}" if path else ""
    if not is_nested(node):
        raise ValueError(f"keraslite.tree.map_structure_up_to: `shallow_structure` has a "
                         f"{_type_name(shallow)}{where} but the input has a leaf: {node!r:.100}")
    if isinstance(shallow, dict):
        if not isinstance(node, dict) or set(shallow) - set(node):
            raise ValueError(f"keraslite.tree.map_structure_up_to: the input{where} lacks the "
                             f"keys of `shallow_structure`: {sorted(map(repr, shallow))}")
    elif isinstance(node, dict) or len(node) != len(shallow):
        raise ValueError(f"keraslite.tree.map_structure_up_to: the input{where} is a "
                         f"{_type_name(node)} of length {len(node)}; `shallow_structure` has "
                         f"a {_type_name(shallow)} of length {len(shallow)}")


def traverse(func: Callable, structure: Any, top_down: bool = True) -> Any:
    """Applies ``func`` to every node, containers included.

    Top down: where ``func`` returns a value other than ``None`` that value replaces the node
    and its children are not visited. Bottom up: children first; a ``None`` result keeps the
    rebuilt node. Returning ``MAP_TO_NONE`` puts ``None`` in place of the node.
    """

    def resolve(value):
        return None if value is MAP_TO_NONE else value

    def down(node):
        result = func(node)
        if result is not None:
            return resolve(result)
        if not is_nested(node):
            return node
        return _rebuild(node, [down(child) for _, child in _children(node)])

    def up(node):
        if is_nested(node):
            node = _rebuild(node, [up(child) for _, child in _children(node)])
        result = func(node)
        return node if result is None else resolve(result)

    return down(structure) if top_down else up(structure)


def lists_to_tuples(structure: Any) -> Any:
    """``structure`` with every list turned into a tuple (at every depth)."""

    def convert(node):
        if not is_nested(node):
            return node
        children = [convert(child) for _, child in _children(node)]
        return tuple(children) if isinstance(node, list) else _rebuild(node, children)

    return convert(structure)


def _is_shape(x) -> bool:
    return isinstance(x, (list, tuple)) and not _is_namedtuple(x) and all(
        (isinstance(d, int) and not isinstance(d, bool)) or d is None for d in x)


def map_shape_structure(func: Callable, structure: Any) -> Any:
    """``map_structure`` where a tuple or list of ints and ``None`` (a shape) is one leaf."""

    def apply(node):
        if _is_shape(node) or not is_nested(node):
            return func(node)
        return _rebuild(node, [apply(child) for _, child in _children(node)])

    return apply(structure)


__all__ = ["MAP_TO_NONE", "assert_same_paths", "assert_same_structure", "flatten",
           "flatten_with_path", "is_nested", "lists_to_tuples", "map_shape_structure",
           "map_structure", "map_structure_up_to", "pack_sequence_as", "traverse"]
