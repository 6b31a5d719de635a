"""Hostile and damaged .h5 files: each is refused with an error naming the file, before any array is
read, without opening any other file and without allocating memory for what it declares."""
import contextlib
import os
import subprocess
import sys
import time
import tracemalloc

import numpy as np
import pytest

import keraslite
from keraslite import layers
from keraslite.saving.errors import CorruptFileError, UnsafeFileError
from keraslite.saving.keras_h5 import load_keras_weights

h5py = pytest.importorskip("h5py")


def _model():
    return keraslite.Sequential([keraslite.Input((3,)), layers.Dense(2, name="dense")])


def _legacy_file(path, make_kernel=None, make_bias=None):
    """A legacy file for ``_model()``; ``make_kernel(group, name)`` may plant something hostile
    where the kernel belongs."""
    with h5py.File(path, "w") as f:
        f.attrs["layer_names"] = np.array([b"dense"])
        group = f.create_group("dense")
        group.attrs["weight_names"] = np.array([b"dense/kernel:0", b"dense/bias:0"])
        inner = group.create_group("dense")
        if make_kernel is None:
            inner.create_dataset("kernel:0", data=np.ones((3, 2), "float32"))
        else:
            make_kernel(inner, "kernel:0", f)
        if make_bias is None:
            inner.create_dataset("bias:0", data=np.zeros(2, "float32"))
        else:
            make_bias(inner, "bias:0", f)
    return path


# Runs in its own process: h5py keeps the GIL while HDF5 opens a file, so a thread could not
# wake a reader blocked on the pipe.
_WATCHER = """
import errno, os, sys, time
fifo, marker = sys.argv[1], sys.argv[2]
open(marker + ".ready", "w").close()
while True:
    try:
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
    except OSError as error:
        if error.errno != errno.ENXIO:  # ENXIO: nobody has the pipe open for reading
            raise
        time.sleep(0.002)
        continue
    open(marker, "w").close()
    os.close(fd)
"""


@contextlib.contextmanager
def _never_opened(path):
    """Makes ``path`` a named pipe and watches it: anything opening it to read would block, and
    the watcher, by opening the write end, both notices and unblocks it."""
    os.mkfifo(path)
    marker = f"{path}.opened"
    watcher = subprocess.Popen([sys.executable, "-c", _WATCHER, str(path), marker])
    try:
        deadline = time.monotonic() + 30
        while not os.path.exists(marker + ".ready") and time.monotonic() < deadline:
            assert watcher.poll() is None, "the pipe watcher died"
            time.sleep(0.01)
        yield
    finally:
        watcher.terminate()
        watcher.wait(10)
    assert not os.path.exists(marker), f"'{path}' was opened while loading another file"


def _refused(path, error=UnsafeFileError, match=None):
    model = _model()
    before = model.get_weights()
    with pytest.raises(error, match=match) as info:
        load_keras_weights(model, path)
    assert str(path) in str(info.value)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)
    return str(info.value)


def test_a_valid_file_loads(tmp_path):
    model = _model()
    load_keras_weights(model, _legacy_file(tmp_path / "ok.h5"))
    np.testing.assert_array_equal(model.get_weights()[0], np.ones((3, 2)))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_external_link_is_refused_without_opening_its_target(tmp_path):
    target = tmp_path / "elsewhere.h5"
    with _never_opened(target):
        path = _legacy_file(tmp_path / "external_link.h5",
                            lambda g, n, f: g.__setitem__(n, h5py.ExternalLink(str(target), "/k")))
        message = _refused(path, match="external link")
    assert str(target) in message


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_external_storage_dataset_is_refused_without_opening_it(tmp_path):
    raw = tmp_path / "raw.bin"
    with _never_opened(raw):
        path = _legacy_file(tmp_path / "external_storage.h5", lambda g, n, f: g.create_dataset(
            n, shape=(3, 2), dtype="float32", external=[(str(raw), 0, 24)]))
        _refused(path, match="external file")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_virtual_dataset_is_refused_without_opening_its_sources(tmp_path):
    source = tmp_path / "source.h5"

    def virtual(group, name, f):
        layout = h5py.VirtualLayout(shape=(3, 2), dtype="float32")
        layout[:] = h5py.VirtualSource(str(source), "k", shape=(3, 2))
        group.create_virtual_dataset(name, layout)

    with _never_opened(source):
        _refused(_legacy_file(tmp_path / "virtual.h5", virtual), match="virtual dataset")


def test_dangling_soft_link_is_refused(tmp_path):
    path = _legacy_file(tmp_path / "dangling.h5",
                        lambda g, n, f: g.__setitem__(n, h5py.SoftLink("/nowhere/kernel")))
    _refused(path, match="does not exist")


def test_soft_link_to_a_group_is_refused(tmp_path):
    def loop(group, name, f):
        group.create_dataset(name, data=np.ones((3, 2), "float32"))
        group["up"] = h5py.SoftLink("/dense")

    _refused(_legacy_file(tmp_path / "soft_loop.h5", loop), match="not a dataset")


def test_hard_link_loop_is_refused(tmp_path):
    def loop(group, name, f):
        group.create_dataset(name, data=np.ones((3, 2), "float32"))
        group["again"] = f["/"]

    _refused(_legacy_file(tmp_path / "hard_loop.h5", loop), match="loop")


