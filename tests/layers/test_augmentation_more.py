"""Equalization, RandomErasing, RandomShear, RandomPerspective, RandomElasticTransform,
RandomColorDegeneration, AugMix, RandAugment, CLAHE and MaxNumBoundingBoxes: the deterministic
transforms against Keras 3 (oracle) or NumPy given the same draws; the random draws by their
contract (shape, dtype, range, seeded repeat, identity at inference, statistics); all of them
inside a compiled fit."""
import os

import numpy as np
import pytest

import keraslite
from keraslite import backend, layers
from keraslite.layers.preprocessing import augment_ops
from tests.layers.oracle_guard import oracle

RNG = np.random.default_rng(16)
IMAGES = RNG.uniform(0, 255, size=(3, 8, 10, 3)).astype(np.float32)


def num(x):
    return np.asarray(backend.convert_to_numpy(x))


def tensors(draws):
    return {k: backend.convert_to_tensor(v) for k, v in draws.items()}


@pytest.fixture(scope="module")
def keras():
    os.environ.setdefault("KERAS_BACKEND", "jax")
    return pytest.importorskip("keras")


# -- deterministic transforms against the oracle -------------------------------------------

@pytest.mark.parametrize("kwargs,scale,count", [
    ({}, 255.0, 1), ({"value_range": (0, 1), "bins": 64}, 1.0, 2)])
def test_equalization_matches_keras_image_by_image(keras, kwargs, scale, count):
    # Keras pools one histogram over the batch; keraslite equalizes each image on its own,
    # so each image is compared with Keras on that image alone.
    images = (RNG.beta(2, 5, size=(2, 8, 8, 3)) * scale).astype(np.float32)
    images[1, ..., 1] = 0.25 * scale  # a flat channel stays as it is
    got = num(layers.Equalization(**kwargs)(images))
    for i in range(count):  # (Keras's equalization is slow eagerly: one or two images)
        want = np.asarray(oracle(keras.layers.Equalization(**kwargs), images[i]))
        # One 8-bit level of slack: the two rescale to 0-255 with different roundings.
        np.testing.assert_allclose(got[i], want, atol=scale / 255 + 1e-5)
    np.testing.assert_array_equal(got[1, ..., 1], images[1, ..., 1])
    np.testing.assert_array_equal(num(layers.Equalization(**kwargs)(images, training=False)),
                                  images)
    first = layers.Equalization(data_format="channels_first", **kwargs)
    np.testing.assert_allclose(num(first(np.transpose(images, (0, 3, 1, 2)))),
                               np.transpose(got, (0, 3, 1, 2)), atol=1e-5)


@pytest.mark.parametrize("shape,kwargs", [
    ((2, 13, 11, 2), {"tile_grid_size": (3, 2), "clip_limit": 2.0}),  # padded tiles
    ((1, 12, 12, 2), {"tile_grid_size": (2, 3), "clip_limit": 0, "value_range": (0, 1)}),
])
def test_clahe_matches_keras(keras, shape, kwargs):
    images = (RNG.beta(2, 5, size=shape) * 255).astype(np.float32)
    if kwargs.get("value_range") == (0, 1):
        images /= 255
    name = "ContrastLimitedAdaptiveHistogramEqualization"
    got = num(getattr(layers, name)(**kwargs)(images, training=False))  # applies regardless
    want = np.asarray(oracle(getattr(keras.layers, name)(**kwargs), images))
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-3 * images.max())


@pytest.mark.parametrize("fill_mode,interpolation", [
    ("reflect", "bilinear"), ("wrap", "bilinear"), ("constant", "nearest")])
def test_shear_matches_keras_for_the_same_draws(keras, fill_mode, interpolation):
    # Factors chosen so that no sample lands exactly half-way between two pixels, where
    # nearest interpolation may round either way.
    draws = {"shear_factor": np.array([[0.21, -0.13], [-0.33, 0.07], [0.0, 0.27]], np.float32)}
    ours = layers.RandomShear(0.4, 0.4, fill_mode=fill_mode, interpolation=interpolation)
    got = num(ours.transform(backend.convert_to_tensor(IMAGES), tensors(draws)))
    theirs = keras.layers.RandomShear(0.4, 0.4, fill_mode=fill_mode, interpolation=interpolation)
    want = np.asarray(oracle(theirs.transform_images, IMAGES, draws, training=True))
    # Keras's TensorFlow backend wraps with another period: compare away from the borders.
    inner = (slice(None), slice(3, -3), slice(3, -3)) if fill_mode == "wrap" else ...
    np.testing.assert_allclose(got[inner], want[inner], rtol=1e-5, atol=1e-3)


