"""An AutoModel with several inputs (images, a table, text) merged, and two heads."""
import numpy as np
import pytest

import keraslite
from keraslite import automl as ak


def data(count, seed=0):
    rng = np.random.default_rng(seed)
    images = rng.random((count, 6, 6)).astype("float32")
    table = rng.normal(size=(count, 3)).astype("float32")
    words = np.where(rng.random(count) > 0.5, "up", "down")
    texts = np.array([f"the value went {w} today" for w in words])
    labels = (words == "up").astype(int)  # the class is set by the text
    amounts = images.mean(axis=(1, 2)) * 4.0 + table[:, 0]  # the number by images and table
    return [images, table, texts], [labels, amounts]


def graph():
    image, table, text = ak.ImageInput(), ak.StructuredDataInput(), ak.TextInput()
    branches = [ak.ConvBlock(num_blocks=1, num_layers=1, filters=8)(image),
                ak.DenseBlock(num_layers=1, num_units=16)(table),
                ak.TextBlock(vectorizer="ngram")(text)]
    merged = ak.Merge()(branches)
    heads = [ak.ClassificationHead(name="kind")(merged), ak.RegressionHead(name="amount")(merged)]
    return [image, table, text], heads


def test_three_inputs_two_heads_fit_predict_export(tmp_path):
    x, y = data(96)  # 64 train, 16 validation, 80 refit, 16 predicted: whole batches of 8
    inputs, heads = graph()
    model = ak.AutoModel(inputs, heads, max_trials=1, directory=str(tmp_path), seed=0,
                         verbose=0)
    model.fit([part[:80] for part in x], {"kind": y[0][:80], "amount": y[1][:80]}, epochs=2,
              batch_size=8)
    kinds, amounts = model.predict([part[80:] for part in x])
    assert kinds.shape == (16, 1) and set(np.unique(kinds)) <= {0, 1}
    assert amounts.shape == (16, 1) and np.isfinite(amounts).all()
    results = model.evaluate([part[80:] for part in x], [y[0][80:], y[1][80:]])
    assert len(results) >= 3  # the total loss and one loss per head
    exported = model.export_model()
    assert isinstance(exported, ak.HostPreprocessedModel)
    # The exported model takes the raw inputs as AutoModel.predict does: a list in order ...
    raw = [part[80:] for part in x]
    outputs = exported.predict(raw, verbose=0)
    assert sorted(outputs) == ["amount", "kind"]
    np.testing.assert_array_equal(np.where(outputs["kind"] > 0.5, 1, 0), kinds)
    np.testing.assert_allclose(outputs["amount"], amounts, rtol=1e-6)
    # ... or a dict by input name (the table as a DataFrame here).
    pd = pytest.importorskip("pandas")
    by_name = {node.name: part for node, part in zip(inputs, raw)}
    by_name[inputs[1].name] = pd.DataFrame(raw[1], columns=["0", "1", "2"])
    np.testing.assert_array_equal(exported.predict(by_name, verbose=0)["kind"], outputs["kind"])
    exported.save(str(tmp_path / "multi.keraslite"))
    loaded = keraslite.models.load_model(str(tmp_path / "multi.keraslite"))
    reloaded = loaded.predict(raw, verbose=0)
    for name in outputs:
        np.testing.assert_array_equal(reloaded[name], outputs[name])
    with pytest.raises(ValueError, match=r"takes 3 inputs.*Received: 2"):
        loaded.predict(raw[:2])


def test_mismatched_inputs_and_targets_raise_before_any_trial(tmp_path):
    x, y = data(12)
    inputs, heads = graph()
    model = ak.AutoModel(inputs, heads, max_trials=1, directory=str(tmp_path), verbose=0)
    with pytest.raises(ValueError, match="a list of 3 entries.*Received: 2"):
        model.fit(x[:2], y)
    with pytest.raises(ValueError, match="same number of samples"):
        model.fit([x[0][:10], x[1], x[2]], y)
    with pytest.raises(ValueError, match=r"one entry per head \['kind', 'amount'\]"):
        model.fit(x, {"kind": y[0]})
    with pytest.raises(ValueError, match="every head's targets.*12.*11"):
        model.fit(x, [y[0], y[1][:11]])
    with pytest.raises(ValueError, match="12 samples in x and 11 in y"):
        model.fit(x, [y[0][:11], y[1][:11]])
    assert not any(tmp_path.iterdir())  # no search was started
