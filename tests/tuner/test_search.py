"""Searches in one process: tuners, best models, failures, retries, resumes, space changes."""
import math
import os

import numpy as np
import pytest

import keraslite
from keraslite import tuner as kt
from keraslite.tuner import trial_records as records
from tests.tuner.tuner_helpers import Quadratic, build_dense, data


def _statuses(tuner):
    return sorted(r.status for r in tuner.oracle.trials.values())


def test_random_search_best_model_reloads_the_best_epoch(tmp_path):
    x, y = data()
    tuner = kt.RandomSearch(build_dense, "val_accuracy", max_trials=3, seed=2,
                            directory=str(tmp_path), project_name="p", verbose=0)
    tuner.search(x[:120], y[:120], epochs=3, batch_size=40, validation_data=(x[120:], y[120:]))
    best = tuner.oracle.get_best_trials(1)[0]
    assert _statuses(tuner) == ["COMPLETED"] * 3
    assert best.score == max(best.metrics["val_accuracy"])
    assert best.hyperparameters.values == tuner.get_best_hyperparameters(1)[0].values
    model = tuner.get_best_models(1)[0]
    # Independent check: the reloaded weights give the recorded best validation accuracy.
    probs = model.predict(x[120:], verbose=0)
    assert np.mean(np.argmax(probs, axis=1) == y[120:]) == pytest.approx(best.score)
    assert best.duration > 0


def test_seeded_search_is_reproducible(tmp_path):
    def run(name):
        tuner = kt.BayesianOptimization(Quadratic(), "val_loss", max_trials=8, seed=5,
                                        num_initial_points=3, directory=str(tmp_path),
                                        project_name=name, verbose=0)
        tuner.search()
        return [(r.hyperparameters.values, r.score) for r in tuner.oracle.trials.values()]

    assert run("a") == run("b")


def test_grid_search_tries_every_combination_once(tmp_path):
    hypermodel = Quadratic()
    tuner = kt.GridSearch(hypermodel, "val_loss", directory=str(tmp_path), project_name="g",
                          verbose=0)
    tuner.search()
    combos = sorted((r.hyperparameters["a"], r.hyperparameters["b"])
                    for r in tuner.oracle.trials.values())
    assert combos == sorted((a, b) for a in range(5) for b in (1, 2, 3))
    assert tuner.get_best_hyperparameters(1)[0].values == {"a": 2, "b": 2}


def test_failing_build_is_recorded_and_the_search_goes_on(tmp_path):
    hypermodel = Quadratic(fail_when=lambda values, n: values["a"] % 2 == 1)
    tuner = kt.RandomSearch(hypermodel, "val_loss", max_trials=10, seed=0,
                            directory=str(tmp_path), project_name="f", verbose=0,
                            max_consecutive_failed_trials=0)
    tuner.search()
    trials = list(tuner.oracle.trials.values())
    failed = [r for r in trials if r.status == records.FAILED]
    assert len([r for r in trials if r.status in records.COUNTED]) == 10
    assert failed and all(r.hyperparameters["a"] % 2 == 1 for r in failed)
    assert all(r.hyperparameters["a"] % 2 == 0 for r in trials if r.status == "COMPLETED")
    assert all("build failed" in r.message for r in failed)


def test_too_many_consecutive_failures_stop_the_search(tmp_path):
    tuner = kt.RandomSearch(Quadratic(fail_when=lambda values, n: True), "val_loss",
                            max_trials=10, directory=str(tmp_path), project_name="c",
                            verbose=0, max_consecutive_failed_trials=2)
    with pytest.raises(kt.FailedTrialsError, match="2 trials in a row failed.*build failed"):
        tuner.search()
    assert _statuses(tuner) == ["FAILED", "FAILED"]


