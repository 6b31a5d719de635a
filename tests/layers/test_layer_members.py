"""Keras 3's Layer members (path, metrics, input_dtype, saving hooks, symbolic_call,
rematerialized_call, quantization), against Keras 3 as the oracle and closed forms."""
import os

import numpy as np
import pytest

import keraslite
from keraslite import backend, layers, ops


@pytest.fixture(scope="module")
def keras():
    os.environ.setdefault("KERAS_BACKEND", "jax")
    return pytest.importorskip("keras")


def _paths(k):
    """The same layer structures built with keraslite or Keras (``k``); their paths."""
    L = k.layers
    out = {}
    top = L.Dense(2, name="top")
    out["unbuilt"] = top.path
    top.build((None, 3))
    out["top"] = top.path

    seq = k.Sequential([k.Input((3,)), L.Dense(4, name="s1"), L.Dense(2, name="s2")], name="seq")
    out["sequential"] = [seq.path] + [layer.path for layer in seq.layers]
    lazy = k.Sequential([L.Dense(2, name="z1")], name="lazy")
    lazy(np.zeros((1, 3), "float32"))
    out["sequential_built_on_call"] = [lazy.path, lazy.layers[0].path]

    inputs = k.Input((3,), name="x")
    h = L.Dense(3, name="f1")(inputs)
    inner = k.Sequential([L.Dense(2, name="in1")], name="inner")
    fn = k.Model(inputs, inner(h), name="fn")
    out["functional"] = [fn.path, fn.get_layer("f1").path, inner.path, inner.layers[0].path]

    class Block(L.Layer):  # one sublayer built in build, one first built in call
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.built_in_build = L.Dense(3, name="bb")
            self.built_in_call = L.Dense(3, name="bc")

        def build(self, input_shape):
            self.built_in_build.build(input_shape)

        def call(self, x):
            return self.built_in_call(self.built_in_build(x))

    class Net(k.Model):
        def __init__(self):
            super().__init__(name="net")
            self.block = Block(name="blk")
            self.head = L.Dense(1, name="head")

        def call(self, x):
            return self.head(self.block(x))

    net = Net()
    out["subclassed_before"] = [net.path, net.block.path, net.head.path]
    net(np.zeros((2, 3), "float32"))
    out["subclassed"] = [net.path, net.block.path, net.block.built_in_build.path,
                         net.block.built_in_call.path, net.head.path]
    lone = Block(name="lone")
    lone(np.zeros((1, 3), "float32"))
    out["block"] = [lone.path, lone.built_in_build.path, lone.built_in_call.path]
    with k.name_scope("outer"):
        scoped = L.Dense(1, name="scoped")
        scoped(np.zeros((1, 2), "float32"))
    out["name_scope"] = scoped.path
    return out


def test_path_matches_keras(keras):
    assert _paths(keraslite) == _paths(keras)


