"""Convolution, pooling, reshaping and merging layers: the layer contract, NumPy references
(naive loops) for the numbers, and argument/shape validation."""
import numpy as np
import pytest

from keraslite import backend, layers
from conv_refs import np_conv, np_conv_transpose, np_depthwise, np_pool, to_first, to_last
from layer_test_helper import run_layer_test


def _rand(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype("float32")


def _np(x):
    return backend.convert_to_numpy(x)


def _close(actual, expected, atol=1e-4):
    np.testing.assert_allclose(_np(actual), expected, atol=atol, rtol=1e-4)


# -- the one-call contract ---------------------------------------------------------------------
# (layer class, kwargs, input shape(s), expected output shape, #trainable weights)
CASES = [
    (layers.Conv1D, {"filters": 4, "kernel_size": 3}, (2, 8, 3), (2, 6, 4), 2),
    (layers.Conv1D, {"filters": 4, "kernel_size": 3, "padding": "causal", "dilation_rate": 2},
     (2, 8, 3), (2, 8, 4), 2),
    (layers.Conv1D, {"filters": 4, "kernel_size": 2, "strides": 2, "padding": "same",
                     "groups": 2, "data_format": "channels_first"}, (2, 4, 7), (2, 4, 4), 2),
    pytest.param(layers.Conv3D, {"filters": 2, "kernel_size": 2, "use_bias": False},
                 (1, 4, 4, 4, 3), (1, 3, 3, 3, 2), 1),
    pytest.param(layers.Conv3D, {"filters": 4, "kernel_size": (2, 3, 2), "strides": 2,
                                 "padding": "same", "groups": 2,
                                 "data_format": "channels_first"},
                 (1, 2, 5, 5, 4), (1, 4, 3, 3, 2), 2),
    (layers.Conv1DTranspose, {"filters": 3, "kernel_size": 3, "strides": 2}, (2, 5, 2),
     (2, 11, 3), 2),
    (layers.Conv2DTranspose, {"filters": 3, "kernel_size": 3, "strides": 2, "padding": "same"},
     (2, 4, 5, 2), (2, 8, 10, 3), 2),
    (layers.Conv2DTranspose, {"filters": 2, "kernel_size": 3, "strides": 2,
                              "output_padding": 1, "data_format": "channels_first"},
     (1, 3, 4, 4), (1, 2, 10, 10), 2),
    pytest.param(layers.Conv3DTranspose, {"filters": 2, "kernel_size": 2, "strides": (2, 1, 2)},
                 (1, 2, 3, 2, 3), (1, 4, 4, 4, 2), 2),
    (layers.DepthwiseConv1D, {"kernel_size": 3, "depth_multiplier": 2}, (2, 7, 3), (2, 5, 6), 2),
    (layers.DepthwiseConv2D, {"kernel_size": 3, "padding": "same", "strides": 2},
     (2, 7, 6, 3), (2, 4, 3, 3), 2),
    (layers.DepthwiseConv2D, {"kernel_size": 2, "depth_multiplier": 2, "use_bias": False,
                              "data_format": "channels_first"}, (1, 3, 5, 5), (1, 6, 4, 4), 1),
    (layers.SeparableConv1D, {"filters": 4, "kernel_size": 3, "depth_multiplier": 2},
     (2, 7, 3), (2, 5, 4), 3),
    (layers.SeparableConv2D, {"filters": 4, "kernel_size": 3, "padding": "same"},
     (2, 6, 6, 3), (2, 6, 6, 4), 3),
    (layers.MaxPooling1D, {}, (2, 7, 3), (2, 3, 3), 0),
    (layers.AveragePooling1D, {"pool_size": 3, "strides": 2, "padding": "same"}, (2, 7, 3),
     (2, 4, 3), 0),
    (layers.MaxPooling3D, {"padding": "same"}, (1, 3, 4, 5, 2), (1, 2, 2, 3, 2), 0),
    (layers.AveragePooling3D, {"data_format": "channels_first"}, (1, 2, 4, 4, 4),
     (1, 2, 2, 2, 2), 0),
    (layers.GlobalAveragePooling1D, {}, (2, 5, 3), (2, 3), 0),
    (layers.GlobalMaxPooling1D, {"keepdims": True}, (2, 5, 3), (2, 1, 3), 0),
    (layers.GlobalAveragePooling3D, {"data_format": "channels_first"}, (2, 3, 2, 2, 2),
     (2, 3), 0),
    (layers.GlobalMaxPooling3D, {}, (2, 2, 3, 2, 4), (2, 4), 0),
    (layers.Permute, {"dims": (2, 1)}, (2, 3, 4), (2, 4, 3), 0),
    (layers.Permute, {"dims": (3, 1, 2)}, (2, 3, 4, 5), (2, 5, 3, 4), 0),
    (layers.RepeatVector, {"n": 3}, (2, 4), (2, 3, 4), 0),
    (layers.Cropping1D, {"cropping": (1, 2)}, (2, 6, 3), (2, 3, 3), 0),
    (layers.Cropping2D, {"cropping": ((1, 0), (1, 2))}, (2, 5, 6, 3), (2, 4, 3, 3), 0),
    (layers.Cropping3D, {"cropping": 1, "data_format": "channels_first"}, (1, 2, 4, 5, 6),
     (1, 2, 2, 3, 4), 0),
    (layers.ZeroPadding1D, {"padding": (1, 2)}, (2, 4, 3), (2, 7, 3), 0),
    (layers.ZeroPadding3D, {"padding": (1, 0, 2)}, (1, 2, 2, 2, 3), (1, 4, 2, 6, 3), 0),
    (layers.UpSampling1D, {"size": 3}, (2, 4, 3), (2, 12, 3), 0),
    (layers.UpSampling2D, {"size": (2, 3)}, (2, 3, 4, 2), (2, 6, 12, 2), 0),
    (layers.UpSampling2D, {"interpolation": "bilinear", "data_format": "channels_first"},
     (2, 2, 3, 4), (2, 2, 6, 8), 0),
    (layers.UpSampling3D, {"size": (1, 2, 2)}, (1, 2, 2, 3, 2), (1, 2, 4, 6, 2), 0),
    (layers.Subtract, {}, [(2, 3), (2, 3)], (2, 3), 0),
    (layers.Multiply, {}, [(2, 3, 4), (2, 1, 4), (2, 3, 4)], (2, 3, 4), 0),
    (layers.Average, {}, [(2, 3), (2, 3)], (2, 3), 0),
    (layers.Maximum, {}, [(2, 4), (2, 4), (2, 4)], (2, 4), 0),
    (layers.Minimum, {}, [(2, 4, 3), (2, 3)], (2, 4, 3), 0),
    (layers.Dot, {"axes": 1}, [(2, 3), (2, 3)], (2, 1), 0),
    (layers.Dot, {"axes": (1, 2), "normalize": True}, [(2, 3, 4), (2, 5, 3)], (2, 4, 5), 0),
]


@pytest.mark.parametrize("cls,kwargs,in_shape,out_shape,n_train", CASES,
                         ids=[f"{(c.values if hasattr(c, 'values') else c)[0].__name__}-{i}"
                              for i, c in enumerate(CASES)])
def test_layer_contract(cls, kwargs, in_shape, out_shape, n_train):
    run_layer_test(cls, kwargs, input_shape=in_shape, expected_output_shape=out_shape,
                   expected_num_trainable_weights=n_train, atol=1e-5)


CONV_REF_CASES = [
    (layers.Conv1D, dict(filters=4, kernel_size=3, padding="causal", dilation_rate=2), (2, 9, 3)),
    (layers.Conv1D, dict(filters=4, kernel_size=3, strides=2, padding="same", groups=2),
     (2, 9, 2)),
    (layers.Conv1D, dict(filters=2, kernel_size=2, data_format="channels_first"), (2, 3, 6)),
    (layers.Conv1D, dict(filters=2, kernel_size=3, padding="causal",
                         data_format="channels_first"), (2, 3, 6)),
    (layers.Conv2D, dict(filters=3, kernel_size=(2, 3), strides=(2, 1), padding="same"),
     (2, 5, 6, 2)),
    (layers.Conv3D, dict(filters=3, kernel_size=2, dilation_rate=(1, 2, 1)), (1, 4, 5, 3, 2)),
    (layers.Conv3D, dict(filters=4, kernel_size=3, strides=2, padding="same", groups=2,
                         data_format="channels_first"), (1, 4, 5, 4, 3)),
]


@pytest.mark.parametrize("cls,kwargs,shape", CONV_REF_CASES)
def test_conv_matches_numpy(cls, kwargs, shape):
    layer = cls(bias_initializer="random_normal", **kwargs)
    x = _rand(*shape, seed=1)
    out = layer(x)
    kernel, bias = (w.numpy() for w in layer.weights)
    first = kwargs.get("data_format") == "channels_first"
    xl = to_last(x) if first else x
    ref = np_conv(xl, kernel, layer.strides, layer.padding, layer.dilation_rate,
                  layer.groups) + bias
    _close(out, to_first(ref) if first else ref)


TRANSPOSE_REF_CASES = [
    (layers.Conv1DTranspose, dict(filters=3, kernel_size=3, strides=2), (2, 5, 2)),
    (layers.Conv1DTranspose, dict(filters=3, kernel_size=4, strides=3, padding="same"),
     (2, 4, 2)),
    (layers.Conv1DTranspose, dict(filters=2, kernel_size=3, dilation_rate=2), (2, 5, 2)),
    (layers.Conv1DTranspose, dict(filters=2, kernel_size=2, strides=4), (1, 3, 2)),
    (layers.Conv2DTranspose, dict(filters=3, kernel_size=3, strides=2, padding="same"),
     (2, 3, 4, 2)),
    (layers.Conv2DTranspose, dict(filters=2, kernel_size=(3, 2), strides=2, output_padding=1),
     (1, 3, 3, 2)),
    (layers.Conv2DTranspose, dict(filters=2, kernel_size=3, strides=2, padding="same",
                                  output_padding=(1, 0), data_format="channels_first"),
     (1, 2, 3, 4)),
    (layers.Conv1DTranspose, dict(filters=2, kernel_size=4, strides=3, padding="same",
                                  output_padding=2), (1, 4, 2)),
    (layers.Conv1DTranspose, dict(filters=2, kernel_size=5, strides=2, padding="same",
                                  output_padding=1), (1, 4, 2)),
    (layers.Conv3DTranspose, dict(filters=2, kernel_size=2, strides=(2, 1, 2)), (1, 2, 3, 2, 3)),
]


@pytest.mark.parametrize("cls,kwargs,shape", TRANSPOSE_REF_CASES)
def test_conv_transpose_matches_numpy(cls, kwargs, shape):
    layer = cls(bias_initializer="random_normal", **kwargs)
    x = _rand(*shape, seed=2)
    out = layer(x)
    kernel, bias = (w.numpy() for w in layer.weights)
    first = kwargs.get("data_format") == "channels_first"
    ref = np_conv_transpose(to_last(x) if first else x, kernel, layer.strides, layer.padding,
                            layer.output_padding, layer.dilation_rate) + bias
    _close(out, to_first(ref) if first else ref)
    assert tuple(out.shape) == layer.compute_output_shape(shape)


DEPTHWISE_REF_CASES = [
    (layers.DepthwiseConv1D, dict(kernel_size=3, depth_multiplier=2, strides=2), (2, 9, 3)),
    (layers.DepthwiseConv1D, dict(kernel_size=3, dilation_rate=2, padding="same"), (2, 9, 2)),
    (layers.DepthwiseConv2D, dict(kernel_size=3, depth_multiplier=3, padding="same"),
     (2, 5, 6, 2)),
    (layers.DepthwiseConv2D, dict(kernel_size=2, strides=2, data_format="channels_first"),
     (1, 3, 5, 5)),
]


@pytest.mark.parametrize("cls,kwargs,shape", DEPTHWISE_REF_CASES)
def test_depthwise_conv_matches_numpy(cls, kwargs, shape):
    layer = cls(bias_initializer="random_normal", **kwargs)
    x = _rand(*shape, seed=3)
    out = layer(x)
    kernel, bias = (w.numpy() for w in layer.weights)
    first = kwargs.get("data_format") == "channels_first"
    ref = np_depthwise(to_last(x) if first else x, kernel, layer.strides, layer.padding,
                       layer.dilation_rate) + bias
    _close(out, to_first(ref) if first else ref)


SEPARABLE_REF_CASES = [
    (layers.SeparableConv1D, dict(filters=4, kernel_size=3, depth_multiplier=2, padding="same"),
     (2, 7, 3)),
    (layers.SeparableConv2D, dict(filters=3, kernel_size=2, strides=2), (2, 6, 5, 2)),
    (layers.SeparableConv2D, dict(filters=3, kernel_size=3, dilation_rate=2,
                                  data_format="channels_first"), (1, 2, 7, 7)),
]


@pytest.mark.parametrize("cls,kwargs,shape", SEPARABLE_REF_CASES)
def test_separable_conv_matches_numpy(cls, kwargs, shape):
    layer = cls(bias_initializer="random_normal", **kwargs)
    x = _rand(*shape, seed=4)
    out = layer(x)
    dw, pw, bias = (w.numpy() for w in layer.weights)
    first = kwargs.get("data_format") == "channels_first"
    mid = np_depthwise(to_last(x) if first else x, dw, layer.strides, layer.padding,
                       layer.dilation_rate)
    ref = mid @ pw.reshape(pw.shape[-2:]) + bias
    _close(out, to_first(ref) if first else ref)


POOL_REF_CASES = [
    (layers.MaxPooling1D, dict(pool_size=3, strides=2, padding="same"), (2, 8, 3), "max"),
    (layers.AveragePooling1D, dict(pool_size=3, strides=2, padding="same"), (2, 8, 3), "avg"),
    (layers.AveragePooling1D, dict(pool_size=2, data_format="channels_first"), (2, 3, 7), "avg"),
    (layers.MaxPooling3D, dict(pool_size=(2, 3, 2), strides=(1, 2, 2)), (1, 4, 5, 4, 2), "max"),
    (layers.AveragePooling3D, dict(padding="same"), (1, 3, 5, 4, 2), "avg"),
    (layers.MaxPooling3D, dict(data_format="channels_first"), (1, 2, 4, 4, 5), "max"),
]


@pytest.mark.parametrize("cls,kwargs,shape,mode", POOL_REF_CASES)
def test_pooling_matches_numpy(cls, kwargs, shape, mode):
    layer = cls(**kwargs)
    x = _rand(*shape, seed=5)
    first = kwargs.get("data_format") == "channels_first"
    ref = np_pool(to_last(x) if first else x, layer.pool_size, layer.strides, layer.padding,
                  mode)
    _close(layer(x), to_first(ref) if first else ref)


def test_global_pooling_matches_numpy():
    x = _rand(2, 3, 4, 5, 6, seed=6)
    _close(layers.GlobalAveragePooling3D()(x), x.mean(axis=(1, 2, 3)))
    _close(layers.GlobalMaxPooling3D(data_format="channels_first", keepdims=True)(x),
           x.max(axis=(2, 3, 4), keepdims=True))
    y = _rand(2, 5, 3, seed=7)
    _close(layers.GlobalMaxPooling1D()(y), y.max(axis=1))
    _close(layers.GlobalAveragePooling1D(data_format="channels_first")(y), y.mean(axis=2))


def test_global_average_pooling1d_excludes_masked_steps():
    x = _rand(2, 5, 3, seed=8)
    mask = np.array([[1, 1, 0, 1, 0], [1, 0, 0, 0, 0]], bool)
    layer = layers.GlobalAveragePooling1D()
    expected = np.stack([x[0, [0, 1, 3]].mean(0), x[1, [0]].mean(0)])
    _close(layer(x, mask=mask), expected)
    _close(layers.GlobalAveragePooling1D(keepdims=True)(x, mask=mask), expected[:, None])
    # channels_first: the mask still runs over the steps axis (now axis 2)
    xf = np.moveaxis(x, 1, 2)
    _close(layers.GlobalAveragePooling1D(data_format="channels_first")(xf, mask=mask), expected)
    assert layer.compute_mask(x, mask) is None


def test_global_average_pooling1d_uses_mask_from_embedding_in_a_model():
    import keraslite

    ids = np.array([[3, 1, 0, 0], [2, 2, 2, 0]], "int32")
    inp = keraslite.Input((4,), dtype="int32")
    emb = layers.Embedding(5, 3, mask_zero=True)
    out = layers.GlobalAveragePooling1D()(emb(inp))
    model = keraslite.Model(inp, out)
    table = emb.embeddings.numpy()
    expected = np.stack([table[[3, 1]].mean(0), table[[2, 2, 2]].mean(0)])
    _close(model(ids), expected)


def test_reshaping_layers_match_numpy():
    x = _rand(2, 3, 4, 5, seed=9)
    _close(layers.Permute((3, 1, 2))(x), np.transpose(x, (0, 3, 1, 2)))
    v = _rand(2, 4, seed=10)
    _close(layers.RepeatVector(3)(v), np.repeat(v[:, None], 3, axis=1))
    s = _rand(2, 7, 3, seed=11)
    _close(layers.Cropping1D((2, 1))(s), s[:, 2:6])
    _close(layers.Cropping1D(0)(s), s)
    _close(layers.Cropping2D(((1, 0), (0, 2)))(x), x[:, 1:, :2])
    _close(layers.Cropping2D((1, 1), data_format="channels_first")(x), x[:, :, 1:3, 1:4])
    vol = _rand(1, 4, 5, 6, 2, seed=12)
    _close(layers.Cropping3D(((1, 2), (0, 1), (2, 2)))(vol), vol[:, 1:2, 0:4, 2:4])
    _close(layers.ZeroPadding1D((2, 1))(s), np.pad(s, ((0, 0), (2, 1), (0, 0))))
    _close(layers.ZeroPadding1D(1, data_format="channels_first")(s),
           np.pad(s, ((0, 0), (0, 0), (1, 1))))
    _close(layers.ZeroPadding3D((1, 0, 2))(vol),
           np.pad(vol, ((0, 0), (1, 1), (0, 0), (2, 2), (0, 0))))
    _close(layers.ZeroPadding3D(((0, 1), (2, 0), (1, 1)), data_format="channels_first")(vol),
           np.pad(vol, ((0, 0), (0, 0), (0, 1), (2, 0), (1, 1))))
    _close(layers.UpSampling1D(2)(s), np.repeat(s, 2, axis=1))
    _close(layers.UpSampling2D((2, 3))(x), np.repeat(np.repeat(x, 2, 1), 3, 2))
    _close(layers.UpSampling2D(2, data_format="channels_first")(x),
           np.repeat(np.repeat(x, 2, 2), 2, 3))
    _close(layers.UpSampling3D((2, 1, 3))(vol),
           np.repeat(np.repeat(vol, 2, 1), 3, 3))


def np_bilinear_upsample(x, fy, fx):
    """Bilinear upsampling (channels_last) with half-pixel centers, one output pixel at a time
    from its four clamped neighbours."""
    b, h, w, c = x.shape
    out = np.zeros((b, h * fy, w * fx, c))
    for i in range(h * fy):
        for j in range(w * fx):
            sy = np.clip((i + 0.5) / fy - 0.5, 0, h - 1)
            sx = np.clip((j + 0.5) / fx - 0.5, 0, w - 1)
            y0, x0 = int(sy), int(sx)
            y1, x1 = min(y0 + 1, h - 1), min(x0 + 1, w - 1)
            dy, dx = sy - y0, sx - x0
            out[:, i, j] = ((1 - dy) * (1 - dx) * x[:, y0, x0] + (1 - dy) * dx * x[:, y0, x1]
                            + dy * (1 - dx) * x[:, y1, x0] + dy * dx * x[:, y1, x1])
    return out


def test_upsampling2d_bilinear_matches_numpy():
    x = _rand(2, 3, 4, 2, seed=13)
    _close(layers.UpSampling2D((2, 3), interpolation="bilinear")(x),
           np_bilinear_upsample(x, 2, 3))
    xf = np.moveaxis(x, -1, 1)
    _close(layers.UpSampling2D(2, interpolation="bilinear", data_format="channels_first")(xf),
           np.moveaxis(np_bilinear_upsample(x, 2, 2), -1, 1))


def test_merge_layers_match_numpy():
    a, b, c = _rand(2, 3, 4, seed=14), _rand(2, 3, 4, seed=15), _rand(2, 1, 4, seed=16)
    _close(layers.Subtract()([a, b]), a - b)
    _close(layers.Multiply()([a, b, c]), a * b * c)
    _close(layers.Average()([a, b, c]), (a + b + c) / 3)
    _close(layers.Maximum()([a, b, c]), np.maximum(np.maximum(a, b), c))
    _close(layers.Minimum()([a, c]), np.minimum(a, c))
    # A lower-rank input gains axes after the batch axis, as in Keras.
    v = _rand(2, 4, seed=17)
    _close(layers.Add()([a, v]), a + v[:, None, :])
    _close(layers.Subtract()([v, a]), v[:, None, :] - a)


def test_dot_matches_numpy():
    x, y = _rand(2, 3, seed=18), _rand(2, 3, seed=19)
    _close(layers.Dot(axes=1)([x, y]), np.sum(x * y, axis=1, keepdims=True))
    xn = x / np.linalg.norm(x, axis=1, keepdims=True)
    yn = y / np.linalg.norm(y, axis=1, keepdims=True)
    _close(layers.Dot(axes=-1, normalize=True)([x, y]), np.sum(xn * yn, axis=1, keepdims=True))
    p, q = _rand(2, 3, 4, seed=20), _rand(2, 5, 3, seed=21)
    _close(layers.Dot(axes=(1, 2))([p, q]), np.einsum("bij,bki->bjk", p, q))
    r = _rand(2, 5, 4, seed=22)
    _close(layers.Dot(axes=2)([p, r]), np.einsum("bik,bjk->bij", p, r))
    pn = p / np.linalg.norm(p, axis=2, keepdims=True)
    rn = r / np.linalg.norm(r, axis=2, keepdims=True)
    _close(layers.Dot(axes=2, normalize=True)([p, r]), np.einsum("bik,bjk->bij", pn, rn))


def test_merge_output_mask_is_the_and_of_input_masks():
    a, b = _rand(2, 3, 4, seed=23), _rand(2, 3, 4, seed=24)
    m1 = np.array([[1, 1, 0], [1, 0, 1]], bool)
    m2 = np.array([[1, 0, 0], [1, 1, 1]], bool)
    layer = layers.Subtract()
    np.testing.assert_array_equal(_np(layer.compute_mask([a, b], [m1, m2])), m1 & m2)
    np.testing.assert_array_equal(_np(layer.compute_mask([a, b], [None, m2])), m2)
    assert layer.compute_mask([a, b], None) is None


# -- argument and input validation -------------------------------------------------------------
@pytest.mark.parametrize("make,words", [
    (lambda: layers.Conv1D(0, 3), ["Conv1D", "filters", "0"]),
    (lambda: layers.Conv2D(4, 3, padding="causal"), ["Conv2D", "padding", "causal"]),
    (lambda: layers.Conv3D(4, (3, 3)), ["Conv3D", "kernel_size", "(3, 3)"]),
    (lambda: layers.Conv1D(5, 3, groups=2), ["Conv1D", "groups", "filters"]),
    (lambda: layers.Conv2DTranspose(4, 3, strides=2, output_padding=2),
     ["Conv2DTranspose", "output_padding", "2"]),
    (lambda: layers.Conv1DTranspose(4, 3, padding="full"), ["Conv1DTranspose", "padding", "full"]),
    (lambda: layers.DepthwiseConv2D(3, depth_multiplier=-1),
     ["DepthwiseConv2D", "depth_multiplier", "-1"]),
    (lambda: layers.SeparableConv2D(4, 3, data_format="nhwc"),
     ["SeparableConv2D", "data_format", "nhwc"]),
    (lambda: layers.MaxPooling1D(pool_size=0), ["MaxPooling1D", "pool_size", "0"]),
    (lambda: layers.AveragePooling3D(padding="full"), ["AveragePooling3D", "padding", "full"]),
    (lambda: layers.Permute((1, 3)), ["Permute", "dims", "(1, 3)"]),
    (lambda: layers.RepeatVector(0), ["RepeatVector", "n", "0"]),
    (lambda: layers.Cropping2D((1, 2, 3)), ["Cropping2D", "cropping", "(1, 2, 3)"]),
    (lambda: layers.Cropping1D(-1), ["Cropping1D", "cropping", "-1"]),
    (lambda: layers.ZeroPadding3D((1, 2)), ["ZeroPadding3D", "padding", "(1, 2)"]),
    (lambda: layers.UpSampling2D(interpolation="cubic"), ["UpSampling2D", "interpolation",
                                                          "cubic"]),
    (lambda: layers.UpSampling1D(0), ["UpSampling1D", "size", "0"]),
    (lambda: layers.Dot(axes=(1, 2, 3)), ["Dot", "axes", "(1, 2, 3)"]),
])
def test_invalid_arguments_raise_value_error(make, words):
    with pytest.raises(ValueError) as info:
        make()
    for w in words:
        assert w in str(info.value)


@pytest.mark.parametrize("layer,inputs,words", [
    (lambda: layers.Conv1D(2, 3), np.zeros((2, 5, 5, 3), "float32"), ["ndim=3", "(2, 5, 5, 3)"]),
    (lambda: layers.DepthwiseConv2D(3), np.zeros((2, 5, 3), "float32"), ["ndim=4", "(2, 5, 3)"]),
    (lambda: layers.MaxPooling3D(), np.zeros((2, 5, 3), "float32"), ["ndim=5"]),
    (lambda: layers.RepeatVector(2), np.zeros((2, 5, 3), "float32"), ["ndim=2"]),
    (lambda: layers.Cropping1D((3, 3)), np.zeros((2, 5, 3), "float32"), ["crop", "(2, 5, 3)"]),
    (lambda: layers.Subtract(), [np.zeros((2, 3), "float32")] * 3, ["Subtract", "exactly 2"]),
    (lambda: layers.Multiply(), [np.zeros((2, 3), "float32"), np.zeros((2, 4), "float32")],
     ["(2, 3)", "(2, 4)"]),
    (lambda: layers.Maximum(), [np.zeros((2, 3), "float32"), np.zeros((3, 3), "float32")],
     ["batch sizes", "(3, 3)"]),
    (lambda: layers.Dot(axes=1), [np.zeros((2, 3, 4), "float32"), np.zeros((2, 5, 4), "float32")],
     ["Dot", "3", "5"]),
])
def test_bad_inputs_raise_value_error_naming_shapes(layer, inputs, words):
    with pytest.raises(ValueError) as info:
        layer()(inputs)
    for w in words:
        assert w in str(info.value)
    assert "array(" not in str(info.value)


def test_channel_mismatch_after_build_names_the_layer():
    conv = layers.SeparableConv1D(2, 3, name="sep")
    conv(np.zeros((1, 5, 3), "float32"))
    with pytest.raises(ValueError, match="sep"):
        conv(np.zeros((1, 5, 4), "float32"))


def test_weight_names_shapes_and_order_follow_keras():
    def weights(layer, shape):
        layer(np.zeros(shape, "float32"))
        return [(w.name, w.shape) for w in layer.weights]

    assert weights(layers.Conv1D(4, 3, groups=2), (1, 5, 6)) == [("kernel", (3, 3, 4)),
                                                                  ("bias", (4,))]
    assert weights(layers.Conv2DTranspose(4, 3), (1, 5, 5, 2)) == [("kernel", (3, 3, 4, 2)),
                                                                    ("bias", (4,))]
    assert weights(layers.DepthwiseConv2D(3, depth_multiplier=2), (1, 5, 5, 3)) == [
        ("kernel", (3, 3, 3, 2)), ("bias", (6,))]
    assert weights(layers.SeparableConv2D(5, 3, depth_multiplier=2), (1, 5, 5, 3)) == [
        ("depthwise_kernel", (3, 3, 3, 2)), ("pointwise_kernel", (1, 1, 6, 5)), ("bias", (5,))]


def test_symbolic_model_with_spatial_layers():
    import keraslite

    inp = keraslite.Input((16, 3))
    x = layers.Conv1D(8, 3, padding="causal")(inp)
    x = layers.MaxPooling1D()(x)
    x = layers.UpSampling1D()(x)
    skip = layers.SeparableConv1D(8, 1)(inp)
    x = layers.Average()([x, skip])
    x = layers.GlobalAveragePooling1D()(x)
    model = keraslite.Model(inp, x)
    assert tuple(model.output.shape) == (None, 8)
    out = model(_rand(2, 16, 3, seed=25))
    assert tuple(out.shape) == (2, 8)


def test_mixed_precision_conv_keeps_float32_weights():
    layer = layers.Conv2DTranspose(2, 3, dtype="mixed_float16")
    out = layer(_rand(1, 4, 4, 2, seed=26))
    assert backend.standardize_dtype(out.dtype) == "float16"
    assert all(backend.standardize_dtype(w.dtype) == "float32" for w in layer.weights)


def test_merged_mask_reaches_global_average_pooling_in_a_model():
    import keraslite

    ids_a = np.array([[1, 2, 3, 0], [4, 0, 0, 0]], "int32")
    ids_b = np.array([[1, 1, 0, 0], [2, 2, 2, 0]], "int32")
    in_a, in_b = keraslite.Input((4,), dtype="int32"), keraslite.Input((4,), dtype="int32")
    emb_a, emb_b = layers.Embedding(5, 3, mask_zero=True), layers.Embedding(5, 3, mask_zero=True)
    merged = layers.Subtract()([emb_a(in_a), emb_b(in_b)])
    model = keraslite.Model([in_a, in_b], layers.GlobalAveragePooling1D()(merged))
    diff = emb_a.embeddings.numpy()[ids_a] - emb_b.embeddings.numpy()[ids_b]
    keep = (ids_a != 0) & (ids_b != 0)  # the AND of both masks
    expected = np.stack([diff[i][keep[i]].mean(0) for i in range(2)])
    _close(model([ids_a, ids_b]), expected)
