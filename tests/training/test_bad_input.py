"""Bad input gets a clear error naming what was expected and what was received (no arrays)."""
import numpy as np
import pytest

import keraslite
from keraslite import layers


def compiled_mlp(loss="sparse_categorical_crossentropy"):
    model = keraslite.Sequential([keraslite.Input((4,)), layers.Dense(8, activation="relu"),
                                  layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss=loss, metrics=["accuracy"])
    return model


X = np.random.rand(20, 4).astype("float32")
Y = np.random.randint(0, 3, size=20)


def assert_no_array_dump(message):
    assert "[[" not in message and "array(" not in message and len(message) < 600


def test_wrong_input_rank():
    with pytest.raises(ValueError) as err:
        compiled_mlp().fit(np.random.rand(20, 4, 2), Y, verbose=0)
    msg = str(err.value)
    assert "(None, 4)" in msg and "(20, 4, 2)" in msg or "ndim" in msg
    assert_no_array_dump(msg)


def test_wrong_last_dimension():
    with pytest.raises(ValueError) as err:
        compiled_mlp().fit(np.random.rand(20, 7), Y, verbose=0)
    msg = str(err.value)
    assert "4" in msg and "7" in msg
    assert_no_array_dump(msg)


def test_x_and_y_lengths_differ():
    with pytest.raises(ValueError) as err:
        compiled_mlp().fit(X, Y[:15], verbose=0)
    msg = str(err.value)
    assert "20 samples" in msg and "15 samples" in msg


def test_empty_arrays():
    with pytest.raises(ValueError, match="0 samples"):
        compiled_mlp().fit(np.zeros((0, 4), "float32"), np.zeros((0,), "int32"), verbose=0)


def test_string_array():
    with pytest.raises(TypeError, match="strings"):
        compiled_mlp().fit(np.array([["a", "b", "c", "d"]] * 20), Y, verbose=0)


def test_unknown_loss_name_lists_valid_names():
    model = keraslite.Sequential([keraslite.Input((4,)), layers.Dense(3)])
    with pytest.raises(ValueError) as err:
        model.compile(optimizer="adam", loss="mean_squared_eror")
    msg = str(err.value)
    assert "mean_squared_eror" in msg and "mean_squared_error" in msg


def test_unknown_optimizer_and_metric_names():
    model = keraslite.Sequential([keraslite.Input((4,)), layers.Dense(3)])
    with pytest.raises(ValueError, match="adamm"):
        model.compile(optimizer="adamm", loss="mse")
    with pytest.raises(ValueError, match="acuracy"):
        model.compile(optimizer="adam", loss="mse", metrics=["acuracy"])


def test_fit_before_compile():
    model = keraslite.Sequential([keraslite.Input((4,)), layers.Dense(3)])
    with pytest.raises(ValueError, match="compile"):
        model.fit(X, Y, verbose=0)
    with pytest.raises(RuntimeError, match="compile"):
        model.evaluate(X, Y, verbose=0)


@pytest.mark.parametrize("batch_size", [0, -4, 2.5])
def test_bad_batch_size(batch_size):
    with pytest.raises(ValueError, match="batch_size"):
        compiled_mlp().fit(X, Y, batch_size=batch_size, verbose=0)


@pytest.mark.parametrize("split", [-0.1, 1.0, 1.5])
def test_validation_split_out_of_range(split):
    with pytest.raises(ValueError, match="validation_split"):
        compiled_mlp().fit(X, Y, validation_split=split, verbose=0)


def test_sparse_labels_out_of_range():
    with pytest.raises(ValueError) as err:
        compiled_mlp().fit(X, np.full(20, 5), verbose=0)
    msg = str(err.value)
    assert "[0, 2]" in msg and "5" in msg


def test_one_hot_labels_with_wrong_number_of_columns():
    with pytest.raises(ValueError) as err:
        compiled_mlp("categorical_crossentropy").fit(X, np.eye(4)[np.arange(20) % 4], verbose=0)
    msg = str(err.value)
    assert "(20, 4)" in msg and "(None, 3)" in msg


def test_one_hot_labels_with_sparse_loss():
    with pytest.raises(ValueError, match="categorical_crossentropy"):
        compiled_mlp().fit(X, np.eye(3)[Y], verbose=0)


def test_missing_targets():
    with pytest.raises(ValueError, match="y=None"):
        compiled_mlp().fit(X, verbose=0)


def test_negative_epochs():
    with pytest.raises(ValueError, match="epochs"):
        compiled_mlp().fit(X, Y, epochs=-1, verbose=0)


def test_malformed_validation_data():
    with pytest.raises(ValueError, match="validation_data"):
        compiled_mlp().fit(X, Y, validation_data=X, verbose=0)


def test_named_inputs_with_wrong_keys():
    a = keraslite.Input((2,), name="left")
    b = keraslite.Input((2,), name="right")
    model = keraslite.Model([a, b], layers.Add()([a, b]))
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError) as err:
        model.predict({"left": np.ones((3, 2)), "rigth": np.ones((3, 2))}, verbose=0)
    msg = str(err.value)
    assert "right" in msg and "rigth" in msg


