"""FeatureSpace against Keras 3 (the oracle) on a small table, and against NumPy."""
from __future__ import annotations

import numpy as np
import pytest

import keraslite

FS = keraslite.utils.FeatureSpace

TABLE = {
    "age": np.array([20.0, 35.0, 50.0, 41.0, 29.0, 63.0, 38.0, 45.0]),
    "city": np.array(["oslo", "rome", "oslo", "lima", "rome", "oslo", "kyiv", "rome"]),
    "rooms": np.array([1, 2, 3, 2, 1, 5, 2, 3]),
    # Values whose tertiles Keras's approximate quantiles and keraslite's exact ones agree on
    # (on other small samples the two place ties in different bins).
    "income": np.array([3.1, 3.9, 3.1, 4.6, 0.2, 2.6, 2.3, 0.3]),
    "size": np.array([30.0, 55.0, 80.0, 62.0, 41.0, 120.0, 50.0, 75.0]),
}


def _features(lib_fs):
    return {
        "age": "float_normalized",
        "city": "string_categorical",
        "rooms": lib_fs.integer_categorical(max_tokens=4, name="rooms"),
        "income": lib_fs.float_discretized(num_bins=3, name="income"),
        "size": lib_fs.float_rescaled(scale=0.01, offset=-0.5, name="size"),
    }


def _keras_fs(**kwargs):
    keras = pytest.importorskip("keras")
    tf = pytest.importorskip("tensorflow")
    fs = keras.utils.FeatureSpace(_features(keras.utils.FeatureSpace), **kwargs)
    fs.adapt(tf.data.Dataset.from_tensor_slices(TABLE))
    return fs


def _ours(**kwargs):
    fs = FS(_features(FS), **kwargs)
    fs.adapt(TABLE)
    return fs


def _np(x):
    return keraslite.ops.convert_to_numpy(x)


def test_concat_matches_keras():
    theirs = _keras_fs(output_mode="concat")
    ours = _ours(output_mode="concat")
    expected = np.asarray(theirs(TABLE))
    got = _np(ours(TABLE))
    assert got.shape == expected.shape == (8, 1 + 5 + 4 + 3 + 1)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    row = {key: values[3] for key, values in TABLE.items()}
    np.testing.assert_allclose(_np(ours(row)), np.asarray(theirs(row)), rtol=1e-5, atol=1e-6)


def test_dict_matches_keras():
    theirs = _keras_fs(output_mode="dict")(TABLE)
    ours = _ours(output_mode="dict")(TABLE)
    assert sorted(ours) == sorted(theirs)
    for key in ours:
        np.testing.assert_allclose(_np(ours[key]), np.asarray(theirs[key]), rtol=1e-5, atol=1e-6)


def test_encodings_against_numpy():
    fs = FS({"age": "float_normalized", "rooms": "integer_categorical",
             "band": FS.float_discretized(num_bins=None, bin_boundaries=[1.0, 3.0]),
             "city": FS.string_categorical(output_mode="int")}, output_mode="dict")
    table = dict(TABLE, band=TABLE["income"])
    fs.adapt(table)
    out = {key: _np(value) for key, value in fs(table).items()}
    age = TABLE["age"]
    np.testing.assert_allclose(out["age"][:, 0], (age - age.mean()) / age.std(), rtol=1e-4)
    np.testing.assert_array_equal(out["band"].argmax(-1), np.digitize(TABLE["income"], [1, 3]))
    vocabulary = fs.preprocessors["rooms"].get_vocabulary()
    np.testing.assert_array_equal(out["rooms"].argmax(-1),
                                  [vocabulary.index(r) for r in TABLE["rooms"]])
    assert out["city"].shape == (8, 1) and out["city"].dtype.kind == "i"
    city_vocabulary = fs.preprocessors["city"].get_vocabulary()
    np.testing.assert_array_equal(out["city"][:, 0],
                                  [city_vocabulary.index(c) for c in TABLE["city"]])


