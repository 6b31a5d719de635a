"""Save/load round trips for every layer class, within this backend and across to the other one.

Every case of roundtrip_cases.py (each layer class at least once, plus Sequential, shared and
nested layers, raw ops, a registered subclassed model and a custom_objects layer) is built here
with fixed random weights, saved with ``model.save`` and ``model.save_weights``, and:

* loaded back in this process: the same config, bit-identical weights and bit-identical outputs;
* loaded by ONE subprocess under the other backend (``load_model``, and ``load_weights`` into the
  same architecture built from code): bit-identical weights, and outputs within ``TOLERANCE``.

Compiled models (Adam, SGD with momentum, RMSprop) carry their optimizer state across backends:
it loads bit-identical, and one more training step there gives the weights this backend gets
(within ``TOLERANCE``).

Layer classes not covered by a case are listed in ``EXCLUDED`` with the reason.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import keraslite
import roundtrip_cases as rc
from keraslite import layers

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent

# Outputs of the two backends agree to this (they run different kernels: XLA vs TensorFlow's).
# Measured: at most 4.8e-7 (Conv2D channels_first, Conv3D, DepthwiseConv2D, SeparableConv2D,
# MultiHeadAttention: float32 sums in another order); 68 of 101 cases agree bit for bit.
TOLERANCE = 1e-6

EXCLUDED = {
    "Layer": "the abstract base; custom subclasses are covered by ScaledTanh, GatedResidual and "
             "TwoTower",
    "InputSpec": "not a layer: the shape contract a layer declares",
    "Input": "a function returning a symbolic tensor, not a layer class",
    "InputLayer": "not built directly: every functional case starts with one",
    "BaseConv": "abstract base of Conv1D/2D/3D",
    "BaseConvTranspose": "abstract base of Conv1D/2D/3DTranspose",
    "BaseDepthwiseConv": "abstract base of DepthwiseConv1D/2D",
    "BaseSeparableConv": "abstract base of SeparableConv1D/2D",
    "BaseMerge": "abstract base of the merging layers",
    "BasePooling": "abstract base of the pooling layers",
    **{name: "a host-side layer (hashes strings with NumPy), so not in a compiled model; its "
             "config and Keras's buckets are tested in tests/layers/test_hashing.py"
       for name in ("Hashing", "HashedCrossing")},
    "Wrapper": "abstract base of the wrapper layers (TimeDistributed, SpectralNormalization)",
    "serialize": "a function (layer -> config); every case's save goes through the same code",
    "deserialize": "a function (config -> layer); every case's load goes through the same code",
    "Lambda": "refuses to be saved by design (it holds code); see test_lambda_refuses_to_save",
    **{fn: "a function calling its merge layer class, which has its own case"
       for fn in ("add", "subtract", "multiply", "average", "maximum", "minimum", "concatenate",
                  "dot")},
    "StringLookup": "host-side string layer that cannot run inside a model graph; its config "
                    "round trip is test_string_layers_round_trip_through_their_config",
    "TextVectorization": "host-side string layer, as StringLookup",
}


def _other_backend():
    return "tensorflow" if keraslite.backend.backend() == "jax" else "jax"


def _store_inputs(arrays, name, x):
    for i, value in enumerate(x if isinstance(x, list) else [x]):
        arrays[f"{name}/{i}"] = value


def _as_list(value):
    return value if isinstance(value, list) else [value]


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """Every case built, saved and evaluated here; the other backend's results alongside."""
    keraslite.backend.clear_session()
    folder = tmp_path_factory.mktemp("roundtrip")
    inputs, results = {}, {}
    for name, (build, specs) in rc.ALL_CASES.items():
        model = build(keraslite)
        rc.fix_weights(model)
        x = rc.make_inputs(specs)
        _store_inputs(inputs, name, x)
        results[name] = {"model": model, "x": x, "y": rc.predict(model, x),
                         "weights": model.get_weights(), "config": model.get_config()}
        model.save(str(folder / f"{name}.keraslite"))
        model.save_weights(str(folder / f"{name}.safetensors"))

    batches = rc.training_batches()
    for name in rc.OPTIMIZERS:
        model = rc.optimizer_model(keraslite, name)
        for batch in batches[:2]:
            model.train_on_batch(*batch)
        model.save(str(folder / f"opt_{name}.keraslite"))
        optimizer_state = [np.asarray(v.numpy()) for v in model.optimizer.variables]
        model.train_on_batch(*batches[2])
        results[f"opt_{name}"] = {"optimizer": optimizer_state, "after": model.get_weights()}

    np.savez(folder / "inputs.npz", **inputs)
    (folder / "manifest.json").write_text(json.dumps({"cases": list(rc.ALL_CASES),
                                                      "optimizers": list(rc.OPTIMIZERS)}))
    return folder, results


