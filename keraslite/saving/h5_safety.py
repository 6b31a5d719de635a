"""Opening an HDF5 file as untrusted data.

HDF5 can make a reader open other files (external links, external storage, virtual datasets),
load compression plugins, or allocate whatever a dataset header declares. Everything here checks
the file's metadata first and refuses such files before any array is read, so loading a hostile
file neither touches another file nor allocates more memory than the file can justify.
"""
from __future__ import annotations

import contextlib
import math
import os
from typing import TYPE_CHECKING

import numpy as np

from keraslite.saving import file_guard, h5_vlen_strings
from keraslite.saving.errors import CorruptFileError, UnsafeFileError

if TYPE_CHECKING:
    from keraslite.utils.typing import FilePath

# HDF5 files start with this signature, at offset 0 or after a user block of 512 * 2**k bytes.
_SIGNATURE = b"\x89HDF\r\n\x1a\n"
_MAX_USER_BLOCK_OFFSET = 2**30

MAX_OBJECTS = 500_000  # links in one file; Keras files for large models hold a few thousand
MAX_DEPTH = 64
MAX_SOFT_LINK_HOPS = 8
MAX_ATTRIBUTE_ITEMS = 1_000_000
# A compressed dataset may legitimately expand beyond the file size, but not without bound.
COMPRESSION_RATIO_CAP = 100
COMPRESSED_BYTES_CAP = 2**32

# Filters built into HDF5/h5py: deflate, shuffle, fletcher32, szip, nbit, scale-offset, lzf.
# Any other filter id would make HDF5 search for and load a plugin library at read time.
_BUILTIN_FILTERS = {1, 2, 3, 4, 5, 6, 32000}
_CHECKSUM_ONLY_FILTERS = {2, 3}  # do not change the stored size


def require_h5py():
    """Imports h5py, which is optional: only reading Keras .h5 files needs it."""
    try:
        import h5py
    except ImportError as error:
        raise ImportError(
            "Reading Keras .h5 weight files needs the h5py package: pip install h5py "
            "(or pip install \"keraslite[h5]\")"
        ) from error
    return h5py


def has_hdf5_signature(path: FilePath) -> bool:
    """Whether the file at ``path`` starts with the HDF5 signature (reads at most a few bytes).

    False for anything that is not a readable regular file (a FIFO is never opened)."""
    try:
        with file_guard.open_bounded(path, "HDF5 file") as f:
            return _signature_at_start(f)
    except (OSError, ValueError):
        return False


def _signature_at_start(f) -> bool:
    offset = 0
    while offset + len(_SIGNATURE) <= f.size and offset <= _MAX_USER_BLOCK_OFFSET:
        f.seek(offset)
        if f.read(len(_SIGNATURE)) == _SIGNATURE:
            return True
        offset = 512 if offset == 0 else offset * 2
    return False


