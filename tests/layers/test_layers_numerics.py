"""Each layer's output against a NumPy reference, float32, max abs diff <= 1e-5."""
import numpy as np
import pytest

import keraslite
from keraslite import backend, layers
from keraslite.variables import StatelessScope
import numpy_refs as ref

ATOL = 1e-5


def _np(x):
    return backend.convert_to_numpy(x)


def _close(actual, expected, atol=ATOL):
    actual = _np(actual)
    assert actual.dtype == np.float32, actual.dtype
    assert actual.shape == np.shape(expected), (actual.shape, np.shape(expected))
    diff = float(np.max(np.abs(actual.astype(np.float64) - expected))) if actual.size else 0.0
    assert diff <= atol, f"max abs diff {diff} > {atol}"


def _rand(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype("float32")


# -- core -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("use_bias,activation", [(True, None), (False, "relu"), (True, "relu")])
def test_dense(use_bias, activation):
    x = _rand(3, 2, 5)
    layer = layers.Dense(4, use_bias=use_bias, activation=activation)
    layer.build((None, 2, 5))
    kernel = _rand(5, 4, seed=1)
    weights = [kernel] + ([_rand(4, seed=2)] if use_bias else [])
    layer.set_weights(weights)
    expected = ref.dense(x, kernel, weights[1] if use_bias else None,
                         ref.relu if activation else None)
    _close(layer(x), expected)


def test_dense_default_initializers():
    layer = layers.Dense(50)
    layer(np.ones((1, 30), "float32"))
    kernel, bias = layer.get_weights()
    limit = np.sqrt(6 / (30 + 50))
    assert np.all(np.abs(kernel) <= limit) and kernel.std() > limit / 4
    assert np.all(bias == 0)


@pytest.mark.parametrize("name,fn", [("relu", ref.relu), ("softmax", ref.softmax),
                                     ("linear", lambda x: x)])
def test_activation(name, fn):
    x = _rand(4, 6)
    _close(layers.Activation(name)(x), fn(x.astype(np.float64)))


def test_activation_callable():
    x = _rand(4, 6)
    _close(layers.Activation(lambda t: t * 2.0)(x), x * 2.0)


# -- dropout --------------------------------------------------------------------------------------
def test_dropout_is_identity_unless_training():
    x = _rand(8, 16)
    layer = layers.Dropout(0.5, seed=1)
    _close(layer(x), x)
    _close(layer(x, training=False), x)


def test_dropout_training_zeroes_and_rescales():
    x = np.ones((200, 50), "float32")
    layer = layers.Dropout(0.4, seed=7)
    y = _np(layer(x, training=True))
    kept = y != 0
    assert 0.5 < kept.mean() < 0.7
    np.testing.assert_allclose(y[kept], 1 / 0.6, rtol=1e-6)
    y2 = _np(layer(x, training=True))
    assert not np.array_equal(y, y2), "each call must draw a new mask"


def test_dropout_noise_shape_broadcasts():
    x = np.ones((4, 10, 6), "float32")
    y = _np(layers.Dropout(0.5, noise_shape=(None, 1, 6), seed=3)(x, training=True))
    # the same mask for every step of an example
    assert np.all(y == y[:, :1, :])


def test_dropout_rate_zero_and_stateless_scope():
    x = _rand(5, 5)
    _close(layers.Dropout(0.0)(x, training=True), x)
    layer = layers.Dropout(0.5, seed=2)
    state = layer._seed_generators[0].state
    before = state.numpy()
    with StatelessScope():
        layer(x, training=True)
    np.testing.assert_array_equal(state.numpy(), before)


# -- reshaping ------------------------------------------------------------------------------------
def test_flatten():
    x = _rand(2, 3, 4, 5)
    _close(layers.Flatten()(x), x.reshape(2, -1))
    _close(layers.Flatten(data_format="channels_first")(x), x.transpose(0, 2, 3, 1).reshape(2, -1))
    _close(layers.Flatten()(_rand(3, 1)), _rand(3, 1))


def test_reshape():
    x = _rand(2, 3, 4)
    _close(layers.Reshape((4, 3))(x), x.reshape(2, 4, 3))
    _close(layers.Reshape((-1, 2))(x), x.reshape(2, 6, 2))
    _close(layers.Reshape((12,))(x), x.reshape(2, 12))


@pytest.mark.parametrize("padding,data_format", [
    (1, "channels_last"), ((2, 1), "channels_last"), (((1, 0), (0, 3)), "channels_last"),
    (((1, 2), (3, 0)), "channels_first")])
def test_zero_padding2d(padding, data_format):
    x = _rand(2, 3, 4, 2)
    layer = layers.ZeroPadding2D(padding, data_format=data_format)
    (t, b), (left, r) = layer.padding
    if data_format == "channels_last":
        expected = np.pad(x, ((0, 0), (t, b), (left, r), (0, 0)))
    else:
        expected = np.pad(x, ((0, 0), (0, 0), (t, b), (left, r)))
    _close(layer(x), expected)


# -- convolution ----------------------------------------------------------------------------------
CONV_CASES = [
    dict(filters=3, kernel_size=3),
    dict(filters=4, kernel_size=(2, 3), strides=(2, 1), padding="same"),
    dict(filters=2, kernel_size=3, dilation_rate=2, padding="same"),
    dict(filters=4, kernel_size=3, groups=2, strides=2),
    dict(filters=6, kernel_size=1, groups=2, activation="relu"),
    dict(filters=3, kernel_size=3, padding="same", data_format="channels_first"),
    dict(filters=2, kernel_size=2, use_bias=False, strides=3),
]


@pytest.mark.parametrize("kwargs", CONV_CASES, ids=[str(i) for i in range(len(CONV_CASES))])
def test_conv2d(kwargs):
    channels_first = kwargs.get("data_format") == "channels_first"
    x = _rand(2, 4, 9, 8) if channels_first else _rand(2, 9, 8, 4)
    layer = layers.Conv2D(**kwargs)
    layer(x)
    kernel = _rand(*layer.kernel.shape, seed=1)
    weights = [kernel] + ([_rand(kwargs["filters"], seed=2)] if layer.use_bias else [])
    layer.set_weights(weights)
    expected = ref.conv2d(x, kernel, weights[1] if layer.use_bias else None,
                          strides=layer.strides, padding=layer.padding,
                          dilation=layer.dilation_rate, groups=layer.groups,
                          data_format=layer.data_format)
    if kwargs.get("activation") == "relu":
        expected = ref.relu(expected)
    _close(layer(x), expected)


# -- pooling --------------------------------------------------------------------------------------
POOL_CASES = [
    dict(),
    dict(pool_size=3, strides=2),
    dict(pool_size=(3, 2), strides=(2, 2), padding="same"),
    dict(pool_size=2, strides=1, padding="same"),
    dict(pool_size=(2, 2), data_format="channels_first"),
]


@pytest.mark.parametrize("mode", ["max", "average"])
@pytest.mark.parametrize("kwargs", POOL_CASES, ids=[str(i) for i in range(len(POOL_CASES))])
def test_pooling2d(mode, kwargs):
    cls = layers.MaxPooling2D if mode == "max" else layers.AveragePooling2D
    layer = cls(**kwargs)
    x = _rand(2, 3, 7, 6) if layer.data_format == "channels_first" else _rand(2, 7, 6, 3)
    expected = ref.pool2d(x, layer.pool_size, layer.strides, layer.padding, mode,
                          layer.data_format)
    _close(layer(x), expected)


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_global_pooling(keepdims, data_format):
    x = _rand(2, 5, 4, 3)
    axes = (1, 2) if data_format == "channels_last" else (2, 3)
    _close(layers.GlobalAveragePooling2D(data_format, keepdims)(x),
           x.astype(np.float64).mean(axis=axes, keepdims=keepdims))
    _close(layers.GlobalMaxPooling2D(data_format, keepdims)(x),
           x.astype(np.float64).max(axis=axes, keepdims=keepdims))


# -- batch normalization --------------------------------------------------------------------------
def _bn_weights(c, center=True, scale=True):
    w = []
    if scale:
        w.append(1 + 0.1 * _rand(c, seed=3))
    if center:
        w.append(_rand(c, seed=4))
    w.append(_rand(c, seed=5))
    w.append(np.abs(_rand(c, seed=6)) + 0.5)
    return w


@pytest.mark.parametrize("axis,shape", [(-1, (6, 3)), (-1, (2, 4, 4, 3)), (1, (2, 3, 4, 4))])
@pytest.mark.parametrize("center,scale", [(True, True), (False, True), (True, False)])
def test_batch_normalization_inference(axis, shape, center, scale):
    x = _rand(*shape) * 2 + 1
    layer = layers.BatchNormalization(axis=axis, center=center, scale=scale, epsilon=1e-3)
    layer(x)
    w = _bn_weights(shape[axis], center, scale)
    layer.set_weights(w)
    gamma = w[0] if scale else None
    beta = w[1 if scale else 0] if center else None
    expected = ref.batch_norm(x, w[-2], w[-1], gamma, beta, 1e-3, axis)
    _close(layer(x), expected)
    _close(layer(x, training=False), expected)


@pytest.mark.parametrize("axis,shape", [(-1, (6, 3)), (-1, (2, 4, 4, 3)), (1, (2, 3, 4, 4))])
def test_batch_normalization_training_updates_moving_stats(axis, shape):
    x = _rand(*shape) * 2 + 1
    layer = layers.BatchNormalization(axis=axis, momentum=0.9)
    layer(x)
    w = _bn_weights(shape[axis])
    layer.set_weights(w)
    mean, var = ref.batch_moments(x, axis)
    expected = ref.batch_norm(x, mean, var, w[0], w[1], 1e-3, axis)
    _close(layer(x, training=True), expected)
    _close(layer.moving_mean.value, 0.9 * w[2] + 0.1 * mean)
    _close(layer.moving_variance.value, 0.9 * w[3] + 0.1 * var)


def test_batch_normalization_stateless_scope_records_updates():
    x = _rand(8, 3)
    layer = layers.BatchNormalization(momentum=0.5)
    layer(x)
    with StatelessScope() as scope:
        layer(x, training=True)
    mean, var = ref.batch_moments(x)
    _close(scope.current(layer.moving_mean), 0.5 * mean)
    _close(scope.current(layer.moving_variance), 0.5 + 0.5 * var)
    np.testing.assert_array_equal(layer.moving_mean.numpy(), np.zeros(3))


def test_batch_normalization_frozen_uses_moving_stats():
    x = _rand(8, 3) + 3
    layer = layers.BatchNormalization()
    layer(x)
    layer.trainable = False
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 4
    _close(layer(x, training=True), ref.batch_norm(x, np.zeros(3), np.ones(3), np.ones(3),
                                                   np.zeros(3), 1e-3))
    np.testing.assert_array_equal(layer.moving_mean.numpy(), np.zeros(3))


def _compiled_stateless_call(layer, x):
    """Runs ``layer(x, training=True)`` as a pure, compiled function of all its variables;
    returns (output, {variable name: value after the call})."""
    variables = layer.variables

    def step(values, data):
        with StatelessScope(dict(zip(variables, values))) as scope:
            out = layer(data, training=True)
            return out, [scope.current(v) for v in variables]

    if backend.backend() == "jax":
        import jax

        compiled = jax.jit(step)
    else:
        import tensorflow as tf

        compiled = tf.function(step)
    out, new_values = compiled([v.value for v in variables], backend.convert_to_tensor(x))
    return out, {v.name: value for v, value in zip(variables, new_values)}


def test_batch_normalization_in_a_compiled_step():
    """The moving-statistics update must work inside a traced, compiled function."""
    x = _rand(8, 3)
    layer = layers.BatchNormalization(momentum=0.5)
    layer(x)
    out, new_values = _compiled_stateless_call(layer, x)
    mean, var = ref.batch_moments(x)
    _close(out, ref.batch_norm(x, mean, var, np.ones(3), np.zeros(3), 1e-3))
    _close(new_values["moving_mean"], 0.5 * mean)
    _close(new_values["moving_variance"], 0.5 + 0.5 * var)
    np.testing.assert_array_equal(layer.moving_mean.numpy(), np.zeros(3))


def test_dropout_in_a_compiled_step_advances_the_seed():
    x = np.ones((16, 32), "float32")
    layer = layers.Dropout(0.5, seed=4)
    state = layer._seed_generators[0].state
    before = state.numpy()
    out, new_values = _compiled_stateless_call(layer, x)
    out = _np(out)
    assert set(np.unique(out)) <= {0.0, 2.0} and 0.3 < (out != 0).mean() < 0.7
    assert not np.array_equal(_np(new_values[state.name]), before)
    np.testing.assert_array_equal(state.numpy(), before)


# -- merging --------------------------------------------------------------------------------------
def test_add():
    a, b, c = _rand(2, 3), _rand(2, 3, seed=1), _rand(2, 3, seed=2)
    _close(layers.Add()([a, b, c]), a.astype(np.float64) + b + c)
    _close(layers.Add()([a, _rand(1, 3, seed=3)]), a.astype(np.float64) + _rand(1, 3, seed=3))


@pytest.mark.parametrize("axis", [-1, 1, 0])
def test_concatenate(axis):
    a, b = _rand(2, 3, 4), _rand(2, 3, 4, seed=1)
    _close(layers.Concatenate(axis=axis)([a, b]), np.concatenate([a, b], axis=axis))


def test_layers_work_in_a_functional_model():
    inputs = keraslite.layers.Input((8, 8, 3))
    x = layers.Conv2D(4, 3, padding="same", activation="relu")(inputs)
    x = layers.BatchNormalization()(x)
    x = layers.MaxPooling2D()(x)
    y = layers.ZeroPadding2D(1)(x)
    y = layers.Conv2D(4, 3)(y)
    x = layers.Add()([x, y])
    x = layers.Concatenate()([layers.GlobalAveragePooling2D()(x), layers.Flatten()(
        layers.AveragePooling2D(4)(x))])
    x = layers.Dropout(0.5)(x)
    x = layers.Reshape((2, -1))(x)
    x = layers.Flatten()(x)
    outputs = layers.Dense(2, activation="softmax")(x)
    assert tuple(outputs.shape) == (None, 2)


# -- dtype policies and activity regularization ---------------------------------------------------
@pytest.mark.parametrize("policy", ["mixed_float16", "mixed_bfloat16"])
def test_mixed_precision_computes_low_keeps_float32_weights(policy):
    low = policy.split("_")[1]
    x = _rand(2, 6, 6, 3)
    for layer in (layers.Conv2D(4, 3, dtype=policy), layers.Dense(4, dtype=policy),
                  layers.BatchNormalization(dtype=policy)):
        out = layer(x, training=True)
        assert backend.standardize_dtype(out.dtype) == low, type(layer).__name__
        assert all(w.dtype == "float32" for w in layer.weights)
        assert np.all(np.isfinite(_np(out).astype(np.float32)))


def test_activity_regularizer_adds_a_loss_on_eager_calls_only():
    from keraslite.ops.keras_tensor import KerasTensor

    for layer, x in ((layers.Dense(3, activity_regularizer="l2"), _rand(4, 2)),
                     (layers.Conv2D(2, 1, activity_regularizer="l1"), _rand(1, 3, 3, 2))):
        out = _np(layer(x)).astype(np.float64)
        assert len(layer.losses) == 1
        # Keras 3 averages the activity penalty over the batch.
        expected = 0.01 * (np.square(out).sum() if "Dense" in type(layer).__name__
                           else np.abs(out).sum()) / x.shape[0]
        np.testing.assert_allclose(_np(layer.losses[0]), expected, rtol=1e-5)
        layer._clear_losses()
        layer(KerasTensor((None,) + x.shape[1:]))
        assert layer.losses == []
