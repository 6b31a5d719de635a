"""Atomic writes: all-or-nothing replacement, and cleanup of temporaries left by crashed writers."""
import os
import subprocess
import sys

import pytest

from keraslite.saving.atomic_io import (
    atomic_write_bytes,
    atomic_writer,
    remove_stale_temporaries,
)

posix_only = pytest.mark.skipif(os.name != "posix", reason="process probing is POSIX-only")


def _temporaries(folder):
    return sorted(name for name in os.listdir(folder) if name.endswith(".keraslite-tmp"))


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _temp_name(base: str, pid: int) -> str:
    return f".{base}.{pid}.0123456789abcdef.keraslite-tmp"


def test_write_creates_and_replaces(tmp_path):
    target = tmp_path / "model.bin"
    atomic_write_bytes(target, b"first")
    assert target.read_bytes() == b"first"
    atomic_write_bytes(str(target), bytearray(b"second, longer"))
    assert target.read_bytes() == b"second, longer"
    assert _temporaries(tmp_path) == []


def test_writer_streams_several_writes(tmp_path):
    target = tmp_path / "out.bin"
    with atomic_writer(target) as f:
        f.write(b"ab")
        f.write(memoryview(b"cd"))
    assert target.read_bytes() == b"abcd"


def test_readable_writer_reads_back(tmp_path):
    target = tmp_path / "out.bin"
    with atomic_writer(target, readable=True) as f:
        f.write(b"hello")
        f.seek(0)
        assert f.read() == b"hello"
    assert target.read_bytes() == b"hello"


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_exception_mid_write_keeps_old_file_and_leaves_no_temp(tmp_path, error):
    target = tmp_path / "model.bin"
    target.write_bytes(b"old contents")
    with pytest.raises(error):
        with atomic_writer(target) as f:
            f.write(b"half of the new")
            assert len(_temporaries(tmp_path)) == 1  # it really wrote somewhere else
            raise error("crash")
    assert target.read_bytes() == b"old contents"
    assert _temporaries(tmp_path) == []


def test_exception_before_first_write_creates_nothing(tmp_path):
    target = tmp_path / "new.bin"
    with pytest.raises(ValueError):
        with atomic_writer(target):
            raise ValueError("nothing written")
    assert os.listdir(tmp_path) == []


def test_missing_folder_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        atomic_write_bytes(tmp_path / "missing" / "x.bin", b"data")


def test_target_that_is_a_folder_fails_cleanly(tmp_path):
    (tmp_path / "taken").mkdir()
    with pytest.raises(OSError):
        atomic_write_bytes(tmp_path / "taken", b"data")
    assert _temporaries(tmp_path) == []


@posix_only
def test_stale_temp_of_dead_writer_is_removed_and_live_one_kept(tmp_path):
    dead = tmp_path / _temp_name("model.bin", _dead_pid())
    live = tmp_path / _temp_name("model.bin", os.getpid())
    other_target = tmp_path / _temp_name("other.bin", _dead_pid())
    for path in (dead, live, other_target):
        path.write_bytes(b"partial")
    removed = remove_stale_temporaries(tmp_path / "model.bin")
    assert removed == [str(dead)]
    assert not dead.exists()
    assert live.exists() and other_target.exists()


@posix_only
def test_every_write_cleans_up_first(tmp_path):
    dead = tmp_path / _temp_name("model.bin", _dead_pid())
    dead.write_bytes(b"partial")
    atomic_write_bytes(tmp_path / "model.bin", b"new")
    assert not dead.exists()
    assert _temporaries(tmp_path) == []


@posix_only
def test_cleanup_leaves_lookalikes_alone(tmp_path):
    pid = _dead_pid()
    folder_lookalike = tmp_path / _temp_name("model.bin", pid)
    folder_lookalike.mkdir()
    wrong_random = tmp_path / f".model.bin.{pid}.xyz.keraslite-tmp"
    longer_target = tmp_path / _temp_name("model.bin.1.0123456789abcdef", pid)
    wrong_random.write_bytes(b"")
    longer_target.write_bytes(b"")
    assert remove_stale_temporaries(tmp_path / "model.bin") == []
    assert folder_lookalike.is_dir() and wrong_random.exists() and longer_target.exists()


def test_cleanup_of_missing_folder_is_a_no_op(tmp_path):
    assert remove_stale_temporaries(tmp_path / "missing" / "model.bin") == []
