"""The sealed zip container: round trips, refusal of unsafe archives, detection of any damage."""
import hashlib
import io
import os
import stat
import struct
import warnings
import zipfile

import pytest

from keraslite.saving.archive import read_archive, write_archive
from keraslite.saving.errors import CorruptFileError, UnsafeFileError

ENTRIES = {
    "config.json": b'{"class_name": "Sequential", "layers": []}',
    "model.weights.safetensors": bytes(range(256)) * 4,
    "assets/vocab.txt": b"a\nb\n",
}


def _seal(data: bytes) -> bytes:
    """Seal a comment-less zip the way keraslite does, so only the check under test can fail."""
    assert data[-22:-18] == b"PK\x05\x06" and data[-2:] == b"\x00\x00"
    body = data[:-2] + struct.pack("<H", 81)
    return body + b"keraslite-sha256:" + hashlib.sha256(body).hexdigest().encode()


def _zip(entries, method=zipfile.ZIP_STORED, mode=stat.S_IFREG | 0o644) -> bytes:
    """A zip of (name, bytes) pairs; duplicates allowed."""
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Duplicate name" is what some tests want
        with zipfile.ZipFile(buffer, "w") as archive:
            for name, data in entries:
                info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
                info.compress_type = method
                info.external_attr = mode << 16
                archive.writestr(info, data)
    return buffer.getvalue()


def _with_name(name: str) -> bytes:
    """A sealed zip with one entry called ``name``, written byte-for-byte (zipfile may rewrite it)."""
    placeholder = "Q" * len(name.encode())
    data = _zip([(placeholder, b"payload")]).replace(placeholder.encode(), name.encode())
    return _seal(data)


def _patch_directory(data: bytes, offset: int, fmt: str, value, index: int = 0) -> bytes:
    """Overwrite a field of the index-th central-directory record."""
    at = -1
    for _ in range(index + 1):
        at = data.index(b"PK\x01\x02", at + 1)
    patched = bytearray(data)
    struct.pack_into(fmt, patched, at + offset, value)
    return bytes(patched)


def _patch_local(data: bytes, offset: int, fmt: str, value) -> bytes:
    patched = bytearray(data)
    struct.pack_into(fmt, patched, data.index(b"PK\x03\x04") + offset, value)
    return bytes(patched)


