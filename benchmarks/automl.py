"""keraslite.automl on scikit-learn's digits and breast-cancer table: test accuracy and wall time,
side by side with HistGradientBoostingClassifier and (optionally) AutoKeras 3.0.

Arms (each in its own subprocess, one backend per process):

    keraslite-image     ImageClassifier(max_trials=10) on 8x8 digits (75/25 stratified split)
    keraslite-tabular   StructuredDataClassifier(max_trials=10) on the breast-cancer DataFrame
                        with a derived categorical column and 5% blanks (examples/automl_tabular.py)
                        and HistGradientBoostingClassifier on the same split
    autokeras-image     the same with AutoKeras (only with --autokeras PYTHON)
    autokeras-tabular

    KERASLITE_BACKEND=jax python benchmarks/automl.py                 # about 10 min per arm
    python benchmarks/automl.py --quick                                # 1 trial, 2 epochs
    python benchmarks/automl.py --autokeras ~/ak-venv/bin/python       # add the AutoKeras arms

AutoKeras 3.0.0 crashes at its first trial on Keras 3.15 (its classification head builds
``Dense`` with a NumPy integer), so its arms need their own environment with Keras pinned
(KerasTuner needs tensorboard, which TensorFlow 2.21 no longer installs):

    python -m venv ~/ak-venv && ~/ak-venv/bin/pip install autokeras==3.0.0 keras==3.12.0 six \
        tensorflow==2.21.* tensorboard scikit-learn pandas

AutoKeras 3.0's StructuredDataClassifier takes NumPy arrays only: its tabular arm gets the
same DataFrame as an object array (the same values, NaN and category strings included).
Each arm's line shows a hash of its split, so arms in different environments can be checked to
have had the same training and test rows. ``--arm-timeout`` reports an arm that runs longer as
not finished.

Both arms of a task get the same data, split, ``max_trials`` and epochs. Wall times depend on
the machine's load: compare arms of one run only.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ARMS = ("keraslite-image", "keraslite-tabular", "autokeras-image", "autokeras-tabular")


def digits(quick: bool) -> tuple:
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    data = load_digits()
    x_train, x_test, y_train, y_test = train_test_split(
        data.images.astype("float32"), data.target, test_size=0.25, random_state=0,
        stratify=data.target)
    if quick:
        return x_train[:400], y_train[:400], x_test[:200], y_test[:200]
    return x_train, y_train, x_test, y_test


def table(seed: int = 0) -> tuple:
    """The split of examples/automl_tabular.py (same derivation, same seed)."""
    import pandas as pd
    from sklearn.datasets import load_breast_cancer
    from sklearn.model_selection import train_test_split

    data = load_breast_cancer(as_frame=True)
    frame = data.frame.drop(columns="target")
    frame["size_band"] = pd.qcut(frame["mean radius"], 3,
                                 labels=["small", "medium", "large"]).astype(str)
    frame = frame.drop(columns="mean radius")
    blanks = np.random.default_rng(seed).random(len(frame)) < 0.05
    frame.loc[blanks, "mean texture"] = np.nan
    labels = np.where(data.target == 1, "benign", "malignant")
    x_train, x_test, y_train, y_test = train_test_split(
        frame, labels, test_size=0.25, random_state=seed, stratify=labels)
    return x_train, y_train, x_test, y_test


def gradient_boosting(x_train, y_train, x_test, y_test) -> float:
    from sklearn.ensemble import HistGradientBoostingClassifier

    def categorical(frame):
        return frame.assign(size_band=frame["size_band"].astype("category"))

    model = HistGradientBoostingClassifier(categorical_features="from_dtype", random_state=0)
    model.fit(categorical(x_train), y_train)
    return float(np.mean(model.predict(categorical(x_test)) == y_test))


def _same_labels(predicted: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """Elementwise equality of labels that one library may return as text ("3" or "3.0")."""
    try:
        return predicted.astype(np.float64) == expected.astype(np.float64)
    except ValueError:  # string labels
        return predicted.astype(str) == expected.astype(str)


def split_fingerprint(x_train, y_train, x_test, y_test) -> str:
    """A short hash of the split (rows and labels), so a report shows that arms that ran in
    different environments got the same training and test data."""
    digest = hashlib.sha1()
    for part in (x_train, y_train, x_test, y_test):
        rows = part.to_numpy() if hasattr(part, "to_numpy") else np.asarray(part)
        index = part.index.to_numpy() if hasattr(part, "index") else np.arange(len(rows))
        digest.update(index.astype(np.int64).tobytes())
        digest.update(np.asarray(rows).astype(str).tobytes())
    return digest.hexdigest()[:10]


def run_arm(arm: str, args: argparse.Namespace, directory: str) -> dict:
    library, task = arm.split("-")
    if library == "keraslite":
        from keraslite import automl as ak
    else:
        import autokeras as ak  # only in the AutoKeras environment
    x_train, y_train, x_test, y_test = digits(args.quick) if task == "image" else table()
    extra: dict = {"split": split_fingerprint(x_train, y_train, x_test, y_test),
                   "test_samples": len(y_test)}
    if task == "image":
        model_class = ak.ImageClassifier
    else:
        model_class = getattr(ak, "StructuredDataClassifier", None)
        if model_class is None:
            return {"arm": arm, "error": "this AutoKeras has no StructuredDataClassifier"}
        extra["hist_gradient_boosting"] = gradient_boosting(x_train, y_train, x_test, y_test)
        if library == "autokeras":  # AutoKeras 3.0 takes NumPy only: the same values, as objects
            x_train, x_test = x_train.to_numpy(), x_test.to_numpy()
    kwargs = dict(max_trials=args.max_trials, directory=directory, overwrite=True, seed=0)
    if library == "keraslite" and args.time_budget:
        kwargs["time_budget"] = args.time_budget
    started = time.perf_counter()
    model = model_class(**kwargs)
    model.fit(x_train, y_train, epochs=args.epochs, verbose=0)
    seconds = time.perf_counter() - started
    predicted = np.asarray(model.predict(x_test)).reshape(len(y_test), -1)[:, 0]
    accuracy = float(np.mean(_same_labels(predicted, np.asarray(y_test))))
    oracle = getattr(getattr(model, "tuner", None), "oracle", None)
    if oracle is not None:  # how far the search got (within keraslite's time budget)
        extra["trials"] = len(oracle.trials)
    return {"arm": arm, "test_accuracy": accuracy, "seconds": seconds, **extra}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arms", default="keraslite-image,keraslite-tabular")
    parser.add_argument("--max-trials", type=int, default=10)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--time-budget", type=float, default=540.0,
                        help="seconds of search for keraslite (the refit comes after)")
    parser.add_argument("--autokeras", default=None,
                        help="python of an environment with autokeras==3.0.0 keras==3.12.0")
    parser.add_argument("--arm-timeout", type=float, default=None,
                        help="seconds an arm may run; one past it is reported as not finished")
    parser.add_argument("--quick", action="store_true", help="1 trial of 2 epochs, a slice")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.max_trials, args.epochs = 1, 2
    if args.child:
        with tempfile.TemporaryDirectory() as directory:
            print("RESULT " + json.dumps(run_arm(args.child, args, directory)), flush=True)
        return 0
    arms = args.arms.split(",")
    if args.autokeras and not any(a.startswith("autokeras") for a in arms):
        arms += ["autokeras-image", "autokeras-tabular"]
    unknown = [a for a in arms if a not in ARMS]
    if unknown:
        raise SystemExit(f"unknown arms {unknown}: choose from {list(ARMS)}")
    rows = []
    for arm in arms:
        python = args.autokeras if arm.startswith("autokeras") else sys.executable
        command = [python, os.path.abspath(__file__), "--child", arm,
                   "--max-trials", str(args.max_trials), "--epochs", str(args.epochs),
                   "--time-budget", str(args.time_budget)] + (["--quick"] if args.quick else [])
        env = dict(os.environ, PYTHONPATH=REPO, TF_CPP_MIN_LOG_LEVEL="2")
        started = time.perf_counter()
        try:
            done = subprocess.run(command, env=env, capture_output=True, text=True,
                                  timeout=args.arm_timeout)
        except subprocess.TimeoutExpired:
            rows.append({"arm": arm, "error": f"did not finish in {args.arm_timeout:.0f} s",
                         "seconds": time.perf_counter() - started})
            continue
        lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
        rows.append(json.loads(lines[-1][7:]) if lines else
                    {"arm": arm, "error": (done.stderr.strip().splitlines() or ["?"])[-1]})
    backend = os.environ.get("KERASLITE_BACKEND", "jax")
    print(f"max_trials={args.max_trials} epochs={args.epochs} keraslite backend={backend}")
    print(f"{'arm':<20} {'test accuracy':>14} {'wall s':>8}  note")
    for row in rows:
        if "error" in row:
            seconds = f"{row['seconds']:.0f}" if "seconds" in row else "-"
            print(f"{row['arm']:<20} {'-':>14} {seconds:>8}  failed: {row['error']}")
            continue
        note = (f"HistGradientBoosting {row['hist_gradient_boosting']:.4f}"
                if "hist_gradient_boosting" in row else "")
        if "trials" in row:
            note = f"{row['trials']} trials {note}".strip()
        note = f"split {row['split']} ({row['test_samples']} test) {note}".strip()
        print(f"{row['arm']:<20} {row['test_accuracy']:>14.4f} {row['seconds']:>8.1f}  {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
