"""Tensor files: round trips, safetensors interop, strict validation, and detection of any damage."""
import json
import random
import struct
import time

import ml_dtypes
import numpy as np
import pytest
import safetensors
import safetensors.numpy

from keraslite.saving.errors import CorruptFileError, UnsafeFileError
from keraslite.saving.tensor_file import (
    decode_tensors,
    encode_tensors,
    load_tensors,
    save_tensors,
)

SOURCE = "crafted.safetensors"
DTYPES = [
    np.float16, np.float32, np.float64, ml_dtypes.bfloat16,
    ml_dtypes.float8_e4m3fn, ml_dtypes.float8_e5m2,
    np.int8, np.int16, np.int32, np.int64,
    np.uint8, np.uint16, np.uint32, np.uint64, np.bool_,
]
SHAPES = [(), (0,), (3, 0, 2), (5,), (2, 3, 4)]


def _sample(dtype, shape):
    values = np.arange(int(np.prod(shape)), dtype=np.int64).reshape(shape)
    if dtype == np.bool_:
        return values % 2 == 1
    return (values % 7 - 3 if np.dtype(dtype).kind in "fib" else values % 7).astype(dtype)


def _same(a, b):
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def _craft(header, data=b"", header_len=None) -> bytes:
    raw = header if isinstance(header, bytes) else json.dumps(header).encode()
    return struct.pack("<Q", len(raw) if header_len is None else header_len) + raw + data


def _entry(dtype, shape, begin, end):
    return {"dtype": dtype, "shape": shape, "data_offsets": [begin, end]}


# --- round trips ---------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
def test_round_trip_every_dtype_and_shape(dtype):
    tensors = {f"t{i}": _sample(dtype, shape) for i, shape in enumerate(SHAPES)}
    decoded, metadata = decode_tensors(encode_tensors(tensors), SOURCE)
    assert list(sorted(decoded)) == sorted(tensors)
    for name, value in tensors.items():
        assert _same(decoded[name], value), name
    assert metadata == {}


def test_mixed_dtypes_metadata_and_odd_names():
    tensors = {
        "dense/kernel": np.ones((3, 2), np.float32),
        "dense/bias": np.zeros((2,), ml_dtypes.bfloat16),
        "step": np.int64(7),
        "flag": np.array(True),
        "unicodé name": np.arange(3, dtype=np.uint8),
        "": np.float16(1.5),
    }
    metadata = {"format": "keraslite-weights", "note": "ünïcode ✓"}
    decoded, got = decode_tensors(encode_tensors(tensors, metadata), SOURCE)
    assert got == metadata
    for name, value in tensors.items():
        assert _same(decoded[name], np.asarray(value)), name


def test_inputs_that_need_conversion():
    big_endian = np.arange(6, dtype=">i4").reshape(2, 3)
    transposed = np.arange(6, dtype=np.float32).reshape(2, 3).T
    decoded, _ = decode_tensors(
        encode_tensors({"be": big_endian, "t": transposed, "list": [1.0, 2.0]}), SOURCE
    )
    assert decoded["be"].dtype == np.int32 and decoded["be"].dtype.isnative
    np.testing.assert_array_equal(decoded["be"], big_endian)
    np.testing.assert_array_equal(decoded["t"], transposed)
    np.testing.assert_array_equal(decoded["list"], [1.0, 2.0])


def test_decoded_arrays_are_independent_and_writable():
    data = encode_tensors({"w": np.ones(4, np.float32)})
    decoded, _ = decode_tensors(data, SOURCE)
    decoded["w"][0] = 5.0
    again, _ = decode_tensors(data, SOURCE)
    assert again["w"][0] == 1.0
    views, _ = decode_tensors(bytearray(data), SOURCE, copy=False)
    views["w"][1] = 3.0  # a writable buffer gives writable views
    read_only, _ = decode_tensors(data, SOURCE, copy=False)
    assert not read_only["w"].flags.writeable


