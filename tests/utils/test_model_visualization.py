"""plot_model / model_to_dot: the drawn graph against Keras 3's (same layers, same arrows), a PNG
that Pillow opens, and errors naming a missing pydot or graphviz `dot`."""
from __future__ import annotations

import shutil
import sys

import numpy as np
import pytest

import keraslite

pydot = pytest.importorskip("pydot")


def _build(lib):
    """The same branching model in keraslite or Keras, with fixed layer names."""
    L = lib.layers
    a = L.Input((6,), name="a")
    b = L.Input((3,), name="b")
    h = L.Dense(5, activation="relu", name="hidden")(a)
    shared = L.Dense(4, name="shared")
    joined = L.Concatenate(name="join")([shared(h), b])
    out = L.Dense(2, name="out")(joined)
    inner = lib.Sequential([L.Input((2,)), L.Dense(3, name="inner_dense")], name="inner")
    return lib.Model([a, b], [out, inner(out)], name="branchy")


def _edges(dot, layers_by_id):
    names = {str(k): v for k, v in layers_by_id.items()}
    return {(names[e.get_source().strip('"')], names[e.get_destination().strip('"')])
            for e in dot.get_edges()}


def _ids(model):
    return {id(layer): layer.name for layer in model.layers}


def test_edges_match_keras():
    keras = pytest.importorskip("keras")
    ours_model, theirs_model = _build(keraslite), _build(keras)
    ours = keraslite.utils.model_to_dot(ours_model)
    theirs = keras.utils.model_to_dot(theirs_model)
    ours_edges = _edges(ours, _ids(ours_model))
    assert ours_edges == _edges(theirs, _ids(theirs_model))
    assert ("hidden", "shared") in ours_edges and ("out", "inner") in ours_edges
    assert len(ours.get_nodes()) == len(theirs.get_nodes())


def test_sequential_is_a_chain_and_labels_show_what_was_asked():
    model = keraslite.Sequential([keraslite.Input((4,)),
                                  keraslite.layers.Dense(8, activation="relu", name="d1"),
                                  keraslite.layers.Dense(1, name="d2")])
    dot = keraslite.utils.model_to_dot(model, show_shapes=True, show_dtype=True,
                                       show_layer_activations=True, show_trainable=True)
    assert _edges(dot, _ids(model)) == {("d1", "d2")}
    labels = " ".join(n.get("label") or "" for n in dot.get_nodes())
    for text in ("d1 (Dense)", "activation: relu", "input: (None, 4)", "output: (None, 8)",
                 "dtype: float32", "trainable: True"):
        assert text in labels


def test_expand_nested_points_into_the_submodel():
    model = _build(keraslite)
    inner_dense = model.get_layer("inner").layers[-1]
    dot = keraslite.utils.model_to_dot(model, expand_nested=True)
    ids = {**_ids(model), id(inner_dense): inner_dense.name}
    assert ("out", "inner_dense") in _edges(dot, ids)
    assert len(dot.get_subgraphs()) == 1


@pytest.mark.skipif(shutil.which("dot") is None,
                    reason="graphviz's `dot` program is not installed (apt-get install graphviz)")
def test_png_is_an_image_a_person_can_look_at(tmp_path):
    from PIL import Image

    path = tmp_path / "model.png"
    keraslite.utils.plot_model(_build(keraslite), to_file=str(path), show_shapes=True,
                               show_layer_names=True, dpi=60)
    with Image.open(path) as image:
        assert image.format == "PNG"
        width, height = image.size
        pixels = np.asarray(image.convert("L"))
    # Seven boxes stacked top to bottom: far taller than wide, with dark text on white.
    assert height > width > 100
    assert pixels.min() < 50 and pixels.max() > 200
    svg = tmp_path / "model.svg"
    keraslite.utils.plot_model(_build(keraslite), to_file=str(svg), show_layer_names=True,
                               expand_nested=True)
    assert "inner_dense" in svg.read_text()


def test_errors_name_what_is_missing(tmp_path, monkeypatch):
    model = _build(keraslite)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ImportError, match="graphviz.*`dot`"):
        keraslite.utils.plot_model(model, to_file=str(tmp_path / "m.png"))
    assert not (tmp_path / "m.png").exists()
    monkeypatch.setitem(sys.modules, "pydot", None)
    with pytest.raises(ImportError, match="pip install pydot"):
        keraslite.utils.model_to_dot(model)
    monkeypatch.delitem(sys.modules, "pydot")
    with pytest.raises(ValueError, match="rankdir"):
        keraslite.utils.model_to_dot(model, rankdir="BT")
    with pytest.raises(ValueError, match="unrecognized keyword arguments"):
        keraslite.utils.model_to_dot(model, colour="red")
