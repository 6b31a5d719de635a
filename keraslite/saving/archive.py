"""The ``.keraslite`` container: a zip archive sealed with a SHA-256 of its own bytes.

The zip CRCs cover only entry contents, not the local headers, timestamps, central directory or
end record. So the archive comment is ``keraslite-sha256:<64 hex>``, the hash of every byte before
the comment; the end record's comment-length field lies inside that range, so any single-bit flip
anywhere in the file changes either the hashed bytes or the comment itself. A flip in the comment's
prefix still leaves one of its two separate markers ("keraslite", "sha256:") in place, so a damaged
seal is told apart from a zip that never had one.

Reading checks the seal, then every entry's name, type, count and declared sizes before anything is
decompressed, and decompresses with a hard cap; nothing is ever extracted to disk. The hash guards
against damage, not forgery: anyone can reseal a crafted file, which is why the safety checks apply
to sealed files too.
"""
from __future__ import annotations

import hashlib
import os
import re
import stat
import struct
import zipfile
import zlib
from collections.abc import Mapping
from typing import TYPE_CHECKING

from keraslite.saving import file_guard
from keraslite.saving.atomic_io import atomic_writer
from keraslite.saving.errors import CorruptFileError, UnsafeFileError

if TYPE_CHECKING:
    from keraslite.utils.typing import FilePath

_PREFIX = b"keraslite-sha256:"
_SEAL_LEN = len(_PREFIX) + 64
_SEAL_HEX = re.compile(rb"[0-9a-f]{64}")  # lowercase only: a flip 'a' -> 'A' must not pass
_NAME = re.compile(r"[A-Za-z0-9._-]+(?:/[A-Za-z0-9._-]+)*")
_MAX_NAME = 255
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # same model, same bytes
_CHUNK = 8 * 1024 * 1024
_HARD_TOTAL_CAP = 8 * 1024**3
# Deflate reaches ~1000:1 on zeros; real configs compress ~10:1. Small entries are harmless.
_MAX_RATIO = 200
_RATIO_FREE_BYTES = 1024 * 1024
# Bound on central-directory bytes per allowed entry (fixed 46 bytes + name + extra fields),
# checked before zipfile parses the directory, so a huge directory is refused unread.
_DIRECTORY_BYTES_PER_ENTRY = 2048
_EOCD = struct.Struct("<4s4H2LH")
_EOCD64_LOCATOR = struct.Struct("<4sLQL")
_EOCD64 = struct.Struct("<4sQ2H2L4Q")
# Everything zipfile and zlib raise on malformed input; reported as CorruptFileError.
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    struct.error,
    ValueError,
    OverflowError,
    NotImplementedError,
    RuntimeError,
    IndexError,
    KeyError,
    OSError,
)


def _corrupt(source: str, reason: str, entry: str | None = None) -> CorruptFileError:
    where = f", entry {entry!r}" if entry is not None else ""
    return CorruptFileError(f"Corrupt keraslite archive {source!r}{where}: {reason}")


def _unsafe(source: str, reason: str, entry: str | None = None) -> UnsafeFileError:
    where = f", entry {entry!r}" if entry is not None else ""
    return UnsafeFileError(f"Refusing keraslite archive {source!r}{where}: {reason}")


def _name_problem(name) -> str | None:
    """Why ``name`` is not a safe entry name, or None when it is."""
    if not isinstance(name, str):
        return f"it is a {type(name).__name__}, not a string"
    if "\\" in name:
        return "it contains a backslash"
    if name.startswith("/"):
        return "it is an absolute path"
    if re.match(r"[A-Za-z]:", name):
        return "it starts with a drive letter"
    parts = name.split("/")
    if ".." in parts:
        return "it climbs out of the archive with '..'"
    if len(name) > _MAX_NAME:
        return f"it is longer than {_MAX_NAME} characters"
    if not _NAME.fullmatch(name) or "." in parts:
        return "only letters, digits, '.', '_', '-' and '/' between non-empty parts are allowed"
    return None


def _hash_prefix(f, length: int) -> str:
    digest = hashlib.sha256()
    buffer = bytearray(min(_CHUNK, max(length, 1)))
    f.seek(0)
    left = length
    while left > 0:
        n = f.readinto(memoryview(buffer)[: min(left, len(buffer))])
        if not n:
            raise EOFError("the file ended early")
        digest.update(memoryview(buffer)[:n])
        left -= n
    return digest.hexdigest()


