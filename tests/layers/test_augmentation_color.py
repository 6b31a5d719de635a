"""Colour augmentation layers: the deterministic transform against Keras 3 (oracle) given the
same random draws; the random draws by seeded reproducibility and their distribution."""
import os

import numpy as np
import pytest

import keraslite
from keraslite import backend, layers
from tests.layers.oracle_guard import oracle

RNG = np.random.default_rng(8)
IMAGES = RNG.uniform(0, 255, size=(6, 5, 4, 3)).astype(np.float32)


def num(x):
    return np.asarray(backend.convert_to_numpy(x))


def _keras():
    os.environ.setdefault("KERAS_BACKEND", "jax")
    return pytest.importorskip("keras")


CASES = [
    ("RandomBrightness", dict(factor=0.3), {"rgb_delta": RNG.uniform(-60, 60, (6, 1, 1, 1))}),
    ("RandomBrightness", dict(factor=(-0.2, 0.5), value_range=(0, 1)),
     {"rgb_delta": RNG.uniform(-0.2, 0.5, (6, 1, 1, 1))}),
    ("RandomInvert", {}, {"apply_inversion": np.array([True, False, True, True, False, False])}),
    ("Solarization", dict(addition_factor=0.3, threshold_factor=0.6),
     {"additions": RNG.uniform(0, 70, (6, 1, 1, 1)),
      "thresholds": RNG.uniform(0, 150, (6, 1, 1, 1))}),
    ("Solarization", dict(value_range=(0, 1), threshold_factor=0.5),
     {"additions": np.zeros((6, 1, 1, 1)), "thresholds": RNG.uniform(0, 128, (6, 1, 1, 1))}),
    ("RandomPosterization", dict(factor=(2, 6)),
     {"shift_factor": np.array([6, 5, 4, 3, 2, 6], np.uint8)}),
    ("RandomGrayscale", dict(factor=0.5),
     np.array([True, False, True, False, False, True]).reshape(6, 1, 1, 1)),
    ("AutoContrast", {}, None),
    ("RandomHue", dict(factor=0.4), {"factor": RNG.uniform(-0.2, 0.2, (6,))}),
    ("RandomHue", dict(factor=(0.1, 0.9), value_range=(0, 1)),
     {"factor": np.array([0.45, -0.45, 0.05, -0.3, 0.2, 0.0])}),
    ("RandomSaturation", dict(factor=(0.2, 0.8)), {"factor": RNG.uniform(0.25, 4.0, (6,))}),
    ("RandomSharpness", dict(factor=(0.1, 0.9)), {"factor": RNG.uniform(0.1, 0.9, (6,))}),
    ("RandomGaussianBlur", dict(kernel_size=(3, 5), sigma=(0.3, 2.0)),
     {"should_apply_blur": np.array([True, True, False, True, False, True]),
      "blur_factor": np.array([0.7, 1.6])}),
    ("AutoContrast", dict(value_range=(0, 1)), None),
]


def _unit(images, kwargs):
    return images / 255.0 if tuple(kwargs.get("value_range", (0, 255))) == (0, 1) else images


@pytest.mark.parametrize("name,kwargs,draws", CASES)
def test_transform_matches_keras_for_the_same_draws(name, kwargs, draws):
    keras = _keras()
    images = _unit(IMAGES, kwargs)
    ours = getattr(layers, name)(**kwargs)
    theirs = getattr(keras.layers, name)(**kwargs)
    if isinstance(draws, dict):
        mine = {k: backend.convert_to_tensor(v.astype("int32") if v.dtype == np.uint8 else v)
                for k, v in draws.items()}
        keras_draws = {k: v.astype(np.float32) if v.dtype == np.float64 else v
                       for k, v in draws.items()}
    elif draws is not None:  # RandomGrayscale: Keras takes the mask itself
        mine, keras_draws = {"should_apply": backend.convert_to_tensor(draws.reshape(-1))}, draws
    else:
        mine, keras_draws = {}, None
    got = num(ours.transform(backend.convert_to_tensor(images), mine))
    if name == "RandomGaussianBlur":
        np.testing.assert_allclose(got, _numpy_blur(images, draws, kwargs["kernel_size"]),
                                   rtol=1e-5, atol=1e-3)
        if keras.backend.backend() != "jax":
            return  # Keras 3.15's TensorFlow gaussian_blur disagrees with its own JAX one
    want = np.asarray(oracle(theirs.transform_images, images, keras_draws, training=True))
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-4)


