"""A Keras-style progress bar, drawn with ``rich``.

``verbose=1`` draws one line that updates in place::

      37/100 ━━━━━━━━━━━━━━━━━━━━ 1s 12ms/step - accuracy: 0.8125 - loss: 0.5123

``verbose=2`` prints one line when the bar finishes::

    100/100 - 1s - 12ms/step - accuracy: 0.8125 - loss: 0.5123

When the output is not interactive (a file, a pipe, CI, pytest's capture) nothing is drawn in
place: only the finished line is printed, with no colors or control characters.
"""
from __future__ import annotations

import codecs
import sys
import time

import numpy as np
from rich.console import Console
from rich.text import Text

from keraslite.utils.unsupported_args import require_default

_BAR_CHAR = "━"

# The clock every bar reads (seconds). A module attribute, so tests can swap in a fake clock
# and check the printed arithmetic without timing anything.
monotonic = time.monotonic


class _Everything:
    """A container that holds every name (all metrics are stateful)."""

    def __contains__(self, item):
        return True


ALL_STATEFUL = _Everything()


def _is_interactive(stream) -> bool:
    if stream in (sys.stdout, sys.stderr) and (
            "ipykernel" in sys.modules or "google.colab" in sys.modules):
        return True  # notebooks show "\r" redraws although their streams are not terminals
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (ValueError, OSError):  # a closed or detached stream
        return False


def _can_encode(stream, text) -> bool:
    encoding = getattr(stream, "encoding", None)
    if not encoding:
        return True
    try:
        codecs.lookup(encoding)
        text.encode(encoding)
        return True
    except (LookupError, UnicodeEncodeError):
        return False