def test_save_and_load_file(tmp_path):
    path = tmp_path / "weights.safetensors"
    tensors = {"a": np.arange(10, dtype=np.float64), "b": np.zeros((0, 3), np.int8)}
    save_tensors(path, tensors, {"k": "v"})
    loaded, metadata = load_tensors(path)
    assert metadata == {"k": "v"}
    for name in tensors:
        assert _same(loaded[name], tensors[name])
    loaded["a"][0] = 42.0  # writable
    assert [p.name for p in tmp_path.iterdir()] == ["weights.safetensors"]


def test_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_tensors(tmp_path / "nope.safetensors")


def test_bad_arguments_on_encode():
    with pytest.raises(ValueError, match="'objs' has dtype object"):
        encode_tensors({"objs": np.array([{}, None], dtype=object)})
    with pytest.raises(ValueError, match="'c' has dtype complex64"):
        encode_tensors({"c": np.ones(2, np.complex64)})
    with pytest.raises(ValueError, match="reserved"):
        encode_tensors({"x": np.ones(1)}, {"__keraslite_sha256__": "0"})
    with pytest.raises(ValueError, match="reserved"):
        encode_tensors({"x": np.ones(1)}, {"my_crc32__": "0"})
    with pytest.raises(TypeError, match="strings to strings"):
        encode_tensors({"x": np.ones(1)}, {"epoch": 3})
    with pytest.raises(ValueError, match="__metadata__"):
        encode_tensors({"__metadata__": np.ones(1)})
    with pytest.raises(TypeError, match="names must be strings"):
        encode_tensors({3: np.ones(1)})


def test_large_tensors_are_fast():
    tensors = {"big": np.ones(16 * 2**20, np.float32), "small": np.ones(10, np.float16)}
    start = time.perf_counter()
    data = encode_tensors(tensors)
    decoded, _ = decode_tensors(data, SOURCE)
    assert time.perf_counter() - start < 3.0
    assert decoded["big"].shape == (16 * 2**20,)


# --- interop with the safetensors package ---------------------------------------------------


def test_safetensors_library_reads_our_files(tmp_path):
    tensors = {
        f"{np.dtype(d).name}/{i}": _sample(d, s)
        for d in DTYPES
        for i, s in enumerate(SHAPES)
    }
    data = encode_tensors(tensors, {"format": "x"})
    raw = dict(safetensors.deserialize(data))  # every dtype, including BF16 and F8
    for name, value in tensors.items():
        assert raw[name]["shape"] == list(value.shape)
        assert bytes(raw[name]["data"]) == value.tobytes()

    path = tmp_path / "ours.safetensors"
    save_tensors(path, tensors, {"format": "x"})
    numpy_native = {n: v for n, v in tensors.items() if "float8" not in n and "bfloat" not in n}
    with safetensors.safe_open(str(path), framework="numpy") as f:
        assert f.metadata()["format"] == "x"
        for name, value in numpy_native.items():
            assert _same(f.get_tensor(name), value), name
    loaded = safetensors.numpy.load(encode_tensors(numpy_native))
    for name, value in numpy_native.items():
        assert _same(loaded[name], value), name


def test_we_read_files_written_by_safetensors(tmp_path):
    tensors = {
        "w": np.arange(12, dtype=np.float32).reshape(3, 4),
        "b": np.arange(3, dtype=np.int64),
        "h": np.ones((2, 2), np.float16),
        "flag": np.array([True, False]),
        "empty": np.zeros((0,), np.uint8),
        "scalar": np.array(2.5, np.float64),
    }
    data = safetensors.numpy.save(tensors, metadata={"framework": "other"})
    decoded, metadata = decode_tensors(data, SOURCE)
    assert metadata == {"framework": "other"}
    for name, value in tensors.items():
        assert _same(decoded[name], value), name
    path = tmp_path / "theirs.safetensors"
    safetensors.numpy.save_file(tensors, str(path))
    loaded, metadata = load_tensors(path)
    assert metadata == {}
    assert _same(loaded["w"], tensors["w"])


# --- crafted and malformed inputs -----------------------------------------------------------

_F32_2 = _entry("F32", [2], 0, 8)

