"""AutoModel searches end to end on small data (2 trials, few epochs)."""
import numpy as np
import pytest

import keraslite
from keraslite import automl as ak


def test_structured_data_classifier_on_a_dataframe_search_refit_export(tmp_path):
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(0)
    n = 224  # 160 to fit (128 train, 32 validation: batches of 16), 64 to predict
    table = pd.DataFrame({"size": rng.normal(size=n), "weight": rng.normal(size=n),
                          "colour": rng.choice(["red", "green", "blue"], n)})
    y = np.where(table["size"] + 2 * (table["colour"] == "red") > 0.7, "yes", "no")
    table.loc[::9, "size"] = np.nan  # missing values: rows are kept, the mean is imputed
    table.loc[::7, "colour"] = None
    # The defaults (two dense layers of 32) have more than 1,000 parameters: they fail
    # unbuilt. The first hand-picked configuration (no hidden layer: an L2-regularized linear
    # model) has under 20.
    model = ak.StructuredDataClassifier(max_trials=2, directory=str(tmp_path), seed=1,
                                        overwrite=True, verbose=0, max_model_size=1000,
                                        tuner="random")
    model.fit(table[:160], y[:160], epochs=8, batch_size=16)
    assert type(model.tuner).__name__ == "AutoRandomSearch"
    trials = model.tuner.oracle.trials
    assert [t.status for t in trials.values()] == ["FAILED", "COMPLETED"]
    assert "more than max_model_size=1000" in trials["0"].message
    # The greedy start: every block's defaults, then the task's first hand-picked
    # configuration.
    defaults = {e.name: e.default for e in model.tuner._space}
    first = trials["0"].hyperparameters.values
    assert first and all(first[name] == defaults[name] for name in first)
    second = trials["1"].hyperparameters.values
    for name, value in model.initial_hps[0].items():
        assert second[name] == value
    predicted = model.predict(table[160:])[:, 0]
    accuracy = float(np.mean(predicted == y[160:]))
    assert accuracy > 0.75  # the label follows two columns; chance is about 0.5
    loss, evaluated, data_loss = model.evaluate(table[160:], y[160:])
    np.testing.assert_allclose(evaluated, accuracy, atol=1e-6)
    exported = model.export_model()
    # data_loss (what trials are compared on) is the cross-entropy without the L2 penalty,
    # which loss adds: check it against NumPy on the predicted probabilities.
    p = np.clip(exported.predict(table[160:], verbose=0)[:, 0], 1e-7, 1 - 1e-7)
    truth = y[160:] == "yes"
    np.testing.assert_allclose(data_loss, -np.mean(np.where(truth, np.log(p), np.log(1 - p))),
                               rtol=1e-4)
    assert loss > data_loss  # the linear model's head carries an L2 penalty of 1e-3
    assert exported.count_params() <= 1000
    assert sorted(t.name for t in exported.inputs) == ["colour", "size", "weight"]
    # The exported model takes the raw table (DataFrame, CSV path) and saves its host step.
    path = str(tmp_path / "best.keraslite")
    exported.save(path)
    loaded = keraslite.models.load_model(path)
    probabilities = exported.predict(table[160:], verbose=0)
    np.testing.assert_array_equal(loaded.predict(table[160:], verbose=0), probabilities)
    csv = tmp_path / "test.csv"
    table[160:].to_csv(csv, index=False)
    np.testing.assert_array_equal(loaded.predict(str(csv), verbose=0), probabilities)
    # table_to_inputs feeds the bare network the same inputs.
    inputs = ak.table_to_inputs(table[160:], loaded)
    np.testing.assert_array_equal(loaded.network.predict(inputs, verbose=0), probabilities)
    np.testing.assert_array_equal(np.where(probabilities[:, 0] > 0.5, "yes", "no"), predicted)
    with pytest.raises(ValueError, match=r"missing \['weight'\], unexpected \['mass'\]"):
        loaded.predict(table[160:].rename(columns={"weight": "mass"}))
    with pytest.raises(ValueError, match=r"missing \['weight'\], unexpected \['mass'\]"):
        model.predict(table[160:].rename(columns={"weight": "mass"}))