def write_archive(path: FilePath, entries: Mapping[str, bytes]) -> None:
    """Atomically write a sealed zip holding ``entries`` (name -> bytes), in the given order.

    ``.json`` entries are deflated; everything else is stored, since weights barely compress.

    Raises:
        ValueError: an entry name is not a simple relative name (letters, digits, '.', '_', '-',
            parts joined by '/', no '..').
        TypeError: an entry's content is not bytes-like.
    """
    contents = {}
    for name, data in entries.items():
        problem = _name_problem(name)
        if problem is not None:
            raise ValueError(f"Archive entry name {name!r} is not allowed: {problem}.")
        try:
            contents[name] = memoryview(data).cast("B")
        except TypeError:
            raise TypeError(
                f"Archive entry {name!r} must be bytes. Received: {type(data).__name__}"
            ) from None
    with atomic_writer(path, readable=True) as f:
        with zipfile.ZipFile(f, "w", allowZip64=True) as archive:
            for name, data in contents.items():
                info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
                info.compress_type = (
                    zipfile.ZIP_DEFLATED if name.endswith(".json") else zipfile.ZIP_STORED
                )
                info.create_system = 3  # Unix, so the mode bits below mean "regular file"
                info.external_attr = (stat.S_IFREG | 0o644) << 16
                archive.writestr(info, data)
            # A placeholder of the final length: the end record then already holds the right
            # comment length, and the seal can be written over it once the hash is known.
            archive.comment = _PREFIX + b"0" * 64
        size = f.seek(0, os.SEEK_END)
        digest = _hash_prefix(f, size - _SEAL_LEN)
        f.seek(size - _SEAL_LEN)
        f.write(_PREFIX + digest.encode("ascii"))


def _check_seal(f, size: int, source: str, require_checksum: bool) -> None:
    tail = b""
    if size >= _SEAL_LEN:
        f.seek(size - _SEAL_LEN)
        tail = f.read(_SEAL_LEN)
    stored = tail[len(_PREFIX) :]
    if tail.startswith(_PREFIX) and _SEAL_HEX.fullmatch(stored):
        if _hash_prefix(f, size - _SEAL_LEN).encode("ascii") != stored:
            raise _corrupt(
                source,
                "its SHA-256 does not match; the file was damaged or truncated after it was "
                "written. Restore it from a copy or save the model again",
            )
        return
    if tail[:9] == _PREFIX[:9] or tail[10:17] == _PREFIX[10:17]:
        raise _corrupt(source, "its keraslite checksum comment is damaged")
    f.seek(0)
    if not zipfile.is_zipfile(f):
        raise _corrupt(source, "not a keraslite model file (it is not a zip archive)")
    if require_checksum:
        raise _corrupt(
            source,
            "it is a zip archive not written by keraslite (it has no keraslite checksum). "
            "Pass require_checksum=False to read it unverified",
        )


def _directory_extent(f, size: int, source: str) -> tuple[int, int]:
    """The central directory's declared (entry count, size), found the way zipfile finds them."""
    span = min(size, _EOCD.size + 0xFFFF)
    f.seek(size - span)
    tail = f.read(span)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or at + _EOCD.size > len(tail):
        raise _corrupt(source, "not a keraslite model file (no zip end-of-directory record)")
    fields = _EOCD.unpack_from(tail, at)
    count, directory_size, directory_offset = fields[4], fields[5], fields[6]
    if count != 0xFFFF and directory_size != 0xFFFFFFFF and directory_offset != 0xFFFFFFFF:
        return count, directory_size
    locator_at = size - span + at - _EOCD64_LOCATOR.size
    record_at = locator_at - _EOCD64.size
    if record_at < 0:
        raise _corrupt(source, "its zip64 end-of-directory record is missing")
    f.seek(record_at)
    raw = f.read(_EOCD64.size + _EOCD64_LOCATOR.size)
    record, locator = _EOCD64.unpack_from(raw), _EOCD64_LOCATOR.unpack_from(raw, _EOCD64.size)
    if record[0] != b"PK\x06\x06" or locator[0] != b"PK\x06\x07":
        raise _corrupt(source, "its zip64 end-of-directory record is malformed")
    return record[7], record[8]


def check_directory(f, size: int, source: str, max_entries: int) -> None:
    """Refuses a zip whose end record declares more entries (or directory bytes) than
    ``max_entries`` allow, before zipfile reads the directory and builds one object per entry
    (a zip of a million empty entries would cost zipfile seconds and hundreds of MB)."""
    count, directory_size = _directory_extent(f, size, source)
    if count > max_entries:
        raise _unsafe(source, f"its zip directory declares {count:,} entries; at most "
                              f"{max_entries} are allowed")
    if directory_size > max_entries * _DIRECTORY_BYTES_PER_ENTRY:
        raise _unsafe(
            source,
            f"its central directory is {directory_size} bytes, too large for at most "
            f"{max_entries} entries",
        )


