"""audio_dataset_from_directory: a folder of class subfolders of ``.wav`` files as a dataset
``fit`` consumes (an ``ArrayDataset``, files read batch by batch).

WAV files are decoded with the standard library's ``wave`` module (integer PCM, 8 to 32 bits),
scaled to float32 in [-1, 1) as ``tf.audio.decode_wav`` does. The file list, labels and
validation split follow ``image_dataset_from_directory`` (and so Keras); with ``shuffle=True``
the order of samples differs from Keras's, which adds a tf.data shuffle buffer on top.
"""
from __future__ import annotations

import os
import wave

import numpy as np

from keraslite.utils.array_dataset import ArrayDataset
from keraslite.utils.directory_datasets import _encode_labels, _split, index_directory

AUDIO_FORMATS = (".wav",)
_MAX_AUDIO_FILE_BYTES = 1 << 30


def read_wav(path: str, desired_samples: int = -1) -> tuple[np.ndarray, int]:
    """``(samples, sample_rate)``: float32 ``(length, channels)`` from a PCM WAV file.

    ``desired_samples >= 0`` cuts or zero-pads the length to that many frames, as
    ``tf.audio.decode_wav(desired_samples=...)`` does.
    """
    if not os.path.isfile(path):
        raise ValueError(f"audio file {path!r} is not a regular file.")
    if os.path.getsize(path) > _MAX_AUDIO_FILE_BYTES:
        raise ValueError(f"audio file {path!r} is larger than {_MAX_AUDIO_FILE_BYTES} bytes.")
    try:
        with wave.open(path, "rb") as reader:
            channels, width = reader.getnchannels(), reader.getsampwidth()
            rate, frames = reader.getframerate(), reader.getnframes()
            raw = reader.readframes(frames)
    except (wave.Error, EOFError) as error:
        raise ValueError(f"audio file {path!r} is not a PCM WAV file that can be read: "
                         f"{error}") from None
    if width not in (1, 2, 3, 4):
        raise ValueError(f"audio file {path!r} has {8 * width}-bit samples; expected 8, 16, "
                         "24 or 32-bit integer PCM.")
    # A truncated data chunk yields fewer bytes than the header promised: keep whole frames.
    usable = len(raw) - len(raw) % (width * channels)
    data = np.frombuffer(raw[:usable], dtype=np.uint8)
    if width == 1:  # 8-bit WAV is unsigned, centred on 128
        values = (data.astype(np.float32) - 128.0) / 128.0
    elif width == 3:  # little-endian 24-bit: widen to int32 by putting the bytes on top
        triples = data.reshape(-1, 3).astype(np.int32)
        ints = (triples[:, 0] << 8) | (triples[:, 1] << 16) | (triples[:, 2] << 24)
        values = ints.astype(np.float32) / 2.0 ** 31
    else:
        ints = data.view("<i2" if width == 2 else "<i4")
        values = ints.astype(np.float32) / 2.0 ** (8 * width - 1)
    samples = values.reshape(-1, channels)
    if desired_samples is not None and desired_samples >= 0:
        if len(samples) >= desired_samples:
            samples = samples[:desired_samples]
        else:
            pad = np.zeros((desired_samples - len(samples), channels), np.float32)
            samples = np.concatenate([samples, pad])
    return samples, rate


def _padded_stack(items: list):
    """Stacks ``(length, channels)`` clips, zero-padding to the longest (Keras's padded_batch)."""
    first = items[0]
    if isinstance(first, tuple):
        return (_padded_stack([i[0] for i in items]),
                np.stack([np.asarray(i[1]) for i in items]))
    longest = max(len(clip) for clip in items)
    out = np.zeros((len(items), longest, first.shape[1]), np.float32)
    for row, clip in enumerate(items):
        out[row, :len(clip)] = clip
    return out


def audio_dataset_from_directory(directory, labels="inferred", label_mode="int",
                                 class_names=None, batch_size=32, sampling_rate=None,
                                 output_sequence_length=None, ragged=False, shuffle=True,
                                 seed=None, validation_split=None, subset=None,
                                 follow_links=False, verbose=True):
    """WAV files in ``directory`` (one subfolder per class) as batches of float32
    ``(batch, sequence_length, channels)`` and labels, with Keras's arguments.

    Without ``output_sequence_length`` a batch is zero-padded to its longest clip.
    ``sampling_rate`` is checked, not applied: a file recorded at another rate raises a
    ValueError naming it (keraslite does not resample). ``ragged=True`` is not supported.
    """
    if ragged:
        raise ValueError("ragged=True is not supported by keraslite (it has no ragged tensors); "
                         "leave ragged=False to get zero-padded batches.")
    if output_sequence_length is not None and (
            isinstance(output_sequence_length, bool)
            or not isinstance(output_sequence_length, int) or output_sequence_length < 1):
        raise ValueError("output_sequence_length must be a positive int or None. Received: "
                         f"output_sequence_length={output_sequence_length!r}")
    if sampling_rate is not None and (isinstance(sampling_rate, bool)
                                      or not isinstance(sampling_rate, int) or sampling_rate <= 0):
        raise ValueError("sampling_rate must be a positive int or None. Received: "
                         f"sampling_rate={sampling_rate!r}")
    if labels not in ("inferred", None) and class_names:
        raise ValueError("class_names can only be given with labels='inferred'. Received: "
                         f"class_names={class_names!r}")
    if label_mode not in ("int", "categorical", "binary", None):
        raise ValueError("label_mode must be 'int', 'categorical', 'binary' or None. Received: "
                         f"label_mode={label_mode!r}")
    paths, found, names = index_directory(directory, labels, AUDIO_FORMATS, class_names,
                                          follow_links)
    if not paths:
        raise ValueError(f"No audio files found in directory {os.fspath(directory)!r}. "
                         f"Allowed formats: {AUDIO_FORMATS}")
    if label_mode == "binary" and len(names) != 2:
        raise ValueError("label_mode='binary' needs exactly 2 classes. Received: "
                         f"class_names={names}")
    if verbose:
        print(f"Found {len(paths)} files belonging to {len(names)} classes.")
    parts, seed = _split(paths, found, validation_split, subset, shuffle, seed)
    length = -1 if output_sequence_length is None else output_sequence_length

    def load(path):
        samples, rate = read_wav(path, length)
        if sampling_rate is not None and rate != sampling_rate:
            raise ValueError(f"audio file {path!r} is sampled at {rate} Hz but "
                             f"sampling_rate={sampling_rate}; keraslite does not resample.")
        return samples

    datasets = []
    for part_paths, part_labels in parts:
        encoded = None if (part_labels is None or label_mode is None) else _encode_labels(
            part_labels, label_mode, len(names))

        def sample(i, paths=part_paths, encoded=encoded):
            x = load(paths[i])
            return x if encoded is None else (x, encoded[i])

        ds = ArrayDataset(sample, np.arange(len(part_paths)), batch_size=batch_size,
                          shuffle_seed=seed, shuffle_each_epoch=shuffle,
                          stack=_padded_stack)
        ds.class_names, ds.file_paths = list(names), list(part_paths)
        datasets.append(ds)
    return datasets[0] if len(datasets) == 1 else tuple(datasets)
