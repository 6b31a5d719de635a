"""Sequential, functional and subclassed models against NumPy forward passes."""
import numpy as np
import pytest

import keraslite
from keraslite import layers


def relu(x):
    return np.maximum(x, 0)


def np_dense(x, kernel, bias, act=None):
    out = x @ kernel + bias
    return act(out) if act else out


def test_sequential_with_input_matches_numpy():
    model = keraslite.Sequential([
        keraslite.Input((5,)), layers.Dense(4, activation="relu"), layers.Dense(3)])
    x = np.random.rand(7, 5).astype("float32")
    k1, b1, k2, b2 = model.get_weights()
    expected = np_dense(np_dense(x, k1, b1, relu), k2, b2)
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, atol=1e-5)
    np.testing.assert_allclose(np.asarray(model(x)), expected, atol=1e-5)
    assert model.count_params() == 5 * 4 + 4 + 4 * 3 + 3
    assert [l.name for l in model.layers] == ["dense", "dense_1"]


def test_sequential_without_input_builds_from_data_and_add_pop():
    model = keraslite.Sequential()
    model.add(layers.Dense(4))
    model.add(layers.Dense(2))
    assert not model.built
    out = model(np.ones((3, 6), "float32"))
    assert tuple(out.shape) == (3, 2)
    assert model.built and model.count_params() == 6 * 4 + 4 + 4 * 2 + 2
    popped = model.pop()
    assert popped.name == "dense_1"
    assert len(model.layers) == 1
    assert tuple(model(np.ones((3, 6), "float32")).shape) == (3, 4)


def test_sequential_input_shape_argument_on_first_layer():
    model = keraslite.Sequential([layers.Dense(3, input_shape=(4,))])
    assert model.built
    assert model.output_shape == (None, 3)


def test_sequential_rejects_duplicate_names_and_non_layers():
    model = keraslite.Sequential([layers.Dense(2, name="d")])
    with pytest.raises(ValueError, match="unique names"):
        model.add(layers.Dense(2, name="d"))
    with pytest.raises(TypeError, match="Layer instance"):
        model.add("dense")


def test_functional_multi_input_multi_output_shared_layer():
    a = keraslite.Input((4,), name="a")
    b = keraslite.Input((4,), name="b")
    shared = layers.Dense(3, activation="relu", name="shared")
    merged = layers.Concatenate(name="concat")([shared(a), shared(b)])
    out1 = layers.Dense(2, name="out1")(merged)
    out2 = layers.Add(name="sum")([shared(a), shared(b)])
    model = keraslite.Model([a, b], [out1, out2])
    assert model.output_names == ["out1", "sum"]
    # The shared layer's weights are counted once.
    assert model.count_params() == (4 * 3 + 3) + (6 * 2 + 2)
    xa = np.random.rand(5, 4).astype("float32")
    xb = np.random.rand(5, 4).astype("float32")
    ks, bs = shared.get_weights()
    ko, bo = model.get_layer("out1").get_weights()
    ha, hb = np_dense(xa, ks, bs, relu), np_dense(xb, ks, bs, relu)
    p1, p2 = model.predict([xa, xb], verbose=0)
    np.testing.assert_allclose(p1, np_dense(np.concatenate([ha, hb], -1), ko, bo), atol=1e-5)
    np.testing.assert_allclose(p2, ha + hb, atol=1e-5)
    # Inputs by name give the same result.
    q1, _ = model.predict({"a": xa, "b": xb}, verbose=0)
    np.testing.assert_allclose(q1, p1, atol=1e-6)


def test_functional_dict_outputs_and_model_as_layer():
    inner_in = keraslite.Input((3,))
    inner = keraslite.Model(inner_in, layers.Dense(2, name="inner_dense")(inner_in), name="inner")
    x = keraslite.Input((3,))
    y = inner(x)
    z = layers.Dense(1, name="head")(y)
    model = keraslite.Model(x, {"hidden": y, "score": z})
    data = np.random.rand(4, 3).astype("float32")
    out = model.predict(data, verbose=0)
    k, b = inner.get_layer("inner_dense").get_weights()
    kh, bh = model.get_layer("head").get_weights()
    np.testing.assert_allclose(out["hidden"], data @ k + b, atol=1e-5)
    np.testing.assert_allclose(out["score"], (data @ k + b) @ kh + bh, atol=1e-5)
    assert model.count_params() == 3 * 2 + 2 + 2 + 1


def test_ops_on_symbolic_tensors_become_graph_nodes():
    x = keraslite.Input((3,))
    y = keraslite.ops.relu(x * 2.0 - 1.0)
    model = keraslite.Model(x, y)
    data = np.random.rand(4, 3).astype("float32")
    np.testing.assert_allclose(model.predict(data, verbose=0), relu(data * 2 - 1), atol=1e-6)


