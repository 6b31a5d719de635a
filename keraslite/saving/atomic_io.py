"""Atomic file writes: readers see the old file or the complete new one, never a partial file.

A write goes to a temporary file in the target's folder (so ``os.replace`` is a rename within one
file system), is flushed and fsynced, then renamed onto the target; the folder is fsynced so the
rename itself survives a power cut. A writer that crashes leaves its temporary behind; the next
write to the same target removes it once its owner process is gone.
"""
from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import stat
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from keraslite.utils.typing import FilePath

_TEMP_SUFFIX = ".keraslite-tmp"
_RANDOM_HEX = 16
# Most file systems cap a name at 255 bytes; a temporary adds about 40 characters to the
# target's name, so a long target's name is shortened inside its temporary's name.
_NAME_MAX = 255
_PID_DIGITS = 10
_SPACE_HINTS = {errno.ENOSPC: "no space is left on the device",
                errno.EFBIG: "the file is too large for the file system",
                getattr(errno, "EDQUOT", -1): "the disk quota is exhausted"}


def _split(path) -> tuple[str, str]:
    full = os.path.abspath(os.fspath(path))
    folder, base = os.path.split(full)
    if not base:
        raise ValueError(f"Cannot write to {os.fspath(path)!r}: it names a folder, not a file.")
    return folder, base


def _temp_stem(base: str) -> str:
    """The target's name as it appears in its temporaries' names, cut to fit ``_NAME_MAX``."""
    room = _NAME_MAX - (3 + _PID_DIGITS + _RANDOM_HEX + len(_TEMP_SUFFIX))
    return base if len(base.encode("utf-8", "surrogateescape")) <= room else base[: room // 4]


def _temp_pattern(base: str) -> re.Pattern:
    # The random part is fixed-length hex, so a temporary of target "m" can never be mistaken for
    # the target "m.123.abc" or its temporaries.
    return re.compile(
        rf"\.{re.escape(_temp_stem(base))}\.(\d+)\.[0-9a-f]{{{_RANDOM_HEX}}}"
        rf"{re.escape(_TEMP_SUFFIX)}"
    )


def _naming_target(error: OSError, target: str) -> OSError:
    """``error`` reworded to name the file being saved, not the temporary it was written as
    (the temporary never outlives a failed save, so its name means nothing to the user)."""
    folder = os.path.dirname(target)
    code = error.errno
    if code == errno.ENOENT and not os.path.isdir(folder):
        reason = f"cannot save: the folder '{folder}' does not exist (create it first)"
    elif code in (errno.EACCES, errno.EPERM, errno.EROFS):
        reason = (f"cannot save: the folder '{folder}' is not writable ({error.strerror}); "
                  "the previous file, if any, is unchanged")
    elif code in _SPACE_HINTS:
        reason = (f"cannot save: {_SPACE_HINTS[code]}; nothing was written and the previous "
                  "file, if any, is unchanged")
    elif code == errno.EISDIR or os.path.isdir(target):
        reason = "cannot save: a folder already has this name"
    else:
        reason = f"cannot save ({error.strerror or error})"
    if code is None:
        return OSError(f"{reason}: '{target}'")
    return OSError(code, reason, target)  # OSError picks the subclass for the code


def _pid_alive(pid: int) -> bool:
    """Whether process ``pid`` exists; unknown counts as alive, so we never delete too much."""
    if os.name != "posix":
        # os.kill(pid, 0) terminates the process on Windows, so there is no safe probe.
        return True
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists but belongs to someone else, or the probe itself failed
    return True


def remove_stale_temporaries(path: FilePath) -> list[str]:
    """Remove temporaries for ``path`` left by writers that crashed.

    A temporary is removed only when the process id embedded in its name is not running, so a
    concurrent writer's temporary is never touched. Errors while removing are ignored: cleanup must
    never stop a save.

    Returns:
        The paths removed.
    """
    folder, base = _split(path)
    pattern = _temp_pattern(base)
    removed: list[str] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        match = pattern.fullmatch(entry.name)
        if match is None or _pid_alive(int(match.group(1))):
            continue
        try:
            # Only plain files: a folder or link with a matching name was not made by us.
            if not stat.S_ISREG(os.lstat(entry.path).st_mode):
                continue
            os.unlink(entry.path)
            removed.append(entry.path)
        except OSError:
            pass
    return removed


def _fsync_folder(folder: str) -> None:
    # Makes the rename durable. Not every OS lets a folder be opened (Windows) or fsynced.
    if not hasattr(os, "O_DIRECTORY"):
        return
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_writer(path: FilePath, *, readable: bool = False) -> Iterator[IO[bytes]]:
    """Context manager yielding a binary file whose contents replace ``path`` on success.

    On any exception the temporary is removed and ``path`` is left untouched.

    Args:
        path: the file to (re)place. Its folder must exist.
        readable: open the temporary ``w+b`` so the caller can read back what it wrote.
    """
    folder, base = _split(path)
    target = os.path.join(folder, base)
    remove_stale_temporaries(path)
    temp = os.path.join(folder, f".{_temp_stem(base)}.{os.getpid()}."
                                f"{secrets.token_hex(_RANDOM_HEX // 2)}{_TEMP_SUFFIX}")
    # O_EXCL: never write through a file (or link) someone else put at this name.
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(temp, flags, 0o666)
    except OSError as error:
        raise _naming_target(error, target) from None
    try:
        with open(fd, "w+b" if readable else "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(temp, target)
    except OSError as error:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        if error.filename not in (None, temp):
            raise  # about some other file the caller touched, not this save
        raise _naming_target(error, target) from error
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    _fsync_folder(folder)


def atomic_write_bytes(path: FilePath, data: bytes | bytearray | memoryview) -> None:
    """Atomically replace ``path`` with ``data`` (any bytes-like object)."""
    with atomic_writer(path) as f:
        f.write(data)
