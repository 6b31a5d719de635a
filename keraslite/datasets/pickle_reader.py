"""A reader for the pickle files Keras's datasets are published in, that never unpickles.

CIFAR-10/100 ship Python-2 pickles of ``{"data": uint8 array, "labels": [int, ...], ...}`` and the
IMDB/Reuters ``.npz`` files store ragged sequences as pickled object arrays of ``list[int]``.
``pickle.load`` on such a file runs whatever callables the file names, so keraslite reads them
with this small interpreter of the pickle opcodes instead. It understands only plain data:
None, bools, ints, floats, bytes and strings, tuples, lists, dicts, and NumPy arrays written by
``numpy.ndarray.__reduce__``. The three NumPy names such an array refers to
(``multiarray._reconstruct``, ``ndarray``, ``dtype``) are recognised by name and rebuilt here
from their arguments: no function named by the file is ever looked up or called. Any other
global, object construction, extension code or persistent id raises ``UnsafeFileError``.

Python-2 ``str`` objects (``BINSTRING``) come back as ``bytes``, like ``encoding="bytes"``.
"""
from __future__ import annotations

import struct

import numpy as np

_ALLOWED_GLOBALS = {
    ("numpy.core.multiarray", "_reconstruct"): "reconstruct",
    ("numpy._core.multiarray", "_reconstruct"): "reconstruct",
    ("numpy", "ndarray"): "ndarray",
    ("numpy", "dtype"): "dtype",
    # Protocol-2 pickles written by Python 3 spell bytes as _codecs.encode(text, "latin1").
    ("_codecs", "encode"): "encode",
}
# NumPy dtypes an array in these files may have (object arrays hold the lists of a ragged set).
_ALLOWED_KINDS = "biufO"
_MAX_DEPTH = 64


class UnsafeFileError(ValueError):
    """A pickle holds something other than plain data and NumPy arrays; nothing ran."""


class _Mark:
    pass


_MARK = _Mark()


class _Global:
    def __init__(self, role: str):
        self.role = role


class _DtypeStub:
    """``numpy.dtype(descr, ...)`` before its BUILD sets the byte order."""

    def __init__(self, descr):
        if not isinstance(descr, (str, bytes)):
            raise UnsafeFileError(f"a pickled NumPy dtype has descriptor {descr!r}")
        descr = descr.decode("ascii") if isinstance(descr, bytes) else descr
        try:
            self.dtype = np.dtype(descr)
        except TypeError as error:
            raise UnsafeFileError(f"unknown pickled NumPy dtype {descr!r}") from error
        if self.dtype.kind not in _ALLOWED_KINDS or self.dtype.fields is not None:
            raise UnsafeFileError(f"pickled NumPy dtype {descr!r} is not a plain number type")

    def build(self, state):
        if isinstance(state, tuple) and len(state) >= 2 and state[1] in ("<", ">", "|", "="):
            if state[1] in "<>":
                self.dtype = self.dtype.newbyteorder(state[1])
        return self


class _ArrayStub:
    """``_reconstruct(ndarray, (0,), b"b")`` before its BUILD supplies shape, dtype and data."""

    array = None

    def build(self, state):
        if not (isinstance(state, tuple) and len(state) == 5):
            raise UnsafeFileError("a pickled NumPy array has a malformed state")
        _, shape, dtype, fortran, data = state
        if not isinstance(dtype, _DtypeStub) or not isinstance(shape, tuple) or not all(
                isinstance(n, int) and n >= 0 for n in shape):
            raise UnsafeFileError("a pickled NumPy array has a malformed shape or dtype")
        dtype = dtype.dtype
        count = int(np.prod(shape, dtype=np.int64)) if shape else 1
        order = "F" if fortran else "C"
        if dtype.kind == "O":
            if not isinstance(data, list) or len(data) != count:
                raise UnsafeFileError("a pickled object array does not hold one item per slot")
            array = np.empty(count, dtype=object)
            array[:] = [_resolve(item) for item in data]
            self.array = array.reshape(shape, order=order)
        else:
            if not isinstance(data, (bytes, bytearray)) or len(data) != count * dtype.itemsize:
                raise UnsafeFileError(
                    f"a pickled array of shape {shape} and dtype {dtype} holds "
                    f"{len(data) if isinstance(data, (bytes, bytearray)) else 'no'} data bytes")
            self.array = np.frombuffer(bytes(data), dtype=dtype).reshape(shape, order=order)
        return self


