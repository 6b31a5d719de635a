"""Variable and StatelessScope: the mutable face of state that compiled steps treat as data."""
import numpy as np
import pytest

import keraslite
from keraslite import layers, ops
from keraslite.variables import StatelessScope, Variable


def test_assign_checks_shape_and_keeps_dtype():
    v = Variable(np.zeros((2, 3), "float32"), name="w")
    v.assign(np.ones((2, 3)))
    assert v.dtype == "float32"
    np.testing.assert_array_equal(v.numpy(), np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(3, 2\)"):
        v.assign(np.ones((3, 2)))


def test_stateless_scope_reads_replacements_and_records_assigns():
    v = Variable(np.full((2,), 1.0, "float32"))
    with StatelessScope({v: ops.convert_to_tensor(np.full((2,), 5.0, "float32"))}) as scope:
        np.testing.assert_array_equal(ops.convert_to_numpy(v.value), [5.0, 5.0])
        v.assign(v.value * 2)
        np.testing.assert_array_equal(ops.convert_to_numpy(scope.current(v)), [10.0, 10.0])
    np.testing.assert_array_equal(v.numpy(), [1.0, 1.0])  # the variable itself is untouched


def test_variable_arithmetic_and_conversions():
    v = Variable(np.array(3.0, "float32"))
    assert float(v) == 3.0 and int(v) == 3
    np.testing.assert_allclose(ops.convert_to_numpy(v * 2 + 1), 7.0)
    np.testing.assert_allclose(np.asarray(v), 3.0)


def test_backend_functions_accept_variables():
    """A custom layer written with raw tf functions can use its weights directly; raw
    jax.numpy code reads ``variable.value`` (JAX has no conversion hook under tracing)."""
    v = Variable(np.arange(3, dtype="float32"))
    if keraslite.backend.backend() == "jax":
        import jax.numpy as jnp

        out = jnp.add(v.value, 1.0)
    else:
        import tensorflow as tf

        out = tf.add(v, 1.0)
    np.testing.assert_allclose(np.asarray(out), [1.0, 2.0, 3.0])


class Linear(layers.Layer):
    """The custom layer from the Keras guide, as users write it."""

    def __init__(self, units=4, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="random_normal",
                                 trainable=True)
        self.b = self.add_weight(shape=(self.units,), initializer="zeros", trainable=True)

    def call(self, inputs):
        return ops.matmul(inputs, self.w) + self.b

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def test_custom_layer_trains_in_a_model():
    model = keraslite.Sequential([keraslite.Input((3,)), Linear(2)])
    model.compile(optimizer="sgd", loss="mse")
    x = np.random.rand(32, 3).astype("float32")
    y = x @ np.array([[1.0, -1.0], [2.0, 0.5], [0.0, 1.0]], "float32")
    first = model.evaluate(x, y, verbose=0)
    model.fit(x, y, epochs=20, verbose=0)
    assert model.evaluate(x, y, verbose=0) < first
    w, b = model.get_weights()
    np.testing.assert_allclose(model.predict(x, verbose=0), x @ w + b, atol=1e-5)
    clone = Linear.from_config(model.layers[0].get_config())
    assert clone.units == 2


def test_a_large_initial_array_becomes_the_variables_value_unchanged():
    """Large aligned draws are adopted by the backend (TensorFlow: through DLPack, no copy);
    the variable holds exactly the drawn values and assigning it later leaves them intact."""
    from keraslite.initializers.host_arrays import aligned_empty

    drawn = aligned_empty((512, 1024), "float32")
    drawn[...] = np.random.default_rng(0).normal(size=drawn.shape)
    expected = drawn.copy()
    variable = Variable(drawn, dtype="float32")
    np.testing.assert_array_equal(variable.numpy(), expected)
    variable.assign(np.zeros(drawn.shape, np.float32))
    np.testing.assert_array_equal(drawn, expected)
    assert float(np.abs(variable.numpy()).sum()) == 0.0


def test_changing_the_callers_array_afterwards_leaves_the_variable_alone():
    mine = np.arange(200_000, dtype=np.float32).reshape(400, 500)
    variable = Variable(mine, dtype="float32")
    mine[...] = -1.0
    np.testing.assert_array_equal(variable.numpy()[0, :3], [0.0, 1.0, 2.0])


def test_an_aligned_array_assigned_or_converted_is_copied():
    """JAX adopts a 64-byte-aligned host array without a copy: a caller's array must still not
    become a variable's or a tensor's memory."""
    from keraslite.initializers.host_arrays import aligned_empty

    mine = aligned_empty((300, 400), "float32")
    mine[...] = 1.0
    variable = Variable(np.zeros((300, 400), np.float32))
    variable.assign(mine)
    tensor = ops.convert_to_tensor(mine)
    created = Variable(mine, dtype="float32")
    mine[...] = -1.0
    for value in (variable.numpy(), np.asarray(tensor), created.numpy()):
        assert float(value[0, 0]) == 1.0
