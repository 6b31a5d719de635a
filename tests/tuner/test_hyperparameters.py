"""HyperParameters in record mode and forwarded to an Optuna trial (define-by-run)."""
import math

import optuna
import pytest

from keraslite.tuner import HyperParameters, Objective
from keraslite.tuner.engine import trial_source
from keraslite.tuner.objective import infer_direction, to_objectives


def _space(hp):
    units = hp.Int("units", 8, 64, step=8)
    hp.Float("lr", 1e-4, 1e-1, sampling="log")
    hp.Choice("act", ["relu", "tanh"])
    hp.Boolean("bn")
    hp.Fixed("seed", 3)
    with hp.name_scope("block"):
        hp.Int("depth", 1, 3)
    return units


def test_record_mode_returns_defaults_and_records_the_space():
    hp = HyperParameters()
    _space(hp)
    assert hp.values == {"units": 8, "lr": 1e-4, "act": "relu", "bn": False, "seed": 3,
                         "block/depth": 1}
    assert [e.name for e in hp.space] == ["units", "lr", "act", "bn", "seed", "block/depth"]
    assert hp.get("block/depth") == 1 and hp["units"] == 8


def test_int_with_log_step_multiplies():
    hp = HyperParameters()
    hp.Int("filters", 16, 128, step=2, sampling="log")
    assert hp.space[0].discrete_values() == [16, 32, 64, 128]


def test_forwarding_to_an_optuna_trial_stays_in_range():
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    for _ in range(20):
        trial = study.ask()
        hp = HyperParameters()
        hp._source = trial_source(trial)
        _space(hp)
        v = hp.values
        assert v["units"] in range(8, 65, 8)
        assert 1e-4 <= v["lr"] <= 1e-1
        assert v["act"] in ("relu", "tanh") and v["bn"] in (False, True)
        assert v["seed"] == 3 and 1 <= v["block/depth"] <= 3
        # The study records the tuned values under the same names.
        assert trial.params["units"] == v["units"] and "seed" not in trial.params
        study.tell(trial, 0.0)


def test_same_name_under_different_conditions_maps_to_distinct_optuna_names():
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=1))
    seen = set()
    for _ in range(16):
        trial = study.ask()
        hp = HyperParameters()
        hp._source = trial_source(trial)
        kind = hp.Choice("kind", ["small", "big"])
        with hp.conditional_scope("kind", ["small"]):
            small = hp.Int("units", 1, 4)
        with hp.conditional_scope("kind", ["big"]):
            big = hp.Float("units", 100.0, 200.0)  # same name, another distribution
        if kind == "small":
            assert 1 <= small <= 4 and big is None and hp.get("units") == small
        else:
            assert 100 <= big <= 200 and small is None and hp.get("units") == big
        seen.update(trial.params)
        study.tell(trial, 0.0)
    assert seen == {"kind", "units[kind=small]", "units[kind=big]"}


def test_bad_arguments_name_the_hyperparameter():
    hp = HyperParameters()
    with pytest.raises(ValueError, match="'units'.*min_value must be <= max_value"):
        hp.Int("units", 10, 1)
    with pytest.raises(ValueError, match="'lr'.*min_value > 0"):
        hp.Float("lr", 0.0, 1.0, sampling="log")
    with pytest.raises(TypeError, match="'units'.*int"):
        hp.Int("units", 1.5, 3)
    with pytest.raises(ValueError, match="'act'.*non-empty list"):
        hp.Choice("act", [])
    with pytest.raises(TypeError, match="one type"):
        hp.Choice("mixed", [1, "a"])
    with pytest.raises(ValueError, match="parent hyperparameter 'missing'"):
        with hp.conditional_scope("missing", [1]):
            pass
    with pytest.raises(KeyError, match="'nope' is not defined"):
        hp.get("nope")


def test_objective_direction_is_inferred():
    assert infer_direction("val_accuracy") == "max"
    assert infer_direction("val_loss") == "min"
    assert infer_direction("mean_absolute_error") == "min"
    assert infer_direction("auc") == "max"
    with pytest.raises(ValueError, match="Objective\\('val_foo'"):
        infer_direction("val_foo")
    objectives = to_objectives(["val_loss", Objective("val_auc", "max")])
    assert [(o.name, o.direction) for o in objectives] == [("val_loss", "min"),
                                                          ("val_auc", "max")]
    assert Objective("m", "max").best_of([0.1, math.nan, 0.3, 0.2]) == 0.3