def _resolve(value, depth=0):
    """Replaces finished array stubs by their arrays inside containers."""
    if depth > _MAX_DEPTH:
        raise UnsafeFileError(f"the pickle nests containers deeper than {_MAX_DEPTH} levels")
    if isinstance(value, _ArrayStub):
        if value.array is None:
            raise UnsafeFileError("a pickled NumPy array was never given its data")
        return value.array
    if isinstance(value, list):
        for i, item in enumerate(value):
            if not isinstance(item, (int, float, bytes, str)):
                value[i] = _resolve(item, depth + 1)
        return value
    if isinstance(value, tuple):
        return tuple(_resolve(item, depth + 1) for item in value)
    if isinstance(value, dict):
        return {key: _resolve(item, depth + 1) for key, item in value.items()}
    if isinstance(value, (_DtypeStub, _Global)):
        raise UnsafeFileError("the pickle's result is a bare NumPy name")
    return value


def _reduce(func, args):
    if not isinstance(func, _Global) or not isinstance(args, tuple):
        raise UnsafeFileError("the pickle calls something other than NumPy's array constructors")
    if func.role == "reconstruct":
        if len(args) != 3 or not (isinstance(args[0], _Global) and args[0].role == "ndarray"):
            raise UnsafeFileError("multiarray._reconstruct is called with unexpected arguments")
        return _ArrayStub()
    if func.role == "dtype" and args:
        return _DtypeStub(args[0])
    if func.role == "encode" and len(args) == 2 and isinstance(args[0], str) and args[1] in (
            "latin1", "latin-1"):
        return args[0].encode("latin1")
    raise UnsafeFileError(f"the pickle calls numpy.{func.role} with arguments {args!r}")


def _pop_mark(stack: list) -> list:
    for i in range(len(stack) - 1, -1, -1):
        if stack[i] is _MARK:
            items = stack[i + 1:]
            del stack[i:]
            return items
    raise UnsafeFileError("the pickle closes a MARK it never opened")


_INT_FORMATS = {0x4B: ("<B", 1), 0x4D: ("<H", 2), 0x4A: ("<i", 4)}  # BININT1, BININT2, BININT
_LENGTHS = {  # opcode -> (length format, length size, kind)
    0x55: ("<B", 1, "bytes"), 0x54: ("<i", 4, "bytes"),  # SHORT_BINSTRING, BINSTRING (Py2 str)
    0x43: ("<B", 1, "bytes"), 0x42: ("<I", 4, "bytes"),  # SHORT_BINBYTES, BINBYTES
    0x8E: ("<Q", 8, "bytes"), 0x96: ("<Q", 8, "bytes"),  # BINBYTES8, BYTEARRAY8
    0x8C: ("<B", 1, "str"), 0x58: ("<I", 4, "str"), 0x8D: ("<Q", 8, "str"),  # *BINUNICODE*
}