def test_perspective_matches_keras_for_the_same_draws(keras):
    layer = layers.RandomPerspective(scale=0.4, seed=1)
    draws = {k: num(v) for k, v in layer.random_transformation(3, 8, 10).items()}
    draws["apply_perspective"] = np.array([True, False, True])
    got = num(layer.transform(backend.convert_to_tensor(IMAGES), tensors(draws)))
    theirs = keras.layers.RandomPerspective(scale=0.4)
    want = np.asarray(oracle(theirs.transform_images, IMAGES, draws, training=True))
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-3)
    np.testing.assert_array_equal(got[1], IMAGES[1])


def test_color_degeneration_matches_keras_and_grays_at_one(keras):
    draws = {"factor": np.array([1.0, 0.0, -0.4], np.float32).reshape(3, 1, 1, 1)}
    layer = layers.RandomColorDegeneration(1.0)
    got = num(layer.transform(backend.convert_to_tensor(IMAGES), tensors(draws)))
    want = np.asarray(oracle(keras.layers.RandomColorDegeneration(1.0).transform_images,
                             IMAGES, draws, training=True))
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-3)
    gray = IMAGES[0] @ np.array([0.2989, 0.5870, 0.1140], np.float32)
    np.testing.assert_allclose(got[0], np.repeat(gray[..., None], 3, -1), rtol=1e-5, atol=1e-3)
    np.testing.assert_array_equal(got[1], IMAGES[1])
    always = num(layers.RandomColorDegeneration((1, 1), seed=0)(IMAGES, training=True))
    assert np.abs(always - always[..., :1]).max() < 1e-3  # every image fully gray


def _numpy_sample(images, rows, cols, fill_mode):
    """Bilinear reads of (B, H, W, C) images at float rows/cols, folded by the fill mode."""
    b, h, w, _ = images.shape

    def fold(i, n):
        if fill_mode == "reflect":
            i = np.mod(i, 2 * n)
            return np.where(i >= n, 2 * n - 1 - i, i)
        if fill_mode == "mirror":
            i = np.mod(i, 2 * (n - 1))
            return np.where(i >= n, 2 * (n - 1) - i, i)
        return np.clip(i, 0, n - 1)

    out = np.zeros_like(images)
    y0, x0 = np.floor(rows).astype(int), np.floor(cols).astype(int)
    for dy in (0, 1):
        for dx in (0, 1):
            wy = rows - y0 if dy else 1 - (rows - y0)
            wx = cols - x0 if dx else 1 - (cols - x0)
            yy, xx = y0 + dy, x0 + dx
            vals = images[np.arange(b)[:, None, None], fold(yy, h), fold(xx, w)]
            if fill_mode == "constant":
                vals = np.where(((yy >= 0) & (yy < h) & (xx >= 0) & (xx < w))[..., None],
                                vals, 0.0)
            out += (wy * wx)[..., None] * vals
    return out


@pytest.mark.parametrize("fill_mode", ["reflect", "mirror", "constant", "nearest"])
def test_elastic_warp_reads_along_the_field_like_numpy(fill_mode):
    field = RNG.normal(0, 1.5, size=(3, 8, 10, 2)).astype(np.float32)
    layer = layers.RandomElasticTransform(fill_mode=fill_mode)
    draws = {"apply_transform": np.array([True, True, False]), "field": field}
    got = num(layer.transform(backend.convert_to_tensor(IMAGES), tensors(draws)))
    rows = np.arange(8)[None, :, None] + field[..., 0]
    cols = np.arange(10)[None, None, :] + field[..., 1]
    want = np.clip(_numpy_sample(IMAGES, rows, cols, fill_mode), 0, 255)
    np.testing.assert_allclose(got[:2], want[:2], rtol=1e-4, atol=1e-3)
    np.testing.assert_array_equal(got[2], IMAGES[2])


