"""audio_dataset_from_directory against Keras 3 (tf.audio.decode_wav) and NumPy."""
from __future__ import annotations

import wave

import numpy as np
import pytest

import keraslite


def _write_wav(path, samples: np.ndarray, rate: int = 8000, width: int = 2) -> None:
    """Integer PCM with the standard library, samples ``(length, channels)`` in [-1, 1)."""
    scale = 2 ** (8 * width - 1)
    ints = np.clip(np.round(samples * scale), -scale, scale - 1)
    if width == 1:
        raw = (ints + 128).astype(np.uint8).tobytes()
    else:
        raw = ints.astype("<i2" if width == 2 else "<i4").tobytes()
    with wave.open(str(path), "wb") as writer:
        writer.setnchannels(samples.shape[1])
        writer.setsampwidth(width)
        writer.setframerate(rate)
        writer.writeframes(raw)


def _folder(tmp_path, channels=1):
    rng = np.random.default_rng(0)
    clips = {}
    for label in ("no", "yes"):
        (tmp_path / label).mkdir()
        for i in range(3):
            clip = rng.uniform(-0.9, 0.9, size=(40 + 7 * i, channels))
            path = tmp_path / label / f"{i}.wav"
            _write_wav(path, clip)
            clips[str(path)] = np.round(clip * 32768) / 32768
    return clips


@pytest.mark.parametrize("kwargs", [{}, {"output_sequence_length": 45},
                                    {"label_mode": "categorical", "batch_size": 4}])
def test_matches_keras(tmp_path, kwargs):
    keras = pytest.importorskip("keras")
    _folder(tmp_path)
    ours = keraslite.utils.audio_dataset_from_directory(str(tmp_path), shuffle=False,
                                                        verbose=False, **kwargs)
    theirs = keras.utils.audio_dataset_from_directory(str(tmp_path), shuffle=False,
                                                      verbose=False, **kwargs)
    assert ours.class_names == list(theirs.class_names)
    theirs = [(np.asarray(x), np.asarray(y)) for x, y in theirs]
    assert len(ours) == len(theirs)
    for (x, y), (kx, ky) in zip(ours, theirs):
        assert x.shape == kx.shape and x.dtype == kx.dtype
        np.testing.assert_allclose(x, kx, atol=1e-7)
        np.testing.assert_array_equal(y, ky)
        assert y.dtype == ky.dtype


def test_samples_and_padding_against_numpy(tmp_path):
    clips = _folder(tmp_path, channels=2)
    ds = keraslite.utils.audio_dataset_from_directory(str(tmp_path), shuffle=False,
                                                      verbose=False, batch_size=6)
    x, y = ds[0]
    assert x.shape == (6, 54, 2)
    for row, path in enumerate(ds.file_paths):
        clip = clips[path]
        np.testing.assert_allclose(x[row, :len(clip)], clip, atol=1e-7)
        assert not x[row, len(clip):].any()
    np.testing.assert_array_equal(y, [0, 0, 0, 1, 1, 1])


@pytest.mark.parametrize("width", [1, 4])
def test_other_sample_widths(tmp_path, width):
    (tmp_path / "a").mkdir()
    clip = np.linspace(-0.5, 0.5, 9).reshape(-1, 1)
    _write_wav(tmp_path / "a" / "c.wav", clip, width=width)
    x, _ = keraslite.utils.audio_dataset_from_directory(str(tmp_path), verbose=False)[0]
    np.testing.assert_allclose(x[0], clip, atol=2.0 / 2 ** (8 * width))


def test_validation_split_and_fit(tmp_path):
    _folder(tmp_path)
    train, val = keraslite.utils.audio_dataset_from_directory(
        str(tmp_path), validation_split=0.34, subset="both", seed=3, batch_size=2,
        output_sequence_length=32, verbose=False)
    assert len(train.file_paths) == 4 and len(val.file_paths) == 2
    assert not set(train.file_paths) & set(val.file_paths)
    model = keraslite.Sequential([keraslite.Input((32, 1)), keraslite.layers.Flatten(),
                                  keraslite.layers.Dense(2)])
    model.compile("sgd", keraslite.losses.SparseCategoricalCrossentropy(from_logits=True))
    history = model.fit(train, validation_data=val, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])


def test_bad_input(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "broken.wav").write_bytes(b"RIFF not really")
    ds = keraslite.utils.audio_dataset_from_directory(str(tmp_path), verbose=False)
    with pytest.raises(ValueError, match="broken.wav"):
        ds[0]
    with pytest.raises(ValueError, match="ragged"):
        keraslite.utils.audio_dataset_from_directory(str(tmp_path), ragged=True)
    with pytest.raises(ValueError, match="output_sequence_length"):
        keraslite.utils.audio_dataset_from_directory(str(tmp_path), output_sequence_length=0)
    _write_wav(tmp_path / "a" / "fast.wav", np.zeros((4, 1)), rate=16000)
    (tmp_path / "a" / "broken.wav").unlink()
    ds = keraslite.utils.audio_dataset_from_directory(str(tmp_path), sampling_rate=8000,
                                                      verbose=False)
    with pytest.raises(ValueError, match="fast.wav.*16000"):
        ds[0]
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="No audio files"):
        keraslite.utils.audio_dataset_from_directory(str(tmp_path / "empty"), verbose=False)