def _check_entries(infos: list, limit_entries: int, limit_bytes: int, source: str) -> None:
    """Every safety check on the directory, done before anything is decompressed."""
    if len(infos) > limit_entries:
        raise _unsafe(source, f"it has {len(infos)} entries; at most {limit_entries} are allowed")
    seen, total = set(), 0
    for info in infos:
        name = info.filename
        problem = _name_problem(name)
        if "\x00" in info.orig_filename:
            problem = "it contains a NUL character"
        if problem is not None:
            # zipfile cuts a name at its first NUL; report the name as the file spells it.
            raise _unsafe(source, f"unsafe entry name: {problem}", info.orig_filename)
        if name in seen:
            raise _unsafe(source, "the name appears twice", name)
        seen.add(name)
        kind = stat.S_IFMT(info.external_attr >> 16)
        if kind == stat.S_IFLNK:
            raise _unsafe(source, "it is a symbolic link", name)
        if kind not in (0, stat.S_IFREG):
            raise _unsafe(source, f"it is not a regular file (mode {oct(kind)})", name)
        if info.flag_bits & 0x1:
            raise _corrupt(source, "it is encrypted; keraslite archives never are", name)
        if info.compress_type == zipfile.ZIP_STORED:
            if info.file_size != info.compress_size:
                reason = f"stored, it declares {info.file_size} bytes but holds {info.compress_size}"
                raise _corrupt(source, reason, name)
        elif info.compress_type == zipfile.ZIP_DEFLATED:
            if (
                info.file_size > _RATIO_FREE_BYTES
                and info.file_size > _MAX_RATIO * max(info.compress_size, 1)
            ):
                raise _unsafe(
                    source,
                    f"{info.compress_size} compressed bytes claim to expand to {info.file_size} "
                    f"(more than {_MAX_RATIO}:1, a zip bomb)",
                    name,
                )
        else:
            reason = f"compression method {info.compress_type}; keraslite uses stored or deflated"
            raise _corrupt(source, reason, name)
        total += info.file_size
    if total > limit_bytes:
        raise _unsafe(
            source,
            f"its entries declare {total} bytes in all, over the limit of {limit_bytes}; "
            "pass a larger max_total_bytes if the file is trusted",
        )
    # Entries sharing compressed bytes multiply a small file into a large one.
    ordered = sorted(infos, key=lambda i: i.header_offset)
    for info, following in zip(ordered, ordered[1:]):
        if info.header_offset + 30 + info.compress_size > following.header_offset:
            raise _unsafe(source, f"its data overlaps entry {following.filename!r}", info.filename)


def _read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, source: str) -> bytes:
    """An entry's bytes, decompressed with a hard cap at its declared size."""
    chunks, total = [], 0
    with archive.open(info) as stream:
        while True:
            chunk = stream.read(min(_CHUNK, info.file_size - total + 1))
            if not chunk:
                break
            total += len(chunk)
            if total > info.file_size:
                reason = f"it expands past its declared {info.file_size} bytes"
                raise _unsafe(source, reason, info.filename)
            chunks.append(chunk)
    if total != info.file_size:
        reason = f"it holds {total} bytes, fewer than its declared {info.file_size}"
        raise _corrupt(source, reason, info.filename)
    return b"".join(chunks)


def entry_names(path: FilePath, max_entries: int = 64) -> list[str]:
    """The entry names of any zip at ``path`` (sealed or not), read with the same bounds as
    ``read_archive`` and without decompressing anything: to tell what a foreign zip is."""
    source = os.fspath(path)
    with file_guard.open_bounded(path, "archive") as f:
        try:
            check_directory(f, f.size, source, max_entries)
            f.seek(0)
            with zipfile.ZipFile(f) as archive:
                return archive.namelist()
        except (CorruptFileError, UnsafeFileError):
            raise
        except _ZIP_ERRORS as exc:
            raise _corrupt(source, f"{type(exc).__name__}: {exc}") from exc


def read_archive(
    path: FilePath,
    max_entries: int = 64,
    max_total_bytes: int | None = None,
    *,
    require_checksum: bool = True,
) -> dict[str, bytes]:
    """Verify and read every entry of a ``.keraslite`` archive into memory.

    Args:
        path: the archive.
        max_entries: refuse archives with more entries than this.
        max_total_bytes: refuse archives whose entries declare more bytes in all; by default 64
            times the file size plus 1 MiB, and never more than 8 GiB.
        require_checksum: refuse zips without a keraslite seal (default). With False, an unsealed
            zip is read unverified; a sealed one is still verified.

    Returns:
        entry name -> bytes, in archive order.

    Raises:
        FileNotFoundError: there is no file at ``path``.
        ValueError: ``path`` is not a regular file (a folder, FIFO, device), or is too large.
        CorruptFileError: not a zip, damaged, or not written by keraslite.
        UnsafeFileError: unsafe names, links, too many entries, or sizes fit for a zip bomb.
    """
    source = os.fspath(path)
    with file_guard.open_bounded(path, "keraslite archive") as f:
        size = f.size
        if max_total_bytes is None:
            max_total_bytes = min(64 * size + 1024 * 1024, _HARD_TOTAL_CAP)
        entry = None
        try:
            _check_seal(f, size, source, require_checksum)
            check_directory(f, size, source, max_entries)
            with zipfile.ZipFile(f) as archive:
                infos = archive.infolist()
                _check_entries(infos, max_entries, max_total_bytes, source)
                result = {}
                for info in infos:
                    entry = info.filename
                    result[entry] = _read_entry(archive, info, source)
                return result
        except (CorruptFileError, UnsafeFileError):
            raise
        except _ZIP_ERRORS as exc:
            raise _corrupt(source, f"{type(exc).__name__}: {exc}", entry) from exc
