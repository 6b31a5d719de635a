"""LayerScale and StochasticDepth (ConvNeXt's residual-branch layers): the layer contract, their
math against NumPy, get_config round trips and bad arguments."""
import numpy as np
import pytest

from keraslite import backend, layers
from keraslite.models import Functional
from layer_test_helper import run_layer_test


def _np(x):
    return backend.convert_to_numpy(x)


def test_layer_scale_contract():
    run_layer_test(layers.LayerScale, {"init_values": 0.1, "projection_dim": 4},
                   input_shape=(2, 3, 4), expected_output_shape=(2, 3, 4),
                   expected_num_trainable_weights=1)


def test_layer_scale_multiplies_each_channel_by_its_factor():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 5, 5, 6)).astype("float32")
    layer = layers.LayerScale(1e-6, 6)
    np.testing.assert_allclose(_np(layer(x)), x * np.float32(1e-6), rtol=1e-6)
    gamma = rng.standard_normal(6).astype("float32")
    layer.set_weights([gamma])
    np.testing.assert_allclose(_np(layer(x)), x * gamma[None, None, None, :], rtol=1e-6)
    # Keras 3's weight name, so its ConvNeXt weight files line up.
    assert [w.path for w in layer.weights] == [f"{layer.name}/variable"]
    assert layer.weights[0].shape == (6,)


def test_layer_scale_config_round_trip_and_bad_arguments():
    layer = layers.LayerScale(0.25, 3, name="ls")
    config = layer.get_config()
    assert config["init_values"] == 0.25 and config["projection_dim"] == 3
    clone = layers.LayerScale.from_config(config)
    x = np.ones((1, 3), "float32")
    np.testing.assert_allclose(_np(clone(x)), np.full((1, 3), 0.25, "float32"))
    with pytest.raises(ValueError, match="projection_dim"):
        layers.LayerScale(0.1, 0)
    with pytest.raises(ValueError, match="init_values"):
        layers.LayerScale("small", 3)
    with pytest.raises(ValueError, match=r"projection_dim=4.*\(1, 3\)"):
        layers.LayerScale(0.1, 4)(x)


def test_stochastic_depth_contract():
    run_layer_test(layers.StochasticDepth, {"drop_path_rate": 0.3, "seed": 1},
                   input_shape=(4, 3, 2), expected_output_shape=(4, 3, 2),
                   expected_num_seed_generators=1)


def test_stochastic_depth_drops_whole_samples_and_rescales_the_rest():
    rate, n = 0.3, 4000
    x = np.random.default_rng(1).uniform(1.0, 2.0, (n, 2, 2, 3)).astype("float32")
    layer = layers.StochasticDepth(rate, seed=7)
    np.testing.assert_array_equal(_np(layer(x)), x)  # the identity at inference
    np.testing.assert_array_equal(_np(layer(x, training=False)), x)
    y = _np(layer(x, training=True))
    dropped = np.all(y == 0, axis=(1, 2, 3))
    kept = ~dropped
    # A sample is either all zeros or all scaled by 1 / (1 - rate): one decision per sample.
    np.testing.assert_allclose(y[kept], x[kept] / (1 - rate), rtol=1e-6)
    # Binomial(4000, 0.7): the kept fraction is within 4 standard deviations (0.029).
    assert abs(kept.mean() - (1 - rate)) < 4 * np.sqrt(rate * (1 - rate) / n)
    # The expected value is unchanged (the kept samples carry the dropped ones' mass).
    assert abs(y.mean() / x.mean() - 1) < 0.05


def test_stochastic_depth_in_a_model_and_config():
    inputs = layers.Input((4,))
    outputs = inputs + layers.StochasticDepth(0.5, seed=3, name="sd")(inputs)
    model = Functional(inputs, outputs)
    x = np.ones((64, 4), "float32")
    np.testing.assert_allclose(_np(model(x)), 2 * x)
    y = _np(model(x, training=True))
    # Each row is x + 0 or x + x / 0.5.
    assert set(np.unique(y).tolist()) <= {1.0, 3.0} and len(np.unique(y)) == 2
    config = layers.StochasticDepth(0.2, seed=5, name="sd").get_config()
    assert config["drop_path_rate"] == 0.2 and config["seed"] == 5
    assert layers.StochasticDepth.from_config(config).drop_path_rate == 0.2


@pytest.mark.parametrize("rate", [1.0, -0.1, "0.1", True])
def test_stochastic_depth_bad_rate_is_named(rate):
    with pytest.raises(ValueError, match="drop_path_rate"):
        layers.StochasticDepth(rate)