def test_image_search_with_time_budget_stops_starting_trials(tmp_path):
    # Random 8x8 images (no accuracy is checked). 192 images with validation_split=1/6 give 160
    # to train and 32 to validate (192 to refit), 64 are predicted: whole batches of 32, so
    # each step compiles once (a remainder batch would compile a second program). One small
    # convolution: compiling is most of the cost (ImageClassifier's own defaults run in
    # tests/examples/test_automl_examples.py).
    rng = np.random.default_rng(0)
    images = rng.random((256, 8, 8)).astype("float32")
    labels = rng.integers(0, 3, 256)
    image = ak.ImageInput()
    head = ak.ClassificationHead(dropout=0.0)(
        ak.ConvBlock(num_blocks=1, num_layers=1, filters=8)(ak.Normalization()(image)))
    # A budget shorter than one epoch: the first trial's fit stops at its first epoch end (of
    # 3, which early stopping with patience 3 could not cut), no second trial starts, and the
    # refit runs the one epoch the trial had.
    model = ak.AutoModel(image, head, max_trials=2, directory=str(tmp_path), seed=0,
                         time_budget=0.5, verbose=0)
    epochs_run = []

    class CountEpochs(keraslite.callbacks.Callback):
        def on_train_begin(self, logs=None):
            epochs_run.append(0)

        def on_epoch_end(self, epoch, logs=None):
            epochs_run[-1] += 1

    model.fit(images[:192], labels[:192], epochs=3, validation_split=1 / 6,
              callbacks=[CountEpochs()])
    assert len(model.tuner.oracle.trials) == 1
    assert epochs_run == [1, 1]
    predicted = model.predict(images[192:])
    assert predicted.shape == (64, 1) and set(np.unique(predicted)) <= {0, 1, 2}
    with pytest.raises(ValueError, match=r"expected samples of shape \(8, 8, 1\).*\(7, 7, 1\)"):
        model.predict(images[:5, :7, :7])


@pytest.mark.parametrize("strategy, base", [("hyperband", "Hyperband"),
                                            ("bayesian", "BayesianOptimization")])
def test_tuner_strategies(strategy, base, tmp_path):
    from keraslite import tuner as kt
    from keraslite.automl.search import make_tuner

    def build(hp):
        model = keraslite.Sequential([keraslite.Input((2,)),
                                      keraslite.layers.Dense(hp.Choice("units", [2, 4]))])
        model.compile("adam", "mse")
        return model

    made = make_tuner(strategy, build, 4, directory=str(tmp_path), project_name=strategy,
                      max_trials=2, verbose=0, initial_hps=[{"units": 4}])
    assert isinstance(made, getattr(kt, base))
    if strategy == "hyperband":
        assert made._epochs == 4  # Hyperband's rungs are the fit's epochs
    made._enqueue_next()  # the defaults first ...
    assert made.oracle.study.get_trials(deepcopy=False)[0].system_attrs["fixed_params"] == {
        "units": 2}


@pytest.mark.parametrize("one_hot", [False, True])
def test_validation_split_keeps_the_class_proportions(one_hot):
    from keraslite.automl.auto_model import validation_indices

    labels = np.repeat([0, 1, 2], [90, 24, 6])  # unbalanced: 75%, 20%, 5%
    y = np.eye(3)[labels] if one_hot else labels[:, None].astype(np.float32)
    val, train = validation_indices(y, 0.25, seed=3, stratify=True)
    assert sorted(np.concatenate([val, train]).tolist()) == list(range(120))  # a partition
    # A quarter of every class (rounded), where a plain shuffle may give the 6 rare ones none.
    assert np.bincount(labels[val], minlength=3).tolist() == [22, 6, 2]
    plain_val, _ = validation_indices(y, 0.25, seed=3, stratify=False)
    assert len(plain_val) == 30
