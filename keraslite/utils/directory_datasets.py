"""image_dataset_from_directory and text_dataset_from_directory: a folder of class subfolders
as a dataset ``fit`` consumes (an ``ArrayDataset``; files are read batch by batch).

The file list, labels, shuffle and validation split follow Keras: classes are the subfolder
names in sorted order, files are listed sorted within each class, a seeded shuffle of the list
comes before the split, and ``subset="training"`` takes the first ``1 - validation_split``.
Images are resized with Pillow (bilinear by default), which differs from TensorFlow's resize by
rounding only where a resize happens.
"""
from __future__ import annotations

import os

import numpy as np

from keraslite.utils import image_utils
from keraslite.utils.array_dataset import ArrayDataset
from keraslite.utils.numerical_utils import to_categorical
from keraslite.utils.unsupported_args import require_default

IMAGE_FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
_MAX_TEXT_BYTES = 64 * 2**20


def index_directory(directory, labels, formats, class_names=None, follow_links=False):
    """(file paths, integer labels or None, class names) of the files under ``directory``."""
    directory = os.fspath(directory)
    if not os.path.isdir(directory):
        raise ValueError(f"directory must be an existing folder. Received: {directory!r}")
    if labels not in ("inferred", None) and not isinstance(labels, (list, tuple, np.ndarray)):
        raise ValueError("labels must be 'inferred', None, or a list of ints (one per file). "
                         f"Received: labels={labels!r}")
    if labels == "inferred":
        found = sorted(e.name for e in os.scandir(directory)
                       if e.is_dir(follow_symlinks=follow_links))
        if class_names is not None:
            if sorted(class_names) != sorted(found) and set(class_names) != set(found):
                raise ValueError(f"class_names must name the subfolders of {directory!r}, "
                                 f"{found}. Received: class_names={list(class_names)}")
            found = list(class_names)
        folders = [(os.path.join(directory, name), i) for i, name in enumerate(found)]
    else:
        folders, found = [(directory, None)], []
    paths, inferred = [], []
    for folder, label in folders:
        for root, dirs, files in os.walk(folder, followlinks=follow_links):
            dirs.sort()
            for name in sorted(files):
                if name.lower().endswith(formats):
                    paths.append(os.path.join(root, name))
                    inferred.append(label)
    if labels == "inferred":
        return paths, np.asarray(inferred, dtype="int32"), found
    if labels is None:
        return paths, None, found
    labels = np.asarray(labels)
    if len(labels) != len(paths):
        raise ValueError(f"labels has {len(labels)} entries but {directory!r} holds "
                         f"{len(paths)} files of formats {formats}; give one label per file.")
    return paths, labels.astype("int32"), found


def _split(paths, labels, validation_split, subset, shuffle, seed):
    if validation_split and shuffle and seed is None:
        raise ValueError("A validation_split with shuffle=True needs a seed, so the training "
                         "and validation subsets do not overlap.")
    if shuffle:
        if seed is None:
            seed = np.random.randint(1e6)
        rng = np.random.RandomState(seed)
        rng.shuffle(paths)
        if labels is not None:
            np.random.RandomState(seed).shuffle(labels)
    if not validation_split:
        if subset is not None:
            raise ValueError(f"subset={subset!r} needs a validation_split.")
        return [(paths, labels)], seed
    if not 0 < validation_split < 1:
        raise ValueError(f"validation_split must be in (0, 1). Received: {validation_split!r}")
    if subset not in ("training", "validation", "both"):
        raise ValueError("With validation_split, subset must be 'training', 'validation' or "
                         f"'both'. Received: subset={subset!r}")
    n_val = int(validation_split * len(paths))
    cut = len(paths) - n_val
    train = (paths[:cut], None if labels is None else labels[:cut])
    val = (paths[cut:], None if labels is None else labels[cut:])
    return {"training": [train], "validation": [val], "both": [train, val]}[subset], seed


