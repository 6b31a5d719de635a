import math

import numpy as np
import pytest

from keraslite import initializers
from keraslite.initializers import compute_fans

BIG = (500, 400)


def test_compute_fans_dense_and_conv():
    assert compute_fans(()) == (1, 1)
    assert compute_fans((7,)) == (7, 7)
    assert compute_fans((3, 5)) == (3, 5)
    # conv kernel (kh, kw, in, out): receptive field 3*3
    assert compute_fans((3, 3, 16, 32)) == (16 * 9, 32 * 9)
    assert compute_fans((5, 4, 8)) == (4 * 5, 8 * 5)


def test_zeros_ones_constant_dtype():
    z = initializers.get("zeros")((2, 3), dtype="float32")
    assert isinstance(z, np.ndarray) and z.dtype == np.float32 and not z.any()
    o = initializers.get("ones")((4,), dtype="int32")
    assert o.dtype == np.int32 and (o == 1).all()
    c = initializers.Constant(2.5)((2, 2))
    np.testing.assert_array_equal(c, np.full((2, 2), 2.5, np.float32))


def test_identity_and_its_shape_check():
    np.testing.assert_array_equal(initializers.Identity(2.0)((3, 3)), 2 * np.eye(3))
    with pytest.raises(ValueError, match="2D"):
        initializers.Identity()((2, 2, 2))


@pytest.mark.parametrize("name,expected_std", [
    ("glorot_uniform", math.sqrt(2.0 / (BIG[0] + BIG[1]))),
    ("glorot_normal", math.sqrt(2.0 / (BIG[0] + BIG[1]))),
    ("he_uniform", math.sqrt(2.0 / BIG[0])),
    ("he_normal", math.sqrt(2.0 / BIG[0])),
    ("lecun_uniform", math.sqrt(1.0 / BIG[0])),
    ("lecun_normal", math.sqrt(1.0 / BIG[0])),
])
def test_variance_scaling_statistics(name, expected_std):
    w = initializers.get(name)(BIG, dtype="float32")
    assert w.shape == BIG and w.dtype == np.float32
    assert abs(w.mean()) < 0.02 * expected_std * 10
    assert w.std() == pytest.approx(expected_std, rel=0.02)


def test_uniform_limits_and_truncation():
    w = initializers.GlorotUniform(seed=1)(BIG)
    limit = math.sqrt(6.0 / sum(BIG))
    assert w.max() <= limit and w.min() >= -limit and w.max() > 0.99 * limit
    t = initializers.TruncatedNormal(mean=1.0, stddev=0.1, seed=2)(BIG)
    assert t.min() >= 1.0 - 0.2 and t.max() <= 1.0 + 0.2
    n = initializers.RandomNormal(mean=3.0, stddev=2.0, seed=3)(BIG)
    assert n.mean() == pytest.approx(3.0, abs=0.02) and n.std() == pytest.approx(2.0, rel=0.01)
    u = initializers.RandomUniform(minval=-1, maxval=3, seed=4)(BIG)
    assert u.min() >= -1 and u.max() < 3 and u.mean() == pytest.approx(1.0, abs=0.02)


def test_conv_kernel_uses_receptive_field():
    w = initializers.HeNormal(seed=0)((3, 3, 64, 64))
    assert w.std() == pytest.approx(math.sqrt(2.0 / (3 * 3 * 64)), rel=0.03)


def test_same_seed_same_values_different_seed_differs():
    a = initializers.GlorotUniform(seed=7)((20, 30))
    b = initializers.GlorotUniform(seed=7)((20, 30))
    c = initializers.GlorotUniform(seed=8)((20, 30))
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)
    # unseeded initializers draw fresh values each call
    g = initializers.GlorotUniform()
    assert not np.allclose(g((20, 30)), g((20, 30)))


@pytest.mark.parametrize("shape", [(6, 6), (10, 4), (4, 10), (3, 3, 5)])
def test_orthogonal_is_orthogonal(shape):
    w = initializers.Orthogonal(gain=2.0, seed=0)(shape, dtype="float64")
    assert w.shape == shape
    m = w.reshape(-1, shape[-1])
    if m.shape[0] >= m.shape[1]:
        np.testing.assert_allclose(m.T @ m, 4.0 * np.eye(m.shape[1]), atol=1e-10)
    else:
        np.testing.assert_allclose(m @ m.T, 4.0 * np.eye(m.shape[0]), atol=1e-10)


def test_get_serialize_round_trip():
    init = initializers.VarianceScaling(scale=2.0, mode="fan_out", distribution="uniform", seed=5)
    config = initializers.serialize(init)
    assert config["class_name"] == "VarianceScaling"
    again = initializers.get(config)
    np.testing.assert_array_equal(init((4, 5)), again((4, 5)))
    assert isinstance(initializers.get("GlorotUniform"), initializers.GlorotUniform)
    assert isinstance(initializers.get("random_normal"), initializers.RandomNormal)
    he = initializers.get({"class_name": "HeNormal", "config": {"seed": 3}})
    assert he.seed == 3
    assert he.get_config() == {"seed": 3, "input_axes": None, "output_axes": None}  # as Keras 3.15
    fn = lambda shape, dtype=None: np.zeros(shape)
    assert initializers.get(fn) is fn
    inst = initializers.Ones()
    assert initializers.get(inst) is inst


def test_unknown_names_and_bad_args():
    with pytest.raises(ValueError, match="glorot_uniform"):
        initializers.get("glorot_uniformm")
    with pytest.raises(ValueError, match="mode"):
        initializers.VarianceScaling(mode="fan_sideways")
    with pytest.raises(ValueError, match="rank >= 2"):
        initializers.Orthogonal()((5,))


def test_works_as_variable_initializer():
    from keraslite.variables import Variable

    v = Variable(initializers.GlorotUniform(seed=1), shape=(3, 4), dtype="float32")
    np.testing.assert_allclose(v.numpy(), initializers.GlorotUniform(seed=1)((3, 4)))


def test_matches_keras_distribution_parameters():
    keras = _keras()
    ours = initializers.get("glorot_normal")(BIG)
    theirs = np.asarray(keras.initializers.get("glorot_normal")(BIG))
    assert ours.std() == pytest.approx(theirs.std(), rel=0.03)


def _keras():
    import os

    os.environ.setdefault("KERAS_BACKEND", "jax")
    return pytest.importorskip("keras")


def test_keras_315_variance_scaling_config_with_axes_loads():
    from keraslite import initializers

    init = initializers.get({"class_name": "GlorotUniform",
                             "config": {"seed": 3, "input_axes": None, "output_axes": None}})
    assert init((4, 6)).shape == (4, 6)
    axes = initializers.VarianceScaling(scale=1.0, mode="fan_in", distribution="uniform", seed=1,
                                        input_axes=(0, 1), output_axes=(2,))
    values = axes((10, 20, 5))
    limit = np.sqrt(3.0 / 200)
    assert np.abs(values).max() <= limit and np.abs(values).max() > 0.9 * limit
