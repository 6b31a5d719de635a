"""A variable's initial draw made by worker threads (keraslite/utils/pending_arrays.py) holds the
values of drawing on the spot, in any read order; a variable assigned first never needs it; an
initializer that could read the array gets it complete."""
import math
import os

import numpy as np
import pytest

import keraslite
from keraslite import initializers
from keraslite.initializers import parallel_uniform
from keraslite.utils import pending_arrays
from keraslite.variables import Variable


@pytest.fixture
def small_draws(monkeypatch):
    """Draws of a few values go to the workers, in pieces of a few values."""
    monkeypatch.setattr(parallel_uniform, "_MIN_BACKGROUND_VALUES", 8)
    monkeypatch.setattr(parallel_uniform, "_BACKGROUND_PIECE_VALUES", 7)


@pytest.fixture
def idle_workers(monkeypatch, small_draws):
    """Pieces are queued but no worker takes them: only a reader (or a cancel) settles them."""
    monkeypatch.setattr(pending_arrays._Workers, "submit", lambda self, pieces: None)


SHAPES = [(40, 30), (3, 3, 4, 5), (9,), (61, 3)]


def _glorot_reference(rng, shape):
    fan_in, fan_out = initializers.initializer.compute_fans(shape)
    limit = math.sqrt(3.0 / max(1.0, (fan_in + fan_out) / 2.0))
    values = rng.random(shape, dtype=np.float32)
    values *= np.float32(2 * limit)
    values += np.float32(-limit)
    return values


@pytest.mark.parametrize("read_order", ["created", "reversed"])
def test_global_generator_draws_equal_sequential_draws(small_draws, read_order):
    """Unseeded initializers draw from the global generator one after the other: the values of
    every variable, and the generator's state after them, are those of sequential NumPy draws,
    whichever variable is read first."""
    keraslite.utils.set_random_seed(5)
    variables = [Variable(initializers.GlorotUniform(), shape=s) for s in SHAPES]
    after = keraslite.random.seeding.numpy_rng().random(3)
    assert any(pending_arrays.is_pending(v._value) for v in variables)
    keraslite.utils.set_random_seed(5)
    rng = keraslite.random.seeding.numpy_rng()
    expected = [_glorot_reference(rng, s) for s in SHAPES]
    np.testing.assert_array_equal(after, rng.random(3))
    order = range(len(SHAPES)) if read_order == "created" else reversed(range(len(SHAPES)))
    for i in order:
        np.testing.assert_array_equal(np.asarray(variables[i]), expected[i])


def test_reader_draws_pieces_no_worker_started(idle_workers):
    init = initializers.RandomUniform(-2.0, 3.0, seed=4)
    variable = Variable(init, shape=(50, 3))
    assert pending_arrays.is_pending(variable._value)
    expected = np.random.default_rng(4).random((50, 3), dtype=np.float32) * np.float32(5.0)
    expected += np.float32(-2.0)
    np.testing.assert_array_equal(variable.numpy(), expected)
    assert not pending_arrays.is_pending(variable._value)


def test_assigning_before_the_first_read_cancels_the_draw(idle_workers):
    variable = Variable(initializers.HeUniform(seed=1), shape=(20, 10))
    pieces = pending_arrays._pending[id(variable._value)]
    variable.assign(np.full((20, 10), 0.5, np.float32))
    assert all(piece._state == pending_arrays.Piece._CANCELLED for piece in pieces)
    np.testing.assert_array_equal(variable.numpy(), np.full((20, 10), 0.5, np.float32))


def test_dropping_an_unread_variable_cancels_its_draw(idle_workers):
    variable = Variable(initializers.GlorotUniform(seed=2), shape=(30, 30))
    key = id(variable._value)
    pieces = pending_arrays._pending[key]
    del variable
    assert key not in pending_arrays._pending
    assert all(piece._state == pending_arrays.Piece._CANCELLED for piece in pieces)


def test_initializers_that_could_read_the_draw_get_it_complete(idle_workers):
    """An overridden ``__call__`` (which may compute with the draw), a function around an
    initializer, a float16 variable (cast from the draw): nothing pending ever reaches them."""
    class Doubled(initializers.GlorotUniform):
        def __call__(self, shape, dtype=None):
            return super().__call__(shape, dtype) * 2.0

    inner = initializers.GlorotUniform(seed=6)
    expected = _glorot_reference(np.random.default_rng(6), (30, 20))
    doubled = Variable(Doubled(seed=6), shape=(30, 20))
    wrapped = Variable(lambda shape, dtype=None: inner(shape, dtype) + 1.0, shape=(30, 20))
    half = Variable(initializers.GlorotUniform(seed=6), shape=(30, 20), dtype="float16")
    for variable in (doubled, wrapped, half):
        assert not pending_arrays.is_pending(variable._value)
    np.testing.assert_array_equal(doubled.numpy(), expected * 2.0)
    np.testing.assert_array_equal(wrapped.numpy(), expected + 1.0)
    np.testing.assert_array_equal(half.numpy(), expected.astype(np.float16))
    # called directly, outside a variable, an initializer returns a complete array
    direct = inner((30, 20), "float32")
    assert not pending_arrays.is_pending(direct)
    np.testing.assert_array_equal(direct, expected)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork is POSIX only")
