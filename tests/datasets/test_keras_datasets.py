"""keras.datasets loaders: small files in the published formats, served from a loopback HTTP
server; results compared with Keras 3's own loaders reading the same files (the oracle)."""
import gzip
import hashlib
import io
import os
import pathlib
import pickle
import struct
import sys
import tarfile

import numpy as np
import pytest

import keraslite
from keraslite.datasets import pickle_reader, sources

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "utils"))
from local_http import local_server  # noqa: E402

os.environ.setdefault("KERAS_BACKEND", "jax")
RNG = np.random.RandomState(7)


def _npz(**arrays) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def _ragged(n, vocab=60):
    out = np.empty(n, dtype=object)
    out[:] = [list(map(int, RNG.randint(0, vocab, size=RNG.randint(1, 12)))) for _ in range(n)]
    return out


def _idx(array: np.ndarray) -> bytes:
    magic = 2049 if array.ndim == 1 else 2051
    header = magic.to_bytes(4, "big") + b"".join(n.to_bytes(4, "big") for n in array.shape)
    return gzip.compress(header + array.astype(np.uint8).tobytes())


class _Python2Pickler(pickle._Pickler):
    """Writes bytes as Python 2's ``str`` opcodes, as the published CIFAR batches (cPickle) do."""

    dispatch = pickle._Pickler.dispatch.copy()

    def _save_py2_str(self, obj):
        if len(obj) < 256:
            self.write(pickle.SHORT_BINSTRING + bytes([len(obj)]) + obj)
        else:
            self.write(pickle.BINSTRING + struct.pack("<i", len(obj)) + obj)
        self.memoize(obj)

    dispatch[bytes] = _save_py2_str


def _py2_pickle(value) -> bytes:
    buffer = io.BytesIO()
    _Python2Pickler(buffer, protocol=2).dump(value)
    return buffer.getvalue()


def _cifar_tar(folder: str, batches: dict) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, batch in batches.items():
            blob = _py2_pickle(batch)
            info = tarfile.TarInfo(f"{folder}/{name}")
            info.size = len(blob)
            archive.addfile(info, io.BytesIO(blob))
    return buffer.getvalue()


def _cifar_batch(n, label_keys):
    batch = {b"batch_label": b"synthetic", b"data": RNG.randint(0, 256, (n, 3072)).astype("uint8")}
    for key, classes in label_keys.items():
        batch[key] = [int(v) for v in RNG.randint(0, classes, n)]
    return batch


CIFAR10_BATCHES = {**{f"data_batch_{i}": _cifar_batch(4, {b"labels": 10}) for i in range(1, 6)},
                   "test_batch": _cifar_batch(3, {b"labels": 10})}
FILES = {
    "mnist.npz": _npz(x_train=RNG.randint(0, 256, (12, 28, 28)).astype("uint8"),
                      y_train=RNG.randint(0, 10, 12).astype("uint8"),
                      x_test=RNG.randint(0, 256, (5, 28, 28)).astype("uint8"),
                      y_test=RNG.randint(0, 10, 5).astype("uint8")),
    "imdb.npz": _npz(x_train=_ragged(30), y_train=RNG.randint(0, 2, 30),
                     x_test=_ragged(20), y_test=RNG.randint(0, 2, 20)),
    "reuters.npz": _npz(x=_ragged(40), y=RNG.randint(0, 46, 40)),
    "boston_housing.npz": _npz(x=RNG.rand(50, 13), y=RNG.rand(50)),
    "california_housing.npz": _npz(x=RNG.rand(700, 8).astype("float32"),
                                   y=RNG.rand(700).astype("float32")),
    "imdb_word_index.json": b'{"the": 1, "and": 2}',
    "reuters_word_index.json": b'{"said": 1}',
    "train-labels-idx1-ubyte.gz": _idx(RNG.randint(0, 10, 6)),
    "train-images-idx3-ubyte.gz": _idx(RNG.randint(0, 256, (6, 28, 28))),
    "t10k-labels-idx1-ubyte.gz": _idx(RNG.randint(0, 10, 3)),
    "t10k-images-idx3-ubyte.gz": _idx(RNG.randint(0, 256, (3, 28, 28))),
    "cifar-10-python.tar.gz": _cifar_tar("cifar-10-batches-py", CIFAR10_BATCHES),
    "cifar-100-python.tar.gz": _cifar_tar("cifar-100-python", {
        name: _cifar_batch(n, {b"fine_labels": 100, b"coarse_labels": 20})
        for name, n in (("train", 6), ("test", 4))}),
}


