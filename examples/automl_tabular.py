"""keraslite.automl on a table with mixed column types, side by side with scikit-learn's
HistGradientBoostingClassifier on the same split.

The table is scikit-learn's breast-cancer set as a pandas DataFrame, with a categorical column
derived from it ("size_band": small/medium/large tumour radius) and 5% of one numerical column
blanked out, so the search meets type inference, categories and missing values. Pick the
backend with KERASLITE_BACKEND=jax|tensorflow (default jax).

    python examples/automl_tabular.py                 # 10 trials, up to 50 epochs each
    python examples/automl_tabular.py --quick         # 1 trial of 3 epochs on a slice
"""
import argparse
import os
import sys
import time

import numpy as np

import keraslite
from keraslite import automl as ak


def load_table(seed=0):
    """(x_train, y_train, x_test, y_test): DataFrames with a categorical column and NaNs."""
    import pandas as pd
    from sklearn.datasets import load_breast_cancer
    from sklearn.model_selection import train_test_split

    data = load_breast_cancer(as_frame=True)
    table = data.frame.drop(columns="target")
    table["size_band"] = pd.qcut(table["mean radius"], 3,
                                 labels=["small", "medium", "large"]).astype(str)
    table = table.drop(columns="mean radius")  # the band replaces it
    blanks = np.random.default_rng(seed).random(len(table)) < 0.05
    table.loc[blanks, "mean texture"] = np.nan
    labels = np.where(data.target == 1, "benign", "malignant")
    x_train, x_test, y_train, y_test = train_test_split(
        table, labels, test_size=0.25, random_state=seed, stratify=labels)
    return x_train, y_train, x_test, y_test


def gradient_boosting_accuracy(x_train, y_train, x_test, y_test, seed=0):
    """HistGradientBoostingClassifier with the band as a native categorical feature."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    def categorical(frame):
        return frame.assign(size_band=frame["size_band"].astype("category"))

    model = HistGradientBoostingClassifier(categorical_features="from_dtype",
                                           random_state=seed)
    model.fit(categorical(x_train), y_train)
    return float(np.mean(model.predict(categorical(x_test)) == y_test))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-trials", type=int, default=10)
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--directory", default="automl_runs")
    parser.add_argument("--overwrite", action="store_true", help="start the search over")
    parser.add_argument("--save-predictions", default=None, metavar="NPY",
                        help="also write the exported model's test predictions to this .npy")
    parser.add_argument("--quick", action="store_true", help="1 trial of 3 epochs on a slice")
    args = parser.parse_args(argv)
    if args.quick:
        args.max_trials, args.epochs, args.overwrite = 1, 3, True
    x_train, y_train, x_test, y_test = load_table()
    if args.quick:  # whole batches of 32 (256 train + 64 validation, 128 test)
        x_train, y_train, x_test, y_test = x_train[:320], y_train[:320], x_test[:128], y_test[:128]
    started = time.perf_counter()
    classifier = ak.StructuredDataClassifier(max_trials=args.max_trials, seed=0,
                                             directory=args.directory, project_name="tabular",
                                             overwrite=args.overwrite, verbose=1)
    classifier.fit(x_train, y_train, epochs=args.epochs)
    seconds = time.perf_counter() - started
    accuracy = float(np.mean(classifier.predict(x_test)[:, 0] == y_test))
    print(f"column types: {dict(classifier.graph.inputs[0].columns[-2:])} ...")
    print(f"search and refit: {seconds:.1f} s ({keraslite.backend.backend()})")
    print(f"test accuracy: {accuracy:.4f}")
    print(f"HistGradientBoostingClassifier test accuracy: "
          f"{gradient_boosting_accuracy(x_train, y_train, x_test, y_test):.4f}")
    # The exported model takes the DataFrame itself: its TableEncoder turns the columns into
    # the network's inputs on the host, and is saved with the model as plain data.
    model = classifier.export_model()
    path = os.path.join(args.directory, "tabular_best.keraslite")
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
