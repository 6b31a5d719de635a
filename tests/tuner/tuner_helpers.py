"""Small models and data shared by the tuner tests."""
import numpy as np

import keraslite
from keraslite.tuner import HyperModel


def data(n=160, features=6, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, features)).astype("float32")
    y = (x[:, 0] + 0.5 * x[:, 1] > 0).astype("int32")
    return x, y


def build_dense(hp):
    model = keraslite.Sequential([
        keraslite.Input((6,)),
        keraslite.layers.Dense(hp.Int("units", 2, 16, step=2), activation="relu"),
        keraslite.layers.Dense(2, activation="softmax"),
    ])
    lr = hp.Float("lr", 1e-3, 1e-1, sampling="log")
    model.compile(keraslite.optimizers.Adam(lr), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


class Quadratic(HyperModel):
    """No training at all: the score is a closed form of the hyperparameters, so oracle logic
    (grids, retries, resumes, workers) is tested fast. ``fail_when`` makes chosen trials fail."""

    def __init__(self, fail_when=None, bad_values=()):
        super().__init__()
        self.fail_when = fail_when
        self.calls = []

    def build(self, hp):
        a = hp.Int("a", 0, 4)
        b = hp.Choice("b", [1, 2, 3])
        if self.fail_when is not None and self.fail_when(hp.values, len(self.calls)):
            self.calls.append(dict(hp.values))
            raise RuntimeError(f"build failed for {hp.values}")
        self.calls.append(dict(hp.values))
        return (a, b)

    def fit(self, hp, model, *args, **kwargs):
        a, b = model
        return {"val_loss": float((a - 2) ** 2 + (b - 2) ** 2)}
