"""Forecast the next hour of a series with timeseries_dataset_from_array and an LSTM.

Plain Keras 3 code: only the import line names keraslite. The data are SYNTHETIC: an hourly
"temperature" with a daily cycle, a slow seasonal drift and noise, plus a "pressure" covariate
that leads it by three hours, so past values predict the next one. Pick the backend with
KERASLITE_BACKEND=jax|tensorflow.

    python examples/timeseries_forecasting.py          # exits 1 unless it beats the naive forecast
    python examples/timeseries_forecasting.py --quick  # a smoke test
"""
import argparse
import sys

import numpy as np

import keraslite as keras


def make_series(hours: int, seed: int = 0) -> np.ndarray:
    """(hours, 2) float32: temperature and a pressure signal leading it by 3 hours."""
    rng = np.random.default_rng(seed)
    t = np.arange(hours + 3, dtype="float64")
    daily = np.sin(2 * np.pi * t / 24)
    seasonal = 0.5 * np.sin(2 * np.pi * t / (24 * 60))
    temperature = daily + seasonal + 0.1 * rng.standard_normal(t.shape)
    pressure = daily[3:] + 0.1 * rng.standard_normal(hours)  # known three hours ahead
    return np.stack([temperature[:hours], pressure], axis=1).astype("float32")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short series, 1 epoch")
    args = parser.parse_args(argv)
    hours, epochs = (24 * 30, 1) if args.quick else (24 * 240, 8)
    keras.utils.set_random_seed(0)

    series = make_series(hours)
    split = int(0.7 * hours)
    mean, std = series[:split].mean(axis=0), series[:split].std(axis=0)
    series = (series - mean) / std  # normalise with training statistics only

    sequence_length, batch_size = 24, 64
    # Window i covers hours [i, i + 24); its target is the temperature at hour i + 24.
    inputs, targets = series[:-1], series[sequence_length:, 0]
    train_ds = keras.utils.timeseries_dataset_from_array(
        inputs, targets, sequence_length=sequence_length, batch_size=batch_size,
        end_index=split - sequence_length, shuffle=True, seed=1)
    test_ds = keras.utils.timeseries_dataset_from_array(
        inputs, targets, sequence_length=sequence_length, batch_size=batch_size,
        start_index=split)

    model = keras.Sequential([
        keras.Input(shape=(sequence_length, 2)),
        keras.layers.LSTM(16),
        keras.layers.Dense(1),
    ])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse", metrics=["mae"])
    model.fit(train_ds, epochs=epochs, verbose=2)
    _, test_mae = model.evaluate(test_ds, verbose=0)

    # The naive forecast repeats the last temperature seen.
    naive = np.concatenate([np.abs(np.asarray(x)[:, -1, 0] - np.asarray(y))
                            for x, y in test_ds]).mean()
    print(f"naive mae: {naive:.4f}")
    print(f"test mae: {test_mae:.4f}")
    if not args.quick and test_mae >= naive:
        print("error: the model does not beat the naive forecast", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
