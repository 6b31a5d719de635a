"""SpatialDropout1D/2D/3D, GaussianNoise, GaussianDropout and AlphaDropout: the layer contract,
identity at inference, reproducibility under a seed, and the statistics of the noise."""
import math

import numpy as np
import pytest

import keraslite
from keraslite import backend, layers
from layer_test_helper import run_layer_test


def _np(x):
    return backend.convert_to_numpy(x)


CASES = [
    (layers.SpatialDropout1D, {"rate": 0.5, "seed": 1}, (2, 5, 3)),
    (layers.SpatialDropout2D, {"rate": 0.3}, (2, 4, 4, 3)),
    (layers.SpatialDropout2D, {"rate": 0.3, "data_format": "channels_first"}, (2, 3, 4, 4)),
    (layers.SpatialDropout3D, {"rate": 0.4, "seed": 2}, (2, 3, 3, 3, 2)),
    (layers.GaussianNoise, {"stddev": 0.5, "seed": 3}, (3, 4)),
    (layers.GaussianDropout, {"rate": 0.2}, (3, 4)),
    (layers.AlphaDropout, {"rate": 0.2, "seed": 4}, (3, 4)),
    (layers.AlphaDropout, {"rate": 0.2, "noise_shape": (None, 1, 4)}, (3, 2, 4)),
]


@pytest.mark.parametrize("cls,kwargs,shape", CASES,
                         ids=[f"{c[0].__name__}-{i}" for i, c in enumerate(CASES)])
def test_contract(cls, kwargs, shape):
    run_layer_test(cls, kwargs, input_shape=shape, expected_output_shape=shape,
                   expected_num_seed_generators=1)


@pytest.mark.parametrize("cls,kwargs,shape", CASES,
                         ids=[f"{c[0].__name__}-{i}" for i, c in enumerate(CASES)])
def test_identity_at_inference_and_noisy_in_training(cls, kwargs, shape):
    x = np.random.default_rng(0).standard_normal(shape).astype("float32") + 3.0
    layer = cls(**kwargs)
    np.testing.assert_array_equal(_np(layer(x)), x)
    np.testing.assert_array_equal(_np(layer(x, training=False)), x)
    assert not np.allclose(_np(layer(x, training=True)), x)
    # In a model: predict is the identity, fit runs the noisy path in a compiled step.
    model = keraslite.Sequential([keraslite.Input(shape[1:]), cls(**kwargs)])
    np.testing.assert_allclose(model.predict(x, verbose=0), x, atol=1e-6)


@pytest.mark.parametrize("cls,kwargs,shape", CASES,
                         ids=[f"{c[0].__name__}-{i}" for i, c in enumerate(CASES)])
def test_reproducible_under_a_seed(cls, kwargs, shape):
    x = np.ones(shape, "float32")
    kwargs = {**kwargs, "seed": 42}
    first, second = cls(**kwargs), cls(**kwargs)
    a1, a2 = _np(first(x, training=True)), _np(first(x, training=True))
    b1, b2 = _np(second(x, training=True)), _np(second(x, training=True))
    np.testing.assert_array_equal(a1, b1)
    np.testing.assert_array_equal(a2, b2)
    assert not np.array_equal(a1, a2)  # new noise on every call


@pytest.mark.parametrize("cls,shape,data_format,spatial_axes,channel_axis", [
    (layers.SpatialDropout1D, (8, 6, 16), None, (1,), 2),
    (layers.SpatialDropout2D, (8, 5, 6, 16), "channels_last", (1, 2), 3),
    (layers.SpatialDropout2D, (8, 16, 5, 6), "channels_first", (2, 3), 1),
    (layers.SpatialDropout3D, (4, 3, 4, 5, 16), "channels_last", (1, 2, 3), 4),
    (layers.SpatialDropout3D, (4, 16, 3, 4, 5), "channels_first", (2, 3, 4), 1),
])
def test_spatial_dropout_drops_whole_channels(cls, shape, data_format, spatial_axes,
                                              channel_axis):
    rate = 0.5
    x = np.random.default_rng(1).uniform(1.0, 2.0, size=shape).astype("float32")
    kwargs = {"rate": rate, "seed": 7}
    if data_format is not None:
        kwargs["data_format"] = data_format
    out = _np(cls(**kwargs)(x, training=True))
    kept = out != 0
    # One keep/drop decision per (sample, channel), shared by every spatial position.
    per_map = kept.all(axis=spatial_axes) | (~kept).all(axis=spatial_axes)
    assert per_map.all()
    np.testing.assert_allclose(out[kept], x[kept] / (1 - rate), rtol=1e-6)
    frac = 1 - kept.mean()
    assert 0.25 < frac < 0.75


