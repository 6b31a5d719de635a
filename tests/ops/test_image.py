"""``keraslite.ops.image`` against Keras 3 on the same backend (the oracle) and SciPy/NumPy."""
from __future__ import annotations

import os

import numpy as np
import pytest

import keraslite
from keraslite import ops

os.environ.setdefault("KERAS_BACKEND", keraslite.backend.backend())
import keras  # noqa: E402
from tests.layers.oracle_guard import oracle  # noqa: E402

rng = np.random.default_rng(5)
IMG = rng.uniform(size=(2, 12, 14, 3)).astype("float32")
SMALL = rng.uniform(size=(1, 5, 6, 2)).astype("float32")


def np_(x):
    if isinstance(x, (list, tuple)):
        return type(x)(np_(v) for v in x)
    return np.asarray(ops.convert_to_numpy(x))


def keras_value(fn, *args, **kwargs):
    """Keras's ``fn(*args, **kwargs)`` (the oracle). On JAX as one compiled program: eager
    Keras compiles each of its primitives separately, and that was most of this file's time."""
    if keras.backend.backend() != "jax":
        return oracle(fn, *args, **kwargs)
    import jax

    where = [i for i, a in enumerate(args) if isinstance(a, np.ndarray)]

    def run(*arrays):
        full = list(args)
        for i, a in zip(where, arrays):
            full[i] = a
        return fn(*full, **kwargs)

    return oracle(jax.jit(run), *[args[i] for i in where])


def same(mine, theirs, atol=1e-5):
    theirs = np.asarray(keras.ops.convert_to_numpy(theirs))
    mine = np_(mine)
    assert mine.shape == theirs.shape, (mine.shape, theirs.shape)
    np.testing.assert_allclose(mine, theirs, atol=atol, rtol=1e-5)


INTERPOLATIONS = ["bilinear", "nearest", "bicubic", "lanczos3", "lanczos5"]
if keraslite.backend.backend() == "tensorflow":
    INTERPOLATIONS.append("area")


@pytest.mark.parametrize("interpolation", INTERPOLATIONS)
@pytest.mark.parametrize("antialias", [False, True])
def test_resize_matches_keras(interpolation, antialias):
    # one call shrinks the height and grows the width
    same(ops.image.resize(IMG, (5, 20), interpolation, antialias=antialias),
         keras_value(keras.ops.image.resize, IMG, (5, 20), interpolation,
                     antialias=antialias), 1e-4)


@pytest.mark.parametrize("kwargs", [{"crop_to_aspect_ratio": True},
                                    {"pad_to_aspect_ratio": True, "fill_value": 0.5}])
def test_resize_aspect_ratio_and_single_image(kwargs):
    same(ops.image.resize(IMG, (7, 7), **kwargs), keras_value(keras.ops.image.resize, IMG, (7, 7),
                                                         **kwargs), 1e-4)
    same(ops.image.resize(IMG[0], (3, 9), **kwargs),
         keras_value(keras.ops.image.resize, IMG[0], (3, 9), **kwargs), 1e-4)


def test_resize_channels_first_and_int():
    cf = np.moveaxis(IMG, -1, 1)
    same(ops.image.resize(cf, (6, 7), data_format="channels_first"),
         np.moveaxis(np_(ops.image.resize(IMG, (6, 7))), -1, 1))
    ints = (IMG * 255).astype("int32")
    out = ops.image.resize(ints, (6, 7))
    assert np_(out).dtype == np.float32
    same(out, np_(ops.image.resize(ints.astype("float32"), (6, 7))))


@pytest.mark.parametrize("kwargs", [
    {"top_cropping": 1, "left_cropping": 2, "target_height": 5, "target_width": 4},
    {"bottom_cropping": 3, "right_cropping": 1, "target_height": 6, "target_width": 9},
    {"top_cropping": 2, "bottom_cropping": 1, "left_cropping": 0, "right_cropping": 3},
])
def test_crop_images_matches_keras(kwargs):
    same(ops.image.crop_images(IMG, **kwargs),
         keras_value(keras.ops.image.crop_images, IMG, **kwargs))


@pytest.mark.parametrize("kwargs", [
    {"top_padding": 1, "left_padding": 2, "target_height": 15, "target_width": 20},
    {"bottom_padding": 3, "right_padding": 1, "target_height": 16, "target_width": 15},
    {"top_padding": 2, "bottom_padding": 1, "left_padding": 0, "right_padding": 3},
])
def test_pad_images_matches_keras(kwargs):
    same(ops.image.pad_images(IMG, **kwargs),
         keras_value(keras.ops.image.pad_images, IMG, **kwargs))
    same(ops.image.pad_images(IMG[0], **kwargs),
         keras_value(keras.ops.image.pad_images, IMG[0], **kwargs))