def test_wrong_number_of_targets_for_multi_output():
    a = keraslite.Input((2,))
    model = keraslite.Model(a, [layers.Dense(1, name="p")(a), layers.Dense(1, name="q")(a)])
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match="2 output"):
        model.fit(np.ones((4, 2)), [np.ones((4, 1))] * 3, verbose=0)


def test_set_weights_with_wrong_shapes():
    model = compiled_mlp()
    weights = model.get_weights()
    with pytest.raises(ValueError, match="expected 4 weight arrays"):
        model.set_weights(weights[:2])
    weights[0] = np.zeros((5, 8))
    with pytest.raises(ValueError, match=r"\(4, 8\)"):
        model.set_weights(weights)


def test_nan_loss_stops_training_with_a_clear_error():
    from keraslite.training.trainer import NonFiniteLossError

    model = keraslite.Sequential([keraslite.Input((4,)), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x = np.random.rand(20, 4).astype("float32")
    # Finite targets whose squared error overflows float32: the loss itself becomes inf.
    y = np.full((20, 1), 1e30, "float32")
    with pytest.raises(NonFiniteLossError, match="epoch 1"):
        model.fit(x, y, epochs=3, verbose=0)
    with pytest.raises(ValueError, match="nan|inf"):
        model.fit(x, y, epochs=1, verbose=1)


@pytest.mark.parametrize("where", ["x", "y", "sample_weight"])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_values_in_the_data(where, bad):
    model = compiled_mlp(loss="mse")
    x, y, w = X.copy(), np.random.rand(20, 3).astype("float32"), np.ones(20, "float32")
    {"x": x, "y": y, "sample_weight": w}[where][(7, 1) if where != "sample_weight" else 7] = bad
    with pytest.raises(ValueError, match=rf"{where} holds .*index \(7") as info:
        model.fit(x, y, sample_weight=w, verbose=0)
    assert_no_array_dump(str(info.value))


def test_non_finite_values_in_a_generator_batch_and_in_predict():
    model = compiled_mlp()
    bad = X.copy()
    bad[12, 0] = np.nan

    def batches():
        yield X[:10], Y[:10]
        yield bad[10:], Y[10:]

    with pytest.raises(ValueError, match="NaN"):
        model.fit(batches(), epochs=1, verbose=0)
    with pytest.raises(ValueError, match="x holds 1 NaN"):
        model.predict(bad, verbose=0)
    with pytest.raises(ValueError, match="x holds 1 NaN"):
        model.evaluate(bad, Y, verbose=0)


@pytest.mark.parametrize("class_weight,match", [
    ({0: 1.0, 7: 2.0}, r"classes \[7\].*0\.\.2"),
    ({-1: 1.0}, r"classes \[-1\]"),
    ({"cat": 1.0}, r"classes \['cat'\]"),
    ([1.0, 2.0], "must be a dict"),
])
def test_class_weight_naming_unknown_classes(class_weight, match):
    model = compiled_mlp()
    with pytest.raises((ValueError, TypeError), match=match):
        model.fit(X, Y, class_weight=class_weight, verbose=0)


def test_class_weight_on_one_hot_labels_checks_the_column_count():
    model = compiled_mlp(loss="categorical_crossentropy")
    y = np.eye(3, dtype="float32")[Y]
    with pytest.raises(ValueError, match=r"classes \[3\]"):
        model.fit(X, y, class_weight={0: 1.0, 3: 5.0}, verbose=0)