def _tracking_classes(k):
    class Inner(k.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.trackers = [k.metrics.Mean(name="m_list"), k.metrics.Sum(name="s_list")]

    class Outer(k.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.loss_tracker = k.metrics.Mean(name="loss_tracker")
            self.inner = Inner(name="inner")
            self.dense = k.layers.Dense(2)

        def call(self, x):
            return self.dense(self.inner(x))

    return Outer


def test_metrics_are_the_tracked_metric_attributes_as_in_keras(keras):
    ours, theirs = _tracking_classes(keraslite)(), _tracking_classes(keras)()
    assert [m.name for m in ours.metrics] == [m.name for m in theirs.metrics] == [
        "loss_tracker", "m_list", "s_list"]
    assert ([v.shape for v in ours.metrics_variables]
            == [tuple(v.shape) for v in theirs.metrics_variables])
    ours.loss_tracker.update_state([1.0, 3.0])
    ours.inner.trackers[1].update_state([2.0, 5.0])
    # Mean keeps (total, count), Sum its total: the variables hold the updates made above.
    values = [float(np.asarray(v.numpy())) for v in ours.metrics_variables]
    assert values == [4.0, 2.0, 0.0, 0.0, 7.0]
    assert layers.Dense(1).metrics == [] and layers.Dense(1).metrics_variables == []


def test_model_metrics_stay_the_trainers():
    class Net(keraslite.Model):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(1)

        def call(self, x):
            return self.dense(x)

    net = Net()
    net.compile("sgd", "mse", metrics=["mae"])
    net.fit(np.ones((4, 2), "float32"), np.ones((4, 1), "float32"), verbose=0)
    names = [m.name for m in net.metrics]
    assert "loss" in names and len(names) >= 2  # the loss tracker and the compiled metrics


def test_add_metric_raises_as_in_keras(keras):
    with pytest.raises(NotImplementedError):
        keras.layers.Dense(1).add_metric(1.0)
    with pytest.raises(NotImplementedError, match=r"'dense'.*compile\(metrics="):
        layers.Dense(1, name="dense").add_metric(1.0)


@pytest.mark.parametrize("dtype", [None, "float32", "mixed_float16", "bfloat16", "int32"])
def test_input_dtype_matches_keras(keras, dtype):
    theirs = keras.layers.Dense(1, dtype=dtype).input_dtype
    assert layers.Dense(1, dtype=dtype).input_dtype == theirs


def test_quantization_is_refused_by_name(keras):
    assert layers.Dense(1).quantization_mode is keras.layers.Dense(1).quantization_mode is None
    dense = layers.Dense(1, name="d")
    dense.build((None, 2))
    for member, call in [("quantize", lambda: dense.quantize("int8")),
                         ("quantized_build", lambda: dense.quantized_build((None, 2), "int4")),
                         ("quantized_call", lambda: dense.quantized_call(np.ones((1, 2))))]:
        with pytest.raises(NotImplementedError, match=f"'d'.{member}: keraslite does not quantize"):
            call()
    with pytest.raises(NotImplementedError, match="mode='int8'"):
        dense.quantize("int8")


def test_symbolic_call_infers_the_spec_and_records_the_call(keras):
    inputs = keraslite.Input((5, 3))
    dense = layers.Dense(4)
    out = dense.symbolic_call(inputs)
    theirs = keras.layers.Dense(4).compute_output_spec(keras.KerasTensor((None, 5, 3)))
    assert (tuple(out.shape), out.dtype) == (tuple(theirs.shape), theirs.dtype)
    model = keraslite.Model(inputs, out)  # the node recorded makes a functional model
    x = np.random.default_rng(0).normal(size=(2, 5, 3)).astype("float32")
    kernel, bias = (np.asarray(w) for w in dense.get_weights())
    np.testing.assert_allclose(np.asarray(model.predict(x, verbose=0)), x @ kernel + bias,
                               rtol=1e-5, atol=1e-6)


def test_rematerialized_call_recomputes_under_a_full_remat_scope():
    dense = layers.Dense(3, activation="tanh")
    x = np.random.default_rng(1).normal(size=(4, 2)).astype("float32")
    dense.build((None, 2))
    assert dense.rematerialized_call(dense.call, x) == dense.call  # no scope: unchanged
    with keraslite.RematScope(mode="full"):
        wrapped = dense.rematerialized_call(dense.call, x)
    assert wrapped != dense.call

    bias = np.asarray(dense.bias.numpy())

    def loss(fn):
        def f(kernel):  # of arrays only: TF's recompute_grad does not watch keraslite Variables
            return ops.sum(ops.square(ops.tanh(ops.matmul(x, kernel) + bias)))
        return fn(f)

    kernel = backend.convert_to_tensor(np.asarray(dense.kernel.numpy()))
    value, grad = backend.value_and_grad(loss(lambda f: f))(kernel)
    y = np.tanh(x @ np.asarray(kernel) + bias)
    np.testing.assert_allclose(np.asarray(backend.convert_to_numpy(dense(x))), y, rtol=1e-5)
    np.testing.assert_allclose(np.asarray(backend.convert_to_numpy(wrapped(x))), y, rtol=1e-5)
    with keraslite.RematScope(mode="full"):
        remat_value, remat_grad = backend.value_and_grad(
            dense.rematerialized_call(loss(lambda f: f)))(kernel)
    # Closed form: d/dK sum(tanh(xK+b)^2) = x^T (2 y (1 - y^2)).
    np.testing.assert_allclose(backend.convert_to_numpy(remat_grad), x.T @ (2 * y * (1 - y ** 2)),
                               rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(backend.convert_to_numpy(remat_value),
                               backend.convert_to_numpy(value), rtol=1e-6)
    np.testing.assert_allclose(backend.convert_to_numpy(grad),
                               backend.convert_to_numpy(remat_grad), rtol=1e-5)


def test_own_variables_store_has_keras_keys_and_order(keras):
    ours, theirs = layers.BatchNormalization(), keras.layers.BatchNormalization()
    ours.build((None, 3))
    theirs.build((None, 3))
    values = [np.arange(3, dtype="float32") + i for i in range(4)]
    ours.set_weights(values)
    theirs.set_weights(values)
    ours_store, theirs_store = {}, {}
    ours.save_own_variables(ours_store)
    theirs.save_own_variables(theirs_store)
    assert list(ours_store) == list(theirs_store) == ["0", "1", "2", "3"]
    for key in theirs_store:
        np.testing.assert_array_equal(np.asarray(ours_store[key].numpy()),
                                      np.asarray(theirs_store[key].numpy()))
    # Loading the store into a fresh layer gives the same weights.
    fresh = layers.BatchNormalization()
    fresh.build((None, 3))
    fresh.load_own_variables({k: np.asarray(v.numpy()) for k, v in ours_store.items()})
    for got, want in zip(fresh.get_weights(), values):
        np.testing.assert_array_equal(got, want)
    with pytest.raises(ValueError) as theirs_error:
        theirs.load_own_variables({"0": values[0]})
    with pytest.raises(ValueError, match=r"Layer 'batch_normalization.*' expected 4 variables"):
        fresh.load_own_variables({"0": values[0]})
    assert "expected 4 variables" in str(theirs_error.value)
    with pytest.raises(ValueError, match=r"has shape \(3,\). Received: shape=\(2,\)"):
        fresh.load_own_variables({str(i): np.zeros(2) for i in range(4)})
