"""``keraslite.tree`` against ``keras.tree`` (Keras 3 as the oracle) on the same structures."""
from __future__ import annotations

import collections
import os

import pytest

import keraslite
from keraslite import tree

# the oracle on the backend under test, so importing it loads nothing else
os.environ.setdefault("KERAS_BACKEND", keraslite.backend.backend())
import keras  # noqa: E402

NT = collections.namedtuple("NT", "b a")
STRUCTURES = [
    1, None, "text", [], (), {}, {1, 2},
    [1, (2, None), [3, [4]]],
    {"b": [1, (2, None)], "a": NT(3, 4), "c": collections.OrderedDict([("z", 5), ("a", 6)])},
    collections.defaultdict(list, {"y": [1], "x": (2, 3)}),
    NT(a=[1, 2], b={"k": (3,)}),
]
IDS = [f"s{i}" for i in range(len(STRUCTURES))]


@pytest.mark.parametrize("s", STRUCTURES, ids=IDS)
def test_flatten_paths_pack_and_nesting_match_keras(s):
    assert tree.flatten(s) == keras.tree.flatten(s)
    assert tree.flatten_with_path(s) == keras.tree.flatten_with_path(s)
    assert tree.is_nested(s) == keras.tree.is_nested(s)
    leaves = list(range(100, 100 + len(tree.flatten(s))))
    mine, theirs = tree.pack_sequence_as(s, leaves), keras.tree.pack_sequence_as(s, leaves)
    assert mine == theirs and type(mine) is type(theirs)
    if isinstance(mine, dict):
        assert list(mine) == list(theirs)
    assert tree.lists_to_tuples(s) == keras.tree.lists_to_tuples(s)
    double = lambda x: x * 2 if isinstance(x, int) else x  # noqa: E731
    assert tree.map_structure(double, s) == keras.tree.map_structure(double, s)


@pytest.mark.parametrize("top_down", [True, False])
def test_traverse_matches_keras(top_down):
    s = [1, (2, [3]), {"a": 4}]
    for fn in [lambda x: x * 2 if isinstance(x, int) else None,
               lambda x: tree.MAP_TO_NONE if isinstance(x, tuple) else None,
               lambda x: sum(x) if isinstance(x, list) and all(isinstance(v, int) for v in x)
               else None]:
        mine = tree.traverse(fn, s, top_down=top_down)
        # Keras compares with its own sentinel
        theirs = keras.tree.traverse(
            lambda x: (lambda r: keras.tree.MAP_TO_NONE if r is tree.MAP_TO_NONE else r)(fn(x)),
            s, top_down=top_down)
        assert mine == theirs
    seen_mine, seen_theirs = [], []
    tree.traverse(seen_mine.append, s, top_down=top_down)
    keras.tree.traverse(seen_theirs.append, s, top_down=top_down)
    assert seen_mine == seen_theirs


def test_map_structure_variants_match_keras():
    a, b = [1, (2, 3), {"k": 4}], [10, (20, 30), {"k": 40}]
    add = lambda x, y: x + y  # noqa: E731
    assert tree.map_structure(add, a, b) == keras.tree.map_structure(add, a, b)
    fn = lambda x: 7  # noqa: E731
    assert (tree.map_structure(fn, [None, 1], none_is_leaf=False)
            == keras.tree.map_structure(fn, [None, 1], none_is_leaf=False))
    name = lambda x: type(x).__name__  # noqa: E731
    assert (tree.map_structure_up_to([1, 2], name, [[1, 2], (3, 4)])
            == keras.tree.map_structure_up_to([1, 2], name, [[1, 2], (3, 4)]))
    shallow, x, y = {"a": 1, "b": 1}, {"a": [1], "b": 2}, {"a": 3, "b": [4]}
    pair = lambda u, v: (u, v)  # noqa: E731
    assert (tree.map_structure_up_to(shallow, pair, x, y)
            == keras.tree.map_structure_up_to(shallow, pair, x, y))
    shapes = {"a": (None, 3), "b": [(1, 2), [3]], "c": 5}
    ident = lambda s: ("leaf", s)  # noqa: E731
    assert tree.map_shape_structure(ident, shapes) == keras.tree.map_shape_structure(ident, shapes)


@pytest.mark.parametrize("a,b", [
    ([1], (1,)), ([1], [2]), ({"a": 1}, {"b": 1}), (NT(1, 2), (1, 2)), ([1, [2]], [1, 2]),
    (collections.OrderedDict([("z", 1), ("a", 2)]), {"z": 1, "a": 2}), ([1, 2], [1]),
])
def test_assert_same_structure_agrees_with_keras(a, b):
    try:
        keras.tree.assert_same_structure(a, b)
        same = True
    except ValueError:
        same = False
    if same:
        tree.assert_same_structure(a, b)
    else:
        with pytest.raises(ValueError):
            tree.assert_same_structure(a, b)
    tree.assert_same_structure(a if same else [1], b if same else (1,), check_types=False)


def test_assert_same_paths_and_errors():
    tree.assert_same_paths([1, 2], (3, 4))
    keras.tree.assert_same_paths([1, 2], (3, 4))
    with pytest.raises(ValueError, match=r"\('b',\)"):
        tree.assert_same_paths({"a": 1}, {"a": 1, "b": 2})
    with pytest.raises(ValueError, match="2 leaves.*1 items"):
        tree.pack_sequence_as([1, 2], [1])
    with pytest.raises(ValueError, match="length.*2 vs 1"):
        tree.map_structure(lambda x, y: x, [1, 2], [1])
    with pytest.raises(TypeError, match="`func`"):
        tree.map_structure(3, [1])
    with pytest.raises(ValueError, match="keys"):
        tree.map_structure_up_to({"a": 1, "z": 2}, lambda x: x, {"a": 1})


def test_reachable_from_the_package():
    assert keraslite.tree is tree
    assert set(tree.__all__) >= {n for n in dir(keras.tree) if not n.startswith("_")}