@pytest.fixture(scope="module")
def other(saved):
    """What the other backend's subprocess got from the same files: (arrays, errors)."""
    folder, _ = saved
    backend = _other_backend()
    pytest.importorskip(backend)
    env = {**os.environ, "KERASLITE_BACKEND": backend,
           "PYTHONPATH": os.pathsep.join([str(REPO), str(HERE), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run([sys.executable, str(HERE / "roundtrip_cases.py"), str(folder)],
                            env=env, cwd=str(REPO), capture_output=True, text=True, timeout=600,
                            stdin=subprocess.DEVNULL)
    assert result.returncode == 0, f"{backend} subprocess failed:\n{result.stderr[-4000:]}"
    report = json.loads((folder / "other_backend_errors.json").read_text())
    assert report["backend"] == backend
    with np.load(folder / "other_backend.npz") as data:
        arrays = {k: data[k] for k in data.files}
    return arrays, report["errors"]


def _listed(arrays, prefix):
    """The arrays stored under ``prefix`` (one array, or ``prefix/0``, ``prefix/1``, ...)."""
    if prefix in arrays:
        return [arrays[prefix]]
    out, i = [], 0
    while f"{prefix}/{i}" in arrays:
        out.append(arrays[f"{prefix}/{i}"])
        i += 1
    return out


def _max_diff(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    assert a.shape == b.shape, (a.shape, b.shape)
    return float(np.max(np.abs(a - b))) if a.size else 0.0


def _assert_bit_identical(got, expected, what, int_width_may_differ=False):
    """Same dtypes, shapes and bits. ``int_width_may_differ``: an integer counter may be int32
    under JAX (64-bit types off) and int64 under TensorFlow; its value must still be equal."""
    assert len(got) == len(expected), f"{what}: {len(got)} arrays, expected {len(expected)}"
    for i, (a, b) in enumerate(zip(got, expected)):
        same_dtype = a.dtype == b.dtype or (int_width_may_differ and a.dtype.kind == b.dtype.kind
                                            == "i")
        assert same_dtype and a.shape == b.shape, f"{what} {i}: {a.dtype}{a.shape} vs {b.dtype}"
        assert np.array_equal(a, b), f"{what} {i} differs by {_max_diff(a, b)}"


# --- coverage ----------------------------------------------------------------------------------


def _layer_classes(model):
    found, stack = set(), [model]
    while stack:
        layer = stack.pop()
        found.add(type(layer))
        stack.extend(layer._layers)
    return found


def test_every_layer_class_has_a_case_or_a_reason(saved):
    _, results = saved
    covered = set()
    for name in rc.ALL_CASES:
        covered |= _layer_classes(results[name]["model"])
    missing = []
    for name in layers.__all__:
        obj = getattr(layers, name)
        if name in EXCLUDED:
            continue
        if not (isinstance(obj, type) and obj in covered):
            missing.append(name)
    assert not missing, f"layer classes with neither a round-trip case nor a reason: {missing}"
    assert set(EXCLUDED) <= set(layers.__all__)


# --- same backend: exact -----------------------------------------------------------------------


@pytest.mark.parametrize("name", list(rc.ALL_CASES))
def test_same_backend_round_trip_is_exact(saved, name):
    folder, results = saved
    expected = results[name]
    custom = rc.CUSTOM_OBJECTS if name in rc.NEEDS_CUSTOM_OBJECTS else None
    model = keraslite.models.load_model(str(folder / f"{name}.keraslite"), custom_objects=custom)
    assert type(model) is type(expected["model"])
    assert model.get_config() == expected["config"]
    _assert_bit_identical(model.get_weights(), expected["weights"], "weight")
    _assert_bit_identical(_as_list(rc.predict(model, expected["x"])), _as_list(expected["y"]),
                          "output")


RANDOM_CASES = ["dropout", "gaussian_noise", "spatial_dropout2d", "random_flip", "random_zoom",
                "random_contrast"]


@pytest.mark.parametrize("name", RANDOM_CASES)
def test_random_generator_state_round_trips(saved, name):
    """A loaded model continues the saved RNG stream: training-mode outputs match exactly."""
    folder, results = saved
    original = results[name]["model"]
    loaded = keraslite.models.load_model(str(folder / f"{name}.keraslite"))
    x = results[name]["x"]
    first = rc._numpy(original(x, training=True))
    np.testing.assert_array_equal(rc._numpy(loaded(x, training=True)), first)
    # It is random: some later draw differs (one draw can repeat, e.g. every channel dropped).
    assert any(not np.array_equal(rc._numpy(original(x, training=True)), first)
               for _ in range(8))


# --- across backends ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(rc.ALL_CASES))
def test_other_backend_loads_the_same_model(saved, other, name):
    _, results = saved
    arrays, errors = other
    assert name not in errors, f"{_other_backend()} could not load {name}: {errors[name]}"
    expected = results[name]
    _assert_bit_identical(_listed(arrays, f"{name}/weights"), expected["weights"], "weight")
    for key in ("loaded", "load_weights"):
        got = _listed(arrays, f"{name}/{key}")
        want = _as_list(expected["y"])
        assert len(got) == len(want)
        for a, b in zip(got, want):
            diff = _max_diff(a, b)
            if os.environ.get("KERASLITE_PRINT_DIFFS"):
                sys.stderr.write(f"\n{name} {key} max abs diff {diff:.3g}")
            assert diff <= TOLERANCE, f"{name} ({key}): max abs diff {diff:.3g} > {TOLERANCE}"


@pytest.mark.parametrize("optimizer", list(rc.OPTIMIZERS))
def test_optimizer_state_crosses_backends(saved, other, optimizer):
    _, results = saved
    arrays, errors = other
    key = f"opt_{optimizer}"
    assert key not in errors, f"{_other_backend()}: {errors[key]}"
    _assert_bit_identical(_listed(arrays, f"{key}/optimizer"), results[key]["optimizer"],
                          "optimizer variable", int_width_may_differ=True)
    after = _listed(arrays, f"{key}/after")
    assert len(after) == len(results[key]["after"])
    for a, b in zip(after, results[key]["after"]):
        diff = _max_diff(a, b)
        if os.environ.get("KERASLITE_PRINT_DIFFS"):
            sys.stderr.write(f"\n{key} step after loading: max abs diff {diff:.3g}")
        assert diff <= TOLERANCE, f"{optimizer}: the step after loading differs by {diff:.3g}"


# --- errors -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, missing", [("model_custom_objects", "ScaledTanh"),
                                           ("model_subclassed_custom_objects", "TwoTower")])
def test_custom_class_neither_registered_nor_given_is_named(saved, name, missing):
    folder, _ = saved
    with pytest.raises(ValueError, match=f"Unknown layer class '{missing}'") as info:
        keraslite.models.load_model(str(folder / f"{name}.keraslite"))
    assert f"custom_objects={{'{missing}': TheClass}}" in str(info.value)
    assert f"{name}.keraslite" in str(info.value)


def test_lambda_refuses_to_save(tmp_path):
    x = keraslite.Input((3,))
    model = keraslite.Model(x, layers.Lambda(lambda t: t * 2, name="doubler")(x))
    with pytest.raises(ValueError, match="doubler"):
        model.save(str(tmp_path / "lambda.keraslite"))
    assert not (tmp_path / "lambda.keraslite").exists()


def test_string_layers_round_trip_through_their_config():
    """StringLookup and TextVectorization run host-side only, so no model file can hold them;
    their configs carry the vocabulary and rebuild layers that give the same outputs."""
    from keraslite.saving import deserialize_layer, serialize_layer

    text = np.array(["the cat sat", "a dog", "the the mat"])
    for layer in (layers.StringLookup(vocabulary=["the", "cat", "dog"], output_mode="one_hot"),
                  layers.TextVectorization(vocabulary=["the", "cat", "sat", "mat"],
                                           output_sequence_length=4, ngrams=2)):
        data = text if isinstance(layer, layers.TextVectorization) else text[:, None]
        clone = deserialize_layer(json.loads(json.dumps(serialize_layer(layer))))
        assert type(clone) is type(layer)
        assert clone.get_config() == layer.get_config()
        np.testing.assert_array_equal(rc._numpy(clone(data)), rc._numpy(layer(data)))
