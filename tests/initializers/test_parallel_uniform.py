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