CRAFTED = {
    "shorter than the length prefix": (b"\x01\x02", CorruptFileError, None),
    "header length > file": (_craft({"a": _F32_2}, bytes(8), header_len=4000), CorruptFileError, None),
    "header length 2**64-1": (_craft(b"{}", header_len=2**64 - 1), UnsafeFileError, None),
    "header length over 100 MB": (_craft(b"{}", header_len=100_000_001), UnsafeFileError, None),
    "header not JSON": (_craft(b"{not json"), CorruptFileError, None),
    "header not UTF-8": (_craft(b'{"\xff": 1}'), CorruptFileError, None),
    "header a list": (_craft([1, 2]), CorruptFileError, None),
    "header nested deeply": (_craft(b"[" * 200_000 + b"]" * 200_000), CorruptFileError, None),
    "header NaN": (_craft(b'{"__metadata__": NaN}'), CorruptFileError, None),
    "duplicate keys": (
        _craft(b'{"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}, '
               b'"a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}', bytes(8)),
        CorruptFileError, "'a'",
    ),
    "unknown dtype": (_craft({"a": _entry("F128", [1], 0, 16)}, bytes(16)), CorruptFileError, "'a'"),
    "dtype not a string": (_craft({"a": _entry(4, [1], 0, 4)}, bytes(4)), CorruptFileError, "'a'"),
    "negative shape": (_craft({"a": _entry("F32", [-2], 0, 8)}, bytes(8)), CorruptFileError, "'a'"),
    "float shape": (_craft({"a": _entry("F32", [2.0], 0, 8)}, bytes(8)), CorruptFileError, "'a'"),
    "bool shape": (_craft({"a": _entry("U8", [True], 0, 1)}, bytes(1)), CorruptFileError, "'a'"),
    "string shape": (_craft({"a": _entry("F32", "2", 0, 8)}, bytes(8)), CorruptFileError, "'a'"),
    "shape overflowing int64": (
        _craft({"a": _entry("F64", [2**32, 2**32], 0, 8)}, bytes(8)), UnsafeFileError, "'a'"),
    "shape far larger than the file": (
        _craft({"a": _entry("F32", [1000, 1000], 0, 8)}, bytes(8)), UnsafeFileError, "'a'"),
    "too many dimensions": (_craft({"a": _entry("U8", [1] * 40, 0, 1)}, bytes(1)), CorruptFileError, "'a'"),
    "offsets beyond data": (_craft({"a": _entry("F32", [2], 4, 12)}, bytes(8)), CorruptFileError, "'a'"),
    "negative offset": (_craft({"a": _entry("F32", [2], -8, 0)}, bytes(8)), CorruptFileError, "'a'"),
    "offsets reversed": (_craft({"a": _entry("U8", [0], 5, 4)}, bytes(8)), CorruptFileError, "'a'"),
    "offsets not a pair": (
        _craft({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0]}}, bytes(8)),
        CorruptFileError, "'a'"),
    "span differs from shape": (_craft({"a": _entry("F32", [1], 0, 8)}, bytes(8)), CorruptFileError, "'a'"),
    "overlapping tensors": (
        _craft({"a": _entry("F32", [2], 0, 8), "b": _entry("F32", [2], 4, 12)}, bytes(12)),
        CorruptFileError, "'b'"),
    "gap between tensors": (
        _craft({"a": _entry("F32", [1], 0, 4), "b": _entry("F32", [1], 8, 12)}, bytes(12)),
        CorruptFileError, "'b'"),
    "trailing bytes": (_craft({"a": _F32_2}, bytes(9)), CorruptFileError, "trailing data"),
    "extra entry field": (
        _craft({"a": {**_F32_2, "extra": 1}}, bytes(8)), CorruptFileError, "'a'"),
    "entry not an object": (_craft({"a": [1, 2]}, bytes(8)), CorruptFileError, "'a'"),
    "metadata not strings": (_craft({"__metadata__": {"k": 1}}), CorruptFileError, "__metadata__"),
    "metadata a list": (_craft({"__metadata__": ["k"]}), CorruptFileError, "__metadata__"),
    "bool byte 2": (_craft({"a": _entry("BOOL", [2], 0, 2)}, b"\x01\x02"), CorruptFileError, "'a'"),
    "header float": (_craft({"a": _entry("F32", [1e999], 0, 4)}, bytes(4)), CorruptFileError, None),
    "checksummed, nested deeply": (
        _craft(b'{"__metadata__":{"__keraslite_sha256__":"0"},"a":' + b"[" * 990 + b"]" * 990
               + b"}"),
        CorruptFileError, None),
    "damaged hash key name": (
        _craft({"__metadata__": {"__keraslite_sha256_X": "0" * 64}, "a": _F32_2}, bytes(8)),
        CorruptFileError, "damaged"),
    "checksum key without hash": (
        _craft({"__metadata__": {"__keraslite_crc32__:a": "00000000"}, "a": _F32_2}, bytes(8)),
        CorruptFileError, "damaged"),
}


