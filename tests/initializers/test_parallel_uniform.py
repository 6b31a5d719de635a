"""Split uniform draws equal one sequential NumPy draw bit for bit: the values and the
generator's state afterwards, whatever half output the generator held before."""
import math

import numpy as np
import pytest

from keraslite import initializers
from keraslite.initializers import parallel_uniform


@pytest.fixture
def small_pieces(monkeypatch):
    """Threads for draws of a few values, so small arrays exercise the split path."""
    monkeypatch.setattr(parallel_uniform, "_MIN_VALUES_PER_THREAD", 2)
    monkeypatch.setattr(parallel_uniform, "_threads", lambda n: max(1, min(3, n // 2)))


@pytest.mark.parametrize("shape", [(1,), (2,), (7,), (3, 5, 4), (1000, 3)])
@pytest.mark.parametrize("held_half", [False, True])
def test_split_draw_equals_sequential_draw(small_pieces, shape, held_half):
    reference, split = np.random.default_rng(11), np.random.default_rng(11)
    if held_half:  # one float32 value leaves half a 64-bit output for the next value
        reference.random(dtype=np.float32), split.random(dtype=np.float32)
    expected = reference.random(shape, dtype=np.float32)
    expected *= 0.6
    expected += -0.3
    got = parallel_uniform.uniform_float32(split, shape, 0.6, -0.3)
    assert got.shape == shape and got.dtype == np.float32
    np.testing.assert_array_equal(got, expected)
    assert split.bit_generator.state == reference.bit_generator.state
    np.testing.assert_array_equal(split.random(5, dtype=np.float32),
                                  reference.random(5, dtype=np.float32))


def test_initializer_values_unchanged_by_the_split(small_pieces):
    init = initializers.GlorotUniform(seed=3)
    limit = math.sqrt(3.0 * (1.0 / ((40 + 30) / 2.0)))  # variance 1 / fan_avg
    expected = np.random.default_rng(3).random((40, 30), dtype=np.float32)
    expected *= 2 * limit
    expected += -limit
    np.testing.assert_array_equal(init((40, 30), dtype="float32"), expected)


def test_other_generators_draw_sequentially():
    rng = np.random.Generator(np.random.Philox(5))
    expected = np.random.Generator(np.random.Philox(5)).random((4, 4), dtype=np.float32)
    np.testing.assert_array_equal(parallel_uniform.uniform_float32(rng, (4, 4), 1.0, 0.0),
                                  expected)


@pytest.mark.parametrize("threads", [False, True])
def test_block_at_a_time_draw_equals_one_draw(monkeypatch, threads, small_pieces):
    """Blocks smaller than the pieces (and an odd block size, so blocks split 64-bit outputs)
    leave the values and the generator state those of one call."""
    monkeypatch.setattr(parallel_uniform, "_BLOCK", 3)
    if not threads:
        monkeypatch.setattr(parallel_uniform, "_threads", lambda n: 1)
    reference, split = np.random.default_rng(5), np.random.default_rng(5)
    expected = reference.random((4, 25), dtype=np.float32)
    expected *= 2.5
    expected += 1.0
    got = parallel_uniform.uniform_float32(split, (4, 25), 2.5, 1.0)
    np.testing.assert_array_equal(got, expected)
    assert split.bit_generator.state == reference.bit_generator.state


@pytest.mark.parametrize("distribution", ["truncated_normal", "untruncated_normal", "uniform"])
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
def test_variance_scaling_draws_equal_numpy_expressions(monkeypatch, distribution, dtype):
    """Block-wise draws into aligned arrays give what plain NumPy calls give, in every dtype."""
    from keraslite.initializers import random_initializers

    monkeypatch.setattr(random_initializers, "_BLOCK", 7)
    monkeypatch.setattr(parallel_uniform, "_BLOCK", 7)
    shape = (30, 4, 5)  # ~27 values out of range, redrawn over several rounds
    draw = np.float64 if dtype == "float64" else np.float32
    rng = np.random.default_rng(9)
    if distribution == "uniform":
        limit = math.sqrt(3.0 * 2.0 / 120.0)  # scale 2, fan_in 4 inputs x 30 taps
        expected = rng.random(shape, dtype=draw) * draw(2 * limit) + draw(-limit)
    else:
        expected = rng.standard_normal(shape, dtype=draw)
        if distribution == "truncated_normal":
            bad = np.abs(expected) > 2.0
            while bad.any():
                expected[bad] = rng.standard_normal(int(bad.sum()), dtype=draw)
                bad = np.abs(expected) > 2.0
            std = math.sqrt(2.0 / 120.0) / random_initializers._TRUNCATED_STD
        else:
            std = math.sqrt(2.0 / 120.0)
        expected = expected * draw(std) + draw(0.0)
    init = initializers.VarianceScaling(2.0, "fan_in", distribution, seed=9)
    got = init(shape, dtype=dtype)
    assert got.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(got, expected.astype(dtype))


@pytest.mark.parametrize("size", [1 << 14, 1 << 21])  # NumPy-allocated, mapped from the system
def test_host_arrays_are_aligned_and_writable(size):
    from keraslite.initializers.host_arrays import aligned_empty, aligned_full

    empty = aligned_empty((size, 2), "float32")
    assert empty.shape == (size, 2) and empty.dtype == np.float32 and empty.flags.writeable
    assert empty.ctypes.data % 64 == 0 and empty.flags.c_contiguous
    full = aligned_full((size,), 3, "int32")
    assert full.ctypes.data % 64 == 0 and (full == 3).all()


def test_small_host_arrays_are_plain():
    from keraslite.initializers.host_arrays import aligned_empty, aligned_full

    assert aligned_empty((3, 0), "float32").shape == (3, 0)
    np.testing.assert_array_equal(aligned_full((2, 3), 1, "float16"), np.ones((2, 3), "float16"))
