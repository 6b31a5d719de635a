"""STFTSpectrogram and MelSpectrogram against NumPy's FFT (a closed-form reference) and Keras 3
as an oracle (outputs, weights, saved .keras files), and trainable inside a model."""
import os

import numpy as np
import pytest

import keraslite
from keraslite import backend, layers
from oracle_guard import oracle

RNG = np.random.default_rng(0)
SIGNAL = RNG.standard_normal((2, 128, 2)).astype("float32")
AUDIO = RNG.standard_normal((2, 600)).astype("float32")


@pytest.fixture(scope="module")
def keras():
    os.environ.setdefault("KERAS_BACKEND", "jax")
    return pytest.importorskip("keras")


def _np(x):
    return backend.convert_to_numpy(x)


def test_stft_magnitude_matches_numpy_rfft():
    frame, step, fft = 24, 10, 32
    layer = layers.STFTSpectrogram(mode="magnitude", frame_length=frame, frame_step=step,
                                   fft_length=fft, window="hann", scaling="spectrum")
    got = _np(layer(SIGNAL))  # (batch, frames, channels * bins), channel-major bins
    win = np.hanning(frame)
    starts = range(0, SIGNAL.shape[1] - frame + 1, step)
    frames = np.stack([SIGNAL[:, s:s + frame, :] for s in starts], 1)  # (b, t, frame, c)
    spec = np.abs(np.fft.rfft(frames * win[:, None], n=fft, axis=2)) / win.sum()
    want = np.transpose(spec, (0, 1, 3, 2)).reshape(2, len(starts), -1)
    np.testing.assert_allclose(got, np.maximum(want, np.sqrt(1e-7)), rtol=1e-4, atol=1e-5)


STFT_CASES = [
    dict(mode="log", frame_length=32, frame_step=8),
    dict(mode="psd", frame_length=30, fft_length=64, padding="same", window="hamming",
         periodic=True),
    dict(mode="stft", frame_length=16, expand_dims=True, scaling="spectrum"),
    dict(mode="angle", frame_length=16, data_format="channels_first", expand_dims=True,
         window=None),
    dict(mode="imag", frame_length=20),
]


@pytest.mark.parametrize("kwargs", STFT_CASES, ids=[c["mode"] for c in STFT_CASES])
def test_stft_matches_keras(keras, kwargs):
    x = np.transpose(SIGNAL, (0, 2, 1)) if kwargs.get("data_format") == "channels_first" \
        else SIGNAL
    ours = layers.STFTSpectrogram(**kwargs)
    got = _np(ours(x))
    theirs = keras.layers.STFTSpectrogram(**kwargs)
    want = np.asarray(oracle(theirs, x))
    assert got.shape == want.shape == ours.compute_output_shape(x.shape)
    assert [w.name for w in ours.weights] == [w.name for w in theirs.weights]
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, atol=1e-5)
    diff = got - want
    if kwargs["mode"] == "angle":  # equal up to a turn where the imaginary part is +-0
        diff = (diff + np.pi) % (2 * np.pi) - np.pi
    assert np.abs(diff).max() <= 1e-4 * max(1.0, np.abs(want).max())
    assert {k: v for k, v in ours.get_config().items() if k in kwargs} == kwargs


MEL_CASES = [
    dict(fft_length=128, sequence_stride=64, num_mel_bins=16, top_db=20.0, ref_power=2.0),
    dict(fft_length=128, sequence_length=100, sequence_stride=50, window="hamming",
         power_to_db=False, mag_exp=1.0, max_freq=6000, min_freq=100.0),
]


@pytest.mark.parametrize("kwargs", MEL_CASES, ids=["db", "linear"])
def test_mel_matches_keras(keras, kwargs):
    ours = layers.MelSpectrogram(**kwargs)
    got = _np(ours(AUDIO))
    want = np.asarray(oracle(keras.layers.MelSpectrogram(**kwargs), AUDIO))
    assert got.shape == want.shape == ours.compute_output_shape(AUDIO.shape)
    np.testing.assert_allclose(got, want, atol=1e-4 * np.abs(want).max())
    again = layers.MelSpectrogram.from_config(ours.get_config())
    np.testing.assert_allclose(_np(again(AUDIO)), got, rtol=1e-6)


def test_keras_files_load(keras, tmp_path):
    inp = keras.Input((128, 1))
    spec = keras.layers.STFTSpectrogram(frame_length=16, frame_step=8)(inp)
    out = keras.layers.Dense(1)(keras.layers.GlobalAveragePooling1D()(spec))
    model = keras.Model(inp, out)
    stft = model.layers[1]
    stft.set_weights([w + 0.01 * RNG.standard_normal(w.shape).astype("float32")
                      for w in stft.get_weights()])  # trained kernels, not the initial ones
    path = str(tmp_path / "stft.keras")
    oracle(model.save, path)
    ours = keraslite.models.load_model(path)
    x = SIGNAL[:, :128, :1]
    np.testing.assert_allclose(_np(ours(x)), np.asarray(model(x)), atol=1e-5)


def test_stft_kernels_train_in_a_model():
    inp = keraslite.Input((64, 1))
    stft = layers.STFTSpectrogram(mode="magnitude", frame_length=16, frame_step=8)
    out = layers.Dense(1)(layers.GlobalAveragePooling1D()(stft(inp)))
    model = keraslite.Model(inp, out)
    model.compile(optimizer="sgd", loss="mse")
    x = SIGNAL[:, :64, :1]
    before = [w.copy() for w in stft.get_weights()]
    assert len(stft.trainable_weights) == 2
    model.fit(x, np.ones((2, 1), "float32"), epochs=2, verbose=0)
    assert all(not np.allclose(a, b) for a, b in zip(before, stft.get_weights()))


def test_symbolic_shapes_and_bad_input():
    out = layers.MelSpectrogram(fft_length=64, sequence_stride=32, num_mel_bins=8)(
        keraslite.Input((None,)))
    assert tuple(out.shape) == (None, 8, None)
    out = layers.STFTSpectrogram(frame_length=16, padding="same", mode="stft")(
        keraslite.Input((100, 3)))
    assert tuple(out.shape) == (None, 13, 3 * 2 * 9)
    with pytest.raises(ValueError, match="frame_step"):
        layers.STFTSpectrogram(frame_length=8, frame_step=9)
    with pytest.raises(ValueError, match="mode"):
        layers.STFTSpectrogram(mode="power")
    with pytest.raises(ValueError, match="sequence_length"):
        layers.MelSpectrogram(fft_length=64, sequence_length=128)
    with pytest.raises(ValueError, match="frame_length=16 samples"):
        layers.STFTSpectrogram(frame_length=16)(np.ones((1, 10, 1), "float32"))
    with pytest.raises(TypeError, match="float"):
        layers.STFTSpectrogram(frame_length=8)(np.ones((1, 32, 1), "int32"))
