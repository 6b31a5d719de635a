"""SIGKILL at random moments during repeated checkpoint saves never loses the last committed one.

Fast part (50 kills): the model's save payloads (config + weights bytes from the real
``model_entries``) are prepared in this process; a forked child then writes them to the same path
with ``archive.write_archive`` in a loop, and is killed after a random 0-80 ms. The child only
runs the file-writing code (no JAX/TensorFlow after the fork: their thread pools do not survive
one). The kills take turns: at a random moment, after the writer has committed a save (waiting
for the file to be replaced, however slow the machine), and while the writer, stopped with
SIGSTOP, is inside a save (its temporary exists). After every kill the file must be byte for byte one of the complete saves, load with
``load_model`` and hold exactly that save's weights; the dead writer's temporary must be removed
by the next save.

Slow part (3 kills): a real ``model.fit`` in a subprocess saving with ModelCheckpoint after every
batch is killed at a random batch; the checkpoint must load and hold the weights the training
process reported for the last save it finished (or the one it had just started).
"""
from __future__ import annotations

import hashlib
import os
import re
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pytest

import keraslite
from keraslite import layers
from keraslite.saving import archive
from keraslite.saving.model_file import model_entries

pytestmark = pytest.mark.skipif(
    os.name != "posix" or not hasattr(os, "fork"),
    reason="needs os.fork and SIGKILL (POSIX); Windows has neither")

REPO = Path(__file__).resolve().parent.parent.parent
KILLS = 50
PAYLOADS = 6
SEED = 7


def _temporaries(folder: Path, target: str):
    return sorted(p.name for p in folder.iterdir()
                  if p.name.startswith(f".{target}.") and p.name.endswith(".keraslite-tmp"))


def _model():
    inputs = keraslite.Input((512,))
    hidden = layers.Dense(1024, activation="relu")(inputs)  # 2 MiB kernel
    outputs = layers.Dense(8)(hidden)
    model = keraslite.Model(inputs, outputs)
    model.compile(optimizer="sgd", loss="mse")
    return model


@pytest.fixture(scope="module")
def payloads():
    """PAYLOADS different saves of one model; save ``i`` has ``i`` as its last bias's first value
    (the marker) and its own random weights everywhere else."""
    model = _model()
    rng = np.random.default_rng(SEED)
    saves = []
    for i in range(PAYLOADS):
        weights = [rng.standard_normal(w.shape).astype("float32") for w in model.get_weights()]
        weights[-1][0] = float(i)
        model.set_weights(weights)
        saves.append((model_entries(model), weights))
    return saves


def _child_writes_forever(path, saves, start):
    """In the forked child: save after save, until killed. Never returns."""
    code = 0
    try:
        i = start
        while True:
            archive.write_archive(path, saves[i % len(saves)][0])
            i += 1
    except BaseException:  # noqa: BLE001 - reported to the parent through the exit code
        code = 3
    finally:
        os._exit(code)


def _fork_writer(path, saves, start):
    with warnings.catch_warnings():
        # fork() in a threaded process: JAX and Python 3.12+ warn, rightly in general; the child
        # here runs only the file-writing code, which needs none of those threads.
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        pid = os.fork()
    if pid == 0:
        _child_writes_forever(path, saves, start)
    return pid


def _wait_for(condition, what, pid):
    """Polls ``condition`` until it holds; fails naming ``what`` if the writer makes no progress
    in a minute (a stuck writer, not a slow machine: a save takes milliseconds)."""
    deadline = time.monotonic() + 60
    while not condition():
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            raise AssertionError(f"the writer made no progress in 60 s: {what}")
        time.sleep(0.0005)


def _kill_after_progress(path, pid, rng):
    """Kills once the writer has committed a save since it started (the file was replaced)."""
    def identity():  # an inode number alone may be reused by a later save
        stat = os.stat(path)
        return stat.st_ino, stat.st_mtime_ns, stat.st_size

    before = identity()
    _wait_for(lambda: identity() != before, "no save replaced the file", pid)
    time.sleep(float(rng.uniform(0.0, 0.01)))
    os.kill(pid, signal.SIGKILL)


