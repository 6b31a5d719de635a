"""The progress bar: text content, the verbose modes, terminal vs. non-terminal output, cost."""
import io
import re
import time

import numpy as np
import pytest

from keraslite.utils.progbar import (
    ALL_STATEFUL, Progbar, format_duration, format_time_per_unit, format_value,
)

CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")  # anything but "\n"


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def _run(stream, target=100, verbose=1, steps=(25, 50, 75, 100), **kwargs):
    bar = Progbar(target, verbose=verbose, file=stream, stateful_metrics=ALL_STATEFUL, **kwargs)
    for step in steps:
        bar.update(step, {"accuracy": 0.8125, "loss": np.float32(0.51234)})
    return bar


def test_not_a_terminal_prints_only_the_final_line():
    stream = io.StringIO()
    _run(stream, interval=0)
    out = stream.getvalue()
    assert out.count("\n") == 1 and out.endswith("\n")
    assert not CONTROL.search(out)
    assert re.fullmatch(
        r"100/100 ━{20} \d+s \d+(us|ms|s)/step - accuracy: 0\.8125 - loss: 0\.5123\n", out
    ), out


def test_terminal_redraws_one_line_in_place():
    stream = FakeTerminal()
    _run(stream, interval=0)
    out = stream.getvalue()
    assert out.count("\n") == 1
    frames = [re.sub(r"\x1b\[[0-9;]*m", "", f) for f in out.split("\r") if f]
    assert len(frames) == 4
    assert frames[0].startswith(" 25/100 ━━━━━")  # the count is padded to the target's width
    assert " - accuracy: 0.8125 - loss: 0.5123" in frames[0]
    assert frames[-1].startswith("100/100 " + "━" * 20 + " ")
    assert "\x1b[" in out  # styled on a terminal


def test_terminal_updates_are_throttled():
    stream = FakeTerminal()
    bar = Progbar(1000, file=stream, interval=60)
    for step in range(1, 1000):
        bar.update(step, {"loss": 1.0})
    assert stream.getvalue().count("\r") == 1  # the first update draws; the rest are too soon
    bar.update(1000, {"loss": 1.0})
    assert stream.getvalue().count("\r") == 2 and stream.getvalue().endswith("\n")


def test_verbose_2_prints_one_line_at_the_end():
    for stream in (io.StringIO(), FakeTerminal()):
        _run(stream, verbose=2, interval=0)
        out = stream.getvalue()
        assert out.count("\n") == 1
        assert not CONTROL.search(out)
        assert re.fullmatch(
            r"100/100 - \d+s - \d+(us|ms|s)/step - accuracy: 0\.8125 - loss: 0\.5123\n", out
        ), out


def test_verbose_0_prints_nothing():
    for stream in (io.StringIO(), FakeTerminal()):
        _run(stream, verbose=0, interval=0)
        assert stream.getvalue() == ""


def test_unknown_target():
    stream = FakeTerminal()
    bar = Progbar(None, file=stream, interval=0)
    bar.update(7, {"loss": 0.25})
    first = re.sub(r"\x1b\[[0-9;]*m", "", stream.getvalue())
    assert "7/Unknown" in first and "━" not in first
    bar.update(9, {"loss": 0.25}, finalize=True)
    assert stream.getvalue().endswith("\n")


def test_default_stream_is_stdout(capsys):
    bar = Progbar(3)
    for step in (1, 2, 3):
        bar.update(step, [("loss", 0.5)])
    out = capsys.readouterr().out
    assert out.startswith("3/3 ━") and out.count("\n") == 1
    assert not CONTROL.search(out)


def test_non_stateful_values_are_averaged_over_steps():
    bar = Progbar(4, file=io.StringIO())
    bar.update(1, [("loss", 1.0)])
    bar.update(4, [("loss", 2.0)])  # counts for 3 steps
    assert "loss: 1.7500" in bar.line()
    bar = Progbar(4, file=io.StringIO(), stateful_metrics=["loss"])
    bar.update(1, [("loss", 1.0)])
    bar.add(3, [("loss", 2.0)])
    assert "loss: 2.0000" in bar.line()


def test_ascii_fallback_when_the_stream_cannot_encode_the_bar():
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="ascii")
    bar = Progbar(2, file=stream)
    bar.update(2, {"loss": 0.5})
    stream.flush()
    assert raw.getvalue().decode("ascii").startswith("2/2 ====================")


def test_update_is_cheap():
    bar = Progbar(10 ** 9, file=FakeTerminal(), stateful_metrics=ALL_STATEFUL)
    logs = {"loss": np.float32(0.5), "accuracy": np.float32(0.9)}
    bar.update(1, logs)  # the first update draws
    start = time.perf_counter()
    for step in range(2, 2002):
        bar.update(step, logs)
    per_update = (time.perf_counter() - start) / 2000
    assert per_update < 1e-3

    drawing = Progbar(10 ** 9, file=FakeTerminal(), interval=0, stateful_metrics=ALL_STATEFUL)
    start = time.perf_counter()
    for step in range(1, 201):
        drawing.update(step, logs)
    assert (time.perf_counter() - start) / 200 < 1e-3


@pytest.mark.parametrize("seconds, text", [(0.0, "0s"), (7.9, "7s"), (65, "1:05"), (3725, "1:02:05")])
def test_format_duration(seconds, text):
    assert format_duration(seconds) == text


def test_format_time_per_unit_and_values():
    assert format_time_per_unit(2.2) == "2s/step"
    assert format_time_per_unit(0.012) == "12ms/step"
    assert format_time_per_unit(0.00064) == "640us/step"
    assert format_time_per_unit(0.5, "sample") == "500ms/sample"
    assert format_value(0.51234) == "0.5123"
    assert format_value(np.float32(1.0)) == "1.0000"
    assert format_value(0.00001234) == "1.2340e-05"
    assert format_value(0) == "0.0000"
