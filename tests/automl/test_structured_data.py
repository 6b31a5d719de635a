"""Tables in keraslite.automl: reading, column types, missing values, the in-model encoding
(checked against NumPy) and bad input. No search runs here."""
import os

import numpy as np
import pytest

import keraslite
from keraslite import automl as ak
from keraslite.automl.structured_blocks import encode_columns
from keraslite.automl.structured_data import MISSING_CODE, category_code

pd = pytest.importorskip("pandas")


def _table():
    return pd.DataFrame({
        "age": [30.0, np.nan, 50.0, 20.0, 40.0],
        "city": ["paris", "rome", None, "paris", "oslo"],
        "rooms": [1, 2, 3, 2, 1],
        "code": ["1.5", "2", "", "4", "3"],  # numbers written as text read as numbers
    })


def _adapted(table, **kwargs):
    node = ak.StructuredDataInput(name="table", **kwargs)
    inputs = node.prepare(table)
    node.adapt(inputs)
    return node, inputs


def test_type_inference_and_override():
    node, _ = _adapted(_table())
    assert node.columns == [("age", "numerical"), ("city", "categorical"),
                            ("rooms", "numerical"), ("code", "numerical")]
    # pandas' nullable integers: pd.NA is a missing value of a numerical column.
    node, inputs = _adapted(pd.DataFrame({"n": pd.array([1, None, 3], dtype="Int64")}))
    assert node.columns == [("n", "numerical")]
    np.testing.assert_array_equal(inputs["n"], [[1, 0], [0, 1], [3, 0]])
    node, _ = _adapted(_table(), column_types={"rooms": "categorical"})
    assert dict(node.columns)["rooms"] == "categorical"
    with pytest.raises(ValueError, match=r"column_types names \['floors'\]"):
        _adapted(_table(), column_types={"floors": "numerical"})
    with pytest.raises(ValueError, match="'numerical' or 'categorical'"):
        ak.StructuredDataInput(column_types={"age": "text"})


def test_inputs_are_one_per_column_with_missing_flags_and_codes():
    node, inputs = _adapted(_table())
    np.testing.assert_array_equal(inputs["age"], [[30, 0], [0, 1], [50, 0], [20, 0], [40, 0]])
    expected = [category_code(v) for v in ["paris", "rome"]] + [MISSING_CODE] + [
        category_code(v) for v in ["paris", "oslo"]]
    np.testing.assert_array_equal(inputs["city"][:, 0], expected)
    assert inputs["city"].dtype == np.int32
    np.testing.assert_array_equal(inputs["code"][:, 1], [0, 0, 1, 0, 0])
    mean, variance, had_missing = node.stats["age"]
    np.testing.assert_allclose([mean, variance], [35.0, np.var([30, 50, 20, 40])])
    assert had_missing and not node.stats["rooms"][2]
    # The missing category is a category of its own.
    assert MISSING_CODE in node.stats["city"]


@pytest.mark.parametrize("encoding", ["one_hot", "int"])
def test_encoding_inside_the_model_matches_numpy(encoding, tmp_path):
    table = _table()
    node, inputs = _adapted(table)
    tensors, columns = node.build_inputs(None)
    model = keraslite.Model(tensors, encode_columns(columns, encoding))
    new = pd.DataFrame({"age": [np.nan, 45.0], "city": ["rome", "lima"], "rooms": [3, 1],
                        "code": ["2", None]})
    got = model.predict(node.prepare(new, "x"), verbose=0)
    # NumPy: numerical columns imputed with the training mean and standardized, then the
    # missing flags of the columns that had missing values in fit, then the categories.
    numbers = np.array([[35.0, 3, 2.0], [45.0, 1, 2.625]])
    stats = np.array([node.stats[c][:2] for c in ("age", "rooms", "code")])
    expected = [(numbers - stats[:, 0]) / np.sqrt(stats[:, 1]), [[1, 0], [0, 1]]]
    vocabulary = node.stats["city"]  # sorted codes; index 0 is out of vocabulary
    index = [vocabulary.index(category_code("rome")) + 1, 0]
    if encoding == "one_hot":
        expected.append(np.eye(len(vocabulary) + 1)[index])
    else:
        expected.append(np.array(index)[:, None] / len(vocabulary))
    np.testing.assert_allclose(got, np.concatenate(expected, axis=1), rtol=1e-5, atol=1e-6)
    path = str(tmp_path / "encoding.keraslite")
    model.save(path)
    loaded = keraslite.models.load_model(path)
    np.testing.assert_array_equal(loaded.predict(ak.table_to_inputs(new, loaded), verbose=0),
                                  got)


def test_csv_paths_and_arrays(tmp_path):
    path = tmp_path / "table.csv"
    _table().to_csv(path, index=False)
    node, inputs = _adapted(str(path))
    assert [c for c, _ in node.columns] == ["age", "city", "rooms", "code"]
    np.testing.assert_array_equal(inputs["age"][:, 1], [0, 1, 0, 0, 0])
    with pytest.raises(ValueError, match="a folder, not a regular file"):
        ak.StructuredDataInput().prepare(str(tmp_path))
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "pipe.csv")
        with pytest.raises(ValueError, match="FIFO"):
            ak.StructuredDataInput().prepare(str(tmp_path / "pipe.csv"))
    array = np.array([[1.0, 2.0], [3.0, np.nan]])
    node, inputs = _adapted(array, column_names=["x", "y"])
    assert sorted(inputs) == ["x", "y"]
    with pytest.raises(ValueError, match="names 3 columns, but the array has 2"):
        ak.StructuredDataInput(column_names=["x", "y", "z"]).prepare(array)


def test_columns_differing_between_fit_and_predict():
    node, _ = _adapted(_table())
    with pytest.raises(ValueError, match=r"missing \['rooms'\], unexpected \['floors'\]"):
        node.prepare(_table().rename(columns={"rooms": "floors"}), "x")
    bad = _table().assign(age=["old", "young", "x", "y", "z"])
    with pytest.raises(ValueError, match="column 'age' is numerical.*'old'"):
        node.prepare(bad, "x")


def test_bad_table_input_raises_before_any_trial(tmp_path):
    model = ak.StructuredDataClassifier(max_trials=1, directory=str(tmp_path), verbose=0)
    with pytest.raises(ValueError, match="5 samples in x and 4 in y"):
        model.fit(_table(), [0, 1, 0, 1])
    with pytest.raises(ValueError, match="at least two classes"):
        model.fit(_table(), [1, 1, 1, 1, 1])
    with pytest.raises(ValueError, match="column_names.*'floors'"):
        ak.StructuredDataClassifier(column_names=["age", "floors"], directory=str(tmp_path),
                                    verbose=0).fit(_table(), [0, 1, 0, 1, 0])
    with pytest.raises(ValueError, match="expected numeric regression targets"):
        ak.StructuredDataRegressor(directory=str(tmp_path), verbose=0).fit(
            _table(), np.array(["a"] * 5))
    assert not any(tmp_path.iterdir())  # no search was started
