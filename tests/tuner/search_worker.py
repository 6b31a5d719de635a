"""A search worker run as its own process by the tuner tests.

Usage: python search_worker.py '<json settings>'; prints one JSON line at the end.
Settings: directory, project_name, max_trials, storage, sleep (seconds per trial), kind
("closed_form" or "dense": real keraslite models), epochs, seed.
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from keraslite import tuner as kt  # noqa: E402


def _rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


class ClosedForm(kt.HyperModel):
    """Scores a closed form of one continuous hyperparameter after sleeping (a slow trial)."""

    def __init__(self, sleep):
        super().__init__()
        self.sleep = sleep

    def build(self, hp):
        return hp.Float("x", -1.0, 1.0)

    def fit(self, hp, model, *args, **kwargs):
        time.sleep(self.sleep)
        return {"val_loss": model ** 2}


class Dense(kt.HyperModel):
    """Real keraslite models; records the process's resident memory after each trial."""

    def __init__(self):
        super().__init__()
        self.rss = []

    def build(self, hp):
        import keraslite

        model = keraslite.Sequential([
            keraslite.Input((16,)),
            keraslite.layers.Dense(hp.Int("units", 8, 64, step=8), activation="relu"),
            keraslite.layers.Dense(hp.Int("units2", 8, 32, step=8), activation="relu"),
            keraslite.layers.Dense(4, activation="softmax"),
        ])
        model.compile(keraslite.optimizers.Adam(hp.Float("lr", 1e-3, 1e-2, sampling="log")),
                      "sparse_categorical_crossentropy", metrics=["accuracy"])
        return model

    def fit(self, hp, model, *args, **kwargs):
        history = model.fit(*args, **kwargs)
        self.rss.append(_rss_mb())
        return history


def main() -> None:
    settings = json.loads(sys.argv[1])
    if settings.get("kind") == "dense":
        import numpy as np

        hypermodel = Dense()
        rng = np.random.default_rng(0)
        x = rng.normal(size=(128, 16)).astype("float32")
        y = rng.integers(0, 4, size=(128,)).astype("int32")
        # One epoch of one full batch: one compiled loop per trial keeps the test short.
        fit = dict(x=x, y=y, epochs=settings.get("epochs", 1), batch_size=128, verbose=0)
        objective = "accuracy"
    else:
        hypermodel = ClosedForm(settings.get("sleep", 0.0))
        fit, objective = {}, "val_loss"
    tuner = kt.RandomSearch(
        hypermodel, objective, max_trials=settings["max_trials"], seed=settings.get("seed"),
        directory=settings.get("directory"), project_name=settings.get("project_name"),
        storage=settings.get("storage"), verbose=0,
        heartbeat_interval=settings.get("heartbeat_interval", 0.5),
        lease_timeout=settings.get("lease_timeout", 30.0))
    print(json.dumps({"event": "started", "pid": os.getpid()}), flush=True)
    tuner.search(**fit)
    print(json.dumps({"event": "done", "pid": os.getpid(),
                      "rss": getattr(hypermodel, "rss", [])}), flush=True)


if __name__ == "__main__":
    main()
