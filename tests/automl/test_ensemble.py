"""The refit's ensemble: the best configurations refit and averaged into one saveable model."""
import numpy as np
import pytest

import keraslite
from keraslite import automl as ak
from keraslite import layers
from keraslite.automl import auto_model
from keraslite.automl.ensemble import average_models


def _member(seed, units):
    keraslite.utils.set_random_seed(seed)
    inputs = [keraslite.Input((3,), name="a"), keraslite.Input((2,), name="b")]
    hidden = layers.Dense(units, activation="relu")(layers.Concatenate()(inputs))
    model = keraslite.Model(inputs, layers.Dense(1, activation="sigmoid")(hidden))
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    return model


def test_average_models_is_the_mean_of_the_members_and_round_trips(tmp_path):
    keraslite.backend.clear_session()
    members = [_member(0, 4), _member(1, 8), _member(2, 3)]  # same default name "functional"
    rng = np.random.default_rng(0)
    x = [rng.normal(size=(6, 3)).astype("float32"), rng.normal(size=(6, 2)).astype("float32")]
    expected = np.mean([m.predict(x, verbose=0) for m in members], axis=0)
    ensemble = average_models(members, ("binary_crossentropy", ["accuracy"]))
    np.testing.assert_allclose(ensemble.predict(x, verbose=0), expected, rtol=1e-6, atol=1e-7)
    assert [l.name for l in ensemble.layers if isinstance(l, keraslite.Model)] == [
        "member_0", "member_1", "member_2"]
    y = (rng.random(6) > 0.5).astype("float32")
    loss, _ = ensemble.evaluate(x, y, verbose=0)
    p = np.clip(expected[:, 0], 1e-7, 1 - 1e-7)
    np.testing.assert_allclose(loss, -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)),
                               rtol=1e-5)
    path = str(tmp_path / "ensemble.keraslite")
    ensemble.save(path)
    reloaded = keraslite.models.load_model(path)
    np.testing.assert_array_equal(reloaded.predict(x, verbose=0), ensemble.predict(x, verbose=0))


def test_one_member_is_returned_as_it_is():
    member = _member(0, 4)
    assert average_models([member], ("mse", [])) is member


def _table(n=160, seed=0):
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(seed)
    table = pd.DataFrame({"size": rng.normal(size=n), "weight": rng.normal(size=n),
                          "colour": rng.choice(["red", "green", "blue"], n)})
    y = np.where(table["size"] + 2 * (table["colour"] == "red") > 0.7, "yes", "no")
    return table, y


def test_table_refit_averages_the_best_configurations(tmp_path):
    table, y = _table()
    model = ak.StructuredDataClassifier(max_trials=2, directory=str(tmp_path), seed=1,
                                        overwrite=True, verbose=0, ensemble_size=2)
    model.fit(table[:128], y[:128], epochs=4, batch_size=16)
    exported = model.export_model()
    members = [l for l in exported.network.layers if isinstance(l, keraslite.Model)]
    assert [m.name for m in members] == ["member_0", "member_1"]
    # Each member is the configuration of one of the two best trials.
    best = model.tuner.oracle.get_best_trials(2)
    for member, trial in zip(members, best):
        fresh = model.graph.build(trial.hyperparameters.copy())
        fresh_network = getattr(fresh, "network", fresh)
        assert member.count_params() == fresh_network.count_params()
    encoded = exported._convert(table[128:])
    expected = np.mean([m.predict(encoded, verbose=0) for m in members], axis=0)
    probabilities = exported.predict(table[128:], verbose=0)
    np.testing.assert_allclose(probabilities, expected, rtol=1e-6, atol=1e-7)
    labels = model.predict(table[128:])[:, 0]
    np.testing.assert_array_equal(labels, np.where(probabilities[:, 0] > 0.5, "yes", "no"))
    path = str(tmp_path / "table_ensemble.keraslite")
    exported.save(path)
    reloaded = keraslite.models.load_model(path)
    np.testing.assert_array_equal(reloaded.predict(table[128:], verbose=0), probabilities)


def test_default_ensemble_size_by_task_and_size():
    table_model = ak.StructuredDataClassifier(max_trials=1, verbose=0)
    assert table_model._ensemble_size(500) == 3
    assert table_model._ensemble_size(auto_model.SMALL_DATA_ROWS + 1) == 1
    assert ak.StructuredDataRegressor(max_trials=1, verbose=0)._ensemble_size(500) == 3
    assert ak.ImageClassifier(max_trials=1, verbose=0)._ensemble_size(500) == 1
    assert ak.StructuredDataClassifier(max_trials=1, verbose=0,
                                       ensemble_size=1)._ensemble_size(500) == 1


@pytest.mark.parametrize("value", [0, -1, 1.5, True, "3"])
def test_bad_ensemble_size_is_named(value):
    with pytest.raises(ValueError, match="ensemble_size"):
        ak.StructuredDataClassifier(max_trials=1, ensemble_size=value)


def test_ensemble_of_several_heads_is_refused():
    x = ak.ImageInput()
    hidden = ak.ConvBlock()(x)
    outputs = [ak.ClassificationHead()(hidden), ak.RegressionHead()(hidden)]
    with pytest.raises(ValueError, match="ensemble_size > 1 averages one output"):
        ak.AutoModel(x, outputs, ensemble_size=2)
