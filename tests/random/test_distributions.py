"""keraslite.random.gamma/beta/binomial: samples against SciPy's distributions, seeds, shapes
and dtypes against Keras 3, bad arguments named."""
import os

import numpy as np
import pytest
from scipy import stats

from keraslite import backend, random

N = 20000


def _np(x):
    return backend.convert_to_numpy(x)


@pytest.fixture(scope="module")
def keras():
    os.environ.setdefault("KERAS_BACKEND", "jax")
    return pytest.importorskip("keras")


@pytest.mark.parametrize("alpha", [0.3, 2.5])
def test_gamma_follows_the_gamma_distribution(alpha):
    x = _np(random.gamma((N,), alpha=alpha, seed=3))
    assert x.dtype == np.float32 and np.all(x >= 0)
    # With a fixed seed the draw is fixed, so this cannot flake; a wrong sampler (shape alpha
    # + 1, a missing U^(1/alpha), a scale) gives p-values far below 1e-3 at this size.
    assert stats.kstest(x, stats.gamma(alpha).cdf).pvalue > 1e-3


@pytest.mark.parametrize("a,b", [(0.5, 0.5), (2.0, 5.0)])
def test_beta_follows_the_beta_distribution(a, b):
    x = _np(random.beta((N,), alpha=a, beta=b, seed=0))
    assert np.all((x >= 0) & (x <= 1))
    assert stats.kstest(x, stats.beta(a, b).cdf).pvalue > 1e-3


@pytest.mark.parametrize("n,p", [(10, 0.3), (40, 0.85)])
def test_binomial_frequencies_match_the_pmf(n, p):
    x = _np(random.binomial((N,), counts=n, probabilities=p, seed=5))
    assert np.all(x == np.round(x)) and x.min() >= 0 and x.max() <= n
    observed = np.bincount(x.astype(int), minlength=n + 1)
    expected = stats.binom(n, p).pmf(np.arange(n + 1)) * N
    kept = expected >= 5  # the chi-square approximation needs populated cells
    chi2 = ((observed[kept] - expected[kept]) ** 2 / expected[kept]).sum()
    assert stats.chi2(kept.sum() - 1).sf(chi2) > 1e-3


def test_binomial_broadcasts_counts_and_probabilities():
    counts = np.array([0.0, 5.0, 20.0], np.float32)
    probs = np.array([0.5, 1.0, 0.0], np.float32)
    x = _np(random.binomial((4, 3), counts=counts, probabilities=probs, seed=1))
    np.testing.assert_array_equal(x, np.broadcast_to([0.0, 5.0, 0.0], (4, 3)))


def test_same_seed_same_draws_and_seed_generator_advances():
    # Shapes as above, so JAX reuses the samplers it compiled there.
    a = _np(random.gamma((N,), 1.5, seed=7))
    np.testing.assert_array_equal(a, _np(random.gamma((N,), 1.5, seed=7)))
    gen = random.SeedGenerator(1)
    first, second = _np(random.beta((N,), 2.0, 3.0, seed=gen)), _np(random.beta((N,), 2.0, 3.0,
                                                                                 seed=gen))
    assert not np.array_equal(first, second)


def test_shape_and_dtype_match_keras(keras):
    cases = {"gamma": {"alpha": 2.0}, "beta": {"alpha": 2.0, "beta": 3.0},
             "binomial": {"counts": 5, "probabilities": 0.5}}
    for name, args in cases.items():
        ours = _np(getattr(random, name)((N,), seed=1, **args))
        theirs = keras.ops.convert_to_numpy(getattr(keras.random, name)((N,), seed=1, **args))
        assert (ours.shape, ours.dtype) == (theirs.shape, theirs.dtype), name
        float64 = _np(getattr(random, name)((2,), dtype="float64", seed=1, **args))
        # float64 where the backend has it (JAX without x64 gives float32), as for normal().
        assert float64.dtype == _np(random.normal((2,), dtype="float64")).dtype, name


@pytest.mark.parametrize("call,message", [
    (lambda: random.gamma((2,), alpha=0.0), "`alpha` must be > 0.0. Received: alpha=0.0"),
    (lambda: random.beta((2,), 1.0, beta=-1), "`beta` must be > 0.0. Received: beta=-1"),
    (lambda: random.binomial((2,), 3, 1.5), r"`probabilities` must be in \[0.0, 1.0\]"),
    (lambda: random.binomial((2,), 2.5, 0.5), "`counts` must be a whole number"),
    (lambda: random.binomial((2,), -1, 0.5), "`counts` must be >= 0.0"),
])
def test_bad_arguments_are_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()
