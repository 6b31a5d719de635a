"""save_weights("x.weights.h5") writes Keras 3's layout: keraslite and Keras 3 both load it."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import keraslite
from keraslite import layers

pytest.importorskip("h5py")

# name -> Python source building the same model with either library bound to `L` (layers) and
# `M` (the module holding Input/Model/Sequential).
ARCHITECTURES = {
    "mlp": "M.Sequential([M.Input((6,)), L.Dense(8, activation='relu'), L.Dense(3)])",
    "conv_bn_lstm": ("(lambda a: M.Model(a, L.Dense(3)(L.Bidirectional(L.LSTM(5))("
                     "L.BatchNormalization()(L.Conv1D(4, 3)(a))))))(M.Input((8, 6)))"),
    "attention": ("(lambda a: M.Model(a, L.GlobalAveragePooling1D()(L.LayerNormalization()("
                  "L.MultiHeadAttention(2, 4)(a, a)))))(M.Input((5, 6)))"),
    "nested": ("(lambda a: M.Model(a, L.Dense(2)(M.Sequential([M.Input((6,)), L.Dense(4), "
               "L.Dense(4)])(a))))(M.Input((6,)))"),
}
SHAPES = {"mlp": (3, 6), "conv_bn_lstm": (3, 8, 6), "attention": (3, 5, 6), "nested": (3, 6)}

KERAS_SIDE = """
import json, os, sys
os.environ["KERAS_BACKEND"] = "jax"
import numpy as np, keras
L, M = keras.layers, keras
out = {}
for name, source in json.loads(sys.argv[1]).items():
    model = eval(source)
    model.load_weights(os.path.join(sys.argv[2], name + ".weights.h5"))
    x = np.load(os.path.join(sys.argv[2], name + "_x.npy"))
    np.save(os.path.join(sys.argv[2], name + "_keras.npy"), model.predict(x, verbose=0))
"""


def build(name):
    return eval(ARCHITECTURES[name], {"L": layers, "M": keraslite})


def randomize(model, seed):
    rng = np.random.default_rng(seed)
    for w in model.weights:
        value = rng.standard_normal(w.shape).astype("float32") * 0.5
        if "variance" in w.name:
            value = np.abs(value) + 0.5
        w.assign(value)


@pytest.mark.parametrize("name", sorted(ARCHITECTURES))
def test_keraslite_reads_back_what_it_wrote(tmp_path, name):
    model = build(name)
    randomize(model, 1)
    x = np.random.default_rng(2).standard_normal(SHAPES[name]).astype("float32")
    path = str(tmp_path / "w.weights.h5")
    model.save_weights(path)
    other = build(name)
    other.load_weights(path)
    for a, b in zip(model.get_weights(), other.get_weights()):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(model.predict(x, verbose=0), other.predict(x, verbose=0))


def test_keras_3_loads_the_files_and_predicts_the_same(tmp_path):
    pytest.importorskip("keras", reason="Keras 3 is the test-time oracle")
    expected = {}
    for i, name in enumerate(sorted(ARCHITECTURES)):
        model = build(name)
        randomize(model, 10 + i)
        x = np.random.default_rng(20 + i).standard_normal(SHAPES[name]).astype("float32")
        np.save(tmp_path / f"{name}_x.npy", x)
        model.save_weights(str(tmp_path / f"{name}.weights.h5"))
        expected[name] = model.predict(x, verbose=0)
    env = {k: v for k, v in os.environ.items() if k != "KERASLITE_BACKEND"}
    result = subprocess.run([sys.executable, "-c", KERAS_SIDE, json.dumps(ARCHITECTURES),
                             str(tmp_path)], env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    for name, prediction in expected.items():
        np.testing.assert_allclose(np.load(tmp_path / f"{name}_keras.npy"), prediction,
                                   atol=1e-5, rtol=1e-5, err_msg=name)


def test_writes_are_atomic_and_other_names_are_refused(tmp_path):
    model = build("mlp")
    path = tmp_path / "w.weights.h5"
    model.save_weights(str(path))
    before = path.read_bytes()
    with pytest.raises(ValueError, match="'.safetensors' files"):
        model.save_weights(str(tmp_path / "w.h5"))
    with pytest.raises(FileExistsError):
        model.save_weights(str(path), overwrite=False)
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["w.weights.h5"]