def test_color_conversions_match_keras():
    same(ops.image.rgb_to_grayscale(IMG), keras_value(keras.ops.image.rgb_to_grayscale, IMG))
    same(ops.image.rgb_to_hsv(IMG), keras_value(keras.ops.image.rgb_to_hsv, IMG))
    hsv = np_(ops.image.rgb_to_hsv(IMG))
    same(ops.image.hsv_to_rgb(hsv), keras_value(keras.ops.image.hsv_to_rgb, hsv))
    np.testing.assert_allclose(np_(ops.image.hsv_to_rgb(hsv)), IMG, atol=1e-5)
    gray_levels = np.repeat(IMG[..., :1], 3, -1)  # r == g == b: hue and saturation 0
    np.testing.assert_allclose(np_(ops.image.rgb_to_hsv(gray_levels))[..., :2], 0.0)


@pytest.mark.parametrize("kernel_size,sigma", [((3, 3), (1.0, 1.0)), ((5, 3), (2.0, 0.7))])
def test_gaussian_blur_matches_scipy(kernel_size, sigma):
    ndimage = pytest.importorskip("scipy.ndimage")
    window = np.outer(*[np.exp(-0.5 * ((np.arange(k) - (k - 1) / 2) / s) ** 2)
                        for k, s in zip(kernel_size, sigma)])
    window /= window.sum()
    expected = np.stack([np.stack([ndimage.correlate(IMG[b, :, :, c].astype("float64"), window,
                                                     mode="constant") for c in range(3)], -1)
                         for b in range(2)])
    np.testing.assert_allclose(np_(ops.image.gaussian_blur(IMG, kernel_size, sigma)), expected,
                               atol=1e-5)
    if kernel_size == (3, 3) and keraslite.backend.backend() == "tensorflow":
        same(ops.image.gaussian_blur(IMG, kernel_size, sigma),
             keras_value(keras.ops.image.gaussian_blur, IMG, kernel_size, sigma))


def test_sobel_and_ssim():
    ndimage = pytest.importorskip("scipy.ndimage")
    ky = np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], "float64")
    expected = np.stack([np.stack([np.stack([ndimage.correlate(IMG[b, :, :, c], k, mode="mirror")
                                             for k in (ky, ky.T)], -1) for c in range(3)], -2)
                         for b in range(2)])
    np.testing.assert_allclose(np_(ops.image.sobel_edges(IMG)), expected, atol=1e-4)
    other = np.clip(IMG + rng.normal(scale=0.1, size=IMG.shape), 0, 1).astype("float32")
    same(ops.image.ssim(IMG, other, filter_size=5),
         keras_value(keras.ops.image.ssim, IMG, other, filter_size=5), 1e-4)
    np.testing.assert_allclose(np_(ops.image.ssim(IMG, IMG, filter_size=5)), 1.0, atol=1e-5)


@pytest.mark.parametrize("kwargs", [{"size": 3}, {"size": (2, 3), "strides": (1, 2)},
                                    {"size": 3, "strides": 2, "padding": "same"},
                                    {"size": 2, "strides": 1, "dilation_rate": 2}])
def test_extract_patches_matches_keras(kwargs):
    same(ops.image.extract_patches(IMG, **kwargs),
         keras_value(keras.ops.image.extract_patches, IMG, **kwargs))


def test_extract_patches_3d_matches_numpy():
    vol = rng.normal(size=(1, 4, 5, 6, 2)).astype("float32")
    out = np_(ops.image.extract_patches_3d(vol, (2, 2, 3)))
    assert out.shape == (1, 2, 2, 2, 24)
    np.testing.assert_array_equal(out[0, 1, 0, 1], vol[0, 2:4, 0:2, 3:6].reshape(-1))


AFFINES = [
    [1, 0, 0.5, 0, 1, -1.25, 0, 0],  # translation
    [np.cos(0.3), -np.sin(0.3), 3, np.sin(0.3), np.cos(0.3), -2, 0, 0],  # rotation
    [1.2, 0.1, -1, 0.05, 0.9, 0.5, 0.01, -0.02],  # projective
]


# every fill mode with bilinear sampling; nearest sampling shares the engine and its fill modes
# are all checked against SciPy in test_map_coordinates_matches_scipy
@pytest.mark.parametrize("interpolation,fill_mode", [
    ("bilinear", "constant"), ("bilinear", "nearest"), ("bilinear", "wrap"),
    ("bilinear", "mirror"), ("bilinear", "reflect"), ("nearest", "constant"),
    ("nearest", "reflect")])
