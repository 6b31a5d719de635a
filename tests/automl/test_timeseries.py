"""TimeseriesForecaster: windows cut from the series (checked against a plain loop), a sine
forecast, export, DataFrames, and bad input before any trial."""
import numpy as np
import pytest

import keraslite
from keraslite import automl as ak


def sine(rows):
    t = np.arange(rows, dtype="float32")
    return np.column_stack([np.sin(t / 6), np.cos(t / 6)]).astype("float32")


def loop_windows(x, y, lookback, start, stop):
    """The documented alignment, written as a loop: window i is rows i..i+lookback-1 and its
    targets are y[t + start .. t + stop] for its last row t."""
    windows, targets = [], []
    for i in range(len(x) - lookback + 1):
        t = i + lookback - 1
        if t + stop < len(y):
            windows.append(x[i:i + lookback])
            targets.append(y[t + start:t + stop + 1])
    return np.array(windows), np.array(targets)


def test_windows_and_targets_follow_the_documented_alignment():
    x = np.arange(40, dtype="float32").reshape(20, 2)
    y = np.arange(100, 120, dtype="float32")
    model = ak.TimeseriesForecaster(lookback=4, predict_from=2, predict_until=3, verbose=0)
    windows, targets, _ = model._pairs(x, y, "x")
    expected_windows, expected_targets = loop_windows(x, y, 4, 2, 3)
    np.testing.assert_array_equal(windows, expected_windows)
    np.testing.assert_array_equal(targets, expected_targets)
    assert len(model._windows(x, "x")) == 20 - 4 + 1  # predict uses every complete window


def test_forecaster_learns_a_sine_and_exports(tmp_path):
    # 127 rows give 120 windows: 96 to train and 24 to validate (then 120 to refit) in batches
    # of 8, so no remainder batch compiles a second program; 37 rows give 32 to predict.
    series = sine(164)
    model = ak.TimeseriesForecaster(lookback=6, predict_until=2, max_trials=1, seed=0,
                                    directory=str(tmp_path), verbose=0)
    model.fit(series[:127], series[:127, 0], epochs=8, batch_size=8)
    forecasts = model.predict(series[127:])
    assert forecasts.shape == (37 - 6 + 1, 2)
    windows, truth = loop_windows(series[127:], series[127:, 0], 6, 1, 2)
    error = np.mean((forecasts[:len(truth)] - truth) ** 2)
    assert error < 0.25 * truth.var()  # far better than forecasting the mean
    loss = model.evaluate(series[127:], series[127:, 0])
    np.testing.assert_allclose(np.ravel(loss)[0], error, rtol=1e-4)
    exported = model.export_model()
    exported.save(str(tmp_path / "forecaster.keraslite"))
    loaded = keraslite.models.load_model(str(tmp_path / "forecaster.keraslite"))
    np.testing.assert_array_equal(loaded.predict(windows, verbose=0),
                                  exported.predict(windows, verbose=0))


def test_dataframe_columns_and_a_target_column_name():
    pandas = pytest.importorskip("pandas")
    frame = pandas.DataFrame(sine(30), columns=["s", "c"])
    model = ak.TimeseriesForecaster(lookback=5, column_names=["c", "s"], verbose=0)
    windows, targets, names = model._pairs(frame, "s", "x")
    assert names == ["c", "s"]
    expected_windows, expected_targets = loop_windows(frame[["c", "s"]].to_numpy(),
                                                      frame["s"].to_numpy(), 5, 1, 1)
    np.testing.assert_array_equal(windows, expected_windows)
    np.testing.assert_array_equal(targets, expected_targets)
    with pytest.raises(ValueError, match=r"expected the columns \['c', 's'\].*\['s'\] are"):
        model._pairs(frame[["c"]], "c", "x")
    frame["word"] = ["a"] * 30
    with pytest.raises(ValueError, match="column 'word' must be numerical"):
        ak.TimeseriesForecaster(lookback=5, verbose=0)._pairs(frame, "s", "x")


@pytest.mark.parametrize("x, y, message", [
    (sine(10), sine(10)[:, 0], r"lookback=12 is longer than the series \(10 rows\)"),
    (sine(30), sine(29)[:, 0], "30 rows in x and 29 in y"),
    (sine(12), sine(12)[:, 0], "needs at least 13 rows"),
    (np.array(["a", "b"] * 10), np.zeros(20), "expected numbers, received dtype <U1"),
])
def test_bad_series_raise_before_any_trial(tmp_path, x, y, message):
    model = ak.TimeseriesForecaster(lookback=12, max_trials=1, directory=str(tmp_path),
                                    verbose=0)
    with pytest.raises(ValueError, match=message):
        model.fit(x, y)
    assert not any(tmp_path.iterdir())  # no search was started


@pytest.mark.parametrize("arguments, message", [
    ({"lookback": 0}, "lookback must be an int >= 1"),
    ({"predict_from": 3, "predict_until": 2}, "predict_until must be an int >= 3"),
    ({"predict_until": 3, "output_dim": 2}, "output_dim=2.*give 3 forecasts"),
    ({"column_types": {"a": "categorical"}}, "only 'numerical' columns"),
])
def test_bad_arguments(arguments, message):
    with pytest.raises(ValueError, match=message):
        ak.TimeseriesForecaster(**arguments)
