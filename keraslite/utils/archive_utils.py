"""Safe extraction of downloaded tar and zip archives.

An archive is data from the network, so every member is checked before anything is written:
names that are absolute or climb out with ``..`` are refused, links must point inside the
folder, device files and FIFOs are refused, and the member count and total unpacked size are
bounded (a small archive may claim terabytes). The archive is unpacked into a temporary folder
beside the target and renamed into place, so a failed or interrupted extraction leaves nothing
that a later call would mistake for a finished one.

The archive itself is opened like every loader opens a file (``keraslite.saving.file_guard``):
it must be a regular file of bounded size (a FIFO or a link to ``/dev/zero`` would hang or read
without end), it is read only through the bounded reader, and a zip's entry count is checked
from its end record before zipfile reads the central directory.
"""
from __future__ import annotations

import contextlib
import io
import os
import posixpath
import shutil
import tarfile
import tempfile
import zipfile

# Bounds on what one archive may unpack to. The largest Keras dataset archive (CIFAR-100)
# unpacks to about 180 MB in 3 files; these leave room for user archives while refusing bombs.
MAX_MEMBERS = 1_000_000
MAX_UNPACKED_BYTES = 64 * 2**30


class UnsafeArchiveError(ValueError):
    """An archive member would be written outside the extraction folder, or the archive is too
    large to unpack."""


def _check_name(archive: str, name: str) -> str:
    """The member's normalised relative path, or UnsafeArchiveError."""
    cleaned = name.replace("\\", "/")
    if cleaned.startswith("/") or (len(cleaned) > 1 and cleaned[1] == ":"):
        raise UnsafeArchiveError(
            f"Archive {archive!r} holds a member with an absolute path: {name!r}. Members must "
            "be relative paths inside the archive; nothing was extracted."
        )
    if ".." in cleaned.split("/"):
        raise UnsafeArchiveError(
            f"Archive {archive!r} holds a member whose path climbs out of the extraction folder "
            f"with '..': {name!r}. Nothing was extracted."
        )
    return posixpath.normpath(cleaned)


def _check_link(archive: str, member: tarfile.TarInfo, relative: str) -> None:
    target = member.linkname.replace("\\", "/")
    if member.issym():
        # A symlink's target is relative to the link's own folder.
        joined = posixpath.join(posixpath.dirname(relative), target)
    else:
        joined = target  # a hard link names another member, relative to the archive root
    resolved = posixpath.normpath(joined)
    if target.startswith("/") or resolved == ".." or resolved.startswith("../"):
        kind = "symbolic" if member.issym() else "hard"
        raise UnsafeArchiveError(
            f"Archive {archive!r} holds a {kind} link {member.name!r} -> {member.linkname!r} "
            "that points outside the extraction folder. Nothing was extracted."
        )


def _check_totals(archive: str, count: int, total: int) -> None:
    if count > MAX_MEMBERS:
        raise UnsafeArchiveError(
            f"Archive {archive!r} holds {count} members; at most {MAX_MEMBERS} are unpacked."
        )
    if total > MAX_UNPACKED_BYTES:
        raise UnsafeArchiveError(
            f"Archive {archive!r} would unpack to {total} bytes; at most {MAX_UNPACKED_BYTES} "
            "bytes are unpacked."
        )


@contextlib.contextmanager
def _open_archive(path: str):
    """A buffered, bounded reader of the archive file (see the module doc)."""
    # Lazy: utils ranks below saving, where the one file guard of every loader lives.
    from keraslite.saving import file_guard

    with io.BufferedReader(file_guard.open_bounded(path, "archive")) as f:
        yield f


def _members(path: str, archive: tarfile.TarFile) -> list:
    """The tar's members, refusing more than MAX_MEMBERS while reading (a tar has no directory
    to count from first)."""
    members = []
    while True:
        member = archive.next()
        if member is None:
            return members
        members.append(member)
        if len(members) > MAX_MEMBERS:
            _check_totals(path, len(members), 0)