@pytest.fixture
def served(monkeypatch, tmp_path):
    """Every dataset file served from loopback, with its sha256, into a fresh cache."""
    monkeypatch.setenv("KERASLITE_HOME", str(tmp_path / "home"))
    with local_server() as server:
        for name, blob in FILES.items():
            server.files[f"/{name}"] = blob
            monkeypatch.setitem(sources.FILES, name,
                                (f"{server.url}/{name}", hashlib.sha256(blob).hexdigest()))
        yield server


def _keras_oracle(monkeypatch, module_name, tmp_path):
    """Keras 3's loader module, reading our served file instead of the internet."""
    pytest.importorskip("keras")
    import importlib

    module = importlib.import_module(f"keras.src.datasets.{module_name}")

    def local_copy(fname=None, origin=None, **kwargs):
        name = origin.rsplit("/", 1)[-1]
        target = tmp_path / "keras" / name
        target.parent.mkdir(exist_ok=True)
        target.write_bytes(FILES[name])
        if kwargs.get("extract"):
            folder = tmp_path / "keras" / (name + "_x")
            with tarfile.open(target) as archive:
                archive.extractall(folder, filter="data")
            return str(folder)
        return str(target)

    monkeypatch.setattr(module, "get_file", local_copy)
    return module


def _assert_same(ours, theirs):
    for a, b in zip(ours, theirs):
        for x, y in zip(a, b):
            assert x.shape == y.shape and x.dtype == y.dtype
            if x.dtype == object:
                assert [list(v) for v in x] == [list(v) for v in y]
            else:
                np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize("name,kwargs", [
    ("mnist", {}), ("fashion_mnist", {}), ("cifar100", {}),
    ("cifar100", {"label_mode": "coarse"}), ("boston_housing", {"test_split": 0.3, "seed": 1}),
    ("california_housing", {"version": "small"}), ("california_housing", {}),
    ("imdb", {}), ("imdb", {"num_words": 30, "skip_top": 4, "maxlen": 9, "seed": 3}),
    ("imdb", {"oov_char": None, "start_char": None, "index_from": 0, "num_words": 20}),
    ("reuters", {}), ("reuters", {"num_words": 25, "test_split": 0.5, "maxlen": 10}),
])
def test_same_arrays_as_keras(served, monkeypatch, tmp_path, name, kwargs):
    ours = getattr(keraslite.datasets, name).load_data(**kwargs)
    theirs = _keras_oracle(monkeypatch, name, tmp_path).load_data(**kwargs)
    _assert_same(ours, theirs)


def test_cifar10_against_numpy_and_keras_batch_reader(served, tmp_path):
    # Keras's cifar10.load_data assumes 10,000 images per batch, so the small files are checked
    # batch by batch against Keras's reader, and the whole load against NumPy.
    (x, y), (xt, yt) = keraslite.datasets.cifar10.load_data()
    train = [CIFAR10_BATCHES[f"data_batch_{i}"] for i in range(1, 6)]
    expected = np.concatenate([b[b"data"] for b in train]).reshape(-1, 3, 32, 32)
    np.testing.assert_array_equal(x, expected.transpose(0, 2, 3, 1))
    np.testing.assert_array_equal(y[:, 0], np.concatenate([b[b"labels"] for b in train]))
    assert y.shape == (20, 1) and y.dtype == np.uint8 and x.dtype == np.uint8
    assert xt.shape == (3, 32, 32, 3) and yt.dtype == np.uint8
    pytest.importorskip("keras")
    from keras.src.datasets import cifar

    from keraslite.datasets import cifar_batches

    blob = tmp_path / "batch"
    blob.write_bytes(_py2_pickle(CIFAR10_BATCHES["test_batch"]))
    ours, theirs = cifar_batches.load_batch(str(blob)), cifar.load_batch(str(blob))
    np.testing.assert_array_equal(ours[0], theirs[0])
    assert ours[1] == theirs[1]