def test_elastic_field_grows_with_scale():
    def spread(scale):
        layer = layers.RandomElasticTransform(scale=(scale, scale), seed=4)
        return num(layer.random_transformation(3, 8, 10)["field"]).std()

    small, large = spread(0.3), spread(1.0)
    assert 0 < small < large  # alpha grows with the scale (the field is blurred less too)
    still = layers.RandomElasticTransform(scale=0.0, seed=1)
    np.testing.assert_array_equal(num(still(IMAGES, training=True)), IMAGES)


def test_erasing_erases_a_share_of_the_area_within_scale():
    flat = np.full((300, 16, 16, 3), 100.0, np.float32)
    layer = layers.RandomErasing(factor=(1, 1), scale=(0.1, 0.3), fill_value=0.0, seed=2)
    out = num(layer(flat, training=True))
    share = (out[..., 0] == 0).mean(axis=(1, 2))
    # A box of sides (a, b) pixels covers between (a - 1)(b - 1) and (a + 1)(b + 1) pixels.
    side_lo, side_hi = np.sqrt(0.1) * 16, np.sqrt(0.3) * 16
    assert share.min() >= (side_lo - 1) ** 2 / 256 and share.max() <= (side_hi + 1) ** 2 / 256
    assert share.std() > 0.02  # the area is drawn, not fixed
    assert set(np.unique(out)) <= {0.0, 100.0}
    noisy = num(layers.RandomErasing(factor=(1, 1), value_range=(0, 1), seed=3)(
        flat / 255, training=True))
    assert noisy.min() >= 0 and noisy.max() <= 1 and len(np.unique(noisy)) > 10
    half = num(layers.RandomErasing(factor=0.5, fill_value=0.0, seed=5)(flat, training=True))
    erased = np.mean(np.any(half == 0, axis=(1, 2, 3)))  # p ~ U(0, 0.5): a quarter
    assert 0.17 < erased < 0.33
    colour = layers.RandomErasing(factor=(1, 1), fill_value=[10, 20, 30], seed=6)
    out = num(colour(flat, training=True))
    np.testing.assert_array_equal(out[out[..., 0] != 100][:, 1], 20.0)


# -- the contract of every layer ------------------------------------------------------------

CONTRACT = [
    ("Equalization", {}),
    ("ContrastLimitedAdaptiveHistogramEqualization", {"tile_grid_size": (2, 2)}),
    ("RandomErasing", {"factor": (1, 1)}),
    ("RandomShear", {"x_factor": 0.3, "y_factor": 0.2}),
    ("RandomPerspective", {"factor": (1, 1), "scale": 0.5}),
    ("RandomElasticTransform", {"factor": (1, 1)}),
    ("RandomColorDegeneration", {"factor": (0.2, 1.0)}),
    ("RandAugment", {"num_ops": 2, "factor": 0.6}),
    ("AugMix", {"num_chains": 2, "chain_depth": 1, "all_ops": False}),
]


@pytest.mark.parametrize("name,kwargs", CONTRACT, ids=[c[0] for c in CONTRACT])
def test_layer_contract(name, kwargs):
    cls = getattr(layers, name)
    fixed = name in ("Equalization", "ContrastLimitedAdaptiveHistogramEqualization")
    seed = {} if fixed else {"seed": 7}
    # One image: the batched and unbatched calls then share their compiled kernels.
    images = IMAGES[:1] / 255.0
    # The warps have no value_range (Keras's arguments): their samples stay within the input's.
    unit = {} if name in ("RandomShear", "RandomPerspective") else {"value_range": (0, 1)}
    kw = {**kwargs, **seed, **unit}
    out = num(cls(**kw)(images, training=True))
    assert out.shape == images.shape and out.dtype == np.float32
    assert out.min() >= -1e-6 and out.max() <= 1 + 1e-6
    assert np.abs(out - images).max() > 1e-3  # it did something
    np.testing.assert_allclose(num(cls(**kw)(images, training=True)), out, rtol=1e-5,
                               atol=1e-6)  # a seeded layer repeats
    if not fixed:
        np.testing.assert_array_equal(num(cls(**kw)(images, training=False)), images)
    single = num(cls(**kw)(images[0], training=True))  # one image, no batch axis
    assert single.shape == images[0].shape
    first = num(cls(**kw, data_format="channels_first")(np.transpose(images, (0, 3, 1, 2)),
                                                        training=True))
    np.testing.assert_allclose(first, np.transpose(out, (0, 3, 1, 2)), rtol=1e-5, atol=1e-5)
    config = cls(**kw).get_config()
    assert cls.from_config(config).get_config() == config
    ints = num(cls(**{**kwargs, **seed})((images * 255).astype("uint8"), training=True))
    assert ints.dtype == np.float32 and 0 <= ints.min() and ints.max() <= 255


