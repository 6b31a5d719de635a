"""Loaders refuse paths that are not regular files, huge zip directories and odd tensor shapes
with a ValueError naming the path; failed writes name the target, not the temporary file."""
import errno
import hashlib
import json
import os
import struct
import subprocess
import sys
import textwrap
import zipfile

import numpy as np
import pytest

import keraslite
from keraslite import layers
from keraslite.saving import archive, atomic_io, file_guard, tensor_file
from keraslite.saving.errors import CorruptFileError, UnsafeFileError

posix_only = pytest.mark.skipif(os.name != "posix" or not hasattr(os, "mkfifo"),
                                reason="FIFOs and /dev/zero are POSIX")


def _model():
    return keraslite.Sequential([keraslite.Input((3,)), layers.Dense(2, name="d")])


# A load that blocks (FIFO) or reads without end (/dev/zero) would hang the suite, so the loads
# run in a child process with a timeout; it prints one line per load.
_CHILD = textwrap.dedent("""
    import json, sys
    import keraslite
    from keraslite import layers
    folder, names = sys.argv[1], json.loads(sys.argv[2])
    model = keraslite.Sequential([keraslite.Input((3,)), layers.Dense(2)])
    for name in names:
        path = folder + "/" + name
        for entry in ("load_model", "load_weights"):
            if entry == "load_model" and not name.endswith(".keraslite"):
                continue
            try:
                if entry == "load_model":
                    keraslite.models.load_model(path)
                else:
                    model.load_weights(path)
                outcome = "loaded"
            except Exception as error:
                outcome = type(error).__name__ + ": " + str(error)
            print(json.dumps([entry, name, outcome]), flush=True)
""")


@posix_only
def test_fifo_device_link_and_folder_are_refused_at_once(tmp_path):
    names = []
    for suffix in (".keraslite", ".safetensors", ".h5", ".weights.h5"):
        os.mkfifo(tmp_path / f"fifo{suffix}")
        os.symlink("/dev/zero", tmp_path / f"zero{suffix}")
        os.mkdir(tmp_path / f"folder{suffix}")
        names += [f"fifo{suffix}", f"zero{suffix}", f"folder{suffix}"]
    result = subprocess.run([sys.executable, "-c", _CHILD, str(tmp_path), json.dumps(names)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    rows = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("[")]
    assert len(rows) == len(names) + 3  # load_weights for all, load_model for the .keraslite
    kinds = {"fifo": "a FIFO", "zero": "a character device", "folder": "a folder"}
    for entry, name, outcome in rows:
        assert outcome.startswith("ValueError: "), (entry, name, outcome)
        assert str(tmp_path / name) in outcome, (entry, name, outcome)
        assert kinds[name.split(".")[0]] in outcome, (entry, name, outcome)
        if name.startswith("zero"):
            assert "a link to '/dev/zero'" in outcome


def _sealed(data: bytes) -> bytes:
    assert data[-22:-18] == b"PK\x05\x06" and data[-2:] == b"\x00\x00"
    body = data[:-2] + struct.pack("<H", 81)
    return body + b"keraslite-sha256:" + hashlib.sha256(body).hexdigest().encode()


def _million_entry_zip(count=10**6) -> bytes:
    """A zip64 whose directory lists ``count`` empty entries (built directly: fast)."""
    name = b"a"
    local = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 0, 0, 0, 0, 0, 0, len(name), 0) + name
    central = struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 45, 20, 0, 0, 0, 0, 0, 0, 0, len(name),
                          0, 0, 0, 0, 0, 0) + name
    directory = central * count
    directory_at = len(local)
    record_at = directory_at + len(directory)
    record = struct.pack("<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, count, count,
                         len(directory), directory_at)
    locator = struct.pack("<4sLQL", b"PK\x06\x07", 0, record_at, 1)
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    return local + directory + record + locator + end