def loads(data: bytes):
    """The plain-data value of the pickle ``data`` (see the module docstring for what is read).

    Raises:
        UnsafeFileError: the pickle holds anything but plain data and NumPy arrays, or is
            malformed or truncated.
    """
    data = bytes(data)
    view = memoryview(data)
    size = len(view)
    stack: list = []
    memo: dict = {}
    pos = 0
    unpack_from = struct.unpack_from
    try:
        while True:
            op = view[pos]
            pos += 1
            fmt = _INT_FORMATS.get(op)
            if fmt is not None:  # the bulk of a ragged set: one opcode per word index
                stack.append(unpack_from(fmt[0], view, pos)[0])
                pos += fmt[1]
            elif op in _LENGTHS:
                length_format, width, kind = _LENGTHS[op]
                n = unpack_from(length_format, view, pos)[0]
                pos += width
                if n < 0 or pos + n > size:
                    raise UnsafeFileError("a string in the pickle runs past the end of the file")
                raw = bytes(view[pos:pos + n])
                pos += n
                stack.append(raw.decode("utf-8") if kind == "str" else raw)
            elif op == 0x28:  # MARK
                stack.append(_MARK)
            elif op == 0x5D:  # EMPTY_LIST
                stack.append([])
            elif op == 0x65:  # APPENDS
                items = _pop_mark(stack)
                _expect(stack[-1], list).extend(items)
            elif op == 0x61:  # APPEND
                item = stack.pop()
                _expect(stack[-1], list).append(item)
            elif op in (0x71, 0x72):  # BINPUT, LONG_BINPUT
                key = view[pos] if op == 0x71 else unpack_from("<I", view, pos)[0]
                pos += 1 if op == 0x71 else 4
                memo[key] = stack[-1]
            elif op == 0x94:  # MEMOIZE
                memo[len(memo)] = stack[-1]
            elif op in (0x68, 0x6A):  # BINGET, LONG_BINGET
                key = view[pos] if op == 0x68 else unpack_from("<I", view, pos)[0]
                pos += 1 if op == 0x68 else 4
                if key not in memo:
                    raise UnsafeFileError(f"the pickle refers to memo entry {key} it never made")
                stack.append(memo[key])
            elif op == 0x7D:  # EMPTY_DICT
                stack.append({})
            elif op in (0x73, 0x75):  # SETITEM, SETITEMS
                items = [stack.pop(), stack.pop()][::-1] if op == 0x73 else _pop_mark(stack)
                if len(items) % 2:
                    raise UnsafeFileError("SETITEMS has an odd number of items")
                target = _expect(stack[-1], dict)
                for key, value in zip(items[::2], items[1::2]):
                    if not isinstance(key, (str, bytes, int)):
                        raise UnsafeFileError(f"a dict key in the pickle is a {type(key)}")
                    target[key] = value
            elif op == 0x29:  # EMPTY_TUPLE
                stack.append(())
            elif op in (0x85, 0x86, 0x87):  # TUPLE1..3
                n = op - 0x84
                items = tuple(stack[-n:])
                del stack[-n:]
                stack.append(items)
            elif op == 0x74:  # TUPLE
                stack.append(tuple(_pop_mark(stack)))
            elif op == 0x6C:  # LIST
                stack.append(_pop_mark(stack))
            elif op == 0x64:  # DICT
                items = _pop_mark(stack)
                stack.append(dict(zip(items[::2], items[1::2])))
            elif op == 0x4E:  # NONE
                stack.append(None)
            elif op in (0x88, 0x89):  # NEWTRUE, NEWFALSE
                stack.append(op == 0x88)
            elif op in (0x8A, 0x8B):  # LONG1, LONG4
                n = view[pos] if op == 0x8A else unpack_from("<i", view, pos)[0]
                pos += 1 if op == 0x8A else 4
                if n > 64:
                    raise UnsafeFileError("an integer in the pickle is implausibly long")
                stack.append(int.from_bytes(view[pos:pos + n], "little", signed=True))
                pos += n
            elif op == 0x47:  # BINFLOAT
                stack.append(unpack_from(">d", view, pos)[0])
                pos += 8
            elif op in (0x63, 0x93):  # GLOBAL, STACK_GLOBAL
                if op == 0x63:
                    end1 = data.index(b"\n", pos)
                    end2 = data.index(b"\n", end1 + 1)
                    module = data[pos:end1].decode("ascii")
                    name = data[end1 + 1:end2].decode("ascii")
                    pos = end2 + 1
                else:
                    name, module = stack.pop(), stack.pop()
                role = _ALLOWED_GLOBALS.get((module, name))
                if role is None:
                    raise UnsafeFileError(
                        f"the pickle names {module}.{name}; only NumPy's array constructors "
                        "are understood, and nothing named in a file is ever run")
                stack.append(_Global(role))
            elif op == 0x52:  # REDUCE
                args = stack.pop()
                stack[-1] = _reduce(stack[-1], args)
            elif op == 0x62:  # BUILD
                state = stack.pop()
                target = stack[-1]
                if not isinstance(target, (_ArrayStub, _DtypeStub)):
                    raise UnsafeFileError(f"the pickle sets the state of a {type(target)}")
                target.build(state)
            elif op == 0x80:  # PROTO
                if view[pos] > 5:
                    raise UnsafeFileError(f"pickle protocol {view[pos]} is not understood")
                pos += 1
            elif op == 0x95:  # FRAME: a length prefix only
                pos += 8
            elif op == 0x2E:  # STOP
                if len(stack) != 1:
                    raise UnsafeFileError("the pickle ends with a malformed stack")
                return _resolve(stack[0])
            else:
                raise UnsafeFileError(
                    f"the pickle uses opcode {bytes([op])!r} at byte {pos - 1}, which builds "
                    "objects keraslite does not read from files")
    except (IndexError, struct.error, ValueError) as error:
        if isinstance(error, UnsafeFileError):
            raise
        raise UnsafeFileError(f"the pickle is truncated or malformed near byte {pos}") from error


def _expect(value, kind):
    if not isinstance(value, kind):
        raise UnsafeFileError(f"the pickle adds items to a {type(value).__name__}")
    return value