def test_soft_link_to_a_dataset_in_the_file_is_allowed(tmp_path):
    def aliased(group, name, f):
        f.create_dataset("stored_kernel", data=np.full((3, 2), 2.0, "float32"))
        group[name] = h5py.SoftLink("/stored_kernel")

    model = _model()
    load_keras_weights(model, _legacy_file(tmp_path / "alias.h5", aliased))
    np.testing.assert_array_equal(model.get_weights()[0], np.full((3, 2), 2.0))


def _peak_bytes_while(fn):
    tracemalloc.start()
    try:
        fn()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak


def test_huge_compressed_dataset_is_refused_before_reading(tmp_path):
    path = _legacy_file(tmp_path / "bomb.h5", lambda g, n, f: g.create_dataset(
        n, shape=(10**9, 10**4), dtype="float32", chunks=(64, 64), compression="gzip"))
    assert os.path.getsize(path) < 100_000
    peak = _peak_bytes_while(lambda: _refused(path, match="compressed data"))
    assert peak < 20 * 2**20


def test_huge_uncompressed_dataset_is_refused_before_reading(tmp_path):
    path = _legacy_file(tmp_path / "hollow.h5", lambda g, n, f: g.create_dataset(
        n, shape=(10**8,), dtype="float32"))
    peak = _peak_bytes_while(lambda: _refused(path, match="whole file holds only"))
    assert peak < 20 * 2**20


def test_huge_keras3_dataset_is_refused(tmp_path):
    path = tmp_path / "bomb.weights.h5"
    with h5py.File(path, "w") as f:
        f.create_group("vars")
        f.create_dataset("layers/dense/vars/0", shape=(10**6, 10**6), dtype="float64",
                         chunks=(8, 8), compression="lzf")
        f.create_dataset("layers/dense/vars/1", data=np.zeros(2, "float32"))
    _refused(path, match="compressed data")


def test_unknown_filter_is_refused_before_any_plugin_is_loaded(tmp_path):
    path = _legacy_file(tmp_path / "plugin.h5", lambda g, n, f: g.create_dataset(
        n, shape=(3, 2), dtype="float32", chunks=(3, 2), compression=32020,
        allow_unknown_filter=True))
    _refused(path, match="plugin")


@pytest.mark.parametrize("dtype", [h5py.string_dtype(), h5py.ref_dtype,
                                   h5py.vlen_dtype(np.float32), np.dtype("S8"),
                                   np.dtype([("a", "f4"), ("b", "f4")])],
                         ids=["str", "reference", "vlen", "bytes", "compound"])
def test_non_numeric_weights_are_refused(tmp_path, dtype):
    path = _legacy_file(tmp_path / "strings.h5",
                        lambda g, n, f: g.create_dataset(n, shape=(3, 2), dtype=dtype))
    message = _refused(path, match="where numeric weights are expected")
    assert "dense/kernel:0" in message


def test_non_string_layer_names_are_refused(tmp_path):
    path = tmp_path / "int_names.h5"
    with h5py.File(path, "w") as f:
        f.attrs["layer_names"] = np.arange(3)
    _refused(path, match="strings are expected")


def test_variable_length_string_attributes_are_not_read_by_hdf5(tmp_path, monkeypatch):
    # Their text lives in HDF5's global heap, which a crafted file can make HDF5 loop over: the
    # loader reads it itself (tests/saving/test_keras_h5_vlen.py), never through h5py's attrs.
    path = tmp_path / "vlen_names.h5"
    with h5py.File(path, "w") as f:
        f.attrs.create("layer_names", ["dense"], dtype=h5py.string_dtype())
        group = f.create_group("dense")
        group.attrs.create("weight_names", ["dense/kernel:0", "dense/bias:0"],
                           dtype=h5py.string_dtype())
        group.create_dataset("dense/kernel:0", data=np.ones((3, 2), "float32"))
        group.create_dataset("dense/bias:0", data=np.full(2, 3.0, "float32"))

    def no_heap_read(self, name):
        raise AssertionError(f"h5py read attribute {name!r}")

    monkeypatch.setattr(h5py.AttributeManager, "__getitem__", no_heap_read)
    model = _model()
    load_keras_weights(model, path)
    np.testing.assert_array_equal(model.get_weights()[1], [3.0, 3.0])


def test_text_file_named_h5_is_corrupt(tmp_path):
    path = tmp_path / "notes.h5"
    path.write_text("these are not weights\n")
    _refused(path, CorruptFileError, match="not an HDF5 file")


def test_truncated_file_is_corrupt(tmp_path):
    path = _legacy_file(tmp_path / "whole.h5")
    data = path.read_bytes()
    cut = tmp_path / "truncated.h5"
    cut.write_bytes(data[: len(data) // 2])
    _refused(cut, CorruptFileError)


def test_hdf5_file_that_is_not_keras_is_corrupt(tmp_path):
    path = tmp_path / "other.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("table", data=np.arange(4))
    _refused(path, CorruptFileError, match="not a Keras weights file")


def test_listed_weight_without_dataset_is_corrupt(tmp_path):
    path = _legacy_file(tmp_path / "missing_weight.h5", lambda g, n, f: None)
    _refused(path, CorruptFileError, match="dense/kernel:0")


def test_keras3_vars_with_unexpected_names_are_corrupt(tmp_path):
    path = tmp_path / "odd.weights.h5"
    with h5py.File(path, "w") as f:
        f.create_group("vars")
        f.create_dataset("layers/dense/vars/kernel", data=np.ones((3, 2), "float32"))
    _refused(path, CorruptFileError, match="0..0")


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.h5"):
        load_keras_weights(_model(), tmp_path / "missing.h5")