def test_composites_use_keraslite_layers_with_keras_arguments(keras):
    ours = layers.RandAugment(factor=0.4, value_range=(0, 1), interpolation="nearest", seed=1)
    theirs = keras.layers.RandAugment(factor=0.4, value_range=(0, 1), interpolation="nearest")
    assert len(ours._ops) == len(theirs._AUGMENT_LAYERS)
    for op, name in zip(ours._ops, augment_ops.OP_NAMES):
        keras_op = getattr(theirs, name)
        assert type(op).__name__ == type(keras_op).__name__
        for attr in ("factor", "x_factor", "y_factor", "value_range", "interpolation",
                     "addition_factor", "threshold_factor"):
            if hasattr(keras_op, attr) and hasattr(op, attr):
                mine, want = getattr(op, attr), getattr(keras_op, attr)
                if isinstance(want, str):
                    assert mine == want, (name, attr)
                else:
                    np.testing.assert_allclose(np.ravel(mine), np.ravel(want), err_msg=name)
    small = layers.AugMix(all_ops=False, seed=2)
    assert [type(op).__name__ for op in small._ops] == [
        type(getattr(keras.layers.AugMix(all_ops=False), n)).__name__
        for n in augment_ops.BASIC_OPS]
    assert len(layers.AugMix()._ops) == len(augment_ops.OP_NAMES)


def test_rand_augment_applies_one_of_its_ops():
    # With one op and every draw known, the result is exactly one menu op's transform.
    layer = layers.RandAugment(num_ops=1, factor=0.5, seed=3)
    x = backend.convert_to_tensor(IMAGES[:1] / 255.0)  # the contract test's shape
    draws = [augment_ops.draw(op, 1, 8, 10) for op in layer._ops]
    candidates = [num(augment_ops.apply(op, x, d)) for op, d in zip(layer._ops, draws)]
    for pick in (0, 5, 10):
        got = num(augment_ops.apply_chosen(layer._ops, pick, x, draws))
        np.testing.assert_allclose(got, candidates[pick], rtol=1e-6)
    assert num(layers.RandAugment(num_ops=0)(IMAGES, training=True)).tolist() == IMAGES.tolist()


def test_aug_mix_blends_the_input_with_its_chains():
    # All steps "no op": every chain is the input, so the blend returns the input.
    layer = layers.AugMix(num_chains=2, chain_depth=1, seed=4)
    t = layer.random_transformation(3, 8, 10)
    t["picks"] = backend.convert_to_tensor(np.full((2, 1), len(layer._ops), np.int32))
    np.testing.assert_allclose(num(layer.transform(backend.convert_to_tensor(IMAGES), t)),
                               IMAGES, rtol=1e-5)
    weights = num(t["chain_mixing_weights"])
    assert weights.shape == (2,) and abs(weights.sum() - 1) < 1e-5 and weights.min() >= 0
    assert 0 <= float(num(t["weight_sample"])) <= 1


def test_bad_arguments_name_the_argument():
    cases = [
        (layers.Equalization, {"bins": 1}, "bins"),
        (layers.Equalization, {"value_range": (3, 3)}, "value_range"),
        (layers.RandomErasing, {"scale": (0.2, 1.5)}, "scale"),
        (layers.RandomErasing, {"fill_value": "red"}, "fill_value"),
        (layers.RandomShear, {"x_factor": 1.5}, "x_factor"),
        (layers.RandomShear, {"fill_mode": "mirror"}, "fill_mode"),
        (layers.RandomPerspective, {"scale": 2.0}, "scale"),
        (layers.RandomPerspective, {"factor": -0.5}, "factor"),
        (layers.RandomElasticTransform, {"interpolation": "bicubic"}, "interpolation"),
        (layers.RandomColorDegeneration, {"factor": 2.0}, "factor"),
        (layers.RandAugment, {"num_ops": -1}, "num_ops"),
        (layers.RandAugment, {"value_range": "0-255"}, "value_range"),
        (layers.AugMix, {"alpha": 0.0}, "alpha"),
        (layers.AugMix, {"chain_depth": 0}, "chain_depth"),
        (layers.ContrastLimitedAdaptiveHistogramEqualization, {"clip_limit": -1}, "clip_limit"),
        (layers.ContrastLimitedAdaptiveHistogramEqualization, {"tile_grid_size": (0, 2)},
         "tile_grid_size"),
    ]
    for cls, kwargs, arg in cases:
        if cls is layers.RandomColorDegeneration:
            kwargs = dict(kwargs)
            factor = kwargs.pop("factor")
            with pytest.raises(ValueError, match=arg):
                cls(factor, **kwargs)
            continue
        with pytest.raises(ValueError, match=arg):
            cls(**kwargs)
    with pytest.raises(ValueError, match="3 channels"):
        layers.RandomColorDegeneration(0.5)(np.zeros((1, 4, 4, 1), np.float32), training=True)
    with pytest.raises(ValueError, match="fill_value"):
        layers.RandomErasing(factor=(1, 1), fill_value=[1, 2])(IMAGES, training=True)


