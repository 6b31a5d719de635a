"""Repeated fit/predict calls on one model do not leak memory (compiled steps are reused)."""
import gc
import os

import numpy as np
import pytest

import keraslite
from keraslite import layers


def resident_mb():
    with open(f"/proc/{os.getpid()}/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="reads Linux /proc")
def test_fifty_fit_and_predict_calls_grow_memory_by_less_than_50_mb():
    rng = np.random.RandomState(0)
    x = rng.rand(512, 32).astype("float32")
    y = rng.randint(0, 10, 512)
    model = keraslite.Sequential([keraslite.Input((32,)), layers.Dense(64, activation="relu"),
                                  layers.Dropout(0.1), layers.Dense(10)])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])

    def round_trip():
        model.fit(x, y, batch_size=32, epochs=1, validation_split=0.1, verbose=0)
        model.predict(x[:100], verbose=0)
        model.evaluate(x, y, verbose=0)

    for _ in range(5):  # compile every step shape once
        round_trip()
    gc.collect()
    before = resident_mb()
    for _ in range(50):
        round_trip()
    gc.collect()
    growth = resident_mb() - before
    assert growth < 50, f"resident memory grew by {growth:.1f} MB over 50 fit/predict calls"
