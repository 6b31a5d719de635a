"""AutoModel searches end to end on a small slice of digits (2 trials, 1 epoch)."""
import numpy as np
import pytest

import keraslite
from keraslite import automl as ak


@pytest.fixture(scope="module")
def digits():
    sklearn = pytest.importorskip("sklearn.datasets")
    data = sklearn.load_digits()
    return data.images[:360].astype("float32"), data.target[:360]


def test_structured_data_classifier_search_refit_export(digits, tmp_path):
    images, labels = digits
    x = images.reshape(len(images), -1)
    names = np.array(["zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
                      "nine"])[labels]  # string labels come back as strings
    model = ak.StructuredDataClassifier(max_trials=2, directory=str(tmp_path), seed=1,
                                        overwrite=True, verbose=0)
    model.fit(x[:300], names[:300], epochs=2, batch_size=8)
    trials = model.tuner.oracle.trials
    assert len(trials) == 2
    # The greedy start: the first trial is every block's default configuration.
    defaults = {e.name: e.default for e in model.tuner._space}
    first = trials["0"].hyperparameters.values
    assert first and all(first[name] == defaults[name] for name in first)
    predicted = model.predict(x[300:])[:, 0]
    accuracy = float(np.mean(predicted == names[300:]))
    assert accuracy > 0.3  # ten classes: chance is 0.1
    _, evaluated = model.evaluate(x[300:], names[300:])
    np.testing.assert_allclose(evaluated, accuracy, atol=1e-6)
    exported = model.export_model()
    path = str(tmp_path / "best.keras")
    exported.save(path)
    loaded = keraslite.models.load_model(path)
    np.testing.assert_array_equal(loaded.predict(x[300:], verbose=0),
                                  exported.predict(x[300:], verbose=0))


def test_image_classifier_with_time_budget_stops_starting_trials(digits, tmp_path):
    images, labels = digits
    # A budget shorter than one trial: the first trial runs, no second one starts.
    model = ak.ImageClassifier(max_trials=2, directory=str(tmp_path), seed=0, time_budget=0.5,
                               verbose=0)
    model.fit(images[:200], labels[:200], epochs=1)
    assert len(model.tuner.oracle.trials) == 1
    predicted = model.predict(images[200:260])
    assert predicted.shape == (60, 1)
    with pytest.raises(ValueError, match=r"expected samples of shape \(8, 8, 1\).*\(7, 7, 1\)"):
        model.predict(images[:5, :7, :7])
