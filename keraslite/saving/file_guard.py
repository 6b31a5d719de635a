"""Opening a user-supplied path for reading: a regular file of bounded size, read with a cap.

Every loader opens its path here before a parser (zipfile, h5py, the safetensors reader) sees
it. ``open(path)`` alone is not safe for untrusted paths: a FIFO blocks the open forever, a
symlink to ``/dev/zero`` or a character device reports size 0 and then reads without end, and a
folder fails with an error that does not say what was wrong. The path is stat-ed after resolving
symlinks, opened non-blocking (so a FIFO swapped in after the stat cannot block either), and the
open descriptor is stat-ed again: what is read is what was checked. Reads then stop at the size
seen at opening, so a file that grows while it is read cannot make a parser read more.
"""
from __future__ import annotations

import errno
import io
import os
import stat
import struct
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from keraslite.utils.typing import FilePath

# Largest file any loader reads. The biggest published Keras weight files (VGG16/19 with their
# classifier) are about 0.6 GB; this leaves room for large models and still refuses a
# sparse-file or device trick that claims terabytes.
MAX_FILE_BYTES = 64 * 1024**3

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _kind(mode: int) -> str:
    for test, name in _KINDS:
        if test(mode):
            return name
    return f"not a regular file (mode {oct(stat.S_IFMT(mode))})"


def _not_regular(source: str, resolved: str, mode: int, what: str) -> ValueError:
    via = f" (a link to '{resolved}')" if os.path.abspath(source) != resolved else ""
    return ValueError(f"Cannot read {what} '{source}'{via}: it is {_kind(mode)}, not a regular "
                      "file. Pass the path of the saved file itself.")


def check_regular_file(path: FilePath, what: str = "file", max_bytes: int | None = None) -> int:
    """The size of ``path`` after checking it is a regular file of at most ``max_bytes``
    (default ``MAX_FILE_BYTES``).

    Raises:
        FileNotFoundError: nothing exists at ``path`` (or a link there leads nowhere).
        ValueError: it is a folder, FIFO, device or socket (after following links), or too big.
    """
    source = os.fspath(path)
    if not isinstance(source, str):
        source = os.fsdecode(source)
    resolved = os.path.realpath(source)
    try:
        info = os.stat(resolved)
    except FileNotFoundError:
        raise FileNotFoundError(f"No such file: '{source}'") from None
    except OSError as error:
        raise ValueError(f"Cannot read {what} '{source}': {error.strerror}.") from None
    if not stat.S_ISREG(info.st_mode):
        raise _not_regular(source, resolved, info.st_mode, what)
    _check_size(source, info.st_size, what, max_bytes)
    return info.st_size


def _check_size(source: str, size: int, what: str, max_bytes: int | None) -> None:
    max_bytes = MAX_FILE_BYTES if max_bytes is None else max_bytes
    if size > max_bytes:
        raise ValueError(f"Cannot read {what} '{source}': it is {size:,} bytes, over the limit "
                         f"of {max_bytes:,} bytes for a file keraslite loads.")


class BoundedReader(io.RawIOBase):
    """A read-only, seekable view of an open regular file that ends at the size it had when
    opened (later growth is invisible); what zipfile and h5py are given instead of a path."""

    def __init__(self, fd: int, size: int, name: str) -> None:
        super().__init__()
        self._fd = fd  # read with positioned reads: no Python file object, no shared offset
        self._size = size
        self._position = 0
        self.name = name

    @property
    def size(self) -> int:
        return self._size

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self._position, os.SEEK_END: self._size}[whence]
        position = base + offset
        if position < 0:
            # OSError, as a real file raises: zipfile probes for its end record this way.
            raise OSError(errno.EINVAL, f"negative seek position {position}", self.name)
        self._position = position
        return position

    def readinto(self, buffer) -> int:
        view = memoryview(buffer).cast("B")
        wanted = min(len(view), max(self._size - self._position, 0))
        if wanted == 0:
            return 0
        if hasattr(os, "preadv"):
            n = os.preadv(self._fd, [view[:wanted]], self._position)
        else:  # Windows
            os.lseek(self._fd, self._position, os.SEEK_SET)
            data = os.read(self._fd, wanted)
            n = len(data)
            view[:n] = data
        self._position += n
        return n

    def read_all(self) -> bytearray:
        """Every byte of the file (exactly the size checked at opening), in a writable buffer."""
        self.seek(0)
        buffer = bytearray(self._size)
        view, filled = memoryview(buffer), 0
        while filled < self._size:
            n = self.readinto(view[filled:])
            if not n:
                raise ValueError(f"Cannot read '{self.name}': it became shorter while being "
                                 f"read (expected {self._size:,} bytes).")
            filled += n
        return buffer

    def close(self) -> None:
        if not self.closed:
            os.close(self._fd)
        super().close()