class SafeH5File:
    """A read-only HDF5 file whose whole link tree was checked on opening.

    Use as a context manager; ``root`` is the ``h5py.File``. Every later lookup in it goes through
    links already known to stay inside this file.
    """

    def __init__(self, path):
        self.h5py = require_h5py()
        self.path = os.fspath(path)
        if not os.path.lexists(self.path):
            raise FileNotFoundError(f"No such weights file: '{self.path}'")
        # h5py reads through the bounded reader, never the path: a FIFO or device swapped in
        # after the check cannot be opened by HDF5 behind our back.
        self._reader = file_guard.open_bounded(self.path, "weights file")
        self.size = self._reader.size
        try:
            if not _signature_at_start(self._reader):
                raise CorruptFileError(
                    f"'{self.path}' is not an HDF5 file (no HDF5 signature), so it cannot be a "
                    "Keras .h5 weights file."
                )
            self._reader.seek(0)
            self.root = self.h5py.File(self._reader, "r")
        except (OSError, ValueError, RuntimeError) as error:
            self._reader.close()
            if isinstance(error, CorruptFileError):
                raise
            raise CorruptFileError(f"'{self.path}' is a damaged HDF5 file: {error}") from error
        self._compressed_bytes = 0
        try:
            self._check_tree()
        except (OSError, KeyError, RuntimeError) as error:
            self.close()
            raise self.corrupt("its structure", f"cannot be read ({error}).") from error
        except BaseException:
            self.close()
            raise

    def close(self):
        with contextlib.suppress(Exception):
            self.root.close()
        self._reader.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- errors --------------------------------------------------------------------------------
    def unsafe(self, where, reason):
        return UnsafeFileError(f"Refusing to load '{self.path}': {where} {reason}")

    def corrupt(self, where, reason):
        return CorruptFileError(f"'{self.path}' is damaged: {where} {reason}")

    # -- the link tree -------------------------------------------------------------------------
    def _check_tree(self):
        """Visits every link once, refusing anything that leads out of the file or loops."""
        h5py = self.h5py
        seen_groups = set()
        self._first_visit(seen_groups, self._open(self.root, "/", "/"), "/")
        stack = [(self.root, "", 0)]
        count = 0
        while stack:
            group, where, depth = stack.pop()
            if depth > MAX_DEPTH:
                raise self.unsafe(f"group '{where}'", f"is nested deeper than {MAX_DEPTH} levels.")
            try:
                names = list(group)
            except (OSError, KeyError, RuntimeError, ValueError) as error:
                raise self.corrupt(f"group '{where or '/'}'", f"cannot be listed ({error}).")
            for name in names:
                count += 1
                if count > MAX_OBJECTS:
                    raise self.unsafe("the file", f"holds more than {MAX_OBJECTS} objects.")
                child = f"{where}/{name}"
                link = self._get_link(group, name, child)
                if isinstance(link, h5py.ExternalLink):
                    raise self.unsafe(
                        f"'{child}'", f"is an external link to '{link.filename}' "
                        f"(path '{link.path}'); a weights file must not refer to other files.")
                if isinstance(link, h5py.SoftLink):
                    self._resolve_soft_link(group, link.path, child)
                    continue
                if not isinstance(link, h5py.HardLink):
                    raise self.unsafe(f"'{child}'", f"is a link of unsupported type "
                                                    f"{type(link).__name__}.")
                obj = self._open(group, name, child)
                if isinstance(obj, h5py.Group):
                    self._first_visit(seen_groups, obj, child)
                    stack.append((obj, child, depth + 1))
                elif isinstance(obj, h5py.Dataset):
                    self._check_storage(obj, child)

    def _first_visit(self, seen_groups, group, where):
        # h5py identifies an object by its file and address, so a group reached twice is seen.
        try:
            known = group.id in seen_groups
            seen_groups.add(group.id)
        except (TypeError, OSError, RuntimeError, ValueError) as error:
            raise self.corrupt(f"group '{where}'", f"has no readable identity ({error}).")
        if known:
            raise self.unsafe(f"group '{where}'", "is linked more than once, which can form a loop.")

    def has_attribute(self, obj, name, where):
        try:
            return name in obj.attrs
        except (OSError, KeyError, RuntimeError, ValueError, TypeError) as error:
            raise self.corrupt(f"attribute '{name}' of '{where or '/'}'",
                               f"cannot be read ({error}).") from error

    def _get_link(self, group, name, where):
        try:
            return group.get(name, getlink=True)
        except (OSError, KeyError, RuntimeError, ValueError, TypeError) as error:
            raise self.corrupt(f"link '{where}'", f"cannot be read ({error}).")

    def _open(self, group, name, where):
        try:
            return group[name]
        except (OSError, KeyError, RuntimeError, ValueError, TypeError) as error:
            raise self.corrupt(f"object '{where}'", f"cannot be opened ({error}).")

    def child(self, group, path, where):
        """The object at ``path`` under ``group``, or None if there is none; h5py errors become
        ``CorruptFileError`` naming ``where``."""
        try:
            if path not in group:
                return None
            return group[path]
        except (OSError, KeyError, RuntimeError, ValueError, TypeError) as error:
            raise self.corrupt(f"object '{where}'", f"cannot be opened ({error}).") from error

    def names(self, group, where):
        """The link names in ``group``."""
        try:
            return list(group)
        except (OSError, KeyError, RuntimeError, ValueError, TypeError) as error:
            raise self.corrupt(f"group '{where}'", f"cannot be listed ({error}).") from error

    def _resolve_soft_link(self, group, target, where, hops=0):
        """A soft link is allowed only when it leads, through plain links, to a dataset: a link
        to a group could form a loop, and a dangling one hides a missing object."""
        h5py = self.h5py
        if hops >= MAX_SOFT_LINK_HOPS:
            raise self.unsafe(f"soft link '{where}'", "is part of a chain of soft links that "
                                                      "is too long or loops.")
        current = self.root if target.startswith("/") else group
        parts = [p for p in target.split("/") if p not in ("", ".")]
        if not parts:
            raise self.unsafe(f"soft link '{where}'", f"points to the group '{target}'.")
        for part in parts:
            if not isinstance(current, h5py.Group):
                raise self.unsafe(f"soft link '{where}'",
                                  f"points to '{target}', which does not exist.")
            link = current.get(part, getlink=True)
            if link is None:
                raise self.unsafe(f"soft link '{where}'",
                                  f"points to '{target}', which does not exist.")
            if isinstance(link, h5py.SoftLink):
                current = self._resolve_soft_link(current, link.path, where, hops + 1)
            elif isinstance(link, h5py.HardLink):
                current = self._open(current, part, where)
            else:
                raise self.unsafe(f"soft link '{where}'",
                                  f"points to '{target}' through a link to another file.")
        if not isinstance(current, h5py.Dataset):
            raise self.unsafe(f"soft link '{where}'",
                              f"points to '{target}', which is not a dataset.")
        return current

    def _check_storage(self, dataset, where):
        """Refuses data kept outside this file."""
        try:
            virtual = dataset.is_virtual
            external = dataset.external
        except (OSError, RuntimeError, ValueError) as error:
            raise self.corrupt(f"dataset '{where}'", f"has unreadable storage info ({error}).")
        if virtual:
            raise self.unsafe(f"dataset '{where}'",
                              "is a virtual dataset, which reads its data from other files.")
        if external:
            files = sorted({str(entry[0]) for entry in external})
            raise self.unsafe(f"dataset '{where}'",
                              f"stores its data in external file(s) {files}.")

    # -- weights -------------------------------------------------------------------------------
    def weight_info(self, dataset, where):
        """(shape, dtype) of a dataset that should hold numbers, from its header alone.

        Refuses non-numeric types and declared sizes the file cannot back, so a later ``read``
        never allocates an unreasonable amount of memory."""
        h5py = self.h5py
        self._check_storage(dataset, where)
        dtype = dataset.dtype
        if (h5py.check_vlen_dtype(dtype) is not None or h5py.check_ref_dtype(dtype) is not None
                or h5py.check_string_dtype(dtype) is not None or dtype.names is not None
                or dtype.subdtype is not None or dtype.kind not in "biuf"):
            raise self.unsafe(f"dataset '{where}'",
                              f"holds values of type {_describe_dtype(h5py, dtype)} where "
                              "numeric weights are expected.")
        shape = dataset.shape
        if shape is None:
            raise self.corrupt(f"dataset '{where}'", "has no data (null dataspace).")
        declared = math.prod(shape) * dtype.itemsize
        filters = self._filters(dataset, where)
        unknown = sorted(code for code in filters if code not in _BUILTIN_FILTERS)
        if unknown:
            raise self.unsafe(f"dataset '{where}'",
                              f"uses HDF5 filter id(s) {unknown}, which would need a plugin.")
        if filters <= _CHECKSUM_ONLY_FILTERS:
            if declared > self.size:
                raise self.unsafe(
                    f"dataset '{where}'",
                    f"declares shape {shape} ({declared} bytes) but the whole file holds only "
                    f"{self.size} bytes.")
        else:
            cap = min(COMPRESSION_RATIO_CAP * self.size, COMPRESSED_BYTES_CAP)
            self._compressed_bytes += declared
            if declared > cap or self._compressed_bytes > COMPRESSION_RATIO_CAP * self.size:
                raise self.unsafe(
                    f"dataset '{where}'",
                    f"declares compressed data of shape {shape} ({declared} bytes) for a file of "
                    f"{self.size} bytes, beyond the limit of {cap} bytes.")
        return tuple(int(d) for d in shape), dtype

    def _filters(self, dataset, where):
        try:
            plist = dataset.id.get_create_plist()
            return {int(plist.get_filter(i)[0]) for i in range(plist.get_nfilters())}
        except (OSError, RuntimeError, ValueError) as error:
            raise self.corrupt(f"dataset '{where}'", f"has an unreadable filter list ({error}).")

    def read(self, dataset, where) -> np.ndarray:
        """The dataset's values; call ``weight_info`` on it first."""
        try:
            return np.asarray(dataset[()])
        except (OSError, KeyError, RuntimeError, ValueError, TypeError) as error:
            raise self.corrupt(f"dataset '{where}'", f"cannot be read ({error}).") from error

    # -- attributes ----------------------------------------------------------------------------
    def read_strings(self, obj, name, where):
        """A string (or array of them) attribute as a list of ``str``; None when absent; an
        empty numeric array (Keras's ``weight_names`` of a layer without weights) is ``[]``.

        Variable-length strings (Keras 3's ``model.save("x.h5")`` writes them) are read by
        ``h5_vlen_strings`` through the bounded reader, never by libhdf5: their text sits in
        global heap collections, and a malformed one can make libhdf5 loop forever or read past
        a buffer. Fixed-length strings (Keras 2) are read by h5py."""
        h5py = self.h5py
        where = f"attribute '{name}' of '{where or '/'}'"
        try:
            if name not in obj.attrs:
                return None
            attr = obj.attrs.get_id(name)
            dtype, shape = attr.dtype, attr.shape
            items = math.prod(shape) if shape else 1
            # HDF5 reports an error for the storage size of an empty attribute.
            stored = attr.get_storage_size() if items else 0
        except (OSError, KeyError, RuntimeError, ValueError, TypeError) as error:
            raise self.corrupt(where, f"cannot be read ({error}).") from error
        if h5py.check_string_dtype(dtype) is not None and dtype.kind == "O":
            if items > MAX_ATTRIBUTE_ITEMS:
                raise self.unsafe(where, f"declares {items} strings, more than "
                                         f"{MAX_ATTRIBUTE_ITEMS}.")
            return self._read_vlen_strings(obj, name, items, where)
        if items == 0 and dtype.kind in "biuf":
            return []
        if dtype.kind != "S":
            kind = ("variable-length string" if h5py.check_string_dtype(dtype) is not None
                    else _describe_dtype(h5py, dtype))
            raise self.unsafe(where, f"holds {kind} values where fixed-length strings are "
                                     "expected.")
        if items > MAX_ATTRIBUTE_ITEMS or stored > self.size:
            raise self.unsafe(where, f"declares {items} strings ({stored} bytes), more than the "
                                     "file can hold.")
        try:
            value = obj.attrs[name]
        except (OSError, KeyError, RuntimeError, ValueError, TypeError) as error:
            raise self.corrupt(where, f"cannot be read ({error}).") from error
        if isinstance(value, h5py.Empty):
            return []
        out = []
        for item in np.asarray(value).ravel().tolist():
            try:
                out.append(item.decode("utf-8"))
            except (UnicodeDecodeError, AttributeError) as error:
                raise self.corrupt(where, "is not valid UTF-8 text.") from error
        return out


    def _read_vlen_strings(self, obj, name, items, where):
        try:
            header = self.h5py.h5o.get_info(obj.id).addr
        except (OSError, RuntimeError, ValueError, TypeError, AttributeError) as error:
            raise self.corrupt(where, f"cannot be located ({error}).") from error
        try:
            return h5_vlen_strings.read_vlen_strings(self._reader, header, name, items)
        except h5_vlen_strings.HeapFormatError as error:
            raise self.corrupt(where, f"cannot be read: {error}.") from error


def _describe_dtype(h5py, dtype):
    if h5py.check_string_dtype(dtype) is not None or dtype.kind in "SU":
        return "string"
    if h5py.check_ref_dtype(dtype) is not None:
        return "object reference"
    if h5py.check_vlen_dtype(dtype) is not None:
        return "variable-length"
    if dtype.names is not None:
        return "compound"
    if dtype.kind == "O":
        return "object"
    return str(dtype)
