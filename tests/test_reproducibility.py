"""set_random_seed: the same script run twice gives bit-identical weights (CPU, per backend)."""
import hashlib
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

SCRIPT = """
import hashlib
import numpy as np
import keraslite
from keraslite import layers
keraslite.utils.set_random_seed(1234)
x = np.random.rand(200, 8, 8, 1).astype("float32")
y = np.random.randint(0, 4, size=200)
model = keraslite.Sequential([
    keraslite.Input((8, 8, 1)),
    layers.Conv2D(4, 3, padding="same", activation="relu"),
    layers.BatchNormalization(),
    layers.MaxPooling2D(),
    layers.Flatten(),
    layers.Dropout(0.3),
    layers.Dense(4, activation="softmax"),
])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(x, y, batch_size=32, epochs=2, verbose=0, validation_split=0.1)
digest = hashlib.sha256(b"".join(w.tobytes() for w in model.get_weights())).hexdigest()
print(digest)
"""


def _run(script=SCRIPT):
    env = {**os.environ, "PYTHONPATH": ROOT}
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def seeded_digest():
    """The weights' digest of one run of SCRIPT (each run is a fresh process)."""
    return _run()


def test_two_runs_give_bit_identical_weights(seeded_digest):
    assert len(seeded_digest) == 64
    assert _run() == seeded_digest


def test_different_seed_gives_different_weights(seeded_digest):
    other = SCRIPT.replace("set_random_seed(1234)", "set_random_seed(99)")
    assert _run(other) != seeded_digest
