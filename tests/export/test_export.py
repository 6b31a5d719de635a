"""model.export: TensorFlow SavedModels (tf.saved_model.load runs them) and ONNX models
(onnxruntime runs them), each checked against keraslite's own predict on the same inputs."""
import numpy as np
import pytest

import keraslite
from keraslite import layers

BACKEND = keraslite.backend.backend()


def mlp():
    return keraslite.Sequential([keraslite.Input((6,)), layers.Dense(8, activation="relu"),
                                 layers.Dense(3, activation="softmax")])


def cnn():
    """Conv, max pooling (jax2onnx needs keraslite's MaxPool lowering), batch norm with
    non-trivial statistics, depthwise conv, average pooling."""
    model = keraslite.Sequential([keraslite.Input((12, 12, 3)),
                                  layers.Conv2D(4, 3, activation="relu"),
                                  layers.MaxPooling2D(), layers.BatchNormalization(),
                                  layers.MaxPooling2D(2, strides=1, padding="same"),
                                  layers.DepthwiseConv2D(3, padding="same"),
                                  layers.AveragePooling2D(), layers.Flatten(), layers.Dense(2)])
    _random_batch_statistics(model)
    return model


def _random_batch_statistics(model):
    rng = np.random.default_rng(1)
    for layer in model.layers:
        if isinstance(layer, layers.BatchNormalization):
            layer.moving_mean.assign(rng.standard_normal(layer.moving_mean.shape) * 0.1)
            layer.moving_variance.assign(rng.random(layer.moving_variance.shape) + 0.5)


def transformer_block(activation="gelu"):
    """Attention, layer norm and an exact-gelu feed-forward (tf2onnx needs Erfc rewritten)."""
    i = keraslite.Input((6, 8))
    att = layers.MultiHeadAttention(num_heads=2, key_dim=4)(i, i)
    x = layers.LayerNormalization()(layers.Add()([i, att]))
    ff = layers.Dense(8)(layers.Dense(16, activation=activation)(x))
    return keraslite.Model(i, layers.LayerNormalization()(layers.Add()([x, ff])))


def lstm():
    return keraslite.Sequential([keraslite.Input((5, 3)), layers.LSTM(4), layers.Dense(2)])


def bidirectional():
    return keraslite.Sequential([keraslite.Input((5, 3)),
                                 layers.Bidirectional(layers.LSTM(4, return_sequences=True)),
                                 layers.GlobalAveragePooling1D()])


def recurrent_stack():
    """Bidirectional LSTM, GRU and a backwards SimpleRNN in one graph (one conversion)."""
    return keraslite.Sequential([keraslite.Input((5, 3)),
                                 layers.Bidirectional(layers.LSTM(4, return_sequences=True)),
                                 layers.GRU(4, return_sequences=True),
                                 layers.SimpleRNN(3, go_backwards=True)])


def two_inputs():
    a, b = keraslite.Input((3,)), keraslite.Input((4,))
    return keraslite.Model([a, b], layers.Dense(2)(layers.Concatenate()([a, b])))


def _inputs(model, batch):
    rng = np.random.default_rng(batch)
    return [rng.standard_normal((batch,) + tuple(t.shape[1:])).astype("float32")
            for t in model.inputs]


def _predict(model, xs):
    return np.asarray(model.predict(xs if len(xs) > 1 else xs[0], verbose=0))


@pytest.mark.parametrize("build", [mlp, bidirectional, two_inputs], ids=lambda f: f.__name__)
def test_saved_model_serves_the_same_predictions(tmp_path, build):
    tf = pytest.importorskip("tensorflow")
    model = build()
    path = str(tmp_path / "exported")
    model.export(path, verbose=False)
    loaded = tf.saved_model.load(path)
    for batch in (1, 4):  # the batch dimension stays dynamic
        xs = _inputs(model, batch)
        got = loaded.serve(*[tf.constant(x) for x in xs]).numpy()
        np.testing.assert_allclose(got, _predict(model, xs), rtol=1e-5, atol=1e-5)
    signature = loaded.signatures["serving_default"]
    assert set(signature.structured_outputs)  # servable: a named serving signature