def test_a_million_entry_zip_is_refused_before_zipfile_reads_it(tmp_path, monkeypatch):
    path = tmp_path / "many.keraslite"
    path.write_bytes(_sealed(_million_entry_zip()))

    def no_zipfile(*args, **kwargs):
        raise AssertionError("zipfile must not see this archive")

    monkeypatch.setattr(zipfile, "ZipFile", no_zipfile)
    with pytest.raises(UnsafeFileError, match="declares 1,000,000 entries") as info:
        keraslite.models.load_model(path)
    assert str(path) in str(info.value)
    with pytest.raises(UnsafeFileError, match="declares 1,000,000 entries"):
        _model().load_weights(path)


def test_files_over_the_size_limit_are_refused_before_reading(tmp_path, monkeypatch):
    model = _model()
    model.save(tmp_path / "m.keraslite")
    model.save_weights(tmp_path / "w.safetensors")
    model.save_weights(tmp_path / "w.weights.h5")
    monkeypatch.setattr(file_guard, "MAX_FILE_BYTES", 100)
    for name in ("m.keraslite", "w.safetensors", "w.weights.h5"):
        with pytest.raises(ValueError, match=r"over the limit of 100 bytes") as info:
            model.load_weights(tmp_path / name)
        assert str(tmp_path / name) in str(info.value)
    with pytest.raises(ValueError, match=r"over the limit of 100 bytes"):
        keraslite.models.load_model(tmp_path / "m.keraslite")


def test_bounded_reader_stops_at_the_size_seen_when_opened(tmp_path):
    path = tmp_path / "grows.bin"
    path.write_bytes(b"abc")
    with file_guard.open_bounded(path) as reader:
        with open(path, "ab") as f:
            f.write(b"more bytes written after the open")
        assert reader.read() == b"abc"
        reader.seek(1)
        assert reader.read(10) == b"bc"


def _raw_safetensors(header: dict, data: bytes = b"") -> bytes:
    raw = json.dumps(header).encode()
    raw += b" " * (-(8 + len(raw)) % 8)
    return len(raw).to_bytes(8, "little") + raw + data


@pytest.mark.parametrize("shape", [[0, 2**63], [0, 2**62, 4], [2**40, 0, 2**40]])
def test_zero_size_tensor_with_overflowing_dims_names_file_and_tensor(tmp_path, shape):
    path = tmp_path / "w.safetensors"
    path.write_bytes(_raw_safetensors({"layers/dense/kernel": {
        "dtype": "F32", "shape": shape, "data_offsets": [0, 0]}}))
    with pytest.raises(UnsafeFileError) as info:
        tensor_file.load_tensors(path)
    message = str(info.value)
    assert str(path) in message and "'layers/dense/kernel'" in message
    assert "overflows a 64-bit size" in message
    # A zero-size tensor with an ordinary shape still loads.
    path.write_bytes(_raw_safetensors({"t": {"dtype": "F32", "shape": [0, 5],
                                             "data_offsets": [0, 0]}}))
    assert tensor_file.load_tensors(path)[0]["t"].shape == (0, 5)


# --- writes name the target -------------------------------------------------------------------


def _no_temporaries(folder):
    return [n for n in os.listdir(folder) if n.endswith(".keraslite-tmp")] == []


def test_missing_folder_names_target_and_folder(tmp_path):
    target = tmp_path / "missing" / "m.keraslite"
    with pytest.raises(FileNotFoundError) as info:
        _model().save(target)
    message = str(info.value)
    assert str(target) in message and "does not exist" in message
    assert "keraslite-tmp" not in message


