import math

import numpy as np
import pytest

from keraslite import activations, backend

X = np.linspace(-5, 5, 41, dtype=np.float32).reshape(1, 41)


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _softplus(x):
    return np.log1p(np.exp(x))


_erf = np.vectorize(math.erf)
REFERENCES = {
    "relu": lambda x: np.maximum(x, 0),
    "relu6": lambda x: np.clip(x, 0, 6),
    "leaky_relu": lambda x: np.where(x > 0, x, 0.2 * x),
    "elu": lambda x: np.where(x > 0, x, np.exp(x) - 1),
    "selu": lambda x: 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 * (np.exp(x) - 1)),
    "gelu": lambda x: 0.5 * x * (1 + _erf(x / np.sqrt(2))),
    "silu": lambda x: x * _sigmoid(x),
    "swish": lambda x: x * _sigmoid(x),
    "softplus": _softplus,
    "softsign": lambda x: x / (1 + np.abs(x)),
    "sigmoid": _sigmoid,
    "hard_sigmoid": lambda x: np.clip(x + 3, 0, 6) / 6,
    "tanh": np.tanh,
    "softmax": lambda x: np.exp(x) / np.exp(x).sum(-1, keepdims=True),
    "log_softmax": lambda x: x - np.log(np.exp(x).sum(-1, keepdims=True)),
    "exponential": np.exp,
    "linear": lambda x: x,
    "mish": lambda x: x * np.tanh(_softplus(x)),
}


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_activation_matches_numpy(name):
    fn = activations.get(name)
    out = backend.convert_to_numpy(fn(backend.convert_to_tensor(X)))
    np.testing.assert_allclose(out, REFERENCES[name](X.astype(np.float64)), rtol=1e-5, atol=1e-5)


def test_relu_options():
    x = np.array([-2.0, -0.5, 0.5, 1.5, 8.0], np.float32)
    out = backend.convert_to_numpy(activations.relu(x, max_value=6.0))
    np.testing.assert_allclose(out, [0, 0, 0.5, 1.5, 6.0])
    out = backend.convert_to_numpy(activations.relu(x, threshold=1.0))
    np.testing.assert_allclose(out, [0, 0, 0, 1.5, 8.0])
    out = backend.convert_to_numpy(activations.relu(x, negative_slope=0.1))
    np.testing.assert_allclose(out, [-0.2, -0.05, 0.5, 1.5, 8.0], rtol=1e-6)


def test_approximate_gelu():
    out = backend.convert_to_numpy(activations.gelu(X, approximate=True))
    ref = 0.5 * X * (1 + np.tanh(np.sqrt(2 / np.pi) * (X + 0.044715 * X ** 3)))
    np.testing.assert_allclose(out, ref, rtol=1e-5, atol=1e-5)


def test_get_none_and_callable_and_serialize():
    assert activations.get(None) is activations.linear
    fn = lambda x: x * 2
    assert activations.get(fn) is fn
    for name in REFERENCES:
        assert activations.get(activations.serialize(activations.get(name))) is activations.get(name)
    assert activations.serialize(activations.relu) == "relu"
    assert activations.serialize(None) == "linear"


def test_unknown_activation_lists_valid_names():
    with pytest.raises(ValueError, match="Unknown activation: 'rleu'.*relu"):
        activations.get("rleu")
    with pytest.raises(ValueError):
        activations.serialize(lambda x: x)
