"""Masks flow Embedding(mask_zero) -> LSTM/GRU -> attention/pooling as in Keras 3 (oracle run in
a subprocess with Keras's JAX backend, so the check runs in both backends' passes)."""
import os
import subprocess
import sys

import numpy as np
import pytest

import keraslite
from keraslite import layers

ORACLE = r"""
import os, sys
os.environ["KERAS_BACKEND"] = "jax"
import numpy as np
import keras
data = np.load(sys.argv[1])
inp = keras.Input((7,), dtype="int32")
x = keras.layers.Embedding(20, 6, mask_zero=True)(inp)
x = keras.layers.LSTM(5, return_sequences=True)(x)
x = keras.layers.GRU(4, return_sequences=True)(x)
pooled = keras.layers.GlobalAveragePooling1D()(x)
model = keras.Model(inp, pooled)
model.set_weights([data[f"w{i}"] for i in range(int(data["n"]))])
np.save(sys.argv[2], model.predict(data["x"], verbose=0))
"""


def test_embedding_mask_reaches_recurrent_layers_and_pooling(tmp_path):
    pytest.importorskip("keras")
    keraslite.utils.set_random_seed(0)
    inp = keraslite.Input((7,), dtype="int32")
    x = layers.Embedding(20, 6, mask_zero=True)(inp)
    x = layers.LSTM(5, return_sequences=True)(x)
    x = layers.GRU(4, return_sequences=True)(x)
    model = keraslite.Model(inp, layers.GlobalAveragePooling1D()(x))
    tokens = np.array([[3, 5, 7, 0, 0, 0, 0], [1, 2, 3, 4, 5, 6, 7], [9, 0, 0, 0, 0, 0, 0]],
                      "int32")
    weights = model.get_weights()
    np.savez(tmp_path / "in.npz", x=tokens, n=len(weights),
             **{f"w{i}": w for i, w in enumerate(weights)})
    env = {**os.environ, "KERAS_BACKEND": "jax"}
    env.pop("KERASLITE_BACKEND", None)
    result = subprocess.run([sys.executable, "-c", ORACLE, str(tmp_path / "in.npz"),
                             str(tmp_path / "out.npy")], env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    expected = np.load(tmp_path / "out.npy")
    got = model.predict(tokens, verbose=0)
    np.testing.assert_allclose(got, expected, atol=1e-5)
    # The padded steps really are ignored: padding a sequence further changes nothing.
    longer = np.array([[3, 5, 7, 0, 0, 0, 0]], "int32")
    np.testing.assert_allclose(model.predict(longer, verbose=0), got[:1], atol=1e-6)