def test_graph_disconnected_is_reported():
    a = keraslite.Input((2,), name="a")
    b = keraslite.Input((2,), name="b")
    out = layers.Add()([a, b])
    with pytest.raises(ValueError, match="Graph disconnected"):
        keraslite.Model(a, out)


class TwoLayer(keraslite.Model):
    def __init__(self):
        super().__init__(name="two_layer")
        self.hidden = layers.Dense(8, activation="relu")
        self.out = layers.Dense(2)

    def call(self, x, training=None):
        return self.out(self.hidden(x))


def test_subclassed_model_builds_predicts_and_trains():
    model = TwoLayer()
    x = np.random.rand(64, 3).astype("float32")
    y = np.random.rand(64, 2).astype("float32")
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(x, y, epochs=3, batch_size=16, verbose=0)
    assert len(model.weights) == 4
    k1, b1, k2, b2 = model.get_weights()
    np.testing.assert_allclose(model.predict(x, verbose=0),
                               np_dense(np_dense(x, k1, b1, relu), k2, b2), atol=1e-5)
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_wrong_input_shape_names_model_and_shapes():
    model = keraslite.Sequential([keraslite.Input((784,)), layers.Dense(10)])
    with pytest.raises(ValueError) as err:
        model.predict(np.zeros((2, 100), "float32"), verbose=0)
    text = str(err.value)
    assert "784" in text and "100" in text and "sequential" in text
    with pytest.raises(ValueError, match="ndim|shape"):
        model.predict(np.zeros((2, 28, 28), "float32"), verbose=0)


def test_dense_on_wrong_last_dim_names_layer():
    layer = layers.Dense(3, name="dense_check")
    layer(np.zeros((2, 4), "float32"))
    with pytest.raises(ValueError) as err:
        layer(np.zeros((2, 5), "float32"))
    assert "dense_check" in str(err.value) and "4" in str(err.value) and "(2, 5)" in str(err.value)


def test_freezing_after_compile_keeps_weights():
    model = keraslite.Sequential([keraslite.Input((3,)), layers.Dense(4, name="frozen"),
                                  layers.Dense(1, name="free")])
    model.compile(optimizer="sgd", loss="mse")
    model.get_layer("frozen").trainable = False
    before = [w.copy() for w in model.get_weights()]
    model.fit(np.random.rand(32, 3), np.random.rand(32, 1), epochs=2, verbose=0)
    after = model.get_weights()
    np.testing.assert_array_equal(before[0], after[0])
    np.testing.assert_array_equal(before[1], after[1])
    assert not np.allclose(before[2], after[2])
    assert len(model.trainable_weights) == 2 and len(model.non_trainable_weights) == 2


def test_summary_reports_keras_parameter_counts():
    model = keraslite.Sequential([keraslite.Input((8,)), layers.Dense(4), layers.Dense(3)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(np.random.rand(8, 8), np.random.rand(8, 3), verbose=0)
    lines = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    trainable = 8 * 4 + 4 + 4 * 3 + 3
    assert f"Trainable params: {trainable}" in text
    # Adam keeps two slots per weight plus its iteration count and learning rate.
    assert f"Optimizer params: {2 * trainable + 2}" in text
    assert f"Total params: {3 * trainable + 2}" in text


def test_unfreezing_after_fit_trains_the_layer_without_recompiling():
    model = keraslite.Sequential([keraslite.Input((3,)), layers.Dense(4, name="a"),
                                  layers.Dense(1, name="b")])
    model.compile(optimizer="adam", loss="mse")
    model.get_layer("a").trainable = False
    x, y = np.random.rand(16, 3), np.random.rand(16, 1)
    frozen = model.get_layer("a").get_weights()[0].copy()
    model.fit(x, y, verbose=0)
    np.testing.assert_array_equal(model.get_layer("a").get_weights()[0], frozen)
    model.get_layer("a").trainable = True
    model.fit(x, y, verbose=0)
    assert not np.allclose(model.get_layer("a").get_weights()[0], frozen)


def test_sublayers_under_private_attributes_and_in_dicts_are_tracked():
    """As in Keras: `self._stem` and dict values are sublayers whose weights train and save."""
    import numpy as np

    class TwoHeads(keraslite.Model):
        def __init__(self):
            super().__init__()
            self._stem = keraslite.layers.Dense(4)
            self.heads = {"a": keraslite.layers.Dense(2), "b": keraslite.layers.Dense(1)}

        def call(self, x):
            h = self._stem(x)
            return self.heads["a"](h), self.heads["b"](h)

    model = TwoHeads()
    model(np.ones((2, 3), "float32"))
    assert len(model.trainable_weights) == 6
    model.compile(optimizer="sgd", loss="mse")
    before = model._stem.get_weights()[0].copy()
    model.fit(np.ones((8, 3)), [np.ones((8, 2)), np.ones((8, 1))], verbose=0)
    assert not np.array_equal(model._stem.get_weights()[0], before)