def open_bounded(path: FilePath, what: str = "file",
                 max_bytes: int | None = None) -> BoundedReader:
    """``path`` opened for reading after ``check_regular_file``; use as a context manager."""
    source = os.fspath(path)
    if not isinstance(source, str):
        source = os.fsdecode(source)
    check_regular_file(source, what, max_bytes)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(source, flags)
    except FileNotFoundError:
        raise FileNotFoundError(f"No such file: '{source}'") from None
    except OSError as error:
        raise ValueError(f"Cannot read {what} '{source}': {error.strerror}.") from None
    try:
        # The path may have been replaced between the check and the open: check what is open.
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _not_regular(source, os.path.realpath(source), info.st_mode, what)
        _check_size(source, info.st_size, what, max_bytes)
    except BaseException:
        os.close(fd)
        raise
    return BoundedReader(fd, info.st_size, source)


_ZIP_END = struct.Struct("<4s4H2LH")
_ZIP64_LOCATOR = struct.Struct("<4sLQL")
_ZIP64_END = struct.Struct("<4sQ2H2L4Q")


def check_zip_entry_count(reader: BoundedReader, max_entries: int, what: str = "zip archive",
                          max_directory_bytes_per_entry: int = 2048) -> int:
    """The entry count a zip's end record declares, after checking it is at most
    ``max_entries`` (and the central directory at most ``max_directory_bytes_per_entry`` per
    allowed entry), read the way zipfile finds it but before zipfile builds one object per entry
    (a zip of 10**6 empty entries would cost it seconds and hundreds of MB).

    Raises:
        ValueError: no end record (not a zip), a malformed zip64 record, or too many entries.
    """
    size, source = reader.size, reader.name
    span = min(size, _ZIP_END.size + 0xFFFF)  # the end record plus the longest comment
    reader.seek(size - span)
    tail = reader.read(span)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or at + _ZIP_END.size > len(tail):
        raise ValueError(f"Cannot read {what} '{source}': it is not a zip archive (no "
                         "end-of-directory record).")
    fields = _ZIP_END.unpack_from(tail, at)
    count, directory_size, directory_offset = fields[4], fields[5], fields[6]
    if count == 0xFFFF or directory_size == 0xFFFFFFFF or directory_offset == 0xFFFFFFFF:
        record_at = size - span + at - _ZIP64_LOCATOR.size - _ZIP64_END.size
        raw = b""
        if record_at >= 0:
            reader.seek(record_at)
            raw = reader.read(_ZIP64_END.size + _ZIP64_LOCATOR.size)
        if (len(raw) < _ZIP64_END.size + _ZIP64_LOCATOR.size or raw[:4] != b"PK\x06\x06"
                or raw[_ZIP64_END.size:_ZIP64_END.size + 4] != b"PK\x06\x07"):
            raise ValueError(f"Cannot read {what} '{source}': its zip64 end-of-directory record "
                             "is missing or malformed.")
        record = _ZIP64_END.unpack_from(raw)
        count, directory_size = record[7], record[8]
    if count > max_entries:
        raise ValueError(f"Refusing {what} '{source}': its zip directory declares {count:,} "
                         f"entries; at most {max_entries:,} are allowed.")
    if directory_size > max_entries * max_directory_bytes_per_entry:
        raise ValueError(f"Refusing {what} '{source}': its central directory is "
                         f"{directory_size:,} bytes, too large for at most {max_entries:,} "
                         "entries.")
    return count