def test_unknown_format_is_named(tmp_path):
    with pytest.raises(ValueError, match="'tf_saved_model', 'onnx'"):
        mlp().export(str(tmp_path / "x"), format="torchscript")


def test_model_without_inputs_is_refused(tmp_path):
    model = keraslite.Sequential([layers.Dense(2)])
    with pytest.raises(ValueError, match="known inputs"):
        model.export(str(tmp_path / "x"), verbose=False)


CONVERTER = "jax2onnx" if BACKEND == "jax" else "tf2onnx"


def _onnx_session(model, path):
    ort = pytest.importorskip("onnxruntime")
    pytest.importorskip(CONVERTER)
    model.export(path, format="onnx", verbose=False)
    return ort.InferenceSession(path, providers=["CPUExecutionProvider"])


def _assert_same_as_predict(session, model, batches=(1, 5)):
    names = [i.name for i in session.get_inputs()]
    for batch in batches:  # the batch dimension stays dynamic
        xs = _inputs(model, batch)
        got = session.run(None, dict(zip(names, xs)))[0]
        np.testing.assert_allclose(got, _predict(model, xs), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("build", [mlp, two_inputs, cnn, transformer_block, lstm,
                                   recurrent_stack], ids=lambda f: f.__name__)
def test_onnx_runs_in_onnxruntime_with_the_same_outputs(tmp_path, build):
    model = build()
    _assert_same_as_predict(_onnx_session(model, str(tmp_path / "m.onnx")), model)


class SingularValues(layers.Layer):
    """No ONNX form under either converter (no SVD op in ONNX)."""

    def call(self, x):
        return keraslite.ops.svd(keraslite.ops.reshape(x, (-1, 2, 3)), compute_uv=False)


def test_onnx_error_names_the_layer_without_an_onnx_form(tmp_path):
    pytest.importorskip("onnxruntime")
    pytest.importorskip(CONVERTER)
    model = keraslite.Sequential([keraslite.Input((4,)), layers.Dense(6, name="before"),
                                  SingularValues(name="singular_values")])
    path = tmp_path / "m.onnx"
    with pytest.raises(ValueError, match=r"Layer 'singular_values' \(SingularValues\) has no "
                                         rf"ONNX form in {CONVERTER}"):
        model.export(str(path), format="onnx", verbose=False)
    assert not path.exists()  # no unusable file is left behind


def test_onnx_mobilenet_v2_application(tmp_path):
    model = keraslite.applications.MobileNetV2(input_shape=(32, 32, 3), alpha=0.35,
                                               weights=None, classes=5,
                                               classifier_activation=None)
    _random_batch_statistics(model)  # so the BatchNormalization layers are really exercised
    _assert_same_as_predict(_onnx_session(model, str(tmp_path / "m.onnx")), model, (2,))


# The two largest graphs take tens of seconds each to convert, so each runs under one backend
# (the suite runs once per backend, so both converters are exercised by one of them): VGG16
# through jax2onnx, ResNet50 through tf2onnx (jax2onnx's time grows fastest with graph size).
# Their layers are all covered on both backends by the smaller models above.
_LARGE_ON = {"VGG16": "jax", "ResNet50": "tensorflow"}


@pytest.mark.slow
@pytest.mark.parametrize("name", [name for name, backend in _LARGE_ON.items()
                                  if backend == keraslite.backend.backend()])
def test_onnx_vgg16_resnet50_applications(tmp_path, name):
    """Max pooling and batch norm at application scale."""
    model = getattr(keraslite.applications, name)(include_top=False, weights=None,
                                                   input_shape=(32, 32, 3), pooling="avg")
    _random_batch_statistics(model)
    _assert_same_as_predict(_onnx_session(model, str(tmp_path / "m.onnx")), model, (2,))
