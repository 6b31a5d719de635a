"""Tensor files: the safetensors layout, plus checksums that catch any damage to the file.

Layout (the safetensors spec): an 8-byte little-endian header length N, N bytes of JSON header
padded with spaces so the data starts 8-byte aligned, then the tensors' bytes back to back. The
header maps each tensor name to ``{"dtype", "shape", "data_offsets"}``, and ``"__metadata__"`` to
string pairs. Any safetensors reader opens these files.

keraslite adds, inside ``__metadata__``:

* ``"__keraslite_crc32__:<name>"``: CRC-32 of each tensor's bytes (CRC-32 catches every
  single-bit error, and every byte of the data belongs to exactly one tensor);
* ``"__keraslite_sha256__"``: SHA-256 of the whole header JSON, written with this value as 64
  zeros. The header must also be byte-for-byte the canonical JSON keraslite writes, so no change
  that parses to the same content (whitespace, escapes, padding) can slip through either.

A header flip could also damage a key name, making a checksummed file look like a plain
third-party one. Every keraslite key holds two separate marker substrings ("__keraslite" and
"_sha256__" or "_crc32__"); one flipped bit changes one character, so it cannot remove both. A
file with any marker in its metadata keys must therefore carry the exact hash key, or it is
corrupt. Files without any marker (from other safetensors writers) load without verification.

The format is written by hand rather than through the safetensors package: its NumPy API has no
bfloat16, and no writer hook lets the header hash cover the offsets it picks. The tests check that
the safetensors package reads these files and that files it writes load here.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import zlib
from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

from keraslite.saving import file_guard
from keraslite.saving.atomic_io import atomic_writer
from keraslite.saving.errors import CorruptFileError, UnsafeFileError

if TYPE_CHECKING:
    from keraslite.utils.typing import FilePath

try:  # bfloat16 and float8 NumPy dtypes; installed by both jax and tensorflow.
    import ml_dtypes
except ImportError:  # pragma: no cover - every supported backend installs it
    ml_dtypes = None

MAX_HEADER_BYTES = 100 * 1000 * 1000
_MAX_RANK = 32  # NumPy 1.x cannot make arrays with more dimensions
_MAX_BYTES = 2**63 - 1

_HASH_KEY = "__keraslite_sha256__"
_CRC_PREFIX = "__keraslite_crc32__:"
_MARKERS = ("__keraslite", "_sha256__", "_crc32__")
_HASH_PLACEHOLDER = "0" * 64
_METADATA = "__metadata__"
_ENTRY_FIELDS = {"dtype", "shape", "data_offsets"}

_DTYPES: dict[str, np.dtype] = {
    "F64": np.dtype("<f8"),
    "F32": np.dtype("<f4"),
    "F16": np.dtype("<f2"),
    "I64": np.dtype("<i8"),
    "I32": np.dtype("<i4"),
    "I16": np.dtype("<i2"),
    "I8": np.dtype("i1"),
    "U64": np.dtype("<u8"),
    "U32": np.dtype("<u4"),
    "U16": np.dtype("<u2"),
    "U8": np.dtype("u1"),
    "BOOL": np.dtype("bool"),
}
if ml_dtypes is not None:
    _DTYPES["BF16"] = np.dtype(ml_dtypes.bfloat16)
    _DTYPES["F8_E4M3"] = np.dtype(ml_dtypes.float8_e4m3fn)
    _DTYPES["F8_E5M2"] = np.dtype(ml_dtypes.float8_e5m2)
# Keyed by dtype without byte order, so a big-endian array finds its code too.
_CODES = {dtype.newbyteorder("="): code for code, dtype in _DTYPES.items()}


def _corrupt(source: str, reason: str, tensor: str | None = None) -> CorruptFileError:
    where = f", tensor {tensor!r}" if tensor is not None else ""
    return CorruptFileError(f"Corrupt tensor file {source!r}{where}: {reason}")


def _unsafe(source: str, reason: str, tensor: str | None = None) -> UnsafeFileError:
    where = f", tensor {tensor!r}" if tensor is not None else ""
    return UnsafeFileError(f"Refusing tensor file {source!r}{where}: {reason}")


def _dump(header: dict) -> bytes:
    """The canonical header JSON: compact, ASCII-only, keys in insertion order."""
    return json.dumps(header, separators=(",", ":"), ensure_ascii=True, allow_nan=False).encode(
        "ascii"
    )


def _padded(header_json: bytes) -> bytes:
    # Spaces up to a multiple of 8 (counting the length prefix) so every tensor starts aligned.
    return header_json + b" " * (-(8 + len(header_json)) % 8)


def _has_marker(key: str) -> bool:
    return any(marker in key for marker in _MARKERS)


def _as_storable(name, value) -> tuple[str, np.ndarray]:
    """The dtype code and a C-contiguous little-endian array for one tensor."""
    if not isinstance(name, str):
        raise TypeError(f"Tensor names must be strings. Received: {name!r} ({type(name).__name__})")
    if name == _METADATA:
        raise ValueError(f"'{_METADATA}' is reserved by the safetensors format; rename the tensor.")
    array = np.asarray(value)
    code = _CODES.get(array.dtype.newbyteorder("="))
    if code is None:
        raise ValueError(
            f"Tensor {name!r} has dtype {array.dtype}, which tensor files cannot store. "
            f"Supported: {', '.join(sorted(str(d) for d in _CODES))}."
        )
    # Little-endian, whatever the input's byte order; no copy when it already is.
    array = array.astype(_DTYPES[code], copy=False)
    if not array.flags.c_contiguous:
        array = array.copy(order="C")  # not np.ascontiguousarray: it turns scalars into 1-d
    return code, array


def _raw_bytes(array: np.ndarray) -> memoryview:
    # Through uint8 because bfloat16/float8 arrays refuse the buffer protocol.
    return memoryview(array.reshape(-1).view(np.uint8))


def _encode_parts(tensors: Mapping, metadata: Mapping | None) -> list:
    """The file as a list of bytes-like pieces, so callers can write it without joining."""
    user_metadata = dict(metadata or {})
    for key, value in user_metadata.items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise TypeError(
                "Tensor file metadata must map strings to strings. Received: a "
                f"{type(key).__name__} key {str(key)[:60]!r} with a {type(value).__name__} value"
            )
        if _has_marker(key):
            raise ValueError(
                f"Metadata key {key!r} contains a name reserved for keraslite checksums "
                f"({', '.join(repr(m) for m in _MARKERS)}); rename it."
            )
    stored = [(name, *_as_storable(name, value)) for name, value in tensors.items()]
    # Widest items first: with the data start 8-aligned, every tensor is then aligned to its item.
    stored.sort(key=lambda item: (-item[2].dtype.itemsize, item[0]))

    entries, pieces, checksums, offset = {}, [], {}, 0
    for name, code, array in stored:
        raw = _raw_bytes(array)
        entries[name] = {
            "dtype": code,
            "shape": [int(d) for d in array.shape],
            "data_offsets": [offset, offset + raw.nbytes],
        }
        checksums[_CRC_PREFIX + name] = f"{zlib.crc32(raw):08x}"
        pieces.append(raw)
        offset += raw.nbytes

    # The hash key goes last; its value is zeros while hashing and the digest afterwards, which
    # leaves every other byte of the header the same.
    header_metadata = {**user_metadata, **checksums, _HASH_KEY: _HASH_PLACEHOLDER}
    header = {_METADATA: header_metadata, **entries}
    header_metadata[_HASH_KEY] = hashlib.sha256(_dump(header)).hexdigest()
    header_bytes = _padded(_dump(header))
    return [len(header_bytes).to_bytes(8, "little"), header_bytes, *pieces]


def encode_tensors(
    tensors: Mapping[str, np.ndarray], metadata: Mapping[str, str] | None = None
) -> bytes:
    """A safetensors file holding ``tensors`` and ``metadata``, with keraslite checksums.

    Args:
        tensors: name -> array (anything ``np.asarray`` accepts) of a supported dtype.
        metadata: extra string pairs stored in the header's ``__metadata__``.
    """
    return b"".join(_encode_parts(tensors, metadata))


def save_tensors(
    path: FilePath, tensors: Mapping[str, np.ndarray], metadata: Mapping[str, str] | None = None
) -> None:
    """Atomically write ``encode_tensors(tensors, metadata)`` to ``path``."""
    parts = _encode_parts(tensors, metadata)
    with atomic_writer(path) as f:
        for part in parts:
            f.write(part)


def _no_duplicates(pairs: list) -> dict:
    result = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"the header names {key!r} twice")
        result[key] = value
    return result


def _refuse_constant(name: str):
    raise ValueError(f"the header contains {name}, which is not valid JSON")


def _finite_float(text: str) -> float:
    # 1e999 parses to inf, which could not be written back out to check the header.
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the header contains the out-of-range number {text[:20]}")
    return value


def _parse_header(raw: bytes, source: str) -> dict:
    try:
        header = json.loads(
            raw.decode("utf-8"),
            object_pairs_hook=_no_duplicates,
            parse_constant=_refuse_constant,
            parse_float=_finite_float,
        )
    except UnicodeDecodeError as exc:
        reason = f"the header is not UTF-8 text ({exc.reason} at byte {exc.start})"
        raise _corrupt(source, reason) from None
    except RecursionError:
        raise _corrupt(source, "the header JSON is nested too deeply") from None
    except ValueError as exc:  # JSONDecodeError, duplicate keys, oversized integer literals
        raise _corrupt(source, f"the header is not valid JSON: {exc}") from None
    if not isinstance(header, dict):
        raise _corrupt(source, f"the header must be a JSON object, not {type(header).__name__}")
    return header


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _validate_entry(name: str, entry, data_len: int, source: str) -> tuple:
    """Checks one tensor entry; returns (dtype, shape, begin, end) within the data section."""
    if not isinstance(entry, dict) or set(entry) != _ENTRY_FIELDS:
        fields = sorted(entry)[:6] if isinstance(entry, dict) else type(entry).__name__
        reason = f"its entry must have exactly the fields {sorted(_ENTRY_FIELDS)}; got {fields}"
        raise _corrupt(source, reason, name)
    code, shape, offsets = entry["dtype"], entry["shape"], entry["data_offsets"]
    dtype = _DTYPES.get(code) if isinstance(code, str) else None
    if dtype is None:
        raise _corrupt(source, f"unknown dtype {code!r}; known: {', '.join(_DTYPES)}", name)
    if not isinstance(shape, list) or not all(_is_int(d) and d >= 0 for d in shape):
        reason = f"shape must be a list of non-negative integers; got {shape!r}"
        raise _corrupt(source, reason, name)
    if len(shape) > _MAX_RANK:
        reason = f"shape has {len(shape)} dimensions; at most {_MAX_RANK} are supported"
        raise _corrupt(source, reason, name)
    nbytes = dtype.itemsize
    for dim in shape:
        nbytes *= dim
    # NumPy refuses a shape whose nonzero dims multiply past 2**63 even when another dim is 0.
    extent = dtype.itemsize * math.prod(d for d in shape if d)
    if extent > _MAX_BYTES:
        reason = (f"shape {shape} has dimensions whose product overflows a 64-bit size, "
                  "which no array can have (even with a zero dimension)")
        raise _unsafe(source, reason, name)
    if nbytes > _MAX_BYTES:
        reason = f"shape {shape} declares {nbytes} bytes, which overflows a 64-bit size"
        raise _unsafe(source, reason, name)
    if nbytes > data_len:
        raise _unsafe(
            source, f"shape {shape} ({code}) needs {nbytes} bytes; the file holds {data_len}", name
        )
    if not (isinstance(offsets, list) and len(offsets) == 2 and all(_is_int(o) for o in offsets)):
        raise _corrupt(source, f"data_offsets must be two integers; got {offsets!r}", name)
    begin, end = offsets
    if not 0 <= begin <= end <= data_len:
        raise _corrupt(
            source, f"data_offsets {offsets} lie outside the {data_len}-byte data section", name
        )
    if end - begin != nbytes:
        raise _corrupt(
            source,
            f"data_offsets {offsets} span {end - begin} bytes; shape {shape} {code} needs {nbytes}",
            name,
        )
    return dtype, tuple(shape), begin, end


def _check_tiling(spans: list, data_len: int, source: str) -> None:
    """Tensors must cover the data section exactly: no overlap, no gap, nothing after the last."""
    position, previous = 0, None
    for begin, end, name in sorted(spans):
        if begin < position:
            reason = f"its data overlaps tensor {previous!r} (bytes {begin}..{position})"
            raise _corrupt(source, reason, name)
        if begin > position:
            reason = f"{begin - position} unused bytes precede its data (from {position})"
            raise _corrupt(source, reason, name)
        position, previous = end, name
    if position != data_len:
        raise _corrupt(source, f"trailing data: {data_len - position} byte(s) after the last tensor")


def _verify_header(raw: bytes, header: dict, metadata: dict, names: list, source: str) -> None:
    """Checks the header hash and the checksum keys of a file that carries keraslite keys."""
    stored = metadata.get(_HASH_KEY)
    if not isinstance(stored, str):
        damaged = sorted(key for key in metadata if _has_marker(key))
        raise _corrupt(
            source,
            f"it carries keraslite checksum keys {damaged[:3]} but not {_HASH_KEY!r}; "
            "the header is damaged",
        )
    try:
        canonical = _padded(_dump(header))
    except (RecursionError, ValueError):  # nesting the parser allowed but the writer cannot
        canonical = None
    if raw != canonical:
        reason = "the header bytes are not the form keraslite writes; the header is damaged"
        raise _corrupt(source, reason)
    metadata[_HASH_KEY] = _HASH_PLACEHOLDER
    actual = hashlib.sha256(_dump(header)).hexdigest()
    metadata[_HASH_KEY] = stored
    if stored != actual:
        raise _corrupt(source, "the header checksum does not match; the header is damaged")
    expected = {_CRC_PREFIX + name for name in names} | {_HASH_KEY}
    ours = {key for key in metadata if _has_marker(key)}
    if ours != expected:
        odd = sorted(ours ^ expected)[:3]
        raise _corrupt(source, f"its checksum keys do not match its tensors (e.g. {odd})")


def _decode(buffer, source: str, copy: bool) -> tuple[dict, dict]:
    view = memoryview(buffer).cast("B")
    size = view.nbytes
    if size < 8:
        raise _corrupt(source, f"it is {size} bytes, shorter than the 8-byte header length")
    header_len = _check_header_len(int.from_bytes(view[:8], "little"), size, source)
    raw = bytes(view[8 : 8 + header_len])
    header = _parse_header(raw, source)
    data_start, data_len = 8 + header_len, size - 8 - header_len

    metadata = header.get(_METADATA, {})
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise _corrupt(source, f"'{_METADATA}' must map strings to strings")
    names = [name for name in header if name != _METADATA]
    checked = any(_has_marker(key) for key in metadata)
    if checked:
        _verify_header(raw, header, metadata, names, source)
    entries = {name: _validate_entry(name, header[name], data_len, source) for name in names}
    _check_tiling([(b, e, name) for name, (_, _, b, e) in entries.items()], data_len, source)

    if checked:
        # Every tensor is checked before any is copied, so a damaged file allocates nothing big.
        for name, (_, _, begin, end) in entries.items():
            actual = f"{zlib.crc32(view[data_start + begin : data_start + end]):08x}"
            if metadata[_CRC_PREFIX + name] != actual:
                raise _corrupt(
                    source, "its bytes fail their CRC-32 checksum; the data is damaged", name
                )

    tensors = {}
    for name, (dtype, shape, begin, end) in entries.items():
        count = (end - begin) // dtype.itemsize
        array = np.frombuffer(view, dtype=dtype, count=count, offset=data_start + begin)
        if dtype == np.bool_ and count and array.view(np.uint8).max() > 1:
            raise _corrupt(source, "a bool tensor holds bytes other than 0 and 1", name)
        array = array.reshape(shape)
        if copy:
            array = array.copy()
        if not array.dtype.isnative:
            array = array.astype(array.dtype.newbyteorder("="))
        tensors[name] = array
    user_metadata = {k: v for k, v in metadata.items() if not _has_marker(k)}
    return tensors, user_metadata


def _check_header_len(header_len: int, size: int, source: str) -> int:
    if header_len > MAX_HEADER_BYTES:
        raise _unsafe(source, f"the header declares {header_len} bytes (limit {MAX_HEADER_BYTES})")
    if 8 + header_len > size:
        raise _corrupt(
            source,
            f"the header declares {header_len} bytes but only {size - 8} follow; "
            "the file is truncated or damaged",
        )
    return header_len


def decode_tensors(
    data: bytes | bytearray | memoryview, source: str, *, copy: bool = True
) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Validates and reads a safetensors file held in memory.

    Args:
        data: the file's bytes (bytes, bytearray or memoryview).
        source: where the bytes came from; every error names it.
        copy: return independent writable arrays (default). With False, arrays are views that keep
            ``data`` alive; they are writable only when ``data`` is.

    Returns:
        (tensors, metadata): name -> array, and the user metadata without keraslite's checksum keys.

    Raises:
        CorruptFileError: the file is damaged or malformed.
        UnsafeFileError: the header declares sizes beyond the file or beyond sane limits.
    """
    return _decode(data, str(source), copy)


def load_tensors(path: FilePath) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Reads a tensor file written by ``save_tensors`` (or any safetensors writer).

    Returns:
        (tensors, metadata) as in ``decode_tensors``; the arrays are writable.

    Raises:
        FileNotFoundError: there is no file at ``path``.
        ValueError: ``path`` is not a regular file (a folder, FIFO, device), or is too large.
        CorruptFileError, UnsafeFileError: as in ``decode_tensors``.
    """
    source = os.fspath(path)
    with file_guard.open_bounded(path, "tensor file") as f:
        prefix = f.read(8)
        if len(prefix) == 8:
            # Refuse an absurd header before reading (and allocating) the whole file.
            _check_header_len(int.from_bytes(prefix, "little"), f.size, source)
        buffer = f.read_all()
    # Views into our own buffer: writable, alive as long as the arrays, and no second copy.
    return _decode(buffer, source, copy=False)