@pytest.mark.filterwarnings("ignore:os.fork")
def test_a_forked_child_reads_complete_draws(idle_workers):
    variable = Variable(initializers.GlorotUniform(seed=8), shape=(40, 25))
    expected = _glorot_reference(np.random.default_rng(8), (40, 25))
    assert pending_arrays.is_pending(variable._value)
    pid = os.fork()  # completes every pending draw first (no workers in the child)
    if pid == 0:
        same = np.array_equal(np.asarray(variable._value), expected)
        os._exit(0 if same else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    np.testing.assert_array_equal(variable.numpy(), expected)


def test_a_model_built_with_pending_draws_predicts_like_a_model_drawn_on_the_spot(
        monkeypatch):
    """The same seeded model, its draws on the workers or on the spot: same weights, same
    predictions."""
    def build():
        keraslite.utils.set_random_seed(3)
        model = keraslite.Sequential([keraslite.Input((6, 6, 2)),
                                      keraslite.layers.Conv2D(4, 3),
                                      keraslite.layers.Flatten(),
                                      keraslite.layers.Dense(5)])
        return model, model.predict(np.ones((2, 6, 6, 2), np.float32), verbose=0)

    monkeypatch.setattr(parallel_uniform, "_MIN_BACKGROUND_VALUES", 8)
    monkeypatch.setattr(parallel_uniform, "_BACKGROUND_PIECE_VALUES", 7)
    pending_model, pending_out = build()
    monkeypatch.setattr(parallel_uniform, "_MIN_BACKGROUND_VALUES", 1 << 62)
    spot_model, spot_out = build()
    for a, b in zip(pending_model.get_weights(), spot_model.get_weights()):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(pending_out, spot_out)


def test_a_deep_copy_holds_the_complete_draw(idle_workers):
    import copy

    variable = Variable(initializers.GlorotUniform(seed=9), shape=(30, 12))
    assert pending_arrays.is_pending(variable._value)
    copied = copy.deepcopy(variable)
    expected = _glorot_reference(np.random.default_rng(9), (30, 12))
    np.testing.assert_array_equal(copied.numpy(), expected)
    np.testing.assert_array_equal(variable.numpy(), expected)


def test_held_draws_wait_for_the_end_of_the_block(monkeypatch, small_draws):
    """Inside ``held()`` (an application whose weights are loaded from a file) no piece goes to
    the workers; an assignment cancels its variable's draw; at the end of the block what is
    still pending goes to the workers, and reads give the sequential values."""
    submitted = []
    monkeypatch.setattr(pending_arrays._Workers, "submit",
                        lambda self, pieces: submitted.extend(pieces))
    with pending_arrays.held():
        loaded = Variable(initializers.GlorotUniform(seed=1), shape=(20, 10))
        kept = Variable(initializers.GlorotUniform(seed=2), shape=(20, 10))
        loaded_pieces = pending_arrays._pending[id(loaded._value)]
        kept_pieces = pending_arrays._pending[id(kept._value)]
        assert submitted == []
        loaded.assign(np.ones((20, 10), np.float32))
    assert all(piece._state == pending_arrays.Piece._CANCELLED for piece in loaded_pieces)
    assert submitted == kept_pieces
    np.testing.assert_array_equal(kept.numpy(),
                                  _glorot_reference(np.random.default_rng(2), (20, 10)))
    np.testing.assert_array_equal(loaded.numpy(), np.ones((20, 10), np.float32))


def test_an_application_loaded_from_a_file_holds_the_file_values(tmp_path, monkeypatch):
    from keraslite import applications

    monkeypatch.setattr(parallel_uniform, "_MIN_BACKGROUND_VALUES", 1 << 10)
    monkeypatch.setattr(parallel_uniform, "_BACKGROUND_PIECE_VALUES", 1 << 12)
    source = applications.MobileNetV2(weights=None, input_shape=(32, 32, 3), alpha=0.35,
                                      classes=3)
    path = str(tmp_path / "mobilenet.weights.h5")
    source.save_weights(path)
    loaded = applications.MobileNetV2(weights=path, input_shape=(32, 32, 3), alpha=0.35,
                                      classes=3)
    for a, b in zip(source.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)
