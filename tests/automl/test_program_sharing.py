"""A search compiles each configuration's loops once: trials train on full batches held in
arrays of the refit's size, normalization statistics are weights, so the refit of a trial's
configuration runs the trial's programs (no compilation) and each trial compiles two loops."""
import numpy as np

import keraslite
from keraslite import automl as ak
from keraslite.automl import auto_model
from keraslite.automl.stored_statistics import normalized
from keraslite.backends import compile as B_compile


def test_normalized_holds_the_statistics_as_weights():
    rng = np.random.default_rng(2)
    x = rng.normal(3.0, 2.0, size=(12, 4)).astype("float32")
    mean, variance = x.mean(axis=0), x.var(axis=0)
    inputs = keraslite.Input((4,))
    model = keraslite.Model(inputs, normalized(inputs, mean, variance))
    np.testing.assert_allclose(model.predict(x, verbose=0), (x - mean) / np.sqrt(variance),
                               rtol=1e-5, atol=1e-5)
    stored = model.get_weights()
    np.testing.assert_allclose(stored[0], mean, rtol=1e-6)
    np.testing.assert_allclose(stored[1], variance, rtol=1e-6)
    # A scalar variance is broadcast to every feature.
    scalar = keraslite.Model(inputs, normalized(inputs, np.zeros(4), 4.0))
    np.testing.assert_allclose(scalar.predict(x, verbose=0), x / 2.0, rtol=1e-6)


def test_refit_compiles_nothing_and_trials_compile_two_loops(tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(150, 5)).astype("float32")
    x[::11, 2] = np.nan  # a column with missing values: imputed, flagged
    y = (np.nan_to_num(x[:, 0]) + x[:, 1] > 0).astype("int32")
    counts = {}
    refit = auto_model.AutoModel._refit

    def counting_refit(self, *args, **kwargs):
        counts["before refit"] = B_compile.compilations()
        result = refit(self, *args, **kwargs)
        counts["after refit"] = B_compile.compilations()
        return result

    monkeypatch.setattr(auto_model.AutoModel, "_refit", counting_refit)
    B_compile.clear_shared_programs()
    start = B_compile.compilations()
    model = ak.StructuredDataClassifier(max_trials=2, directory=str(tmp_path), seed=0,
                                        overwrite=True, verbose=0)
    model.fit(x, y, epochs=3, batch_size=16)  # 120 training rows: the last batch has 8
    trials = [t for t in model.tuner.oracle.trials.values() if t.status == "COMPLETED"]
    assert len(trials) == 2
    assert counts["before refit"] - start == 2 * len(trials)  # training and validation
    assert counts["after refit"] == counts["before refit"]
    assert np.mean(model.predict(x)[:, 0] == y) > 0.8
