"""The STFT initializer against Keras 3 and against NumPy's FFT; Keras's initializer aliases."""
import os

import numpy as np
import pytest

from keraslite import initializers


@pytest.fixture(scope="module")
def keras():
    os.environ.setdefault("KERAS_BACKEND", "jax")
    return pytest.importorskip("keras")


@pytest.mark.parametrize("side", ["real", "imag"])
@pytest.mark.parametrize("window,scaling,periodic", [
    ("hann", "density", False), ("hamming", "spectrum", True), (None, None, False),
    ("hann", None, True),
])
def test_stft_matches_keras(keras, side, window, scaling, periodic):
    shape = (16, 1, 9)
    args = dict(side=side, window=window, scaling=scaling, periodic=periodic)
    ours = initializers.STFT(**args)(shape)
    theirs = keras.ops.convert_to_numpy(keras.initializers.STFT(**args)(shape))
    # Keras computes the phases in float32 (errors near 2e-6 where sin is 0); ours in float64.
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-5)
    assert ours.dtype == theirs.dtype


def test_stft_kernel_computes_the_dft():
    # A frame times the real and imaginary kernels gives the real and imaginary parts of its
    # one-sided FFT (no window).
    frame = np.random.default_rng(0).normal(size=32)
    real = initializers.STFT("real", window=None, scaling=None)((32, 1, 17), "float64")[:, 0]
    imag = initializers.STFT("imag", window=None, scaling=None)((32, 1, 17), "float64")[:, 0]
    spectrum = np.fft.rfft(frame)
    np.testing.assert_allclose(frame @ real, spectrum.real, atol=1e-9)
    np.testing.assert_allclose(frame @ imag, spectrum.imag, atol=1e-9)
    # Channels repeat the same filters.
    three, one = initializers.STFT()((8, 3, 5)), initializers.STFT()((8, 1, 5))
    assert np.array_equal(three[:, 2], one[:, 0])


def test_stft_config_and_names(keras):
    init = initializers.get("stft")
    assert isinstance(init, initializers.STFTInitializer)
    config = initializers.serialize(initializers.STFT(side="imag", window=[1.0, 0.5]))
    copy = initializers.deserialize(config)
    np.testing.assert_array_equal(copy((2, 1, 2)), initializers.STFT("imag", [1.0, 0.5])(
        (2, 1, 2)))
    assert initializers.STFT().get_config() == keras.initializers.STFT().get_config()
    assert initializers.IdentityInitializer is initializers.Identity
    assert initializers.OrthogonalInitializer is initializers.Orthogonal


@pytest.mark.parametrize("kwargs,message", [
    ({"side": "both"}, "`side` must be 'real' or 'imag'"),
    ({"scaling": "power"}, "`scaling` must be"),
    ({"window": "kaiser7"}, "`window` must be one of"),
])
def test_bad_arguments_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        initializers.STFT(**kwargs)


def test_bad_shapes_are_named():
    with pytest.raises(ValueError, match="needs a 3D shape"):
        initializers.STFT()((4, 4))
    with pytest.raises(ValueError, match="frame length 4"):
        initializers.STFT(window=[1.0, 2.0])((4, 1, 3))