def test_affine_transform_matches_numpy_reference(interpolation, fill_mode):
    transform = np.array(AFFINES[:2], "float32")
    out = np_(ops.image.affine_transform(IMG, transform, interpolation, fill_mode, 0.25))
    expected = np.stack([_affine_reference(IMG[i], transform[i], interpolation, fill_mode, 0.25)
                         for i in range(2)])
    np.testing.assert_allclose(out, expected, atol=1e-4)


def test_projective_transform_matches_numpy_reference_and_keras_tf():
    t = np.array([AFFINES[2], AFFINES[2]], "float32")
    mine = np_(ops.image.affine_transform(IMG, t))
    np.testing.assert_allclose(mine[1], _affine_reference(IMG[1], t[1], "bilinear", "constant",
                                                          0.0), atol=1e-4)
    if keraslite.backend.backend() == "tensorflow":
        # Keras on TF agrees inside the image (its kernel maps coordinates before
        # interpolating, so borders differ); Keras on JAX disagrees with its own TF backend
        theirs = np.asarray(keras_value(keras.ops.image.affine_transform, IMG, t))
        np.testing.assert_allclose(mine[:, 2:-3, 2:-3], theirs[:, 2:-3, 2:-3], atol=1e-4)


def _remap(i, n, mode):
    if mode == "constant":
        return (min(max(i, 0), n - 1), 0 <= i < n)
    if mode == "nearest":
        return min(max(i, 0), n - 1), True
    if mode == "wrap":
        return i % n, True
    if mode == "mirror":
        p = 2 * (n - 1)
        i = abs(i) % p
        return (p - i if i >= n else i), True
    i = i % (2 * n)  # reflect
    return (2 * n - 1 - i if i >= n else i), True


def _affine_reference(img, t, interpolation, fill_mode, fill_value):
    h, w, c = img.shape
    out = np.zeros_like(img, dtype="float64")
    for y in range(h):
        for x in range(w):
            k = t[6] * x + t[7] * y + 1
            sx, sy = (t[0] * x + t[1] * y + t[2]) / k, (t[3] * x + t[4] * y + t[5]) / k
            if interpolation == "nearest":
                corners = [(int(np.round(sy)), int(np.round(sx)), 1.0)]
            else:
                y0, x0 = int(np.floor(sy)), int(np.floor(sx))
                fy, fx = sy - y0, sx - x0
                corners = [(y0, x0, (1 - fy) * (1 - fx)), (y0, x0 + 1, (1 - fy) * fx),
                           (y0 + 1, x0, fy * (1 - fx)), (y0 + 1, x0 + 1, fy * fx)]
            for yy, xx, wgt in corners:
                (ry, oky), (rx, okx) = _remap(yy, h, fill_mode), _remap(xx, w, fill_mode)
                out[y, x] += wgt * (img[ry, rx] if oky and okx else fill_value)
    return out


@pytest.mark.parametrize("order", [0, 1])
@pytest.mark.parametrize("mode,scipy_mode", [("constant", "grid-constant"), ("nearest", "nearest"),
                                             ("wrap", "grid-wrap"), ("mirror", "mirror"),
                                             ("reflect", "reflect")])
def test_map_coordinates_matches_scipy(order, mode, scipy_mode):
    ndimage = pytest.importorskip("scipy.ndimage")
    data = rng.normal(size=(5, 7)).astype("float32")
    # avoid exact .5 fractions, where rounding conventions differ
    coords = rng.uniform(-3, 9, size=(2, 4, 6)).astype("float32") + 0.013
    out = np_(ops.image.map_coordinates(data, coords, order, mode, 0.5))
    expected = ndimage.map_coordinates(data.astype("float64"), coords.astype("float64"),
                                       order=order, mode=scipy_mode, cval=0.5)
    np.testing.assert_allclose(out, expected, atol=1e-5)


def test_perspective_transform_matches_keras():
    start = np.array([[0, 0], [13, 0], [0, 11], [13, 11]], "float32")
    end = np.array([[1, 2], [12, 0], [0, 10], [13, 11]], "float32")
    mine = np_(ops.image.perspective_transform(IMG, start, end))
    theirs = np.asarray(keras.ops.convert_to_numpy(oracle(
        keras.ops.image.perspective_transform, IMG, np.stack([start] * 2), np.stack([end] * 2))))
    np.testing.assert_allclose(mine[:, 2:-2, 2:-2], theirs[:, 2:-2, 2:-2], atol=1e-4)
    same(ops.image.perspective_transform(IMG, start, start), IMG)