def _encode_labels(labels, label_mode, num_classes):
    if label_mode == "int":
        return labels.astype("int32")
    if label_mode == "categorical":
        return to_categorical(labels, num_classes)
    if label_mode == "binary":
        if num_classes != 2:
            raise ValueError(f"label_mode='binary' needs exactly 2 classes; found {num_classes}.")
        return labels.astype("float32").reshape(-1, 1)
    raise ValueError("label_mode must be 'int', 'categorical', 'binary' or None. Received: "
                     f"label_mode={label_mode!r}")


def _build(parts, load, label_mode, class_names, batch_size, shuffle, seed):
    datasets = []
    for paths, labels in parts:
        encoded = None if (labels is None or label_mode is None) else _encode_labels(
            labels, label_mode, len(class_names))

        def sample(i, paths=paths, encoded=encoded):
            x = load(paths[i])
            return x if encoded is None else (x, encoded[i])

        ds = ArrayDataset(sample, np.arange(len(paths)), batch_size=batch_size,
                          shuffle_seed=seed, shuffle_each_epoch=shuffle)
        ds.class_names, ds.file_paths = list(class_names), list(paths)
        datasets.append(ds)
    return datasets[0] if len(datasets) == 1 else tuple(datasets)


def image_dataset_from_directory(directory, labels="inferred", label_mode="int",
                                 class_names=None, color_mode="rgb", batch_size=32,
                                 image_size=(256, 256), shuffle=True, seed=None,
                                 validation_split=None, subset=None, interpolation="bilinear",
                                 follow_links=False, crop_to_aspect_ratio=False,
                                 pad_to_aspect_ratio=False, data_format=None, format="tf",
                                 verbose=True):
    """Images in ``directory`` (one subfolder per class) as batches of float32
    ``(batch, *image_size, channels)`` and labels, with Keras's arguments. A file that is not a
    readable image raises a ValueError naming it when its batch is read."""
    # Keras's format="grain" (a Grain dataset) is not implemented; "tf" is its default.
    require_default("image_dataset_from_directory", "format", format, "tf")
    if pad_to_aspect_ratio:
        raise ValueError("pad_to_aspect_ratio=True is not supported by keraslite; use "
                         "crop_to_aspect_ratio=True or resize the images beforehand.")
    paths, labels, names = index_directory(directory, labels, IMAGE_FORMATS, class_names,
                                           follow_links)
    if verbose:
        print(f"Found {len(paths)} files belonging to {len(names)} classes.")
    parts, seed = _split(paths, labels, validation_split, subset, shuffle, seed)
    size = tuple(int(v) for v in image_size)

    def load(path):
        img = image_utils.load_img(path, color_mode=color_mode, target_size=size,
                                   interpolation=interpolation,
                                   keep_aspect_ratio=crop_to_aspect_ratio)
        return image_utils.img_to_array(img, data_format=data_format, dtype="float32")

    return _build(parts, load, label_mode, names, batch_size, shuffle, seed)


def text_dataset_from_directory(directory, labels="inferred", label_mode="int",
                                class_names=None, batch_size=32, max_length=None, shuffle=True,
                                seed=None, validation_split=None, subset=None,
                                follow_links=False, format="tf", verbose=True):
    """The ``.txt`` files in ``directory`` (one subfolder per class) as batches of strings and
    labels, with Keras's arguments; ``max_length`` cuts each text to that many characters."""
    # Keras's format="grain" (a Grain dataset) is not implemented; "tf" is its default.
    require_default("text_dataset_from_directory", "format", format, "tf")
    paths, labels, names = index_directory(directory, labels, (".txt",), class_names,
                                           follow_links)
    if verbose:
        print(f"Found {len(paths)} files belonging to {len(names)} classes.")
    parts, seed = _split(paths, labels, validation_split, subset, shuffle, seed)

    def load(path):
        if os.path.getsize(path) > _MAX_TEXT_BYTES:
            raise ValueError(f"{path!r} is larger than {_MAX_TEXT_BYTES} bytes.")
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        return np.asarray(text[:max_length] if max_length else text, dtype=object)

    return _build(parts, load, label_mode, names, batch_size, shuffle, seed)