def _write(tmp_path, data: bytes, name="model.keraslite"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --- round trips ----------------------------------------------------------------------------


def test_round_trip_keeps_names_order_and_bytes(tmp_path):
    path = tmp_path / "model.keraslite"
    write_archive(path, ENTRIES)
    assert list(read_archive(path).items()) == list(ENTRIES.items())
    with zipfile.ZipFile(path) as archive:  # an ordinary zip to any other tool
        assert archive.testzip() is None
        methods = {i.filename: i.compress_type for i in archive.infolist()}
        assert archive.comment.startswith(b"keraslite-sha256:")
    assert methods["config.json"] == zipfile.ZIP_DEFLATED
    assert methods["model.weights.safetensors"] == zipfile.ZIP_STORED


def test_same_entries_give_the_same_bytes(tmp_path):
    write_archive(tmp_path / "a.keraslite", ENTRIES)
    write_archive(tmp_path / "b.keraslite", ENTRIES)
    assert (tmp_path / "a.keraslite").read_bytes() == (tmp_path / "b.keraslite").read_bytes()


def test_bytes_like_and_empty_entries(tmp_path):
    path = tmp_path / "m.keraslite"
    write_archive(path, {"a.bin": bytearray(b"xy"), "b.bin": memoryview(b"z"), "c.json": b""})
    assert read_archive(path) == {"a.bin": b"xy", "b.bin": b"z", "c.json": b""}


def test_overwrite_is_atomic_and_leaves_no_temporaries(tmp_path):
    path = tmp_path / "m.keraslite"
    write_archive(path, {"a.json": b"1"})
    write_archive(path, {"b.json": b"2"})
    assert read_archive(path) == {"b.json": b"2"}
    assert os.listdir(tmp_path) == ["m.keraslite"]


@pytest.mark.parametrize(
    "name",
    ["../evil", "a/../../b", "/etc/passwd", "C:x", "C:\\x", "a\\b", "", "a//b", "./a", "dir/",
     "sp ace.json", "ünï.json", "a" * 256, 3],
)
def test_write_refuses_unsafe_names(tmp_path, name):
    with pytest.raises(ValueError, match="not allowed"):
        write_archive(tmp_path / "m.keraslite", {name: b"x"})
    assert not (tmp_path / "m.keraslite").exists()


def test_write_refuses_non_bytes(tmp_path):
    with pytest.raises(TypeError, match="'a.json' must be bytes"):
        write_archive(tmp_path / "m.keraslite", {"a.json": "text"})


# --- files that are not (our) archives -------------------------------------------------------


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_archive(tmp_path / "missing.keraslite")


@pytest.mark.parametrize("data", [b"", b"hello, not a zip at all" * 10, bytes(200)])
def test_not_a_zip(tmp_path, data):
    with pytest.raises(CorruptFileError, match="not a keraslite model file") as info:
        read_archive(_write(tmp_path, data))
    assert "model.keraslite" in str(info.value)


def test_zip_without_seal_needs_opt_in(tmp_path):
    path = _write(tmp_path, _zip([("config.json", b"{}")]))
    with pytest.raises(CorruptFileError, match="not written by keraslite"):
        read_archive(path)
    assert read_archive(path, require_checksum=False) == {"config.json": b"{}"}


def test_foreign_comment_is_not_a_seal(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.json", b"{}")
        archive.comment = b"made by some other tool"
    with pytest.raises(CorruptFileError, match="not written by keraslite"):
        read_archive(_write(tmp_path, buffer.getvalue()))


def test_damaged_seal_is_refused_even_without_checksum_requirement(tmp_path):
    data = bytearray(_seal(_zip([("a.json", b"{}")])))
    data[-70] ^= 0x20  # "keraslite-sha256:" -> "keraslite-shA256:"
    with pytest.raises(CorruptFileError, match="damaged"):
        read_archive(_write(tmp_path, bytes(data)), require_checksum=False)


def test_sealed_file_with_wrong_hash(tmp_path):
    data = bytearray(_seal(_zip([("a.json", b"{}")])))
    data[-1:] = b"0" if data[-1:] != b"0" else b"1"
    with pytest.raises(CorruptFileError, match="SHA-256 does not match"):
        read_archive(_write(tmp_path, bytes(data)))


# --- unsafe archives (sealed, so the safety check itself must refuse them) --------------------


@pytest.mark.parametrize(
    "name, reason",
    [
        ("../evil", "'..'"),
        ("a/../../evil", "'..'"),
        ("/etc/passwd", "absolute"),
        ("C:\\x", "backslash"),
        ("C:x", "drive letter"),
        ("a\\b", "backslash"),
        ("dir/", "only letters"),
        ("a\x00b", "NUL"),
    ],
)
def test_unsafe_entry_names(tmp_path, name, reason):
    with pytest.raises(UnsafeFileError, match=reason) as info:
        read_archive(_write(tmp_path, _with_name(name)))
    assert "model.keraslite" in str(info.value)


@pytest.mark.parametrize("kind", [stat.S_IFLNK, stat.S_IFIFO, stat.S_IFDIR])
def test_links_and_special_files(tmp_path, kind):
    data = _seal(_zip([("weights.bin", b"/etc/passwd")], mode=kind | 0o777))
    with pytest.raises(UnsafeFileError, match="'weights.bin'"):
        read_archive(_write(tmp_path, data))


def test_duplicate_names(tmp_path):
    data = _seal(_zip([("config.json", b"{}"), ("config.json", b"[]")]))
    with pytest.raises(UnsafeFileError, match="twice"):
        read_archive(_write(tmp_path, data))


def test_too_many_entries(tmp_path):
    many = _seal(_zip([(f"e{i}", b"") for i in range(10_000)]))
    with pytest.raises(UnsafeFileError, match="declares 10,000 entries"):
        read_archive(_write(tmp_path, many))
    few = _seal(_zip([(f"e{i}", b"") for i in range(65)]))
    with pytest.raises(UnsafeFileError, match="declares 65 entries"):
        read_archive(_write(tmp_path, few))
    assert len(read_archive(_write(tmp_path, few), max_entries=65)) == 65


def _deflated_zeros(size: int) -> bytes:
    """A zip holding ``size`` zero bytes deflated, streamed in so the test never holds them all."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("model.weights.safetensors", "w") as stream:
            chunk = bytes(1 << 20)
            for _ in range(size >> 20):
                stream.write(chunk)
    return buffer.getvalue()


def test_zip_bomb_by_ratio(tmp_path):
    bomb = _deflated_zeros(16 << 20)
    assert len(bomb) < 100_000
    with pytest.raises(UnsafeFileError, match="zip bomb"):
        read_archive(_write(tmp_path, _seal(bomb)))


def test_zip_bomb_declaring_a_gigabyte(tmp_path):
    bomb = _deflated_zeros(1 << 20)
    bomb = _patch_local(_patch_directory(bomb, 24, "<L", 1 << 30), 22, "<L", 1 << 30)
    with pytest.raises(UnsafeFileError):
        read_archive(_write(tmp_path, _seal(bomb)))


def test_total_size_cap(tmp_path):
    path = tmp_path / "m.keraslite"
    write_archive(path, {"a.bin": bytes(5000)})
    with pytest.raises(UnsafeFileError, match="max_total_bytes"):
        read_archive(path, max_total_bytes=4000)


def _deflated_text(size: int) -> bytes:
    text = b"".join(b"%d," % (i * 7919 % 10007) for i in range(size))[:size]
    return _zip([("config.json", text)], method=zipfile.ZIP_DEFLATED)


@pytest.mark.parametrize("declared", [100, 20_000])
def test_declared_size_that_lies(tmp_path, declared):
    data = _deflated_text(10_000)
    data = _patch_local(_patch_directory(data, 24, "<L", declared), 22, "<L", declared)
    with pytest.raises(CorruptFileError, match="'config.json'"):
        read_archive(_write(tmp_path, _seal(data)))


def test_stored_entry_with_mismatched_sizes(tmp_path):
    data = _patch_directory(_zip([("a.bin", b"12345678")]), 24, "<L", 4)
    with pytest.raises(CorruptFileError, match="'a.bin'"):
        read_archive(_write(tmp_path, _seal(data)))


def test_overlapping_entries(tmp_path):
    data = _zip([("a.bin", b"x" * 100), ("b.bin", b"y" * 100)])
    data = _patch_directory(data, 42, "<L", 0, index=1)  # b's data offset -> a's
    with pytest.raises(UnsafeFileError, match="overlaps"):
        read_archive(_write(tmp_path, _seal(data)))


def test_encrypted_entry(tmp_path):
    data = _patch_directory(_zip([("a.bin", b"x")]), 8, "<H", 1)
    with pytest.raises(CorruptFileError, match="encrypted"):
        read_archive(_write(tmp_path, _seal(data)))


def test_unusual_compression_method(tmp_path):
    data = _zip([("a.bin", b"x" * 100)], method=zipfile.ZIP_BZIP2)
    with pytest.raises(CorruptFileError, match="compression method"):
        read_archive(_write(tmp_path, _seal(data)))


# --- damage ---------------------------------------------------------------------------------


def _small_archive(tmp_path) -> bytes:
    path = tmp_path / "small.keraslite"
    write_archive(path, {"config.json": b'{"name": "m", "layers": [1, 2]}', "w.bin": b"\x01" * 24})
    return path.read_bytes()


def _read_must_refuse(path, **kwargs) -> str | None:
    """None when reading ``path`` fails properly, else what happened instead."""
    try:
        read_archive(path, **kwargs)
    except (CorruptFileError, UnsafeFileError) as exc:
        return None if path.name in str(exc) else f"message lacks the file: {exc}"
    except Exception as exc:  # noqa: BLE001 - any other type is the failure being tested
        return f"{type(exc).__name__}: {exc}"
    return "read without error"


def test_every_single_bit_flip_is_detected(tmp_path):
    original = _small_archive(tmp_path)
    assert len(original) < 1000
    path = tmp_path / "flipped.keraslite"
    failures = []
    for byte in range(len(original)):
        for bit in range(8):
            damaged = bytearray(original)
            damaged[byte] ^= 1 << bit
            path.write_bytes(damaged)
            problem = _read_must_refuse(path)
            if problem:
                failures.append((byte, bit, problem))
    assert failures == []


def test_every_truncation_is_detected(tmp_path):
    original = _small_archive(tmp_path)
    path = tmp_path / "truncated.keraslite"
    failures = []
    for n in range(len(original)):
        path.write_bytes(original[:n])
        problem = _read_must_refuse(path)
        if problem:
            failures.append((n, problem))
    assert failures == []


def test_damage_to_unsealed_zip_never_escapes_as_another_error(tmp_path):
    # Without a seal, some flips go unnoticed (timestamps), but none may raise a zipfile, zlib or
    # struct error instead of CorruptFileError/UnsafeFileError.
    original = _deflated_text(300)
    path = tmp_path / "plain.zip"
    failures = []
    for byte in range(len(original)):
        for bit in range(8):
            damaged = bytearray(original)
            damaged[byte] ^= 1 << bit
            path.write_bytes(damaged)
            try:
                read_archive(path, require_checksum=False)
            except (CorruptFileError, UnsafeFileError):
                pass
            except Exception as exc:  # noqa: BLE001
                failures.append((byte, bit, f"{type(exc).__name__}: {exc}"))
    assert failures == []