def test_read_only_folder_names_target(tmp_path, monkeypatch):
    target = tmp_path / "m.keraslite"
    if os.name == "posix" and os.geteuid() != 0:
        os.chmod(tmp_path, 0o555)  # a real read-only folder where permissions apply
    else:
        real_open = os.open

        def read_only_open(path, flags, *args):  # root ignores permissions: simulate EROFS
            if str(path).endswith(".keraslite-tmp"):
                raise OSError(errno.EROFS, os.strerror(errno.EROFS), path)
            return real_open(path, flags, *args)

        monkeypatch.setattr(atomic_io.os, "open", read_only_open)
    try:
        with pytest.raises(OSError) as info:
            _model().save(target)
    finally:
        os.chmod(tmp_path, 0o755)
    message = str(info.value)
    assert str(target) in message and "not writable" in message
    assert "keraslite-tmp" not in message and info.value.filename == str(target)


class _FailingFile:
    """A file whose writes fail like a full (ENOSPC) or size-capped (EFBIG) file system."""

    def __init__(self, f, code):
        self._f, self._code = f, code

    def write(self, data):
        raise OSError(self._code, os.strerror(self._code))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._f.close()

    def __getattr__(self, name):
        return getattr(self._f, name)


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EFBIG])
@pytest.mark.parametrize("kind", ["model", "safetensors"])
def test_full_disk_names_target_and_keeps_the_old_file(tmp_path, monkeypatch, code, kind):
    model = _model()
    target = tmp_path / ("m.keraslite" if kind == "model" else "w.safetensors")
    save = model.save if kind == "model" else model.save_weights
    save(target)
    before = target.read_bytes()
    monkeypatch.setattr(atomic_io, "open", lambda fd, mode: _FailingFile(open(fd, mode), code),
                        raising=False)
    with pytest.raises(OSError) as info:
        save(target)
    assert info.value.errno == code and info.value.filename == str(target)
    assert "keraslite-tmp" not in str(info.value) and "unchanged" in str(info.value)
    assert target.read_bytes() == before and _no_temporaries(tmp_path)


def test_a_240_character_target_name_saves_and_loads(tmp_path):
    model = _model()
    target = tmp_path / ("m" * (240 - len(".keraslite")) + ".keraslite")
    assert len(target.name) == 240
    model.save(target)
    loaded = keraslite.models.load_model(target)
    np.testing.assert_array_equal(loaded.get_weights()[0], model.get_weights()[0])
    weights = tmp_path / ("w" * (240 - len(".safetensors")) + ".safetensors")
    model.save_weights(weights)
    model.load_weights(weights)
    assert _no_temporaries(tmp_path)


def test_long_names_keep_stale_temporary_cleanup(tmp_path):
    base = "x" * 240
    stem = atomic_io._temp_stem(base)
    assert len(f".{stem}.{2**31}.{'0' * 16}.keraslite-tmp") <= 255
    stale = tmp_path / f".{stem}.999999999.{'0' * 16}.keraslite-tmp"
    stale.write_bytes(b"left by a dead writer")
    assert atomic_io.remove_stale_temporaries(tmp_path / base) == [str(stale)]


def test_keras_hdf5_model_file_given_to_load_model_says_what_it_is(tmp_path):
    h5py = pytest.importorskip("h5py")
    path = tmp_path / "keras_model.h5"
    with h5py.File(path, "w") as f:
        f.attrs["model_config"] = "{}"
        f.create_group("model_weights")
    with pytest.raises(CorruptFileError) as info:
        keraslite.models.load_model(path)
    message = str(info.value)
    assert "is an HDF5 file" in message and "model.load_weights(" in message
    assert str(path) in message


# -- dataset archives (keraslite.utils.archive_utils) ---------------------------------------------
_ARCHIVE_CHILD = textwrap.dedent("""
    import json, sys
    from keraslite.utils import archive_utils
    folder, names = sys.argv[1], json.loads(sys.argv[2])
    for name in names:
        try:
            archive_utils.extract_archive(folder + "/" + name, folder + "/out_" + name)
            outcome = "extracted"
        except Exception as error:
            outcome = type(error).__name__ + ": " + str(error)
        print(json.dumps([name, outcome]), flush=True)
""")


