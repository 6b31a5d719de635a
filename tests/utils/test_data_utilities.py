"""Data utilities against NumPy and Keras 3 (the oracle): pad_sequences, timeseries windows,
folder datasets, split_dataset and the image helpers; fit consumes the datasets."""
import os

import numpy as np
import pytest

import keraslite

os.environ.setdefault("KERAS_BACKEND", "jax")


def _keras():
    return pytest.importorskip("keras")


@pytest.mark.parametrize("kwargs", [
    {}, {"maxlen": 3}, {"maxlen": 6, "padding": "post", "truncating": "post", "value": -1},
    {"dtype": "float32", "maxlen": 4, "truncating": "post"},
])
def test_pad_sequences_matches_keras(kwargs):
    seqs = [[1, 2, 3, 4, 5], [6], [], [7, 8]]
    ours = keraslite.preprocessing.sequence.pad_sequences(seqs, **kwargs)
    theirs = _keras().utils.pad_sequences(seqs, **kwargs)
    assert ours.dtype == theirs.dtype
    np.testing.assert_array_equal(ours, theirs)
    assert keraslite.utils.pad_sequences is keraslite.preprocessing.sequence.pad_sequences


def test_pad_sequences_nested_and_bad_depth():
    out = keraslite.utils.pad_sequences([[[1, 2]], [[3, 4], [5, 6]]], maxlen=2)
    np.testing.assert_array_equal(out, [[[0, 0], [1, 2]], [[3, 4], [5, 6]]])
    with pytest.raises(ValueError, match="index 1"):
        keraslite.utils.pad_sequences([[1, 2], [[3], [4]]])
    with pytest.raises(ValueError, match="index 2"):
        keraslite.utils.pad_sequences([[1], [2], 3])
    with pytest.raises(ValueError, match="padding"):
        keraslite.utils.pad_sequences([[1]], padding="middle")


@pytest.mark.parametrize("kwargs", [
    {"sequence_length": 4}, {"sequence_length": 3, "sequence_stride": 2, "sampling_rate": 2},
    {"sequence_length": 2, "start_index": 3, "end_index": 15, "batch_size": 4},
])
def test_timeseries_matches_keras(kwargs):
    data = np.arange(40, dtype="float32").reshape(20, 2)
    targets = np.arange(20) * 10
    ours = list(keraslite.utils.timeseries_dataset_from_array(data, targets, **kwargs))
    theirs = list(_keras().utils.timeseries_dataset_from_array(data, targets, **kwargs)
                  .as_numpy_iterator())
    assert len(ours) == len(theirs)
    for (x, y), (kx, ky) in zip(ours, theirs):
        np.testing.assert_array_equal(x, kx)
        np.testing.assert_array_equal(y, ky)


def test_timeseries_shuffle_and_no_targets():
    data = np.arange(10)
    windows = np.concatenate(list(keraslite.utils.timeseries_dataset_from_array(
        data, None, sequence_length=3, batch_size=2, shuffle=True, seed=1)))
    assert sorted(map(tuple, windows)) == [(i, i + 1, i + 2) for i in range(8)]
    with pytest.raises(ValueError, match="sampling_rate"):
        keraslite.utils.timeseries_dataset_from_array(data, None, 3, sampling_rate=0)


def _image_folder(root, sizes=(6, 5), per_class=3, bad=False):
    from PIL import Image

    rng = np.random.RandomState(0)
    for c, name in enumerate(["cats", "dogs"]):
        os.makedirs(root / name)
        for i in range(per_class):
            pixels = rng.randint(0, 256, sizes + (3,)).astype("uint8")
            Image.fromarray(pixels).save(root / name / f"{i}.png")
    if bad:
        (root / "dogs" / "broken.png").write_bytes(b"this is not a png")
    return root


def test_image_dataset_matches_keras(tmp_path):
    root = _image_folder(tmp_path / "imgs")
    kwargs = dict(image_size=(6, 5), batch_size=4, shuffle=False)
    ours = keraslite.utils.image_dataset_from_directory(root, **kwargs)
    theirs = _keras().utils.image_dataset_from_directory(str(root), **kwargs)
    assert ours.class_names == theirs.class_names == ["cats", "dogs"]
    ox = np.concatenate([x for x, _ in ours])
    oy = np.concatenate([y for _, y in ours])
    kx = np.concatenate([x for x, _ in theirs.as_numpy_iterator()])
    ky = np.concatenate([y for _, y in theirs.as_numpy_iterator()])
    assert ox.dtype == kx.dtype and oy.dtype == ky.dtype
    np.testing.assert_array_equal(ox, kx)
    np.testing.assert_array_equal(oy, ky)


