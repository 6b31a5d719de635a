"""Variable-length string attributes in .h5 files (Keras 3's ``model.save("x.h5")`` writes
``layer_names`` and ``weight_names`` this way): read through the bounded reader, checked against
h5py's own reading of valid files, and crafted global heaps refused with an error naming the file,
before libhdf5 reads any of them."""
import numpy as np
import pytest

import keraslite
from keraslite import layers
from keraslite.saving.errors import CorruptFileError
from keraslite.saving.h5_safety import SafeH5File
from keraslite.saving.keras_h5 import load_keras_weights

h5py = pytest.importorskip("h5py")
_STR = h5py.string_dtype()


def _model():
    return keraslite.Sequential([keraslite.Input((3,)), layers.Dense(2, name="dense")])


def _kernel():
    return np.arange(6, dtype="float32").reshape(3, 2) / 7


def _vlen_file(path, libver="earliest", names=("dense/kernel:0", "dense/bias:0")):
    """A legacy weights file whose name attributes are variable-length strings, as Keras 3
    writes them."""
    with h5py.File(path, "w", libver=libver) as f:
        f.attrs.create("layer_names", ["dense"], dtype=_STR)
        group = f.create_group("dense")
        group.attrs.create("weight_names", list(names), dtype=_STR)
        inner = group.create_group("dense")
        inner.create_dataset("kernel:0", data=_kernel())
        inner.create_dataset("bias:0", data=np.array([0.5, -1.5], "float32"))
    return path


@pytest.mark.parametrize("libver", ["earliest", "latest"])  # object header version 1 and 2
def test_vlen_string_names_load(tmp_path, libver):
    model = _model()
    model.load_weights(_vlen_file(tmp_path / "vlen.h5", libver))
    kernel, bias = model.get_weights()
    np.testing.assert_array_equal(kernel, _kernel())
    np.testing.assert_array_equal(bias, [0.5, -1.5])


@pytest.mark.parametrize("libver", ["earliest", "latest"])
def test_vlen_reader_agrees_with_h5py_on_many_collections(tmp_path, libver):
    # 3,000 strings of up to 40 characters (some not ASCII, one empty) span several global heap
    # collections (each at least 4 KiB); h5py's reading of this valid file is the reference.
    rng = np.random.default_rng(0)
    alphabet = list("abcxyz_/:0123456789") + ["é", "名", "ß"]
    words = ["".join(rng.choice(alphabet, size=rng.integers(1, 40))) for _ in range(3000)]
    words[7] = ""
    path = tmp_path / "many.h5"
    with h5py.File(path, "w", libver=libver) as f:
        f.attrs.create("names", words, dtype=_STR)
        f.attrs.create("scalar", "one string", dtype=_STR)
    with h5py.File(path, "r") as f:
        expected = [w.decode() if isinstance(w, bytes) else w for w in f.attrs["names"]]
        with open(path, "rb") as raw:
            assert raw.read().count(b"GCOL") > 1
    with SafeH5File(path) as safe:
        assert safe.read_strings(safe.root, "names", "/") == expected
        assert safe.read_strings(safe.root, "scalar", "/") == ["one string"]


def _collection(data):
    """The offset of the only global heap collection, and of its first object."""
    assert data.count(b"GCOL") == 1
    start = data.index(b"GCOL")
    return start, start + 16


def _patched(tmp_path, patch):
    path = _vlen_file(tmp_path / "heap.h5")
    data = bytearray(path.read_bytes())
    start, first = _collection(data)
    patch(data, start, first)
    path.write_bytes(bytes(data))
    return path


def _refused(path, match):
    model = _model()
    before = model.get_weights()
    with pytest.raises(CorruptFileError, match=match) as info:
        model.load_weights(path)
    assert str(path) in str(info.value)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


def _put(data, at, value, size):
    data[at:at + size] = value.to_bytes(size, "little")


@pytest.mark.parametrize("patch, match", [
    # The collection's size runs past the end of the file (libhdf5 would allocate it).
    (lambda d, s, o: _put(d, s + 8, 2**40, 8), "do not fit in the file"),
    (lambda d, s, o: d.__setitem__(slice(s, s + 4), b"GCOX"), "wrong signature"),
    # An object longer than its collection (libhdf5 would read past its buffer).
    (lambda d, s, o: _put(d, o + 8, 2**62, 8), "do not fit in the collection"),
    # The free-space object of size 0: libhdf5's collection parser would loop forever.
    (lambda d, s, o: (_put(d, o, 0, 2), _put(d, o + 8, 0, 8)), "do not fit in the collection"),
    # An object longer than the string that refers to it (libhdf5 copies it past the buffer).
    (lambda d, s, o: _put(d, o + 8, int.from_bytes(d[o + 8:o + 16], "little") + 1, 8),
     "has length"),
    # The string's object index is not in the collection.
    (lambda d, s, o: _put(d, o, 999, 2), "no such object"),
], ids=["size_beyond_file", "wrong_signature", "object_overflow", "zero_size_loop",
        "object_longer_than_string", "missing_object"])
def test_corrupt_global_heap_is_refused(tmp_path, patch, match):
    _refused(_patched(tmp_path, patch), match)


def test_heap_address_beyond_file_is_refused(tmp_path):
    path = _vlen_file(tmp_path / "far.h5")
    data = bytearray(path.read_bytes())
    start, _ = _collection(data)
    # A heap ID is the collection's address and a small object index: move them past the end.
    new = (len(data) + 4096).to_bytes(8, "little")
    for index in range(1, 4):
        old = start.to_bytes(8, "little") + index.to_bytes(4, "little")
        assert data.count(old) == 1
        data = data.replace(old, new + index.to_bytes(4, "little"))
    path.write_bytes(bytes(data))
    _refused(path, "beyond the end of the file")


def test_truncated_file_with_vlen_names_is_refused(tmp_path):
    path = _vlen_file(tmp_path / "cut.h5")
    data = path.read_bytes()
    start, _ = _collection(data)
    path.write_bytes(data[:start + 100])
    with pytest.raises(CorruptFileError) as info:
        load_keras_weights(_model(), path)
    assert str(path) in str(info.value)
