"""Reading an HDF5 attribute of variable-length strings without libhdf5's global-heap code.

Keras 3's ``model.save("x.h5")`` stores ``layer_names`` and ``weight_names`` as variable-length
strings: the attribute holds, per string, a length and a heap ID (the address of a global heap
collection, signature ``GCOL``, and an object index in it); the text sits in that collection.
libhdf5 trusts those collections: an object of size 0 makes its collection parser loop forever,
a collection size beyond the file makes it allocate that much, and an object longer than the
string it backs is copied past the end of the buffer. So the attribute's own bytes are found
here by walking the object header, and every collection it refers to is read through the
bounded reader and checked (signature, size inside the file, every object inside the
collection, the object's length equal to the string's) before its text is decoded; libhdf5
never reads the strings.

File format reference: the HDF5 File Format Specification, version 3 (superblock, object
headers version 1 and 2, attribute, datatype and dataspace messages, global heap).
"""
from __future__ import annotations

import math
import struct

_SIGNATURE = b"\x89HDF\r\n\x1a\n"
_MSG_ATTRIBUTE = 0x000C
_MSG_CONTINUATION = 0x0010
_MAX_HEADER_BLOCKS = 1_000  # continuation blocks of one object header (Keras writes one or two)
_MAX_MESSAGES = 100_000
_MAX_COLLECTIONS = 10_000  # distinct heap collections one attribute may refer to
_GCOL_HEADER = 16  # "GCOL", version, 3 reserved bytes, 8-byte collection size


class HeapFormatError(ValueError):
    """The bytes behind an attribute do not follow the HDF5 format; the caller names the file."""


class _File:
    """Positioned, bounded reads of the raw file plus the superblock's address sizes."""

    def __init__(self, reader) -> None:
        self.reader = reader
        self.size = reader.size
        start = _superblock_offset(reader)
        version = self.read(start + 8, 1)[0]
        if version in (0, 1):
            self.offset_size, self.length_size = self.read(start + 13, 2)
            base_at = start + 24 + (4 if version == 1 else 0)
        elif version in (2, 3):
            self.offset_size, self.length_size = self.read(start + 9, 2)
            base_at = start + 12
        else:
            raise HeapFormatError(f"its superblock has an unknown version {version}")
        if self.offset_size not in (2, 4, 8) or self.length_size not in (2, 4, 8):
            raise HeapFormatError(f"its superblock declares address sizes "
                                  f"{self.offset_size}/{self.length_size}")
        self.base = self.uint(base_at, self.offset_size)

    def read(self, position: int, n: int) -> bytes:
        if position < 0 or n < 0 or position + n > self.size:
            raise HeapFormatError(f"a structure at byte {position:,} of {n:,} bytes lies beyond "
                                  f"the end of the file ({self.size:,} bytes)")
        self.reader.seek(position)
        data = self.reader.read(n)
        if len(data) != n:
            raise HeapFormatError(f"the file ended while reading byte {position:,}")
        return data

    def uint(self, position: int, n: int) -> int:
        return int.from_bytes(self.read(position, n), "little")

    def address(self, relative: int) -> int:
        """An absolute position from a file address (addresses count from the base)."""
        return self.base + relative


def _superblock_offset(reader) -> int:
    offset = 0
    while offset + 64 <= reader.size:
        reader.seek(offset)
        if reader.read(len(_SIGNATURE)) == _SIGNATURE:
            return offset
        offset = 512 if offset == 0 else offset * 2
    raise HeapFormatError("it has no HDF5 superblock")