def test_a_failed_attempt_is_retried_with_the_same_values(tmp_path):
    hypermodel = Quadratic(fail_when=lambda values, n: n == 1)  # the first trial's build
    tuner = kt.RandomSearch(hypermodel, "val_loss", max_trials=3, seed=1,
                            directory=str(tmp_path), project_name="r", verbose=0,
                            max_retries_per_trial=1)
    tuner.search()
    trials = sorted(tuner.oracle.trials.values(), key=lambda r: r.number)
    assert [r.status for r in trials] == ["RETRIED", "COMPLETED", "COMPLETED", "COMPLETED"]
    assert trials[1].hyperparameters.values == trials[0].hyperparameters.values
    assert trials[1].attempt == 2


def test_nan_loss_trial_fails_and_the_search_goes_on(tmp_path):
    x, y = data()

    def build(hp):
        model = keraslite.Sequential([keraslite.Input((6,)), keraslite.layers.Dense(2)])
        model.compile(keraslite.optimizers.SGD(hp.Choice("lr", [0.01, 1e30])), "mse")
        return model

    tuner = kt.GridSearch(build, "val_loss", directory=str(tmp_path), project_name="n",
                          verbose=0)
    tuner.search(x, y.astype("float32")[:, None] * np.ones((1, 2), "float32"), epochs=2,
                 batch_size=40, validation_split=0.25)
    by_lr = {r.hyperparameters["lr"]: r for r in tuner.oracle.trials.values()}
    assert by_lr[0.01].status == "COMPLETED" and math.isfinite(by_lr[0.01].score)
    assert by_lr[1e30].status == "FAILED"
    assert "nan" in by_lr[1e30].message.lower() or "finite" in by_lr[1e30].message.lower()


def test_resume_ends_with_exactly_max_trials(tmp_path):
    args = dict(directory=str(tmp_path), project_name="resume", seed=3, verbose=0)
    first = kt.RandomSearch(Quadratic(), "val_loss", max_trials=4, **args)
    first.search()
    kept = {k: r.hyperparameters.values for k, r in first.oracle.trials.items()}
    second = kt.RandomSearch(Quadratic(), "val_loss", max_trials=7, **args)
    second.search()
    trials = second.oracle.trials
    assert len(trials) == 7 and _statuses(second) == ["COMPLETED"] * 7
    assert {k: trials[k].hyperparameters.values for k in kept} == kept
    again = kt.RandomSearch(Quadratic(), "val_loss", max_trials=7, **args)
    again.search()  # nothing left to do
    assert len(again.oracle.trials) == 7
    fresh = kt.RandomSearch(Quadratic(), "val_loss", max_trials=2, overwrite=True, **args)
    fresh.search()
    assert len(fresh.oracle.trials) == 2


def test_changed_search_space_is_a_clear_error(tmp_path):
    args = dict(directory=str(tmp_path), project_name="space", verbose=0)
    kt.RandomSearch(Quadratic(), "val_loss", max_trials=1, **args).search()

    def changed_range(hp):
        hp.Int("a", 0, 9)
        hp.Choice("b", [1, 2, 3])
        return (0, 1)

    with pytest.raises(kt.SearchSpaceChangedError, match=r"\['a'\].*overwrite=True"):
        kt.RandomSearch(changed_range, "val_loss", max_trials=2, **args)

    class Added(Quadratic):
        def build(self, hp):
            hp.Boolean("c")
            return super().build(hp)

    with pytest.raises(kt.SearchSpaceChangedError, match=r"\['c'\].*allow_new_entries"):
        kt.RandomSearch(Added(), "val_loss", max_trials=2, allow_new_entries=False, **args)
    tuner = kt.RandomSearch(Added(), "val_loss", max_trials=2, allow_new_entries=True, **args)
    tuner.search()
    assert "c" in tuner.oracle.trials["1"].hyperparameters.values


