"""BackupAndRestore: a crashed or killed fit, rerun, ends bit-identical to an uninterrupted one."""
import os
import pathlib
import random
import signal
import subprocess
import sys

import numpy as np
import pytest

import keraslite
from tests.callbacks.backup_training_script import train

SCRIPT = pathlib.Path(__file__).with_name("backup_training_script.py")
REPO = SCRIPT.parents[2]
BATCHES_PER_EPOCH = 6  # 96 training samples in batches of 16


def assert_bit_identical(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        assert x.dtype == y.dtype and x.tobytes() == y.tobytes()


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    return train(str(tmp_path_factory.mktemp("reference")))


@pytest.mark.parametrize("save_freq", ["epoch", 1, 4])
@pytest.mark.parametrize("crash_after", [3, 8, 12, 17])
def test_resuming_after_a_crash_matches_an_uninterrupted_run(tmp_path, reference, save_freq,
                                                             crash_after):
    with pytest.raises(RuntimeError, match="simulated crash"):
        train(str(tmp_path), save_freq=save_freq, crash_after_batches=crash_after)
    assert_bit_identical(train(str(tmp_path), save_freq=save_freq), reference)
    # A finished run deletes its backup.
    assert not os.listdir(tmp_path)


def test_backups_do_not_change_training(reference, tmp_path):
    """Batch-level backups force one step per compiled call; the result is the same."""
    assert_bit_identical(train(str(tmp_path), save_freq=1), reference)


def test_a_backup_from_another_model_is_refused(tmp_path):
    with pytest.raises(RuntimeError):
        train(str(tmp_path), crash_after_batches=8)
    model = keraslite.Sequential([keraslite.Input((6,)), keraslite.layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    with pytest.raises(ValueError, match="callbacks|differs"):
        model.fit(np.zeros((8, 6)), np.zeros((8, 2)), verbose=0,
                  callbacks=[keraslite.callbacks.BackupAndRestore(str(tmp_path))])


@pytest.mark.parametrize("bad", [dict(backup_dir=""), dict(backup_dir=3),
                                 dict(backup_dir="d", save_freq=0),
                                 dict(backup_dir="d", save_freq="batch")])
def test_bad_arguments(bad):
    with pytest.raises(ValueError, match="BackupAndRestore"):
        keraslite.callbacks.BackupAndRestore(**bad)


def run_script(backup_dir, out, save_freq, kill_at_batch=None):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    process = subprocess.Popen([sys.executable, str(SCRIPT), str(backup_dir), str(out), save_freq],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True)
    batches = 0
    for line in process.stdout:
        batches += line.startswith("batch")
        if kill_at_batch is not None and batches == kill_at_batch:
            process.send_signal(signal.SIGKILL)
            break
    process.wait()
    return process.returncode


@pytest.mark.slow
def test_sigkill_at_random_batches_then_rerun_is_bit_identical(tmp_path, reference):
    picker = random.Random(int.from_bytes(os.urandom(4), "little"))
    for attempt, save_freq in enumerate(["1", "epoch"]):
        backup = tmp_path / f"backup{attempt}"
        out = tmp_path / f"weights{attempt}.npz"
        kill_at = picker.randint(2, 3 * BATCHES_PER_EPOCH)
        assert run_script(backup, out, save_freq, kill_at_batch=kill_at) == -signal.SIGKILL
        assert not out.exists()
        assert run_script(backup, out, save_freq) == 0, f"rerun after a kill at batch {kill_at}"
        with np.load(out) as saved:
            weights = [saved[f"arr_{i}"] for i in range(len(saved.files))]
        assert_bit_identical(weights, reference), f"kill at batch {kill_at}, save_freq={save_freq}"
