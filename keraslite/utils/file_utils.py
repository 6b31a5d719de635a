"""get_file: download a file once, verify it, keep it in a cache folder, optionally unpack it.

The cache folder is ``~/.keraslite`` (``KERASLITE_HOME`` overrides it; a read-only home falls
back to the temporary folder, as Keras does). A download streams into a temporary file beside
its target while its hash is computed; only a complete file whose size matches the server's
``Content-Length`` and whose hash matches ``file_hash`` is renamed into place. A truncated or
corrupt download is therefore never cached, and a crash never leaves a half file under the
final name. Archives are unpacked by ``archive_utils`` (no member may land outside the folder).
"""
from __future__ import annotations

import hashlib
import http.client
import os
import stat
import tempfile
import urllib.error
import urllib.parse
import urllib.request

from keraslite.utils import archive_utils
from keraslite.utils.progbar import print_msg

HOME_VARIABLE = "KERASLITE_HOME"
# Far above any Keras dataset (CIFAR-100, 169 MB) and below what would fill a typical disk.
MAX_DOWNLOAD_BYTES = 8 * 2**30
_CHUNK = 1 << 20
_TIMEOUT_S = 60


class DownloadError(OSError):
    """A file could not be fetched (offline, server error, truncated transfer)."""


class _Truncated(Exception):
    pass


def _read(source) -> bytes:
    # A connection dropped mid-transfer is a truncated download, reported as such.
    try:
        return source.read(_CHUNK)
    except (OSError, http.client.HTTPException) as error:
        raise _Truncated() from error


def keraslite_home() -> str:
    """The root of keraslite's caches: ``$KERASLITE_HOME``, else ``~/.keraslite``."""
    return os.path.expanduser(os.environ.get(HOME_VARIABLE) or os.path.join("~", ".keraslite"))


def _hash_algorithm(file_hash: str, algorithm: str) -> str:
    if algorithm == "auto":
        return "sha256" if len(file_hash) == 64 else "md5"
    if algorithm not in ("sha256", "md5"):
        raise ValueError(
            f"hash_algorithm must be 'auto', 'sha256' or 'md5'. Received: {algorithm!r}"
        )
    return algorithm