def format_duration(seconds: float) -> str:
    """``7s``, ``1:05`` or ``1:02:05``, like an ETA."""
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600}:{(seconds % 3600) // 60:02d}:{seconds % 60:02d}"
    if seconds >= 60:
        return f"{seconds // 60}:{seconds % 60:02d}"
    return f"{seconds}s"


def format_time_per_unit(seconds: float, unit_name: str = "step") -> str:
    """``2s/step``, ``12ms/step`` or ``640us/step``."""
    if seconds >= 1 or seconds == 0:
        return f"{seconds:.0f}s/{unit_name}"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/{unit_name}"
    return f"{seconds * 1e6:.0f}us/{unit_name}"


def format_value(value) -> str:
    """A metric value with 4 decimals (scientific notation for tiny values)."""
    try:
        number = float(np.mean(np.asarray(value, dtype="float64")))
    except (TypeError, ValueError):
        return str(value)
    if abs(number) > 1e-3 or number == 0 or not np.isfinite(number):
        return f"{number:.4f}"
    return f"{number:.4e}"


def print_msg(message: str, file=None) -> None:
    """Prints one line to ``file`` (default: the current ``sys.stdout``) and flushes it."""
    stream = file if file is not None else sys.stdout
    stream.write(message + "\n")
    flush = getattr(stream, "flush", None)
    if flush is not None:
        flush()


class Progbar:
    """Displays progress towards ``target`` steps, with metric values.

    Args:
        target: total number of steps, or None if unknown (shown as ``Unknown``).
        width: bar width in characters.
        verbose: 0 (silent), 1 (a bar that updates in place) or 2 (one line when finished).
        interval: least number of seconds between two redraws of the bar.
        stateful_metrics: names whose values are shown as given; other values are averaged
            over the steps they were reported for.
        unit_name: what a step is called (``step/sample``...).
        file: the stream to write to (default: ``sys.stdout`` at the time of each write).

    ``update`` is cheap: it stores the values and draws at most once per ``interval``; values are
    converted to numbers only when drawn. Example::

        bar = Progbar(100)
        for i in range(100):
            bar.update(i + 1, [("loss", loss_value)])
    """

    def __init__(self, target, width=20, verbose=1, interval=0.05, stateful_metrics=None,
                 stateless_metrics=None, unit_name="step", file=None):
        # Keras's explicit list of averaged metrics is not implemented (all non-stateful
        # metrics are averaged, which is Keras's behaviour without it).
        require_default("Progbar", "stateless_metrics", stateless_metrics)
        self.target = None if target is None else int(target)
        self.width = int(width)
        self.verbose = 1 if verbose == "auto" else int(verbose)
        self.interval = float(interval)
        if stateful_metrics is None or stateful_metrics is ALL_STATEFUL:
            self.stateful_metrics = stateful_metrics if stateful_metrics is not None else set()
        else:
            self.stateful_metrics = set(stateful_metrics)
        self.unit_name = unit_name
        self._file = file
        stream = self._stream()
        self._dynamic = _is_interactive(stream)
        self._console = Console(
            file=file, force_terminal=self._dynamic, force_jupyter=False,
            color_system="auto" if self._dynamic else None, highlight=False, soft_wrap=True,
            emoji=False, markup=False,
        )
        self._bar_chars = (_BAR_CHAR, _BAR_CHAR) if _can_encode(stream, _BAR_CHAR) else ("=", ".")
        self._values = {}  # name -> [sum or value, count]
        self._order = []
        self._seen = 0
        self._start = monotonic()
        self._first_update = None  # (time, current) of the first update: excludes compile time
        self._last_draw = 0.0
        self._last_width = 0
        self._finished = False

    def _stream(self):
        return self._file if self._file is not None else sys.stdout

    # -- public API ---------------------------------------------------------------------------
    def update(self, current, values=None, finalize=None):
        """Records progress ``current`` (steps done so far) and ``values`` ((name, value) pairs
        or a dict); draws if due. ``finalize`` defaults to ``current >= target``."""
        current = int(current)
        if values:
            items = values.items() if isinstance(values, dict) else values
            for name, value in items:
                if name not in self._values:
                    self._order.append(name)
                if name in self.stateful_metrics:
                    self._values[name] = [value, 1]
                else:
                    steps = max(current - self._seen, 1)
                    value = float(np.mean(np.asarray(value, dtype="float64"))) * steps
                    entry = self._values.get(name)
                    if entry is None:
                        self._values[name] = [value, steps]
                    else:
                        entry[0] += value
                        entry[1] += steps
        self._seen = current
        now = monotonic()
        if self._first_update is None:
            self._first_update = (now, current)
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        if self.verbose == 0 or self._finished:
            return
        if finalize:
            self._finished = True
            self._draw(now, final=True)
        elif self.verbose == 1 and self._dynamic and now - self._last_draw >= self.interval:
            self._draw(now, final=False)

    def add(self, n, values=None):
        """Advances by ``n`` steps."""
        self.update(self._seen + n, values)

    # -- drawing ------------------------------------------------------------------------------
    def _time_per_unit(self, now, final):
        if final:
            # The finished line shows the bar's whole time and its steps: the two must agree
            # (time per step = elapsed / steps), whatever the sizes of the blocks reported.
            return (now - self._start) / self._seen if self._seen else 0.0
        # While running, the rate drives the ETA: it leaves out the first update, which holds
        # the compilation, and counts the steps done since (a block may report many at once).
        first_time, first_current = self._first_update or (self._start, 0)
        if self._seen > first_current and first_current > 0:
            return (now - first_time) / (self._seen - first_current)
        return (now - self._start) / self._seen if self._seen else 0.0

    def _metrics_text(self):
        parts = []
        for name in self._order:
            total, count = self._values[name]
            if name in self.stateful_metrics:
                shown = format_value(total)
            else:
                shown = format_value(total / max(count, 1))
            parts.append(f" - {name}: {shown}")
        return "".join(parts)

    def _count_text(self):
        if self.target is None:
            return f"{self._seen}/Unknown"
        digits = len(str(self.target))
        return f"{self._seen:>{digits}}/{self.target}"

    def line(self, now=None, final=None):
        """The text of the bar as it would be drawn now (plain string)."""
        now = monotonic() if now is None else now
        final = self._finished if final is None else final
        return self._render(now, final).plain

    def _render(self, now, final):
        elapsed = now - self._start
        per_unit = self._time_per_unit(now, final)
        metrics = self._metrics_text()
        if self.verbose == 2:
            return Text(
                f"{self._count_text()} - {format_duration(elapsed)} - "
                f"{format_time_per_unit(per_unit, self.unit_name)}{metrics}"
            )
        text = Text()
        text.append(self._count_text(), style="bold")
        if self.target is not None:
            done = self.width if final else min(
                self.width, int(self.width * self._seen / max(self.target, 1)))
            text.append(" ")
            text.append(self._bar_chars[0] * done, style="green")
            text.append(self._bar_chars[1] * (self.width - done), style="bright_black")
        if final or self.target is None:
            shown_time = format_duration(elapsed)
        else:
            shown_time = format_duration(per_unit * max(self.target - self._seen, 0))
        text.append(" ")
        text.append(shown_time, style="bold")
        text.append(f" {format_time_per_unit(per_unit, self.unit_name)}{metrics}")
        return text

    def _draw(self, now, final):
        self._last_draw = now
        text = self._render(now, final)
        if not self._dynamic:
            if final:
                self._console.print(text)
            return
        if self.verbose == 2:
            self._console.print(text)
            return
        # Stay on one terminal line while redrawing: a wrapped line could not be redrawn in place.
        max_width = max(self._console.width - 1, 20)
        if not final and len(text) > max_width:
            text.truncate(max_width)
        pad = self._last_width - len(text)
        self._last_width = len(text)
        if pad > 0:
            text.append(" " * pad)
        self._console.file.write("\r")
        self._console.print(text, end="\n" if final else "")