def _extract_tar(path: str, folder: str) -> None:
    with _open_archive(path) as f, tarfile.open(fileobj=f) as archive:
        members = _members(path, archive)
        total = 0
        for member in members:
            relative = _check_name(path, member.name)
            if member.issym() or member.islnk():
                _check_link(path, member, relative)
            elif not (member.isfile() or member.isdir()):
                raise UnsafeArchiveError(
                    f"Archive {path!r} holds {member.name!r}, which is a device file or FIFO; "
                    "only files, folders and links inside the folder are extracted."
                )
            total += max(member.size, 0)
        _check_totals(path, len(members), total)
        # The "data" filter (Python >= 3.11.4) repeats these checks and drops permission bits
        # such as setuid; on older Pythons the checks above are the guard.
        if hasattr(tarfile, "data_filter"):
            archive.extractall(folder, members=members, filter="data")
        else:
            archive.extractall(folder, members=members)


def _extract_zip(path: str, folder: str) -> None:
    from keraslite.saving import file_guard

    with _open_archive(path) as f:
        try:
            file_guard.check_zip_entry_count(f.raw, MAX_MEMBERS, "archive")
        except ValueError as error:
            raise UnsafeArchiveError(f"{error} Nothing was extracted.") from None
        f.seek(0)
        _extract_zip_from(path, f, folder)


def _extract_zip_from(path: str, f, folder: str) -> None:
    with zipfile.ZipFile(f) as archive:
        infos = archive.infolist()
        for info in infos:
            _check_name(path, info.filename)
        _check_totals(path, len(infos), sum(info.file_size for info in infos))
        # zipfile never creates links (a stored symlink is written as a small file), and the
        # declared sizes are enforced while reading: a member longer than declared fails its CRC.
        archive.extractall(folder)


def archive_kind(path: str, archive_format="auto") -> str | None:
    """``"tar"``, ``"zip"`` or None: the first of ``archive_format``'s kinds that ``path`` is."""
    if archive_format is None:
        return None
    if archive_format == "auto":
        kinds = ["tar", "zip"]
    elif isinstance(archive_format, str):
        kinds = [archive_format]
    else:
        kinds = list(archive_format)
    for kind in kinds:
        if kind not in ("tar", "zip"):
            raise ValueError(
                "archive_format must be 'auto', 'tar', 'zip', a list of these, or None. "
                f"Received: archive_format={archive_format!r}"
            )
    with _open_archive(path) as f:
        for kind in kinds:
            f.seek(0)
            if kind == "tar" and tarfile.is_tarfile(f):
                return "tar"
            f.seek(0)
            if kind == "zip" and zipfile.is_zipfile(f):
                return "zip"
    return None


def extract_archive(path: str, folder: str, archive_format="auto") -> bool:
    """Unpacks the tar or zip archive ``path`` into ``folder`` (replacing it), checking every
    member first. Returns False when ``path`` is not an archive of an allowed format.

    Raises:
        ValueError: ``path`` is not a regular file (a FIFO, device or folder) or is too large.
        UnsafeArchiveError: a member is absolute, climbs out with ``..``, is a link pointing
            outside, is a device file, or the archive is too large; nothing is left behind.
    """
    path, folder = os.fspath(path), os.path.abspath(os.fspath(folder))
    kind = archive_kind(path, archive_format)
    if kind is None:
        return False
    parent = os.path.dirname(folder)
    os.makedirs(parent, exist_ok=True)
    staging = tempfile.mkdtemp(prefix=f".{os.path.basename(folder)}.", suffix=".extracting",
                               dir=parent)
    try:
        (_extract_tar if kind == "tar" else _extract_zip)(path, staging)
        if os.path.isdir(folder) and not os.path.islink(folder):
            shutil.rmtree(folder)
        elif os.path.lexists(folder):
            os.remove(folder)
        os.replace(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return True
