"""Search a Dense classifier for scikit-learn's 8x8 digits with keraslite.tuner.

KerasTuner code: only the import lines name keraslite. Pick the backend with
KERASLITE_BACKEND=jax|tensorflow (default jax).

    python examples/tune_digits.py                          # 20 trials of RandomSearch
    python examples/tune_digits.py --tuner bayesian --pruner median
    python examples/tune_digits.py --quick                  # 3 trials of 2 epochs
    optuna-dashboard tune_digits_runs/digits_random/study.journal   # watch it in a browser

Run the same command on more machines with KERASLITE_SEARCH_STORAGE=postgresql://... to share
one search between them; rerun it after a crash to resume.
"""
import argparse
import sys
import time

import keraslite as keras
from keraslite import tuner as kt


def build_model(hp, keras=keras):
    """The search space; ``keras`` may be keraslite or Keras 3 (the benchmark passes both)."""
    model = keras.Sequential([keras.Input(shape=(8, 8)), keras.layers.Flatten()])
    model.add(keras.layers.Dense(hp.Int("units", 32, 256, step=32), activation="relu"))
    if hp.Boolean("second_layer"):
        with hp.conditional_scope("second_layer", [True]):
            model.add(keras.layers.Dense(hp.Int("units_2", 16, 128, step=16),
                                         activation="relu"))
    model.add(keras.layers.Dropout(hp.Float("dropout", 0.0, 0.4, step=0.1)))
    model.add(keras.layers.Dense(10, activation="softmax"))
    learning_rate = hp.Float("learning_rate", 1e-4, 1e-2, sampling="log")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def make_tuner(name, max_trials, epochs, pruner, directory, project_name, overwrite, seed=0):
    common = dict(objective="val_accuracy", seed=seed, directory=directory,
                  project_name=project_name, overwrite=overwrite)
    if name == "random":
        return kt.RandomSearch(build_model, max_trials=max_trials, pruner=pruner, **common)
    if name == "bayesian":
        return kt.BayesianOptimization(build_model, max_trials=max_trials, pruner=pruner,
                                       **common)
    if name == "hyperband":
        return kt.Hyperband(build_model, max_epochs=epochs, factor=3, max_trials=max_trials,
                            **common)
    raise SystemExit(f"unknown tuner {name!r}: use random, bayesian or hyperband")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tuner", default="random", help="random, bayesian or hyperband")
    parser.add_argument("--pruner", default=None, help="median, successive_halving, hyperband")
    parser.add_argument("--max-trials", type=int, default=20)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--directory", default="tune_digits_runs")
    parser.add_argument("--overwrite", action="store_true", help="start the search over")
    parser.add_argument("--quick", action="store_true", help="3 trials of 2 epochs")
    args = parser.parse_args(argv)
    max_trials, epochs = (3, 2) if args.quick else (args.max_trials, args.epochs)

    (x_train, y_train), (x_test, y_test) = keras.datasets.digits()
    tuner = make_tuner(args.tuner, max_trials, epochs, args.pruner, args.directory,
                       f"digits_{args.tuner}", args.overwrite or args.quick)
    tuner.search_space_summary()
    start = time.perf_counter()
    tuner.search(x_train, y_train, epochs=epochs, batch_size=32, validation_split=0.2)
    seconds = time.perf_counter() - start
    tuner.results_summary(3)

    best = tuner.oracle.get_best_trials(1)[0]
    model = tuner.get_best_models(1)[0]
    _, test_accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"searched {len(tuner.oracle.trials)} trials in {seconds:.1f}s")
    print(f"best val accuracy: {best.score:.4f} (trial {best.trial_id})")
    print(f"test accuracy: {test_accuracy:.4f}")
    print(f"dashboard: {tuner.dashboard_command()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