# -- inside a compiled training step ------------------------------------------------------

def test_augmentations_train_inside_fit():
    x = RNG.uniform(0, 255, (16, 8, 8, 3)).astype(np.float32)
    y = RNG.integers(0, 2, (16,)).astype(np.float32)
    augment = [layers.RandomShear(0.2, seed=1), layers.RandomPerspective(scale=0.3, seed=2),
               layers.RandomElasticTransform(seed=3), layers.RandomErasing(seed=4),
               layers.RandomColorDegeneration(0.5, seed=5), layers.Equalization(),
               # Every op of the menu (the same machinery as RandAugment's), and its
               # Dirichlet/Beta draws, which must trace under XLA too.
               layers.AugMix(num_chains=1, chain_depth=1, seed=7)]
    head = [layers.Rescaling(1 / 255.0), layers.Flatten(), layers.Dense(1, activation="sigmoid")]
    model = keraslite.Sequential([keraslite.Input((8, 8, 3))] + augment + head)
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    state = num(augment[0].seed_generator.state).copy()
    history = model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    assert all(np.isfinite(history.history["loss"]))
    assert not np.array_equal(num(augment[0].seed_generator.state), state)  # drew each step
    # At inference every augmentation is the identity: the model is its head.
    plain = keraslite.Sequential([keraslite.Input((8, 8, 3))] + head)
    np.testing.assert_allclose(model.predict(x, verbose=0), plain.predict(x, verbose=0),
                               rtol=1e-5)


# -- bounding boxes ------------------------------------------------------------------------

@pytest.mark.parametrize("max_number", [2, 5])
def test_max_num_bounding_boxes_truncates_or_pads_like_keras(keras, max_number):
    boxes = RNG.uniform(0, 8, (2, 3, 4)).astype(np.float32)
    labels = np.array([[1, 2, 3], [4, 5, 6]], np.int32)
    data = {"images": IMAGES[:2], "bounding_boxes": {"boxes": boxes, "labels": labels}}
    ours = layers.MaxNumBoundingBoxes(max_number, bounding_box_format="xyxy")
    got = ours(dict(data))
    theirs = keras.layers.MaxNumBoundingBoxes(max_number, bounding_box_format="xyxy")
    want = oracle(theirs, {"images": IMAGES[:2],
                           "bounding_boxes": {"boxes": boxes, "labels": labels}})
    for key in ("boxes", "labels"):
        np.testing.assert_array_equal(num(got["bounding_boxes"][key]),
                                      np.asarray(want["bounding_boxes"][key]))
    keep = min(max_number, 3)
    np.testing.assert_array_equal(num(got["bounding_boxes"]["boxes"])[:, :keep], boxes[:, :keep])
    assert (num(got["bounding_boxes"]["labels"])[:, keep:] == -1).all()
    np.testing.assert_array_equal(num(got["images"]), IMAGES[:2])
    one = ours({"images": IMAGES[0], "bounding_boxes": {"boxes": boxes[0], "labels": labels[0]}})
    assert num(one["bounding_boxes"]["boxes"]).shape == (max_number, 4)
    config = ours.get_config()
    assert layers.MaxNumBoundingBoxes.from_config(config).get_config() == config
    with pytest.raises(ValueError, match="max_number"):
        layers.MaxNumBoundingBoxes(0)
    with pytest.raises(ValueError, match="'boxes' and 'labels'"):
        ours({"images": IMAGES[:2], "bounding_boxes": {"boxes": boxes}})