def test_gaussian_noise_statistics():
    x = np.full((200, 500), 2.0, "float32")
    out = _np(layers.GaussianNoise(0.3, seed=5)(x, training=True))
    noise = out - x
    assert abs(noise.mean()) < 0.01
    assert abs(noise.std() - 0.3) < 0.01


def test_gaussian_dropout_statistics():
    rate = 0.4
    x = np.full((200, 500), 3.0, "float32")
    factor = _np(layers.GaussianDropout(rate, seed=6)(x, training=True)) / 3.0
    assert abs(factor.mean() - 1.0) < 0.01
    assert abs(factor.std() - math.sqrt(rate / (1 - rate))) < 0.01


def test_alpha_dropout_matches_its_formula_and_keeps_mean_and_variance():
    rate = 0.3
    alpha_p = -1.6732632423543772 * 1.0507009873554805
    a = ((1 - rate) * (1 + rate * alpha_p ** 2)) ** -0.5
    b = -a * alpha_p * rate
    x = np.random.default_rng(2).standard_normal((400, 500)).astype("float32")
    out = _np(layers.AlphaDropout(rate, seed=8)(x, training=True))
    kept = np.isclose(out, a * x + b, atol=1e-5)
    dropped = np.isclose(out, a * alpha_p + b, atol=1e-5)
    assert np.all(kept | dropped)
    assert abs(dropped.mean() - rate) < 0.01
    # Self-normalizing: zero mean and unit variance are kept.
    assert abs(out.mean()) < 0.02 and abs(out.std() - 1.0) < 0.02
    # noise_shape shares a decision along its size-1 axes.
    x3 = np.random.default_rng(3).standard_normal((6, 5, 4)).astype("float32")
    out3 = _np(layers.AlphaDropout(0.5, noise_shape=(None, 1, 4), seed=1)(x3, training=True))
    drop3 = np.isclose(out3, ((0.5 * (1 + 0.5 * alpha_p ** 2)) ** -0.5) * alpha_p * 0.5, atol=1e-5)
    assert (drop3.all(axis=1) | (~drop3).all(axis=1)).all()


def test_noise_layers_train_inside_a_model():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((64, 6, 4)).astype("float32")
    y = x.sum(axis=(1, 2))[:, None]
    model = keraslite.Sequential([
        keraslite.Input((6, 4)), layers.SpatialDropout1D(0.1, seed=1),
        layers.GaussianNoise(0.05, seed=2), layers.Flatten(), layers.GaussianDropout(0.05),
        layers.AlphaDropout(0.05), layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    before = model.evaluate(x, y, verbose=0)
    model.fit(x, y, epochs=15, batch_size=16, verbose=0)
    assert model.evaluate(x, y, verbose=0) < before


def test_configs_round_trip_with_keras_keys():
    assert layers.SpatialDropout2D(0.2, data_format="channels_first", seed=3).get_config()[
        "data_format"] == "channels_first"
    config = layers.SpatialDropout1D(0.2).get_config()
    assert config["rate"] == 0.2 and "noise_shape" not in config
    assert layers.GaussianNoise(0.1, seed=1).get_config()["stddev"] == 0.1
    assert layers.AlphaDropout(0.1, noise_shape=(None, 1)).get_config()["noise_shape"] == (
        None, 1)


@pytest.mark.parametrize("cls,kwargs,arg", [
    (layers.SpatialDropout1D, {"rate": 1.5}, "rate"),
    (layers.SpatialDropout2D, {"rate": 0.5, "data_format": "channels_middle"}, "data_format"),
    (layers.GaussianNoise, {"stddev": -0.1}, "stddev"),
    (layers.GaussianNoise, {"stddev": 0.1, "seed": "s"}, "seed"),
    (layers.GaussianDropout, {"rate": 1.0}, "rate"),
    (layers.AlphaDropout, {"rate": -0.2}, "rate"),
    (layers.AlphaDropout, {"rate": 0.2, "noise_shape": 3}, "noise_shape"),
])
def test_bad_arguments_raise_value_errors(cls, kwargs, arg):
    with pytest.raises(ValueError, match=f"{cls.__name__}.*{arg}"):
        cls(**kwargs)


def test_spatial_dropout_rank_is_checked():
    with pytest.raises(ValueError, match="ndim=4"):
        layers.SpatialDropout2D(0.5)(np.ones((2, 3, 4), "float32"))


def test_exports():
    for name in ("Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D",
                 "GaussianNoise", "GaussianDropout", "AlphaDropout"):
        assert getattr(keraslite.layers, name) is getattr(layers, name)
