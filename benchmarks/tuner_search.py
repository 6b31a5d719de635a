"""keraslite.tuner on scikit-learn's digits, side by side with KerasTuner 1.4 on Keras 3.

Runs the search space of examples/tune_digits.py (Dense units, an optional second layer, dropout,
log learning rate) with the same trials, epochs, batch size and validation split, and reports for
each arm the best validation accuracy, the wall time and the wall time per trial:

    keraslite RandomSearch / BayesianOptimization, without pruning and with median pruning
    keras_tuner RandomSearch / BayesianOptimization (Keras 3, same backend)

    pip install keras-tuner      # the benchmark's own environment only; keraslite never uses it
    KERASLITE_BACKEND=jax python benchmarks/tuner_search.py --trials 20 --epochs 10
    python benchmarks/tuner_search.py --storage-only     # embedded storage overhead per trial
    KERASLITE_BACKEND=tensorflow python benchmarks/tuner_search.py --xla-tradeoff --epochs 50

Each arm runs in its own subprocess (one backend per process, no warm caches shared); the parent
prints one table. Wall times depend on the machine's load: compare arms of one run only, and
on a busy machine run the arms compared at the same time (``--side-by-side``).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ARMS = ("keraslite-random", "keraslite-random-median", "keraslite-bayesian",
        "keraslite-bayesian-median", "kerastuner-random", "kerastuner-bayesian")


def _digits():
    from sklearn.datasets import load_digits

    digits = load_digits()
    x = (digits.images / 16.0).astype("float32")
    y = digits.target.astype("int32")
    rng = __import__("numpy").random.default_rng(0)
    order = rng.permutation(len(x))
    return x[order], y[order]


def run_arm(arm: str, trials: int, epochs: int, directory: str) -> dict:
    sys.path.insert(0, os.path.join(REPO, "examples"))
    sys.path.insert(0, REPO)
    x, y = _digits()
    fit = dict(epochs=epochs, batch_size=32, validation_split=0.2, verbose=0)
    library, tuner_name, *rest = arm.split("-")
    pruner = rest[0] if rest else None
    start, cpu_start = time.perf_counter(), time.process_time()
    if library == "keraslite":
        import tune_digits

        tuner = tune_digits.make_tuner(tuner_name, trials, epochs, pruner, directory, arm,
                                       overwrite=True)
        tuner.verbose = 0
        from keraslite.backends import compile as backend_compile

        compiled = getattr(backend_compile, "compilations", lambda: None)
        before = compiled()
        tuner.search(x, y, **fit)
        best = tuner.oracle.get_best_trials(1)[0].score
        counted = len(tuner.oracle.trials)
        pruned = sum(t.status == "PRUNED" for t in tuner.oracle.trials.values())
        # Loops compiled in the search (None before keraslite counted them); trials of an
        # architecture compiled before reuse its loops.
        loops = None if before is None else compiled() - before
    else:
        os.environ.setdefault("KERAS_BACKEND", os.environ.get("KERASLITE_BACKEND", "jax"))
        import keras
        import keras_tuner

        import tune_digits

        cls = {"random": keras_tuner.RandomSearch,
               "bayesian": keras_tuner.BayesianOptimization}[tuner_name]
        tuner = cls(lambda hp: tune_digits.build_model(hp, keras=keras),
                    objective="val_accuracy", max_trials=trials, seed=0, directory=directory,
                    project_name=arm, overwrite=True)
        tuner.search(x, y, **fit)
        best = tuner.oracle.get_best_trials(1)[0].score
        counted = len(tuner.oracle.trials)
        loops = pruned = None
    seconds = time.perf_counter() - start
    # CPU seconds of the whole process (all threads): steadier than wall time on a busy machine.
    cpu = time.process_time() - cpu_start
    return {"arm": arm, "best_val_accuracy": best, "seconds": seconds, "trials": counted,
            "seconds_per_trial": seconds / max(counted, 1),
            "cpu_seconds_per_trial": cpu / max(counted, 1), "compiled_loops": loops,
            "pruned": pruned}


def xla_tradeoff(epochs: int) -> dict:
    """One trial's model fitted for 1 epoch (the loops' compilation and a few steps), then for
    ``epochs`` more, with the ``jit_compile`` setting from KERASLITE_JIT (true, false, auto):
    CPU seconds of each part. What XLA costs once and saves per step on this machine."""
    sys.path.insert(0, REPO)
    import keraslite as keras

    jit = {"true": True, "false": False}.get(os.environ.get("KERASLITE_JIT", "auto"), "auto")
    x, y = _digits()
    model = keras.Sequential([keras.Input((8, 8)), keras.layers.Flatten(),
                              keras.layers.Dense(96, activation="relu"),
                              keras.layers.Dropout(0.2),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(keras.optimizers.Adam(1e-3), "sparse_categorical_crossentropy",
                  metrics=["accuracy"], jit_compile=jit)
    fit = dict(batch_size=32, validation_split=0.2, verbose=0)
    start = time.process_time()
    model.fit(x, y, epochs=1, **fit)
    first = time.process_time()
    model.fit(x, y, epochs=epochs, **fit)
    return {"jit_compile": jit, "first_epoch_cpu_s": first - start,
            "later_epochs": epochs, "later_epochs_cpu_s": time.process_time() - first}


def storage_overhead(trials: int = 20) -> list:
    """Storage time per trial of a search with no training: journal file against SQLite."""
    import optuna
    from optuna.storages.journal import JournalFileBackend, JournalFileOpenLock, JournalStorage

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    rows = []
    for kind in ("journal", "sqlite"):
        folder = tempfile.mkdtemp()
        if kind == "journal":
            path = os.path.join(folder, "study.journal")
            storage = JournalStorage(JournalFileBackend(path, lock_obj=JournalFileOpenLock(path)))
        else:
            storage = optuna.storages.RDBStorage("sqlite:///" + os.path.join(folder, "s.db"))
        study = optuna.create_study(storage=storage, study_name="s", direction="maximize")
        start = time.perf_counter()
        for _ in range(trials):
            # What one tuner trial writes: 4 parameters, a lease and a heartbeat, 5 epoch
            # reports, the record's attributes, one read of all trials, the result.
            trial = study.ask()
            for k in range(4):
                trial.suggest_int(f"p{k}", 1, 100)
            trial.set_user_attr("lease", {"pid": 1})
            trial.set_user_attr("beat", time.time())
            for epoch in range(5):
                trial.report(0.1 * epoch, epoch)
            for key in ("values", "keyed", "metrics", "status"):
                trial.set_user_attr(key, {"a": [1.0] * 5})
            study.get_trials(deepcopy=False)
            study.tell(trial, 0.5)
        rows.append({"storage": kind, "ms_per_trial": 1000 * (time.perf_counter() - start)
                     / trials})
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--arms", default=",".join(ARMS))
    parser.add_argument("--arm", help=argparse.SUPPRESS)  # run one arm (subprocess)
    parser.add_argument("--storage-only", action="store_true")
    parser.add_argument("--side-by-side", action="store_true",
                        help="run the arms at the same time (a fairer ratio on a busy machine)")
    parser.add_argument("--xla-tradeoff", action="store_true",
                        help="CPU time of a first epoch and of --epochs more, with and "
                             "without XLA (TensorFlow's jit_compile choice)")
    args = parser.parse_args(argv)
    if args.xla_tradeoff:
        if os.environ.get("KERASLITE_JIT"):
            print(json.dumps(xla_tradeoff(args.epochs)))
            return 0
        for jit in ("false", "true", "auto"):
            env = dict(os.environ, KERASLITE_JIT=jit, TF_CPP_MIN_LOG_LEVEL="2")
            done = subprocess.run([sys.executable, __file__, "--xla-tradeoff", "--epochs",
                                   str(args.epochs)], capture_output=True, text=True, env=env)
            print(done.stdout.strip().splitlines()[-1] if done.returncode == 0
                  else f"jit_compile={jit}: failed\n{done.stderr[-2000:]}", flush=True)
        return 0
    if args.storage_only:
        for row in storage_overhead(args.trials):
            print(f"{row['storage']:8s} {row['ms_per_trial']:8.1f} ms per trial")
        return 0
    if args.arm:
        with tempfile.TemporaryDirectory() as directory:
            print(json.dumps(run_arm(args.arm, args.trials, args.epochs, directory)))
        return 0
    results = []
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    commands = [[sys.executable, __file__, "--arm", arm, "--trials", str(args.trials),
                 "--epochs", str(args.epochs)] for arm in args.arms.split(",")]
    # --side-by-side: all arms at once, so that a busy machine slows them alike.
    running = [subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=env) for c in commands] if args.side_by_side else []
    for i, arm in enumerate(args.arms.split(",")):
        if args.side_by_side:
            stdout, stderr = running[i].communicate()
            returncode = running[i].returncode
        else:
            done = subprocess.run(commands[i], capture_output=True, text=True, env=env)
            stdout, stderr, returncode = done.stdout, done.stderr, done.returncode
        if returncode != 0:
            print(f"{arm}: failed\n{stderr[-2000:]}", file=sys.stderr)
            continue
        results.append(json.loads(stdout.strip().splitlines()[-1]))
        print(json.dumps(results[-1]), flush=True)
    backend = os.environ.get("KERASLITE_BACKEND", "jax")
    print(f"\n{args.trials} trials x {args.epochs} epochs, backend {backend}")
    print(f"{'arm':28s} {'best val acc':>12s} {'wall s':>8s} {'s/trial':>8s} {'cpu s/trial':>11s}")
    for r in results:
        print(f"{r['arm']:28s} {r['best_val_accuracy']:12.4f} {r['seconds']:8.1f} "
              f"{r['seconds_per_trial']:8.2f} {r['cpu_seconds_per_trial']:11.2f}")
    by_arm = {r["arm"]: r for r in results}
    for name in ("random", "bayesian"):
        ours, theirs = by_arm.get(f"keraslite-{name}"), by_arm.get(f"kerastuner-{name}")
        if ours and theirs:
            print(f"{name}: KerasTuner / keraslite time per trial = "
                  f"{theirs['seconds_per_trial'] / ours['seconds_per_trial']:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
