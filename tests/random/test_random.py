"""keraslite.random: reproducibility, SeedGenerator state, dropout, and use under jit."""
from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

import keraslite
from keraslite import ops, random
from keraslite.random import seeding
from keraslite.utils.random_seed import set_random_seed
from keraslite.variables import StatelessScope


def np_(x):
    return ops.convert_to_numpy(x)


@pytest.mark.parametrize("fn,args", [
    (random.normal, ((50,),)), (random.uniform, ((50,),)), (random.truncated_normal, ((50,),)),
    (random.randint, ((50,), 0, 1000)), (random.shuffle, (np.arange(50),)),
    (random.categorical, (np.zeros((2, 10), "float32"), 20)),
    (random.dropout, (np.ones((50,), "float32"), 0.5)),
])
def test_int_seed_is_reproducible_and_seed_matters(fn, args):
    a = np_(fn(*args, seed=3))
    b = np_(fn(*args, seed=3))
    c = np_(fn(*args, seed=4))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_seed_generator_state_and_advance():
    gen = random.SeedGenerator(42)
    assert isinstance(gen.state, keraslite.Variable)
    assert gen.state.dtype == "uint32" and gen.state.shape == (2,) and not gen.state.trainable
    before = np_(gen.state.value).copy()
    a = np_(random.normal((5,), seed=gen))
    after = np_(gen.state.value)
    assert not np.array_equal(before, after)
    b = np_(random.normal((5,), seed=gen))
    assert not np.allclose(a, b)
    # a second generator with the same seed replays the same sequence
    gen2 = random.SeedGenerator(42)
    np.testing.assert_array_equal(np_(random.normal((5,), seed=gen2)), a)
    np.testing.assert_array_equal(np_(random.normal((5,), seed=gen2)), b)


def test_unseeded_generators_follow_set_random_seed():
    set_random_seed(123)
    first = np_(random.normal((4,), seed=random.SeedGenerator()))
    global_first = np_(random.normal((4,)))
    weights_first = seeding.numpy_rng().normal(size=3)
    set_random_seed(123)
    np.testing.assert_array_equal(np_(random.normal((4,), seed=random.SeedGenerator())), first)
    np.testing.assert_array_equal(np_(random.normal((4,))), global_first)
    np.testing.assert_array_equal(seeding.numpy_rng().normal(size=3), weights_first)
    set_random_seed(124)
    assert not np.array_equal(np_(random.normal((4,))), global_first)


def test_global_seed_none_gives_new_numbers_each_call():
    a = np_(random.uniform((8,)))
    b = np_(random.uniform((8,)))
    assert not np.array_equal(a, b)


def test_dropout_scales_and_keeps_the_mean():
    x = np.full((200, 100), 2.0, "float32")
    y = np_(random.dropout(x, 0.25, seed=random.SeedGenerator(0)))
    kept = y[y != 0]
    np.testing.assert_allclose(kept, 2.0 / 0.75, rtol=1e-6)
    assert abs((y == 0).mean() - 0.25) < 0.02
    assert abs(y.mean() - 2.0) < 0.05
    assert y.dtype == np.float32


def test_dropout_noise_shape_shares_decisions():
    x = np.ones((6, 50), "float32")
    y = np_(random.dropout(x, 0.5, noise_shape=(None, 1), seed=1))
    for row in y:
        assert np.all(row == 0) or np.all(row == 2.0)
    with pytest.raises(ValueError, match="rate"):
        random.dropout(x, 1.0)


def _jit(fn):
    if keraslite.backend.backend() == "jax":
        import jax

        return jax.jit(fn)
    import tensorflow as tf

    return tf.function(fn)


def test_seed_generator_is_traceable_inside_a_compiled_pure_step():
    gen = random.SeedGenerator(5)

    def step(state, x):
        with StatelessScope({gen.state: state}) as scope:
            y = random.dropout(x, 0.5, seed=gen)
            z = random.normal((3,), seed=gen)
        return y, z, scope.current(gen.state)

    compiled = _jit(step)
    x = ops.ones((4, 8))
    state0 = gen.state.value
    y1, z1, state1 = compiled(state0, x)
    y2, z2, state2 = compiled(state1, x)
    assert not np.array_equal(np_(state0), np_(state1))
    assert not np.array_equal(np_(y1), np_(y2)) and not np.allclose(np_(z1), np_(z2))
    # the variable itself was not mutated by the traced calls
    np.testing.assert_array_equal(np_(gen.state.value), np_(state0))
    # eager draws from the same state give the same numbers as the compiled step
    y_eager = np_(random.dropout(x, 0.5, seed=gen))
    z_eager = np_(random.normal((3,), seed=gen))
    np.testing.assert_array_equal(y_eager, np_(y1))
    np.testing.assert_allclose(z_eager, np_(z1), rtol=1e-6)


def test_int_seed_inside_compiled_function():
    f = _jit(lambda: random.uniform((5,), seed=9))
    np.testing.assert_allclose(np_(f()), np_(random.uniform((5,), seed=9)), rtol=1e-6)


def test_bad_seed_is_a_type_error():
    with pytest.raises(TypeError, match="seed"):
        random.normal((2,), seed="abc")


def test_set_random_seed_in_fresh_process():
    """Runs the backend's set_deterministic too, which changes process-wide settings."""
    code = (
        "from keraslite.utils.random_seed import set_random_seed\n"
        "from keraslite import random, ops\n"
        "import random as pr, numpy as np\n"
        "set_random_seed(7); a = ops.convert_to_numpy(random.normal((3,))); p = pr.random(); n = np.random.rand()\n"
        "set_random_seed(7); b = ops.convert_to_numpy(random.normal((3,))); q = pr.random(); m = np.random.rand()\n"
        "assert (a == b).all() and p == q and n == m\n"
        "print('OK', float(a[0]))\n"
    )
    env = dict(os.environ, KERASLITE_BACKEND=keraslite.backend.backend())
    root = os.path.dirname(os.path.dirname(keraslite.__file__))
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "OK" in out.stdout