def _kill_mid_write(folder, target, pid):
    """Kills the writer while one of its temporaries exists: it is stopped first, and killed
    only if, stopped, it is still inside a save; the kill then lands mid-write on any machine."""
    mine = f".{pid}."

    def stopped_mid_write():
        if not any(mine in name for name in _temporaries(folder, target)):
            return False
        os.kill(pid, signal.SIGSTOP)
        os.waitpid(pid, os.WUNTRACED)  # it is stopped once this returns
        if any(mine in name for name in _temporaries(folder, target)):
            return True
        os.kill(pid, signal.SIGCONT)  # it finished that save meanwhile: catch the next one
        return False

    _wait_for(stopped_mid_write, "no temporary appeared", pid)
    os.kill(pid, signal.SIGKILL)


def test_sigkill_at_random_moments_keeps_the_last_committed_save(tmp_path, payloads):
    path = tmp_path / "checkpoint.keraslite"
    complete = {}  # sha256 of each complete save's file -> payload index
    for i, (entries, _) in enumerate(payloads):
        archive.write_archive(path, entries)
        complete[hashlib.sha256(path.read_bytes()).hexdigest()] = i
    assert len(complete) == PAYLOADS
    archive.write_archive(path, payloads[0][0])

    # Three kinds of kill, in turn, so what is proven does not depend on the machine's speed:
    # at a random moment; after the writer committed a save (the file must then be a newer one);
    # while the writer is stopped inside a save (the file must be the last committed one).
    rng = np.random.default_rng(SEED)
    previous, advanced, mid_write, seen = 0, 0, 0, set()
    for kill in range(KILLS):
        kind = ("random", "progress", "mid_write")[kill % 3]
        # By content, not inode: a filesystem may hand a freed inode number to a later save.
        before_kill = hashlib.sha256(path.read_bytes()).hexdigest()
        pid = _fork_writer(path, payloads, start=previous + 1)
        if kind == "random":
            time.sleep(float(rng.uniform(0.0, 0.08)))
            os.kill(pid, signal.SIGKILL)
        elif kind == "progress":
            _kill_after_progress(path, pid, rng)
        else:
            _kill_mid_write(tmp_path, path.name, pid)
        _, status = os.waitpid(pid, 0)
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, (
            f"kill {kill}: the writer ended on its own (status {status}), not by SIGKILL")

        data = path.read_bytes()
        which = complete.get(hashlib.sha256(data).hexdigest())
        assert which is not None, (
            f"kill {kill} ({kind}): {path.name} is not any complete save ({len(data)} bytes)")
        model = keraslite.models.load_model(str(path))
        weights = model.get_weights()
        assert weights[-1][0] == which, f"kill {kill}: marker {weights[-1][0]}, file is save {which}"
        for got, expected in zip(weights, payloads[which][1], strict=True):
            np.testing.assert_array_equal(got, expected)
        seen.add(which)
        advanced += which != previous
        previous = which

        temporaries = _temporaries(tmp_path, path.name)
        if kind == "progress":
            assert hashlib.sha256(data).hexdigest() != before_kill, (
                f"kill {kill}: no newer save was committed")
        if kind == "mid_write":
            # Killed inside a save: its temporary stays, and the file is still a complete save.
            assert any(f".{pid}." in name for name in temporaries), (
                f"kill {kill}: the writer was stopped mid-save but left no temporary")
        mid_write += bool(temporaries)
        # Each save first removes the temporaries of dead writers, so at most the last killed
        # writer's own temporary is ever left.
        assert len(temporaries) <= 1, f"kill {kill}: temporaries pile up: {temporaries}"

    assert advanced >= 1 and len(seen) >= 2, f"the saves never moved forward: {sorted(seen)}"
    print(f"{advanced} kills found a newer save, {mid_write} interrupted one mid-write")

    archive.write_archive(path, payloads[0][0])  # the next save removes what the last kill left
    assert _temporaries(tmp_path, path.name) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


# --- real training processes, killed mid-fit -------------------------------------------------