def test_shapes_and_dtypes(served):
    (x, y), _ = keraslite.datasets.mnist.load_data()
    assert x.shape == (12, 28, 28) and y.dtype == np.uint8
    assert keraslite.datasets.imdb.get_word_index() == {"the": 1, "and": 2}
    assert keraslite.datasets.reuters.get_word_index() == {"said": 1}
    assert len(keraslite.datasets.reuters.get_label_names()) == 46


def test_channels_first(served):
    keraslite.config.set_image_data_format("channels_first")
    try:
        (x, _), _ = keraslite.datasets.cifar10.load_data()
    finally:
        keraslite.config.set_image_data_format("channels_last")
    assert x.shape == (20, 3, 32, 32)


def test_download_happens_once(served):
    keraslite.datasets.mnist.load_data()
    keraslite.datasets.mnist.load_data()
    assert served.requests["/mnist.npz"] == 1


def test_corrupt_download_is_refused_and_not_cached(served, tmp_path):
    served.files["/mnist.npz"] = FILES["mnist.npz"][:-10] + b"0123456789"
    with pytest.raises(ValueError, match="sha256"):
        keraslite.datasets.mnist.load_data()
    assert not (tmp_path / "home" / "datasets" / "mnist.npz").exists()


def test_pickle_with_code_is_refused(served, monkeypatch, tmp_path):
    class Gadget:
        def __reduce__(self):
            return (os.system, ("echo should-never-run",))

    evil = np.empty(2, dtype=object)
    evil[:] = [[1, 2], Gadget()]
    blob = _npz(x_train=evil, y_train=np.zeros(2), x_test=evil, y_test=np.zeros(2))
    served.files["/imdb.npz"] = blob
    monkeypatch.setitem(sources.FILES, "imdb.npz",
                        (served.url + "/imdb.npz", hashlib.sha256(blob).hexdigest()))
    with pytest.raises(pickle_reader.UnsafeFileError, match="system"):
        keraslite.datasets.imdb.load_data()


@pytest.mark.parametrize("payload", [
    pickle.dumps([1, 2, 3])[:-3],                            # truncated
    b"\x80\x02cbuiltins\neval\nX\x01\x00\x00\x001\x85R.",   # a global call
    b"\x80\x02}q\x00X\x01\x00\x00\x00aq\x01Nb.",              # BUILD on a dict
])
def test_pickle_reader_refuses(payload):
    with pytest.raises(pickle_reader.UnsafeFileError):
        pickle_reader.loads(payload)


@pytest.mark.parametrize("protocol", [2, 3, 4])
def test_pickle_reader_matches_pickle_on_plain_data(protocol):
    value = {b"data": RNG.randint(0, 255, (3, 4)).astype("uint8"), "labels": [1, 2, -70000],
             "big": 2**70, "f": 1.5, "t": (None, True, False), "nested": [[1], {"k": b"v"}],
             "ragged": _ragged(3), "be": np.arange(4, dtype=">i4").reshape(2, 2, order="F")}
    ours = pickle_reader.loads(pickle.dumps(value, protocol=protocol))
    assert set(ours) == set(value)
    for key in value:
        if isinstance(value[key], np.ndarray):
            assert ours[key].dtype == value[key].dtype
            assert [np.asarray(v).tolist() for v in ours[key].ravel()] == \
                   [np.asarray(v).tolist() for v in value[key].ravel()]
        else:
            assert ours[key] == value[key]


def test_bad_arguments(served):
    with pytest.raises(ValueError, match="label_mode"):
        keraslite.datasets.cifar100.load_data(label_mode="medium")
    with pytest.raises(ValueError, match="test_split"):
        keraslite.datasets.boston_housing.load_data(test_split=1.5)
    with pytest.raises(ValueError, match="version"):
        keraslite.datasets.california_housing.load_data(version="huge")
    with pytest.raises(TypeError, match="nb_words"):
        keraslite.datasets.imdb.load_data(nb_words=10)
    with pytest.raises(ValueError, match="maxlen"):
        keraslite.datasets.imdb.load_data(maxlen=1)