def hash_file(fpath, algorithm: str = "sha256", chunk_size: int = 65535) -> str:
    """The hex digest of a file's contents (``"sha256"`` or ``"md5"``)."""
    hasher = hashlib.new(_hash_algorithm("", algorithm) if algorithm != "auto" else "sha256")
    with open(fpath, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


def validate_file(fpath, file_hash: str, algorithm: str = "auto", chunk_size: int = 65535) -> bool:
    """Whether the file's hash equals ``file_hash`` (``"auto"``: sha256 for 64 hex digits)."""
    algorithm = _hash_algorithm(file_hash, algorithm)
    return hash_file(fpath, algorithm, chunk_size) == str(file_hash).lower()


def _cache_root(cache_dir) -> str:
    base = os.path.expanduser(os.fspath(cache_dir)) if cache_dir else keraslite_home()
    try:
        os.makedirs(base, exist_ok=True)
    except OSError:
        pass
    if not os.access(base, os.W_OK):
        base = os.path.join(tempfile.gettempdir(), ".keraslite")
    return base


def _open_source(origin: str):
    """(stream, declared size or None) for a URL or a local path."""
    parts = urllib.parse.urlsplit(origin)
    if parts.scheme in ("", "file") or (len(parts.scheme) == 1 and os.name == "nt"):
        local = urllib.request.url2pathname(parts.path) if parts.scheme == "file" else origin
        if not os.path.isfile(local):
            raise DownloadError(f"{local!r} is not a regular file")
        return open(local, "rb"), os.path.getsize(local)
    if parts.scheme not in ("http", "https", "ftp"):
        raise ValueError(
            "get_file origin must be an http(s)/ftp URL, a file:// URL or a local path. "
            f"Received: origin={origin!r}"
        )
    response = urllib.request.urlopen(origin, timeout=_TIMEOUT_S)  # noqa: S310 (checked above)
    length = response.headers.get("Content-Length")
    return response, (int(length) if length and length.isdigit() else None)


def _download(origin: str, target: str, file_hash, algorithm: str, max_bytes: int) -> None:
    """Streams ``origin`` into ``target`` atomically, refusing bad sizes and hashes."""
    from keraslite.saving.atomic_io import atomic_writer

    print_msg(f"Downloading data from {origin}")
    hasher = hashlib.new(algorithm)
    received = 0
    try:
        source, declared = _open_source(origin)
    except (urllib.error.URLError, OSError) as error:
        raise _offline_error(origin, target, file_hash, error) from error
    with source:
        if declared is not None and declared > max_bytes:
            raise ValueError(
                f"{origin} is {declared} bytes, more than the download limit of {max_bytes} "
                "bytes. Pass a larger max_bytes to get_file if the file is expected."
            )
        try:
            with atomic_writer(target) as out:
                for chunk in iter(lambda: _read(source), b""):
                    received += len(chunk)
                    if received > max_bytes:
                        raise ValueError(
                            f"{origin} sent more than the download limit of {max_bytes} bytes; "
                            "the partial file was discarded."
                        )
                    hasher.update(chunk)
                    out.write(chunk)
                if declared is not None and received != declared:
                    raise _Truncated()
                if file_hash is not None and hasher.hexdigest() != str(file_hash).lower():
                    raise ValueError(
                        f"Incomplete or corrupted file downloaded from {origin}: its {algorithm} "
                        f"is {hasher.hexdigest()}, expected {file_hash}. The file was "
                        "discarded and not cached."
                    )
        except _Truncated:
            # Raised as a plain exception inside the writer, which reports OSErrors as its own.
            raise DownloadError(
                f"The download of {origin} was truncated: received {received} of {declared} "
                "bytes. The partial file was discarded; try again."
            ) from None
        except http.client.IncompleteRead as error:
            raise DownloadError(
                f"The download of {origin} was truncated after {received} bytes. The partial "
                "file was discarded; try again."
            ) from error
        except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
            raise _offline_error(origin, target, file_hash, error) from error


def _offline_error(origin, target, file_hash, error) -> DownloadError:
    reason = getattr(error, "reason", None) or error
    code = getattr(error, "code", None)
    hint = f" Its {'sha256' if file_hash and len(file_hash) == 64 else 'hash'} must be " \
           f"{file_hash}." if file_hash else ""
    return DownloadError(
        f"Could not download {origin}" + (f" (HTTP {code})" if code else "") + f": {reason}. "
        f"If this machine is offline, fetch the file elsewhere and place it by hand at "
        f"{target}.{hint} get_file then uses it without network access."
    )


def _check_cached(path: str) -> bool:
    """Whether ``path`` is an existing regular file (a link or folder there is not used)."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def get_file(
    fname: str | None = None,
    origin: str | None = None,
    untar: bool = False,
    md5_hash: str | None = None,
    file_hash: str | None = None,
    cache_subdir: str = "datasets",
    hash_algorithm: str = "auto",
    extract: bool = False,
    archive_format="auto",
    cache_dir=None,
    force_download: bool = False,
    *,
    max_bytes: int = MAX_DOWNLOAD_BYTES,
) -> str:
    """Downloads ``origin`` into the cache (unless already there) and returns its local path.

    Args:
        fname: Name of the file in the cache; default: the last part of ``origin``'s path.
            With ``extract``, a name like ``"data.tar.gz"`` is unpacked to ``data_extracted``.
        origin: URL (http, https, ftp, file) or local path of the file.
        untar: Deprecated spelling of ``extract=True, archive_format="tar"``.
        md5_hash: Deprecated spelling of ``file_hash=..., hash_algorithm="md5"``.
        file_hash: Expected sha256 or md5 hex digest. A cached file that does not match is
            fetched again; a download that does not match is discarded (ValueError).
        cache_subdir: Folder under the cache root (an absolute path is used as it is).
        hash_algorithm: ``"auto"`` (sha256 for 64 hex digits, else md5), ``"sha256"``, ``"md5"``.
        extract: Unpack the tar/zip archive and return the extraction folder.
        archive_format: ``"auto"``, ``"tar"``, ``"zip"``, a list of these, or None.
        cache_dir: Cache root; default ``$KERASLITE_HOME`` or ``~/.keraslite``.
        force_download: Download even when the file is cached.
        max_bytes: Largest download accepted (keraslite addition; default 8 GiB).

    Returns:
        The path of the downloaded file, or of the extraction folder with ``extract``.

    Raises:
        DownloadError: the file could not be fetched; the message says where to place it by
            hand. ValueError: bad arguments, a hash mismatch, or an oversized file.
        archive_utils.UnsafeArchiveError: an archive member would land outside the folder.

    Example:
        >>> path = keraslite.utils.get_file(
        ...     origin="https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz",
        ...     file_hash="731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1")
    """
    if origin is None or not isinstance(origin, (str, os.PathLike)) or not os.fspath(origin):
        raise ValueError(f'get_file needs an origin (a URL or path). Received: origin={origin!r}')
    origin = os.fspath(origin)
    if not isinstance(max_bytes, int) or max_bytes < 1:
        raise ValueError(f"max_bytes must be a positive int. Received: max_bytes={max_bytes!r}")
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, "md5"
    algorithm = _hash_algorithm(file_hash or "", hash_algorithm)
    if file_hash is not None:
        file_hash = str(file_hash).lower()
        if not file_hash or any(c not in "0123456789abcdef" for c in file_hash):
            raise ValueError(f"file_hash must be a hex digest. Received: file_hash={file_hash!r}")

    provided = fname is not None
    fname = os.fspath(fname) if provided else ""
    if not fname:
        fname = os.path.basename(urllib.parse.urlsplit(origin).path)
        if not fname:
            raise ValueError(
                f"Cannot take a file name from origin={origin!r}. Pass the fname argument."
            )
    elif "/" in fname or os.sep in fname or fname in (".", ".."):
        raise ValueError(
            "get_file's fname must be a plain file name; choose the folder with cache_dir and "
            f"cache_subdir. Received: fname={fname!r}"
        )

    folder = os.path.join(_cache_root(cache_dir), os.fspath(cache_subdir))
    os.makedirs(folder, exist_ok=True)
    extracting = bool(extract or untar)
    if extracting and provided and "." in fname:
        target = os.path.join(folder, fname)
        extraction_dir = os.path.join(folder, fname[: fname.find(".")] + "_extracted")
    elif extracting:
        target = os.path.join(folder, fname + "_archive")
        extraction_dir = os.path.join(folder, fname)
    else:
        target, extraction_dir = os.path.join(folder, fname), None

    download = force_download or not _check_cached(target)
    if not download and file_hash is not None and not validate_file(target, file_hash, algorithm):
        print_msg(f"The cached file {target} does not match its {algorithm} hash {file_hash}; "
                  "downloading it again.")
        download = True
    if os.path.lexists(target) and not _check_cached(target):
        raise ValueError(f"The cache path {target!r} exists and is not a regular file; "
                         "remove it or choose another cache_dir.")
    if download:
        _download(origin, target, file_hash, algorithm, max_bytes)

    if not extracting:
        return target
    if untar:
        archive_format = "tar"
    if download or not os.path.isdir(extraction_dir):
        if not archive_utils.extract_archive(target, extraction_dir, archive_format):
            raise ValueError(
                f"{target} is not a {archive_format!r} archive, so it cannot be extracted. "
                "Pass extract=False to keep the file as it is."
            )
    return extraction_dir