def read_vlen_strings(reader, header_address: int, name: str, count: int) -> list[str]:
    """The ``count`` strings of the attribute ``name`` of the object whose header is at
    ``header_address`` (as ``h5py.h5o.get_info(obj.id).addr`` reports it).

    Raises:
        HeapFormatError: the header, the attribute or a heap collection is malformed, or the
            attribute is stored where this reader does not look (dense attribute storage).
    """
    f = _File(reader)
    data = _attribute_data(f, f.address(header_address), name, count)
    entry = 4 + f.offset_size + 4
    collections: dict[int, dict[int, tuple[int, int]]] = {}
    out = []
    for i in range(count):
        at = i * entry
        length = int.from_bytes(data[at:at + 4], "little")
        heap = int.from_bytes(data[at + 4:at + 4 + f.offset_size], "little")
        index = int.from_bytes(data[at + 4 + f.offset_size:at + entry], "little")
        if length == 0:
            out.append("")
            continue
        if heap not in collections:
            if len(collections) >= _MAX_COLLECTIONS:
                raise HeapFormatError(f"string {i} refers to more than {_MAX_COLLECTIONS} "
                                      "global heap collections")
            collections[heap] = _collection_objects(f, heap)
        found = collections[heap].get(index)
        if found is None:
            raise HeapFormatError(f"string {i} refers to object {index} of the global heap "
                                  f"collection at byte {f.address(heap):,}, which has no such "
                                  "object")
        begin, size = found
        if size != length:
            raise HeapFormatError(f"string {i} has length {length:,} but its global heap object "
                                  f"{index} holds {size:,} bytes")
        try:
            out.append(f.read(begin, size).decode("utf-8"))
        except UnicodeDecodeError as error:
            raise HeapFormatError(f"string {i} is not valid UTF-8 text") from error
    return out


def _collection_objects(f: _File, heap: int) -> dict[int, tuple[int, int]]:
    """{object index: (absolute start of its data, its size)} of the collection at ``heap``,
    walked the way libhdf5 walks it, refusing what would make libhdf5 loop or overrun."""
    start = f.address(heap)
    if heap == 0 or start + _GCOL_HEADER > f.size:
        raise HeapFormatError(f"a string refers to a global heap collection at byte {start:,}, "
                              f"beyond the end of the file ({f.size:,} bytes)")
    header = f.read(start, 8)
    if header[:4] != b"GCOL":
        raise HeapFormatError(f"the global heap collection at byte {start:,} has the wrong "
                              f"signature {header[:4]!r} (expected b'GCOL')")
    if header[4] != 1:
        raise HeapFormatError(f"the global heap collection at byte {start:,} has unknown "
                              f"version {header[4]}")
    size = f.uint(start + 8, f.length_size)
    head = 8 + f.length_size
    if size < head or start + size > f.size:
        raise HeapFormatError(f"the global heap collection at byte {start:,} declares {size:,} "
                              f"bytes, which do not fit in the file ({f.size:,} bytes)")
    chunk = f.read(start, size)
    object_header = 8 + f.length_size  # index (2), reference count (2), reserved (4), size
    objects: dict[int, tuple[int, int]] = {}
    p = _align8(head)
    while p < size:
        if p + object_header > size:
            break  # a tail too small for an object header is free space, as libhdf5 reads it
        index = int.from_bytes(chunk[p:p + 2], "little")
        length = int.from_bytes(chunk[p + 8:p + object_header], "little")
        # Index 0 is the free space; its size covers its own header. A zero step would make
        # libhdf5 (and this loop) parse the same object forever.
        need = length if index == 0 else object_header + _align8(length)
        if need <= 0 or p + need > size:
            raise HeapFormatError(
                f"object {index} of the global heap collection at byte {start:,} declares "
                f"{length:,} bytes, which do not fit in the collection ({size:,} bytes)")
        if index:
            objects[index] = (start + p + object_header, length)
        p += need
    return objects


def _align8(n: int) -> int:
    return (n + 7) & ~7


def _attribute_data(f: _File, header: int, name: str, count: int) -> bytes:
    """The raw data bytes of attribute ``name`` of the object header at ``header``."""
    wanted = name.encode("utf-8")
    for body in _messages(f, header, _MSG_ATTRIBUTE):
        found = _parse_attribute(f, body, wanted, count)
        if found is not None:
            return found
    raise HeapFormatError(f"the object header at byte {header:,} holds no attribute message "
                          f"'{name}' (attributes in dense storage are not read)")


