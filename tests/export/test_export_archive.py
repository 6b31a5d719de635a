"""keraslite.export.ExportArchive: the SavedModel it writes, loaded by tf.saved_model.load, gives
keraslite's own outputs from every endpoint; bad arguments get errors naming them."""
import numpy as np
import pytest

import keraslite
from keraslite import layers
from keraslite.export import ExportArchive

tf = pytest.importorskip("tensorflow")  # the archive is a TensorFlow SavedModel on both backends


def model_with_state():
    i = keraslite.Input((6,))
    x = layers.BatchNormalization()(layers.Dense(5, activation="relu")(i))
    model = keraslite.Model(i, layers.Dense(3)(x))
    bn = model.layers[2]
    bn.moving_mean.assign(np.linspace(-0.5, 0.5, 5))
    bn.moving_variance.assign(np.linspace(0.5, 2.0, 5))
    return model


def test_endpoints_variables_and_collections_round_trip(tmp_path):
    model = model_with_state()
    archive = ExportArchive()
    archive.track(model)
    archive.add_endpoint("serve", lambda x: model(x, training=False),
                         input_signature=[keraslite.Input((6,))])
    archive.add_endpoint("scaled", lambda x, s: model(x) * s,
                         input_signature=[tf.TensorSpec((None, 6), tf.float32, name="x"),
                                          tf.TensorSpec((None, 1), tf.float32, name="s")])
    archive.add_variable_collection("head", model.layers[-1].weights)
    path = str(tmp_path / "archive")
    archive.write_out(path, verbose=False)

    loaded = tf.saved_model.load(path)
    rng = np.random.default_rng(0)
    for batch in (1, 4):  # the batch dimension stays dynamic
        x = rng.standard_normal((batch, 6)).astype("float32")
        s = rng.standard_normal((batch, 1)).astype("float32")
        expected = np.asarray(model.predict(x, verbose=0))
        np.testing.assert_allclose(loaded.serve(x).numpy(), expected, rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(loaded.scaled(x, s).numpy(), expected * s, rtol=1e-5,
                                   atol=1e-5)
    default = loaded.signatures["serving_default"](tf.constant(x))
    np.testing.assert_allclose(list(default.values())[0].numpy(), expected, rtol=1e-5,
                               atol=1e-5)
    assert set(loaded.signatures) == {"serve", "scaled", "serving_default"}
    saved = sorted(v.numpy().tobytes() for v in loaded.variables)
    assert saved == sorted(v.numpy().tobytes() for v in model.weights)
    assert len(loaded.trainable_variables) == len(model.trainable_weights)
    np.testing.assert_array_equal(loaded.head[0].numpy(), model.layers[-1].kernel.numpy())


def test_track_and_add_endpoint_with_a_list_argument(tmp_path):
    a, b = keraslite.Input((3,)), keraslite.Input((2,))
    model = keraslite.Model([a, b], layers.Dense(2)(layers.Concatenate()([a, b])))
    archive = ExportArchive()
    archive.track_and_add_endpoint("predict_pair", model,
                                   input_signature=[[keraslite.Input((3,)),
                                                     keraslite.Input((2,))]])
    path = str(tmp_path / "pair")
    archive.write_out(path, verbose=False)
    xa, xb = np.ones((2, 3), "float32"), np.full((2, 2), 0.5, "float32")
    loaded = tf.saved_model.load(path)  # held: its variables live as long as it does
    got = loaded.predict_pair(xa, xb).numpy()
    np.testing.assert_allclose(got, np.asarray(model.predict([xa, xb], verbose=0)), atol=1e-5)


def test_bad_input_is_named(tmp_path):
    model = model_with_state()
    archive = ExportArchive()
    with pytest.raises(ValueError, match="no endpoint yet"):
        archive.write_out(str(tmp_path / "empty"), verbose=False)
    assert not (tmp_path / "empty").exists()
    with pytest.raises(TypeError, match="keraslite Layer or Model. Received: str"):
        archive.track("model")
    with pytest.raises(ValueError, match="'unbuilt' is not built"):
        archive.track(layers.Dense(2, name="unbuilt"))
    archive.track(model)
    serve_spec = [keraslite.Input((6,))]
    with pytest.raises(ValueError, match="needs an input_signature"):
        archive.add_endpoint("serve", model)
    with pytest.raises(TypeError, match="entry 0 must be a spec with a shape and a dtype.*'x'"):
        archive.add_endpoint("serve", model, input_signature=["x"])
    with pytest.raises(ValueError, match=r"could not run on inputs .*\(None, 7\)"):
        archive.add_endpoint("serve", model, input_signature=[keraslite.Input((7,))])
    with pytest.raises(ValueError, match="must be a Python identifier.*'my endpoint'"):
        archive.add_endpoint("my endpoint", model, input_signature=serve_spec)
    with pytest.raises(ValueError, match="'variables' is reserved"):
        archive.add_endpoint("variables", model, input_signature=serve_spec)
    archive.add_endpoint("serve", model, input_signature=serve_spec)
    with pytest.raises(ValueError, match="'serve' is already taken. Endpoints: \\['serve'\\]"):
        archive.add_endpoint("serve", model, input_signature=serve_spec)
    with pytest.raises(TypeError, match="list of keraslite Variables. Received: \\['str'\\]"):
        archive.add_variable_collection("names", ["kernel"])
    other = layers.Dense(2, name="other_dense")
    other.build((None, 6))
    with pytest.raises(ValueError, match=r"not tracked: \['other_dense/bias'"):
        archive.add_endpoint("other", other, input_signature=serve_spec)
    assert archive.endpoint_names == ["serve"]