_TRAINER = r"""
import hashlib, sys
import numpy as np
import keraslite
from keraslite import layers
from keraslite.callbacks import Callback, ModelCheckpoint

path, seed = sys.argv[1], int(sys.argv[2])
keraslite.utils.set_random_seed(seed)
model = keraslite.Sequential([keraslite.Input((8,)), layers.Dense(16, activation="relu"),
                              layers.Dense(1)])
model.compile(optimizer="adam", loss="mse")
rng = np.random.default_rng(seed)
x = rng.standard_normal((8 * 400, 8)).astype("float32")
y = x.sum(axis=1, keepdims=True)


class Announce(Callback):
    def __init__(self, tag):
        super().__init__()
        self.tag = tag

    def on_train_batch_end(self, batch, logs=None):
        digest = hashlib.sha256()
        for w in self.model.get_weights():
            digest.update(np.ascontiguousarray(w, dtype="float32").tobytes())
        print(self.tag, batch, digest.hexdigest(), flush=True)


model.fit(x, y, batch_size=8, epochs=1, verbose=0, shuffle=False,
          callbacks=[Announce("before"), ModelCheckpoint(path, save_freq=1), Announce("after")])
print("finished", flush=True)
"""

_LINE = re.compile(r"(before|after) (\d+) ([0-9a-f]{64})\n")


def _digest(weights):
    digest = hashlib.sha256()
    for w in weights:
        digest.update(np.ascontiguousarray(w, dtype="float32").tobytes())
    return digest.hexdigest()


def _read_until_after(process, batch):
    """Lines the trainer printed, up to its "after <batch>" line."""
    lines = []
    for line in process.stdout:
        lines.append(line)
        if line.startswith(f"after {batch} "):
            return lines
    raise AssertionError(f"the trainer ended before batch {batch}:\n{''.join(lines[-5:])}")


@pytest.mark.slow
def test_sigkill_during_fit_with_batch_checkpoints(tmp_path):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO),
                                                         os.environ.get("PYTHONPATH", "")])}
    rng = np.random.default_rng(SEED)
    runs = []
    for run in range(3):  # started together: the imports and compiles overlap
        path = tmp_path / f"run{run}" / "checkpoint.keraslite"
        path.parent.mkdir()
        process = subprocess.Popen([sys.executable, "-c", _TRAINER, str(path), str(run)],
                                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                   stdin=subprocess.DEVNULL, text=True, env=env, cwd=str(REPO))
        runs.append((path, process, int(rng.integers(5, 120))))

    for path, process, kill_batch in runs:
        try:
            lines = _read_until_after(process, kill_batch)
            process.send_signal(signal.SIGKILL)
            lines += process.stdout.readlines()  # what it printed before the signal landed
        finally:
            process.kill()
            process.wait(timeout=60)
        assert process.returncode == -signal.SIGKILL

        digests = {}
        last = {"before": -1, "after": -1}
        for line in lines:
            match = _LINE.fullmatch(line)
            if match:  # a line cut by the kill has no newline and is ignored
                tag, batch, digest = match.group(1), int(match.group(2)), match.group(3)
                digests[batch] = digest
                last[tag] = batch
        # The file holds the last save that finished ("after" printed), or the next one if it
        # finished in the moment between the save and the print.
        allowed = {digests[last["after"]], digests[last["before"]]}

        model = keraslite.models.load_model(str(path))
        assert _digest(model.get_weights()) in allowed, (
            f"{path} holds weights of no save the trainer finished (killed after batch "
            f"{last['after']})")
        rebuilt = keraslite.Sequential([keraslite.Input((8,)), layers.Dense(16, activation="relu"),
                                        layers.Dense(1)])
        rebuilt.load_weights(str(path))
        x = np.random.default_rng(1).standard_normal((16, 8)).astype("float32")
        np.testing.assert_array_equal(keraslite.ops.convert_to_numpy(model(x)),
                                      keraslite.ops.convert_to_numpy(rebuilt(x)))
        model.save(str(path))  # the next save cleans up after the killed writer
        assert sorted(p.name for p in path.parent.iterdir()) == [path.name]