def _numpy_blur(images, draws, kernel_size):
    def gauss(size, sigma):
        x = np.arange(size) - (size - 1) / 2
        w = np.exp(-0.5 * (x / sigma) ** 2)
        return w / w.sum()

    sx, sy = draws["blur_factor"]
    kernel = np.outer(gauss(kernel_size[1], sy), gauss(kernel_size[0], sx))
    kh, kw = kernel.shape
    padded = np.pad(images, ((0, 0), (kh // 2, kh // 2), (kw // 2, kw // 2), (0, 0)))
    blurred = np.zeros_like(images)
    for i in range(kh):
        for j in range(kw):
            blurred += kernel[i, j] * padded[:, i:i + images.shape[1], j:j + images.shape[2]]
    out = np.where(draws["should_apply_blur"][:, None, None, None], blurred, images)
    return np.clip(out, 0, 255)


@pytest.mark.parametrize("name,kwargs", [(n, k) for n, k, _ in CASES if n != "AutoContrast"])
def test_seeded_layers_repeat_and_inference_is_identity(name, kwargs):
    images = _unit(IMAGES, kwargs)
    a = getattr(layers, name)(seed=3, **kwargs)
    b = getattr(layers, name)(seed=3, **kwargs)
    np.testing.assert_allclose(num(a(images, training=True)), num(b(images, training=True)))
    np.testing.assert_array_equal(num(a(images, training=False)), images)
    again = type(a).from_config(a.get_config())
    assert again.get_config() == a.get_config()


def test_random_draws_follow_their_distribution():
    big = np.full((400, 2, 2, 3), 100.0, np.float32)
    out = num(layers.RandomBrightness(0.2, seed=1)(big, training=True))
    delta = out[:, 0, 0, 0] - 100.0
    assert -51.01 <= delta.min() and delta.max() <= 51.01  # 0.2 * 255
    assert abs(delta.mean()) < 6 and delta.std() > 20  # uniform on [-51, 51]: std 29.4
    inverted = num(layers.RandomInvert(factor=0.5, seed=2)(big, training=True))[:, 0, 0, 0]
    share = np.mean(inverted == 155.0)  # p ~ U(0, 0.5): inverted a quarter of the time
    assert 0.17 < share < 0.33 and set(np.unique(inverted)) <= {100.0, 155.0}
    gray = num(layers.RandomGrayscale(0.3, seed=4)(IMAGES.repeat(40, 0), training=True))
    share = np.mean(np.all(gray[..., 0] == gray[..., 2], axis=(1, 2)))
    assert 0.2 < share < 0.4
    bits = num(layers.RandomPosterization((2, 6), seed=5)(
        np.full((300, 1, 1, 1), 255.0, np.float32), training=True)).reshape(-1)
    assert set(np.unique(bits)) == {255.0 - (2 ** s - 1) for s in (3, 4, 5, 6)}


def test_works_in_a_model_and_with_channels_first():
    model = keraslite.Sequential([keraslite.Input((5, 4, 3)), layers.AutoContrast(),
                                  layers.RandomBrightness(0.1, seed=0)])
    out = model.predict(IMAGES, verbose=0)
    assert out.min() == pytest.approx(0.0, abs=1e-3) and out.max() == pytest.approx(255, abs=1e-3)
    cf = layers.RandomGrayscale(1.0, data_format="channels_first")
    got = num(cf(np.transpose(IMAGES, (0, 3, 1, 2)), training=True))
    gray = IMAGES @ np.array([0.2989, 0.5870, 0.1140], np.float32)
    np.testing.assert_allclose(got[:, 1], gray, rtol=1e-5)


def test_bad_arguments_name_the_argument():
    with pytest.raises(ValueError, match="factor"):
        layers.RandomBrightness(1.5)
    with pytest.raises(ValueError, match="value_range"):
        layers.RandomInvert(value_range=(1, 1))
    with pytest.raises(ValueError, match="threshold_factor"):
        layers.Solarization(threshold_factor=2.0)
    with pytest.raises(ValueError, match="factor"):
        layers.RandomPosterization(9)
    with pytest.raises(ValueError, match="3 channels"):
        layers.RandomGrayscale(1.0)(np.zeros((1, 2, 2, 4), np.float32), training=True)


def test_pipeline_chains_layers_like_calling_them_in_turn():
    first, second = layers.RandomBrightness(0.2, seed=7), layers.Solarization(0.2, 0.5, seed=8)
    pipe = layers.Pipeline([layers.RandomBrightness(0.2, seed=7),
                            layers.Solarization(0.2, 0.5, seed=8)])
    expected = num(second(first(IMAGES, training=True), training=True))
    np.testing.assert_allclose(num(pipe(IMAGES)), expected, rtol=1e-6)  # augments by default
    np.testing.assert_array_equal(num(pipe(IMAGES, training=False)), IMAGES)
    again = layers.Pipeline.from_config(pipe.get_config())
    assert [type(x).__name__ for x in again.layers] == ["RandomBrightness", "Solarization"]
    inputs = keraslite.Input((5, 4, 3))
    model = keraslite.Model(inputs, layers.Pipeline([layers.AutoContrast()])(inputs))
    out = model.predict(IMAGES, verbose=0)
    np.testing.assert_allclose(out.max(axis=(1, 2)), 255.0, rtol=1e-5)
    with pytest.raises(ValueError, match="layers"):
        layers.Pipeline("not a list")


def test_hsv_conversions_match_colorsys():
    import colorsys

    from keraslite.layers.preprocessing.augmentation_hsv import hsv_to_rgb, rgb_to_hsv

    pixels = np.concatenate([RNG.uniform(0, 1, (50, 3)), [[0.5, 0.5, 0.5], [0, 0, 0]]])
    pixels = pixels.astype(np.float32)
    hsv = num(rgb_to_hsv(backend.convert_to_tensor(pixels)))
    expected = np.array([colorsys.rgb_to_hsv(*p) for p in pixels], np.float32)
    np.testing.assert_allclose(hsv, expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(num(hsv_to_rgb(backend.convert_to_tensor(hsv))), pixels,
                               rtol=1e-5, atol=1e-6)


def test_color_jitter_applies_its_parts_in_order():
    jitter = layers.RandomColorJitter(brightness_factor=0.2, contrast_factor=0.3,
                                      saturation_factor=(0.3, 0.7), hue_factor=0.1, seed=10)
    parts = [layers.RandomBrightness(0.2, seed=10), layers.RandomContrast(0.3, seed=11),
             layers.RandomSaturation((0.3, 0.7), seed=12), layers.RandomHue(0.1, seed=13)]
    expected = IMAGES
    for part in parts:
        expected = part(expected, training=True)
    np.testing.assert_allclose(num(jitter(IMAGES, training=True)), num(expected), rtol=1e-5,
                               atol=1e-3)
    np.testing.assert_array_equal(num(jitter(IMAGES, training=False)), IMAGES)
    only_hue = layers.RandomColorJitter(hue_factor=0.5, seed=1)
    assert [type(p).__name__ for p in only_hue._parts] == ["RandomHue"]
    again = layers.RandomColorJitter.from_config(jitter.get_config())
    assert again.get_config() == jitter.get_config()