def _messages(f: _File, header: int, wanted_type: int):
    """The bodies of the messages of type ``wanted_type`` in the object header at ``header``,
    following continuation blocks (each once)."""
    if f.read(header, 4) == b"OHDR":
        version_2 = True
        flags = f.read(header + 5, 1)[0]
        p = header + 6 + (16 if flags & 0x20 else 0) + (4 if flags & 0x10 else 0)
        width = 1 << (flags & 3)
        # Chunk 0's size excludes the prefix and the checksum that follows it.
        blocks = [(p + width, p + width + f.uint(p, width))]
        message_head = 4 + (2 if flags & 0x04 else 0)
    else:
        version_2 = False
        if f.read(header, 1)[0] != 1:
            raise HeapFormatError(f"the object header at byte {header:,} has an unknown version")
        blocks = [(header + 16, header + 16 + f.uint(header + 8, 4))]
        message_head = 8
    seen, messages = set(), 0
    while blocks:
        start, end = blocks.pop(0)
        if start in seen or len(seen) >= _MAX_HEADER_BLOCKS:
            raise HeapFormatError(f"the object header at byte {header:,} has looping or too "
                                  "many continuation blocks")
        seen.add(start)
        f.read(start, max(end - start, 0))  # the whole block must lie inside the file
        p = start
        while p + message_head <= end:
            messages += 1
            if messages > _MAX_MESSAGES:
                raise HeapFormatError(f"the object header at byte {header:,} holds more than "
                                      f"{_MAX_MESSAGES} messages")
            if version_2:
                kind, size = f.read(p, 1)[0], f.uint(p + 1, 2)
            else:
                kind, size = f.uint(p, 2), f.uint(p + 2, 2)
            body_at = p + message_head
            if body_at + size > end:
                raise HeapFormatError(f"a message in the object header at byte {header:,} runs "
                                      "past its block")
            if kind == _MSG_CONTINUATION:
                body = f.read(body_at, f.offset_size + f.length_size)
                to = f.address(int.from_bytes(body[:f.offset_size], "little"))
                size_of = int.from_bytes(body[f.offset_size:], "little")
                if version_2:
                    if f.read(to, 4) != b"OCHK":
                        raise HeapFormatError(f"a continuation block at byte {to:,} has the "
                                              "wrong signature")
                    # A continuation block is "OCHK", messages, then a 4-byte checksum.
                    blocks.append((to + 4, to + size_of - 4))
                else:
                    blocks.append((to, to + size_of))
            elif kind == wanted_type:
                yield f.read(body_at, size)
            p = body_at + (size if version_2 else _align8(size))


def _parse_attribute(f: _File, body: bytes, wanted: bytes, count: int) -> bytes | None:
    """The data of an attribute message when it is named ``wanted`` and holds ``count``
    variable-length strings; None for an attribute of another name."""
    if len(body) < 8:
        raise HeapFormatError("an attribute message is truncated")
    version, flags = body[0], body[1]
    name_size, type_size, space_size = struct.unpack_from("<HHH", body, 2)
    if version == 1:
        p, pad = 8, _align8
    elif version in (2, 3):
        p, pad = 8 + (1 if version == 3 else 0), (lambda n: n)
    else:
        raise HeapFormatError(f"an attribute message has unknown version {version}")
    name = body[p:p + name_size].rstrip(b"\x00")
    if name != wanted:
        return None
    p += pad(name_size)
    if flags & 0x03:
        raise HeapFormatError(f"attribute '{wanted.decode()}' uses a shared datatype or "
                              "dataspace, which this reader does not follow")
    datatype = body[p:p + type_size]
    p += pad(type_size)
    dataspace = body[p:p + space_size]
    p += pad(space_size)
    if len(datatype) < 8 or datatype[0] & 0x0F != 9 or datatype[1] & 0x0F != 1:
        raise HeapFormatError(f"attribute '{wanted.decode()}' is not of variable-length string "
                              "type")
    elements = _dataspace_elements(dataspace, f.length_size)
    if elements != count:
        raise HeapFormatError(f"attribute '{wanted.decode()}' holds {elements} strings in its "
                              f"header but {count} by libhdf5's account")
    needed = count * (4 + f.offset_size + 4)
    if p + needed > len(body):
        raise HeapFormatError(f"attribute '{wanted.decode()}' declares {count:,} strings but its "
                              f"message holds only {max(len(body) - p, 0):,} bytes of data")
    return body[p:p + needed]


def _dataspace_elements(space: bytes, width: int) -> int:
    if len(space) < 4:
        raise HeapFormatError("an attribute's dataspace message is truncated")
    version, rank = space[0], space[1]
    if version == 1:
        dims_at = 8
    elif version == 2:
        if space[3] == 2:  # the null dataspace holds nothing
            return 0
        dims_at = 4
    else:
        raise HeapFormatError(f"an attribute's dataspace has unknown version {version}")
    if len(space) < dims_at + rank * width:
        raise HeapFormatError("an attribute's dataspace message is truncated")
    dims = [int.from_bytes(space[dims_at + i * width:dims_at + (i + 1) * width], "little")
            for i in range(rank)]
    return math.prod(dims)