def test_image_dataset_split_modes_and_fit(tmp_path):
    root = _image_folder(tmp_path / "imgs", per_class=5)
    train, val = keraslite.utils.image_dataset_from_directory(
        root, image_size=(4, 4), batch_size=3, validation_split=0.2, subset="both", seed=1,
        label_mode="categorical")
    assert len(train.file_paths) == 8 and len(val.file_paths) == 2
    assert not set(train.file_paths) & set(val.file_paths)
    x, y = train[0]
    assert x.shape == (3, 4, 4, 3) and y.shape == (3, 2) and y.dtype == np.float32
    model = keraslite.Sequential([keraslite.layers.Flatten(), keraslite.layers.Dense(2)])
    model.compile("sgd", "categorical_crossentropy")
    history = model.fit(train.cache().prefetch(buffer_size=-1), validation_data=val, epochs=1,
                        verbose=0)
    assert np.isfinite(history.history["loss"][0])
    with pytest.raises(ValueError, match="seed"):
        keraslite.utils.image_dataset_from_directory(root, validation_split=0.2,
                                                     subset="training")


def test_non_image_file_is_named(tmp_path):
    root = _image_folder(tmp_path / "imgs", bad=True)
    ds = keraslite.utils.image_dataset_from_directory(root, image_size=(6, 5), batch_size=8,
                                                      shuffle=False)
    with pytest.raises(ValueError, match="broken.png"):
        list(ds)


def test_text_dataset(tmp_path):
    for name, texts in (("neg", ["bad", "awful film"]), ("pos", ["great", "loved it", "fine"])):
        os.makedirs(tmp_path / name)
        for i, text in enumerate(texts):
            (tmp_path / name / f"{i}.txt").write_text(text)
    ds = keraslite.utils.text_dataset_from_directory(tmp_path, batch_size=2, shuffle=False,
                                                     max_length=5)
    texts = [t for x, _ in ds for t in x]
    labels = np.concatenate([y for _, y in ds])
    assert texts == ["bad", "awful", "great", "loved", "fine"]
    np.testing.assert_array_equal(labels, [0, 0, 1, 1, 1])


def test_split_dataset():
    x, y = np.arange(10), np.arange(10) * 2
    left, right = keraslite.utils.split_dataset((x, y), left_size=0.8, shuffle=True, seed=3)
    lx = [int(a) for a, _ in left]
    rx = [int(a) for a, _ in right]
    assert len(lx) == 8 and len(rx) == 2 and sorted(lx + rx) == list(range(10))
    assert all(int(b) == 2 * int(a) for a, b in left)
    batches = list(left.batch(3))
    assert [len(b[0]) for b in batches] == [3, 3, 2]
    with pytest.raises(ValueError, match="left_size"):
        keraslite.utils.split_dataset(x, left_size=11)


def test_image_helpers_round_trip(tmp_path):
    pixels = np.random.RandomState(1).randint(0, 256, (5, 7, 3)).astype("float32")
    path = tmp_path / "a.png"
    keraslite.utils.save_img(path, pixels, scale=False)
    img = keraslite.utils.load_img(path)
    np.testing.assert_array_equal(keraslite.utils.img_to_array(img), pixels)
    gray = keraslite.utils.img_to_array(keraslite.utils.load_img(path, color_mode="grayscale",
                                                                  target_size=(3, 4)))
    assert gray.shape == (3, 4, 1)
    k = _keras()
    np.testing.assert_array_equal(
        keraslite.utils.img_to_array(keraslite.utils.array_to_img(pixels)),
        k.utils.img_to_array(k.utils.array_to_img(pixels)))
    first = keraslite.utils.img_to_array(img, data_format="channels_first")
    assert first.shape == (3, 5, 7)
    (tmp_path / "b.png").write_text("not an image")
    with pytest.raises(ValueError, match="b.png"):
        keraslite.utils.load_img(tmp_path / "b.png")


def test_sequence_alias_and_progbar():
    assert keraslite.utils.Sequence is keraslite.utils.PyDataset
    assert keraslite.utils.Progbar(3).target == 3