@pytest.mark.parametrize("case", list(CRAFTED))
def test_crafted_files_are_refused(case, tmp_path):
    data, error, detail = CRAFTED[case]
    with pytest.raises(error) as info:
        decode_tensors(data, SOURCE)
    assert type(info.value) is error
    assert SOURCE in str(info.value)
    if detail is not None:
        assert detail in str(info.value)
    path = tmp_path / "crafted.safetensors"
    path.write_bytes(data)
    with pytest.raises(error, match="crafted.safetensors"):
        load_tensors(path)


def test_hash_valid_but_checksums_missing_is_corrupt():
    data = bytearray(encode_tensors({"a": np.ones(2, np.float32)}))
    header_len = struct.unpack_from("<Q", data)[0]
    header = json.loads(bytes(data[8 : 8 + header_len]))
    header["b"] = {"dtype": "F32", "shape": [0], "data_offsets": [8, 8]}  # no CRC for "b"
    with pytest.raises(CorruptFileError):
        decode_tensors(_craft(json.dumps(header, separators=(",", ":")).encode(),
                              bytes(data[8 + header_len :])), SOURCE)


# --- damage detection ---------------------------------------------------------------------


def _small_file() -> bytes:
    return encode_tensors(
        {
            "dense/kernel": np.arange(6, dtype=np.float32).reshape(2, 3),
            "bias": np.array([1.5, -2.0], ml_dtypes.bfloat16),
            "step": np.int64(3),
            "mask": np.array([True, False, True]),
            "empty": np.zeros((0, 2), np.int16),
        },
        {"format": "keraslite-weights", "version": "1"},
    )


def _decode_must_refuse(data: bytes) -> str | None:
    """None when ``data`` is refused properly, else what happened instead."""
    try:
        decode_tensors(data, SOURCE)
    except (CorruptFileError, UnsafeFileError) as exc:
        return None if SOURCE in str(exc) else f"message lacks the source: {exc}"
    except Exception as exc:  # noqa: BLE001 - any other type is the failure being tested
        return f"{type(exc).__name__}: {exc}"
    return "decoded without error"


def test_every_single_bit_flip_is_detected():
    original = _small_file()
    assert len(original) < 2000
    failures = []
    for byte in range(len(original)):
        for bit in range(8):
            damaged = bytearray(original)
            damaged[byte] ^= 1 << bit
            problem = _decode_must_refuse(bytes(damaged))
            if problem:
                failures.append((byte, bit, problem))
    assert failures == []


def test_every_truncation_is_detected():
    original = _small_file()
    failures = [
        (n, problem) for n in range(len(original))
        if (problem := _decode_must_refuse(original[:n]))
    ]
    assert failures == []


def test_random_bit_flips_in_large_data_are_detected():
    original = encode_tensors({"w": np.random.default_rng(0).random(50_000).astype(np.float32)})
    rng = random.Random(1)
    for _ in range(300):
        damaged = bytearray(original)
        damaged[rng.randrange(len(original))] ^= 1 << rng.randrange(8)
        assert _decode_must_refuse(bytes(damaged)) is None