def test_hyperband_prunes_over_epochs(tmp_path):
    x, y = data()
    tuner = kt.Hyperband(build_dense, "val_accuracy", max_epochs=4, factor=2, seed=0,
                         directory=str(tmp_path), project_name="hb", verbose=0)
    assert tuner.oracle.max_trials == 3 + 3 + 4  # brackets of (max_epochs=4, factor=2)
    tuner.oracle.max_trials = 6
    tuner.search(x, y, validation_split=0.25, batch_size=40)
    trials = list(tuner.oracle.trials.values())
    assert len(trials) == 6
    pruned = [r for r in trials if r.status == "PRUNED"]
    assert pruned, "Hyperband never stopped a trial early"
    assert all(len(r.metrics["val_accuracy"]) < 4 for r in pruned)
    assert all(len(r.metrics["val_accuracy"]) == 4 for r in trials if r.status == "COMPLETED")


def test_preset_hyperparameters_and_multi_objective(tmp_path, capsys):
    preset = kt.HyperParameters()
    preset.Fixed("b", 3)
    tuner = kt.RandomSearch(Quadratic(), ["val_loss", kt.Objective("neg", "max")],
                            max_trials=3, seed=0, hyperparameters=preset,
                            tune_new_entries=False, directory=str(tmp_path), project_name="m",
                            verbose=1)

    class Both(Quadratic):
        def fit(self, hp, model, *args, **kwargs):
            loss = super().fit(hp, model)["val_loss"]
            return [loss, -loss]

    tuner.hypermodel = Both()
    tuner.search()
    values = [r.hyperparameters.values for r in tuner.oracle.trials.values()]
    assert values == [{"a": 0, "b": 3}] * 3  # nothing tuned, b fixed by the preset
    assert tuner.oracle.get_best_trials(1)[0].score == [5.0, -5.0]
    out = capsys.readouterr().out
    assert "Trial 1/3" in out and "Trial 3/3" in out and "best so far" in out
    tuner.results_summary(1)
    assert "Score: [5.0, -5.0]" in capsys.readouterr().out


def test_plots_are_written_as_png(tmp_path):
    tuner = kt.RandomSearch(Quadratic(), "val_loss", max_trials=6, seed=0,
                            directory=str(tmp_path), project_name="plots", verbose=0)
    tuner.search()
    paths = tuner.plot()
    assert [os.path.basename(p) for p in paths] == ["optimization_history.png",
                                                     "param_importances.png"]
    for path in paths:
        with open(path, "rb") as f:
            assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    assert tuner.dashboard_command().endswith("study.journal")


def test_bad_arguments_are_named(tmp_path):
    with pytest.raises(ValueError, match="max_trials must be a positive int"):
        kt.RandomSearch(Quadratic(), "val_loss", max_trials=0, directory=str(tmp_path))
    with pytest.raises(ValueError, match="pruner must be one of"):
        kt.RandomSearch(Quadratic(), "val_loss", pruner="sometimes", directory=str(tmp_path))
    with pytest.raises(TypeError, match="hypermodel must be a HyperModel"):
        kt.RandomSearch(42, "val_loss", directory=str(tmp_path))
    with pytest.raises(ValueError, match="storage must be a database URL"):
        kt.RandomSearch(Quadratic(), "val_loss", storage="not a url", directory=str(tmp_path))


def test_executions_per_trial_average_fresh_models(tmp_path):
    class Counting(Quadratic):
        def fit(self, hp, model, *args, **kwargs):
            self.fits = getattr(self, "fits", 0) + 1
            return float(self.fits)  # 1, 2, 3 for the first trial's three executions

    hypermodel = Counting()
    tuner = kt.RandomSearch(hypermodel, kt.Objective("score", "max"), max_trials=2, seed=0,
                            executions_per_trial=3, directory=str(tmp_path), project_name="e",
                            verbose=0)
    tuner.search()
    scores = [r.score for r in sorted(tuner.oracle.trials.values(), key=lambda r: r.number)]
    assert scores == [2.0, 5.0]  # mean(1, 2, 3), mean(4, 5, 6)
    assert len(hypermodel.calls) == 1 + 6  # the record pass, then one build per execution
