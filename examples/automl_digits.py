"""Let keraslite.automl find an image classifier for scikit-learn's 8x8 digits.

AutoKeras-style: hand over images and labels, get back a trained plain keraslite model. Pick
the backend with KERASLITE_BACKEND=jax|tensorflow (default jax).

    python examples/automl_digits.py                  # 10 trials, up to 30 epochs each
    python examples/automl_digits.py --time-budget 600
    python examples/automl_digits.py --quick          # 1 trial of 2 epochs on a slice

Rerun the same command after an interruption to resume the search (same --directory).
"""
import argparse
import os
import sys
import time

import numpy as np

import keraslite
from keraslite import automl as ak


def load_digits(quick=False):
    from sklearn.datasets import load_digits as sklearn_digits
    from sklearn.model_selection import train_test_split

    data = sklearn_digits()
    x_train, x_test, y_train, y_test = train_test_split(
        data.images.astype("float32"), data.target, test_size=0.25, random_state=0,
        stratify=data.target)
    if quick:
        # Whole batches of 32 (384 train + 96 validation, 192 test): no remainder batch
        # compiles a second program, which is most of a quick run's time.
        x_train, y_train, x_test, y_test = x_train[:480], y_train[:480], x_test[:192], y_test[:192]
    return x_train, y_train, x_test, y_test


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-trials", type=int, default=10)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--time-budget", type=float, default=None, help="seconds")
    parser.add_argument("--directory", default="automl_runs")
    parser.add_argument("--overwrite", action="store_true", help="start the search over")
    parser.add_argument("--save-predictions", default=None, metavar="NPY",
                        help="also write the exported model's test predictions to this .npy")
    parser.add_argument("--quick", action="store_true", help="1 trial of 2 epochs on a slice")
    args = parser.parse_args(argv)
    if args.quick:
        args.max_trials, args.epochs, args.overwrite = 1, 2, True
    x_train, y_train, x_test, y_test = load_digits(args.quick)
    started = time.perf_counter()
    classifier = ak.ImageClassifier(max_trials=args.max_trials, time_budget=args.time_budget,
                                    directory=args.directory, project_name="digits",
                                    overwrite=args.overwrite, seed=0, verbose=1)
    classifier.fit(x_train, y_train, epochs=args.epochs)
    seconds = time.perf_counter() - started
    accuracy = float(np.mean(classifier.predict(x_test)[:, 0] == y_test))
    best = classifier.tuner.oracle.get_best_trials(1)[0]
    print(f"best configuration: {best.hyperparameters.values}")
    print(f"search and refit: {seconds:.1f} s ({keraslite.backend.backend()})")
    print(f"test accuracy: {accuracy:.4f}")
    # The exported model is a plain keraslite model with the normalization inside.
    model = classifier.export_model()
    path = os.path.join(args.directory, "digits_best.keraslite")
    model.save(path)
    reloaded = keraslite.models.load_model(path)
    predictions = model.predict(x_test, verbose=0)
    same = np.array_equal(reloaded.predict(x_test, verbose=0), predictions)
    print(f"saved to {path}; reloaded predictions identical: {same}")
    if args.save_predictions:
        np.save(args.save_predictions, predictions)
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
