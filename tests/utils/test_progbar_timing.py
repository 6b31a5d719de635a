"""The times a progress bar prints agree with each other: time per step = elapsed / steps.

Every test runs the bar on a fake clock (``keraslite.utils.progbar.monotonic``), so the checks
are exact arithmetic, never measurements.
"""
import io
import re

import numpy as np
import pytest

import keraslite
from keraslite.utils import progbar as progbar_module
from keraslite.utils.progbar import ALL_STATEFUL, Progbar

# "41/41 - 13s - 317ms/step ..." (verbose=2) or "41/41 ━━━ 13s 317ms/step ..." (verbose=1)
LINE = re.compile(r"(\d+)/(\d+)\D+?(\d+)s[ -]+(\d+)(us|ms|s)/step")
UNIT = {"us": 1e-6, "ms": 1e-3, "s": 1.0}


class FakeClock:
    """Seconds that move only when told to (``advance``) or by ``tick`` on every read."""

    def __init__(self, tick=0.0):
        self.now = 1000.0
        self.tick = tick

    def __call__(self):
        self.now += self.tick
        return self.now

    def advance(self, seconds):
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr(progbar_module, "monotonic", fake)
    return fake


def _parse(line):
    match = LINE.search(line)
    assert match, line
    steps, target, seconds, per_step, unit = match.groups()
    return int(steps), int(target), int(seconds), int(per_step) * UNIT[unit]


def test_verbose_2_per_step_is_elapsed_over_steps_with_blocks_of_steps(clock):
    # fit reports a block of 40 steps (after 10 s of compiling and running), then the last,
    # partial batch on its own (3 s: a second compilation). The old bar divided those 3 s by
    # the one step of the last block and printed "3s/step".
    stream = io.StringIO()
    bar = Progbar(41, verbose=2, file=stream, stateful_metrics=ALL_STATEFUL)
    clock.advance(10.0)
    bar.update(40, {"loss": 1.0}, finalize=False)
    clock.advance(3.0)
    bar.update(41, {"loss": 1.0}, finalize=False)
    bar.update(41, {"loss": 1.0}, finalize=True)
    assert stream.getvalue().startswith("41/41 - 13s - 317ms/step - loss: 1.0000\n")


def test_verbose_1_final_line_agrees_with_its_elapsed_time(clock):
    stream = io.StringIO()
    bar = Progbar(100, verbose=1, file=stream, stateful_metrics=ALL_STATEFUL)
    clock.advance(8.0)  # the first step holds the compilation
    bar.update(1)
    clock.advance(0.99)
    bar.update(100)
    steps, _, seconds, per_step = _parse(stream.getvalue())
    assert (steps, seconds) == (100, 8)
    assert per_step == pytest.approx(8.99 / 100, abs=0.5e-3)


def test_running_rate_leaves_out_the_first_update(clock):
    # While the bar runs, the ETA must not extrapolate the compile time of the first step.
    bar = Progbar(101, verbose=1, file=io.StringIO(), stateful_metrics=ALL_STATEFUL)
    clock.advance(8.0)
    bar.update(1)
    clock.advance(2.0)  # 50 steps in 2 s: 40 ms/step
    bar.update(51)
    assert bar.line(final=False).split("━")[-1].startswith(" 2s 40ms/step"), bar.line()


def _tiny_model():
    model = keraslite.Sequential([
        keraslite.Input(shape=(4,)),
        keraslite.layers.Dense(8, activation="relu"),
        keraslite.layers.Dense(3, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def _fit_lines(capsys, callbacks=()):
    rng = np.random.default_rng(0)
    # 500 samples in batches of 16: 31 full batches, then a partial one (its own compiled loop,
    # so fit reports the epoch in two blocks).
    x = rng.normal(size=(500, 4)).astype("float32")
    y = rng.integers(0, 3, size=(500,))
    _tiny_model().fit(x, y, batch_size=16, epochs=2, verbose=2, callbacks=list(callbacks))
    lines = [ln for ln in capsys.readouterr().out.splitlines() if "/step" in ln]
    assert len(lines) == 2, lines
    per_steps = []
    for line in lines:
        steps, target, seconds, per_step = _parse(line)
        assert steps == target == 32
        # seconds is the elapsed time truncated to a whole second; per_step is rounded to a
        # whole ms: per_step * steps must fall in [seconds, seconds + 1) up to that rounding.
        slack = steps * 0.5e-3
        assert seconds - slack <= per_step * steps < seconds + 1 + slack, line
        per_steps.append(per_step)
    return per_steps


def test_fit_verbose_2_per_step_is_epoch_time_over_steps(clock, capsys):
    clock.tick = 0.5  # every reading of the clock moves it
    _fit_lines(capsys)


def test_fit_first_epoch_time_is_not_shown_in_the_next_epoch(clock, capsys):
    clock.tick = 0.01
    slow_first_epoch = keraslite.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: clock.advance(20.0) if epoch == 0 else None)
    first, second = _fit_lines(capsys, [slow_first_epoch])
    assert first >= 20.0 / 32
    assert second < 0.01
