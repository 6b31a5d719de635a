"""Host steps of exported automl models: the TableEncoder (a table -> the network's inputs,
checked against values written out by hand) and what a HostPreprocessedModel config may
name. No search runs here."""
import json

import numpy as np
import pytest

import keraslite
from keraslite import automl as ak
from keraslite.automl.structured_data import MISSING_CODE, category_code
from keraslite.automl.table_encoder import TableEncoder
from keraslite.saving.serialization import deserialize_layer, serialize_layer

pd = pytest.importorskip("pandas")
COLUMNS = [("age", "numerical"), ("city name", "categorical")]


def _frame():
    return pd.DataFrame({"city name": ["oslo", None, "rome"], "age": [30.0, np.nan, "7"]})


def test_table_encoder_matches_hand_written_inputs_and_survives_its_config():
    encoder = TableEncoder(COLUMNS, name="table_encoder")
    expected = {"age": np.array([[30, 0], [0, 1], [7, 0]], np.float32),
                "city_name": np.array([[category_code("oslo")], [MISSING_CODE],
                                       [category_code("rome")]], np.int32)}
    # The config is plain JSON; rebuilt from it, the encoder gives the same inputs.
    entry = json.loads(json.dumps(serialize_layer(encoder)))
    rebuilt = deserialize_layer(entry)
    assert isinstance(rebuilt, TableEncoder) and rebuilt.columns == COLUMNS
    for made in (encoder.encode(_frame()), rebuilt.encode(_frame())):
        assert list(made) == ["age", "city_name"]
        for name, value in expected.items():
            np.testing.assert_array_equal(made[name], value)
            assert made[name].dtype == value.dtype
    # A 2-D array with column_names is read like the DataFrame.
    by_array = TableEncoder(COLUMNS, column_names=["city name", "age"]).encode(
        _frame().to_numpy())
    np.testing.assert_array_equal(by_array["city_name"], expected["city_name"])


def test_table_encoder_refuses_other_columns_and_bad_configs():
    encoder = TableEncoder(COLUMNS, name="enc")
    with pytest.raises(ValueError, match=r"missing \['age'\], unexpected \['years'\]"):
        encoder.encode(_frame().rename(columns={"age": "years"}))
    with pytest.raises(ValueError, match="column 'age' is numerical.*'old'"):
        encoder.encode(pd.DataFrame({"age": ["old"], "city name": ["oslo"]}))
    with pytest.raises(ValueError, match=r"pair \[name, 'numerical' \| 'categorical'\].*text"):
        TableEncoder([["age", "text"]])
    with pytest.raises(ValueError, match="non-empty list"):
        TableEncoder([])
    with pytest.raises(TypeError, match="runs on the host"):
        encoder.call(None)


def test_host_model_config_names_only_host_steps_and_known_inputs():
    ids = keraslite.Input(shape=(2,), name="age")
    network = keraslite.Model(ids, keraslite.layers.Dense(1)(ids))
    with pytest.raises(ValueError, match="TextVectorization or a TableEncoder.*Dense"):
        ak.HostPreprocessedModel(network, {"age": keraslite.layers.Dense(1)})
    with pytest.raises(ValueError, match=r"\['b'\] are not among input_names \['a'\]"):
        ak.HostPreprocessedModel(network, {"b": TableEncoder(COLUMNS)}, input_names=["a"])
    model = ak.HostPreprocessedModel(network, {"t": TableEncoder([("age", "numerical")])})
    config = json.loads(json.dumps(model.get_config()))
    config["preprocessors"]["t"] = serialize_layer(keraslite.layers.Dense(1))
    with pytest.raises(ValueError, match="must be TextVectorization or TableEncoder.*Dense"):
        ak.HostPreprocessedModel.from_config(config)
    # One table input: a DataFrame is encoded, an encoded dict passes as it is.
    frame = pd.DataFrame({"age": [1.0, np.nan]})
    encoded = {"age": np.array([[1, 0], [0, 1]], np.float32)}
    np.testing.assert_array_equal(model.predict(frame, verbose=0),
                                  model.predict(encoded, verbose=0))
    np.testing.assert_array_equal(model.predict(frame, verbose=0),
                                  network.predict(encoded["age"], verbose=0))