@posix_only
def test_dataset_archive_fifo_device_link_and_folder_are_refused_at_once(tmp_path):
    names = []
    for suffix in (".tar.gz", ".zip"):
        os.mkfifo(tmp_path / f"fifo{suffix}")
        os.symlink("/dev/zero", tmp_path / f"zero{suffix}")
        os.mkdir(tmp_path / f"folder{suffix}")
        names += [f"fifo{suffix}", f"zero{suffix}", f"folder{suffix}"]
    # In a child with a timeout: opening the FIFO or reading /dev/zero would never return.
    result = subprocess.run([sys.executable, "-c", _ARCHIVE_CHILD, str(tmp_path),
                             json.dumps(names)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    rows = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("[")]
    assert [name for name, _ in rows] == names
    kinds = {"fifo": "a FIFO", "zero": "a character device", "folder": "a folder"}
    for name, outcome in rows:
        assert outcome.startswith("ValueError: "), (name, outcome)
        assert str(tmp_path / name) in outcome and kinds[name.split(".")[0]] in outcome, outcome
        assert not os.path.exists(tmp_path / f"out_{name}")


def test_dataset_zip_entry_count_is_checked_from_the_end_record(tmp_path, monkeypatch):
    from keraslite.utils import archive_utils

    monkeypatch.setattr(archive_utils, "MAX_MEMBERS", 1000)
    path = tmp_path / "many.zip"
    path.write_bytes(_million_entry_zip(1001))  # zip64 end record, as large archives have

    def no_directory(*args, **kwargs):
        raise AssertionError("zipfile must not read this central directory")

    monkeypatch.setattr(zipfile.ZipFile, "_RealGetContents", no_directory)
    with pytest.raises(archive_utils.UnsafeArchiveError, match="declares 1,001 entries") as info:
        archive_utils.extract_archive(path, tmp_path / "out")
    assert str(path) in str(info.value)
    assert sorted(os.listdir(tmp_path)) == ["many.zip"]  # no folder, no staging left behind


def test_dataset_zip_within_the_limits_extracts(tmp_path, monkeypatch):
    from keraslite.utils import archive_utils

    monkeypatch.setattr(archive_utils, "MAX_MEMBERS", 3)
    path = tmp_path / "ok.zip"
    with zipfile.ZipFile(path, "w") as z:
        for i in range(3):
            z.writestr(f"d/{i}.txt", f"value {i}")
    assert archive_utils.extract_archive(path, tmp_path / "out")
    assert (tmp_path / "out" / "d" / "2.txt").read_text() == "value 2"
    with zipfile.ZipFile(path, "a") as z:
        z.writestr("d/3.txt", "one too many")
    with pytest.raises(archive_utils.UnsafeArchiveError, match="declares 4 entries"):
        archive_utils.extract_archive(path, tmp_path / "out2")


def test_dataset_tar_member_count_is_bounded_while_reading(tmp_path, monkeypatch):
    import io
    import tarfile

    from keraslite.utils import archive_utils

    monkeypatch.setattr(archive_utils, "MAX_MEMBERS", 3)
    path = tmp_path / "many.tar"
    with tarfile.open(path, "w") as t:
        for i in range(5):
            info = tarfile.TarInfo(f"f{i}.txt")
            info.size = 1
            t.addfile(info, io.BytesIO(b"x"))
    with pytest.raises(archive_utils.UnsafeArchiveError, match="holds 4 members") as info:
        archive_utils.extract_archive(path, tmp_path / "out")
    assert str(path) in str(info.value)


def test_dataset_archive_over_the_size_limit_is_refused_before_reading(tmp_path, monkeypatch):
    from keraslite.utils import archive_utils

    path = tmp_path / "big.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("a.txt", "x" * 500)
    monkeypatch.setattr(file_guard, "MAX_FILE_BYTES", 100)
    with pytest.raises(ValueError, match="over the limit of 100 bytes") as info:
        archive_utils.extract_archive(path, tmp_path / "out")
    assert str(path) in str(info.value)