def test_model_on_encoded_features_trains():
    fs = _ours()
    encoded = fs.get_encoded_features()
    assert encoded is fs.get_encoded_features()
    outputs = keraslite.layers.Dense(1, activation="sigmoid")(encoded)
    model = keraslite.Model(encoded, outputs)
    model.compile("adam", "binary_crossentropy")
    x = _np(fs(TABLE))
    y = (TABLE["age"] > 40).astype("float32")
    history = model.fit(x, y, epochs=2, batch_size=4, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))
    assert model.predict(x, verbose=0).shape == (8, 1)


def test_adapt_on_a_dataset_of_rows_and_batches():
    rows = [{key: values[i] for key, values in TABLE.items()} for i in range(8)]
    by_rows = FS(_features(FS))
    by_rows.adapt(rows)
    batches = [{key: values[i:i + 3] for key, values in TABLE.items()} for i in (0, 3, 6)]
    by_batches = FS(_features(FS))
    by_batches.adapt(batches)
    np.testing.assert_allclose(_np(by_rows(TABLE)), _np(by_batches(TABLE)), rtol=1e-6)
    np.testing.assert_allclose(_np(by_rows(TABLE)), _np(_ours()(TABLE)), rtol=1e-6)


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="unknown type 'floaty'"):
        FS({"a": "floaty"})
    with pytest.raises(ValueError, match="output_mode"):
        FS({"a": "float"}, output_mode="stack")
    with pytest.raises(ValueError, match="not in `features`"):
        FS({"a": "float", "b": "float"}, crosses=[("a", "zzz")])
    with pytest.raises(ValueError, match="at least 2"):
        FS.cross(("a",), 4)
    fs = FS({"age": "float_normalized"})
    with pytest.raises(ValueError, match="adapt"):
        fs({"age": [1.0]})
    fs.adapt({"age": [1.0, 2.0]})
    with pytest.raises(ValueError, match="lacks features \\['age'\\]"):
        fs({"height": [1.0]})
    with pytest.raises(ValueError, match="dict"):
        fs([1.0, 2.0])
    with pytest.raises(ValueError, match="one value per row"):
        fs({"age": np.ones((2, 3))})
    ints = FS({"city": FS.string_categorical(output_mode="int")})
    ints.adapt({"city": ["a", "b"]})
    with pytest.raises(ValueError, match="Cannot concatenate.*'city'"):
        ints({"city": ["a"]})
    with pytest.raises(ValueError, match="strings"):
        ints.get_inputs()


def test_numeric_inputs_are_keras_inputs():
    fs = FS({"age": "float_normalized", "rooms": "integer_categorical"})
    fs.adapt(TABLE)
    inputs = fs.get_inputs()
    assert sorted(inputs) == ["age", "rooms"]
    assert tuple(inputs["age"].shape) == (None, 1)
    assert "int" in str(inputs["rooms"].dtype)


def test_hashed_features_and_crosses_match_keras():
    if not hasattr(keraslite.layers, "Hashing"):
        # Without the layer, asking for a hashed feature says what is missing.
        with pytest.raises(ValueError, match="keraslite.layers.Hashing"):
            FS.string_hashed(num_bins=7)
        return
    keras = pytest.importorskip("keras")
    tf = pytest.importorskip("tensorflow")

    def spec(lib_fs):
        return dict(features={"city": lib_fs.string_hashed(num_bins=7, name="city"),
                              "rooms": lib_fs.integer_hashed(num_bins=5, name="rooms"),
                              "age": "float"},
                    crosses=[lib_fs.cross(("city", "rooms"), crossing_dim=6)])

    table = {k: TABLE[k] for k in ("city", "rooms", "age")}
    theirs = keras.utils.FeatureSpace(**spec(keras.utils.FeatureSpace))
    theirs.adapt(tf.data.Dataset.from_tensor_slices(table))
    ours = FS(**spec(FS))
    ours.adapt(table)
    np.testing.assert_allclose(_np(ours(table)), np.asarray(theirs(table)), atol=1e-6)
