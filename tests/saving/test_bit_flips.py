"""Single-bit flips anywhere in a saved model or weights file are always detected at load time.

100 random positions (fixed seed) in a ``.keraslite`` file from ``model.save`` and 100 in a
``.safetensors`` file from ``model.save_weights``: every load must raise CorruptFileError or
UnsafeFileError (both ValueErrors) naming the file, never load, never raise anything else, and a
failed ``load_weights`` must leave the model's weights as they were.
"""
import numpy as np
import pytest

import keraslite
from keraslite import layers
from keraslite.saving.errors import CorruptFileError, UnsafeFileError

SEED = 1234
FLIPS = 100


def _model(train=False):
    inputs = keraslite.Input((6,))
    x = layers.Dense(8, activation="relu")(inputs)
    x = layers.BatchNormalization()(x)
    outputs = layers.Dense(3)(x)
    model = keraslite.Model(inputs, outputs)
    model.compile(optimizer="adam", loss="mse")
    if train:  # so the model file holds optimizer state and moved BatchNormalization statistics
        rng = np.random.default_rng(0)
        model.train_on_batch(rng.standard_normal((4, 6)).astype("float32"),
                             rng.standard_normal((4, 3)).astype("float32"))
    return model


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """The bytes of a saved model file and weights file, and the weights they hold."""
    folder = tmp_path_factory.mktemp("bit_flips")
    model = _model(train=True)
    model.save(str(folder / "model.keraslite"))
    model.save_weights(str(folder / "model.safetensors"))
    return {".keraslite": (folder / "model.keraslite").read_bytes(),
            ".safetensors": (folder / "model.safetensors").read_bytes(),
            "weights": model.get_weights()}


def _flip_positions(size: int):
    rng = np.random.default_rng(SEED)
    return sorted(int(p) for p in rng.choice(size * 8, FLIPS, replace=False))


def _flipped(original: bytes, bit: int) -> bytes:
    data = bytearray(original)
    data[bit // 8] ^= 1 << (bit % 8)
    return bytes(data)


def _outcome(load, path, model):
    """None when ``load(path)`` is refused properly, else what went wrong."""
    before = [w.copy() for w in model.get_weights()]
    try:
        load(str(path))
    except (CorruptFileError, UnsafeFileError) as error:
        if path.name not in str(error):
            return f"the message does not name the file: {error}"
        if any(not np.array_equal(a, b) for a, b in zip(before, model.get_weights())):
            return "a refused load changed the model's weights"
        return None
    except Exception as error:  # noqa: BLE001 - any other class is the failure under test
        return f"{type(error).__name__}: {error}"
    return "it loaded"


def _run_flips(original: bytes, path, loads):
    failures = []
    for bit in _flip_positions(len(original)):
        path.write_bytes(_flipped(original, bit))
        for label, load, model in loads:
            problem = _outcome(load, path, model)
            if problem is not None:
                failures.append(f"byte {bit // 8} bit {bit % 8} ({label}): {problem}")
    return failures


def _assert_holds(weights, model):
    for a, b in zip(weights, model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_flips_in_a_model_file(tmp_path, saved):
    original = saved[".keraslite"]
    path = tmp_path / "model.keraslite"
    path.write_bytes(original)
    _assert_holds(saved["weights"], keraslite.models.load_model(str(path)))  # unflipped: loads
    target = _model()
    loads = [("load_model", keraslite.models.load_model, target),
             ("load_weights", target.load_weights, target)]
    failures = _run_flips(original, tmp_path / "flipped.keraslite", loads)
    assert not failures, f"{len(failures)} flips not refused (seed {SEED}):\n" + "\n".join(
        failures[:20])


def test_flips_in_a_weights_file(tmp_path, saved):
    original = saved[".safetensors"]
    path = tmp_path / "model.safetensors"
    path.write_bytes(original)
    check = _model()
    check.load_weights(str(path))  # unflipped: loads
    _assert_holds(saved["weights"], check)
    target = _model()
    failures = _run_flips(original, tmp_path / "flipped.safetensors",
                          [("load_weights", target.load_weights, target)])
    assert not failures, f"{len(failures)} flips not refused (seed {SEED}):\n" + "\n".join(
        failures[:20])


@pytest.mark.parametrize("suffix", [".keraslite", ".safetensors"])
def test_flip_positions_cover_the_whole_file(saved, suffix):
    """The sample reaches the start, the middle and the end of both kinds of file."""
    size = len(saved[suffix])
    positions = [bit // 8 for bit in _flip_positions(size)]
    assert len(set(positions)) >= FLIPS * 0.9
    assert min(positions) < size * 0.1 and max(positions) > size * 0.9
    assert any(size * 0.4 < p < size * 0.6 for p in positions)