@pytest.mark.parametrize("method,antialias,shape,scale,translation", [
    ("linear", True, (2, 5, 20, 3), [5 / 12, 20 / 14], [0.0, 0.0]),
    ("lanczos3", False, (2, 15, 9, 3), [1.3, 0.6], [0.7, -1.2]),
])
def test_scale_and_translate_matches_keras(method, antialias, shape, scale, translation):
    scale, translation = np.array(scale, "float32"), np.array(translation, "float32")
    same(ops.image.scale_and_translate(IMG, shape, scale, translation, (1, 2), method,
                                       antialias),
         keras_value(keras.ops.image.scale_and_translate, IMG, shape, scale, translation,
                     (1, 2), method, antialias), 1e-5)


def test_elastic_transform_properties():
    # alpha 0 leaves images as they are; a constant image stays constant under reflection
    np.testing.assert_allclose(np_(ops.image.elastic_transform(IMG, alpha=0.0, seed=1)), IMG,
                               atol=1e-6)
    flat = np.full_like(IMG, 0.3)
    np.testing.assert_allclose(np_(ops.image.elastic_transform(flat, 5.0, 2.0, seed=1)), 0.3,
                               atol=1e-6)
    a, b = (np_(ops.image.elastic_transform(IMG, 8.0, 2.0, seed=s)) for s in (3, 3))
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, np_(ops.image.elastic_transform(IMG, 8.0, 2.0, seed=4)))
    # warping a ramp of row numbers (bilinear is exact on it) reads the row displacement
    # field back: smooth, bounded by alpha, and not zero
    ramp = np.broadcast_to(np.arange(12, dtype="float32")[None, :, None, None],
                           (1, 12, 14, 1)).copy()
    dy = np_(ops.image.elastic_transform(ramp, 3.0, 2.0, fill_mode="nearest", seed=5))[
        0, 3:-3, 3:-3, 0] - ramp[0, 3:-3, 3:-3, 0]
    assert 0 < np.abs(dy).max() <= 3.0
    assert np.abs(np.diff(dy, axis=1)).max() < np.abs(dy).max()


@pytest.mark.parametrize("call,words", [
    (lambda: ops.image.resize(IMG, (0, 3)), ["`size`", "(0, 3)"]),
    (lambda: ops.image.resize(IMG, (3, 3), "cubic"), ["`interpolation`", "'cubic'"]),
    (lambda: ops.image.resize(IMG[0, 0], (3, 3)), ["`images`", "rank 3 or 4", "(14, 3)"]),
    (lambda: ops.image.crop_images(IMG, target_height=3), ["`target_height`", "3"]),
    (lambda: ops.image.crop_images(IMG, 8, 0, 6, 0), ["no pixels"]),
    (lambda: ops.image.pad_images(IMG, top_padding=5, target_height=10), ["`bottom_padding`"]),
    (lambda: ops.image.rgb_to_hsv(SMALL), ["3 channels", "(1, 5, 6, 2)"]),
    (lambda: ops.image.affine_transform(IMG, [1, 0, 0]), ["`transform`", "(3,)"]),
    (lambda: ops.image.affine_transform(IMG, AFFINES[0], fill_mode="edge"), ["`fill_mode`"]),
    (lambda: ops.image.map_coordinates(SMALL, [[0.0]], 1), ["`coordinates`", "4"]),
    (lambda: ops.image.map_coordinates(SMALL, [[0.0]] * 4, 3), ["`order`", "3"]),
    (lambda: ops.image.extract_patches(IMG, 3, padding="full"), ["`padding`", "'full'"]),
    (lambda: ops.image.ssim(IMG, IMG[:1]), ["`image1`", "`image2`"]),
    (lambda: ops.image.resize(IMG, (3, 3), data_format="nhwc"), ["`data_format`", "'nhwc'"]),
    (lambda: ops.image.scale_and_translate(IMG, (2, 5, 5, 3), [1.0, 1.0], [0.0, 0.0], (1, 2),
                                           "area"), ["`method`", "'area'"]),
    (lambda: ops.image.scale_and_translate(IMG, (2, 5, 5, 3), [1.0], [0.0, 0.0], (1, 2),
                                           "linear"), ["`scale`", "1 scales"]),
    (lambda: ops.image.elastic_transform(IMG, sigma=0.0), ["`sigma`", "0.0"]),
    (lambda: ops.image.elastic_transform(IMG, fill_mode="edge"), ["`fill_mode`", "'edge'"]),
])
def test_bad_input_names_the_argument(call, words):
    with pytest.raises(ValueError) as info:
        call()
    for w in words:
        assert w in str(info.value), str(info.value)


def test_symbolic_shapes():
    from keraslite.ops.keras_tensor import KerasTensor

    assert tuple(ops.image.resize(KerasTensor((None, 12, 14, 3)), (5, 6)).shape) == (None, 5, 6, 3)
    out = ops.image.extract_patches(KerasTensor((None, 12, 14, 3)), 3)
    assert tuple(out.shape) == (None, 4, 4, 27)
