"""UpSampling2D's bicubic/lanczos kernels and Resizing(antialias=True) against Keras 3 (the oracle)
on the same backend, and trained inside a compiled model.

Keras resamples with its backend's own image kernels (JAX's ``scale_and_translate``, TF's
``tf.image.resize``), which differ from each other at the borders for bicubic, so keraslite is
compared with Keras running on the backend of the same name: in this process when the Keras
already imported here uses it, else in one subprocess for all cases.
"""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import keraslite
from keraslite import backend, layers

RNG = np.random.default_rng(11)
INPUTS = {
    "small": RNG.uniform(size=(2, 4, 5, 3)).astype(np.float32),
    "small_cf": RNG.uniform(size=(2, 3, 4, 5)).astype(np.float32),
    "big": RNG.uniform(size=(2, 9, 11, 3)).astype(np.float32),
}

# (layer class, kwargs, input name)
CASES = [
    ("UpSampling2D", dict(size=(2, 2), interpolation="bicubic"), "small"),
    ("UpSampling2D", dict(size=(2, 3), interpolation="lanczos3"), "small"),
    ("UpSampling2D", dict(size=(3, 2), interpolation="lanczos5",
                          data_format="channels_first"), "small_cf"),
    ("Resizing", dict(height=4, width=5, interpolation="bilinear", antialias=True), "big"),
    ("Resizing", dict(height=5, width=3, interpolation="bicubic", antialias=True), "big"),
    ("Resizing", dict(height=4, width=4, interpolation="lanczos3", antialias=True,
                      crop_to_aspect_ratio=True), "big"),
    ("Resizing", dict(height=3, width=7, interpolation="lanczos5", antialias=True,
                      data_format="channels_first"), "small_cf"),
    ("Resizing", dict(height=13, width=8, interpolation="bicubic"), "big"),
]
if backend.backend() == "tensorflow":  # "area" exists only in TensorFlow's resize (and Keras's)
    CASES += [("Resizing", dict(height=4, width=5, interpolation="area"), "big"),
              ("UpSampling2D", dict(size=(2, 2), interpolation="area"), "small")]

_SCRIPT = """
import json, sys
import numpy as np
import keras
cases = json.loads(sys.argv[1])
inputs = np.load(sys.argv[2])
out = {}
for i, (cls, kwargs, name) in enumerate(cases):
    out[str(i)] = keras.ops.convert_to_numpy(getattr(keras.layers, cls)(**kwargs)(inputs[name]))
np.savez(sys.argv[3], **out)
"""


@pytest.fixture(scope="module")
def keras_outputs(tmp_path_factory):
    """Keras's output for each case, computed by Keras on keraslite's backend."""
    os.environ.setdefault("KERAS_BACKEND", "jax")
    keras = pytest.importorskip("keras")
    if keras.backend.backend() == backend.backend():
        return [keras.ops.convert_to_numpy(getattr(keras.layers, cls)(**kw)(INPUTS[name]))
                for cls, kw, name in CASES]
    folder = tmp_path_factory.mktemp("keras_resize")
    np.savez(folder / "inputs.npz", **INPUTS)
    env = {**os.environ, "KERAS_BACKEND": backend.backend()}
    subprocess.run([sys.executable, "-c", _SCRIPT, json.dumps(CASES),
                    str(folder / "inputs.npz"), str(folder / "out.npz")],
                   check=True, env=env, capture_output=True, timeout=300)
    with np.load(folder / "out.npz") as out:
        return [out[str(i)] for i in range(len(CASES))]


@pytest.mark.parametrize("index", range(len(CASES)),
                         ids=[f"{c}-{kw.get('interpolation')}-{i}"
                              for i, (c, kw, _) in enumerate(CASES)])
def test_matches_keras_on_the_same_backend(keras_outputs, index):
    cls, kwargs, name = CASES[index]
    got = backend.convert_to_numpy(getattr(layers, cls)(**kwargs)(INPUTS[name]))
    assert got.shape == keras_outputs[index].shape
    np.testing.assert_allclose(got, keras_outputs[index], rtol=1e-4, atol=1e-4)


def test_antialias_low_pass_filters_when_shrinking():
    # A one-pixel checkerboard has no low-frequency content: antialiased shrinking averages it
    # to about its mean. Shrunk 15 -> 5, plain bilinear samples land exactly on pixels 1, 4,
    # 7, ... and so keep the checkerboard's full 0/1 contrast.
    board = (np.indices((15, 15)).sum(0) % 2).astype(np.float32)[None, :, :, None]
    smooth = backend.convert_to_numpy(layers.Resizing(5, 5, antialias=True)(board))
    sharp = backend.convert_to_numpy(layers.Resizing(5, 5)(board))
    np.testing.assert_allclose(smooth, 0.5, atol=0.1)
    np.testing.assert_allclose(sharp[0, :, :, 0], board[0, 1::3, 1::3, 0], atol=1e-6)


def test_trains_in_a_compiled_model():
    x = keraslite.Input((4, 5, 3))
    h = layers.Conv2D(2, 1)(x)
    h = layers.UpSampling2D((2, 2), interpolation="bicubic")(h)
    h = layers.Resizing(5, 6, interpolation="lanczos3", antialias=True)(h)
    y = layers.Dense(1)(layers.GlobalAveragePooling2D()(h))
    model = keraslite.Model(x, y)
    model.compile(optimizer="sgd", loss="mse")
    conv = model.layers[1]
    before = backend.convert_to_numpy(conv.kernel).copy()
    history = model.fit(INPUTS["small"], np.ones((2, 1), np.float32), epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    # the gradient reached the convolution through both resampling layers
    assert not np.allclose(before, backend.convert_to_numpy(conv.kernel))
    config = model.layers[3].get_config()
    assert config["antialias"] is True and config["interpolation"] == "lanczos3"
    assert model.layers[2].get_config()["interpolation"] == "bicubic"


@pytest.mark.parametrize("make,name", [
    (lambda: layers.UpSampling2D(interpolation="cubic"), "interpolation"),
    (lambda: layers.Resizing(4, 4, interpolation="gaussian"), "interpolation"),
    (lambda: layers.Resizing(4, 4, antialias="yes"), "antialias"),
])
def test_bad_arguments_name_the_argument(make, name):
    with pytest.raises(ValueError, match=name):
        make()


@pytest.mark.skipif(backend.backend() != "jax", reason="'area' exists on TensorFlow only")
def test_area_is_refused_on_jax_with_the_choices():
    with pytest.raises(ValueError, match="interpolation.*bicubic"):
        layers.UpSampling2D(interpolation="area")
