"""Keras's progress bar, without the log garbage.

The line looks like Keras 3's::

    1875/1875 ━━━━━━━━━━━━━━━━━━━━ 1s 540us/step - accuracy: 0.9312 - loss: 0.2401

Where Keras is wrong we do better (a known complaint, keras#7523, #12860):
- On a terminal the line is redrawn in place with a carriage return and
  padded with spaces, never with backspaces; colours only on a terminal.
- When the output is not a terminal (a log file, a pipe, CI), nothing is
  written until the bar finalizes, and then one plain line: no `\\b`, no `\\r`,
  no escape codes, no flood of partial lines.
- In Jupyter (ipykernel's output stream, detected from the stream itself,
  not merely from ipykernel being imported) the line is redrawn in place
  with `\\r`, in plain text (no escape codes), so the saved notebook shows
  one clean line per bar.
"""

import math
import sys
import time

import numpy as np


def in_notebook(stream):
    """True when `stream` is a Jupyter kernel's output stream (ipykernel's
    OutStream: Jupyter, JupyterLab, VS Code, Colab), which shows a line
    redrawn with \r in place but is not a terminal (`isatty()` is False)."""
    if "ipykernel" not in sys.modules:
        return False
    return any(cls.__module__.startswith("ipykernel") for cls in type(stream).__mro__)


def _is_dynamic(stream):
    if in_notebook(stream):
        return True
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


def format_value(value, signed=True):
    """Keras's number format: 4 decimals, or scientific below 1e-3."""
    value = float(np.mean(value))
    big = abs(value) > 1e-3 if signed else value > 1e-3
    return f"{value:.4f}" if big else f"{value:.4e}"


def format_time_per_unit(seconds, unit_name="step"):
    if seconds >= 1 or seconds == 0:
        return f" {seconds:.0f}s/{unit_name}"
    if seconds >= 1e-3:
        return f" {seconds * 1e3:.0f}ms/{unit_name}"
    return f" {seconds * 1e6:.0f}us/{unit_name}"


def format_eta(eta):
    if eta > 3600:
        return f"{int(eta // 3600)}:{int(eta % 3600 // 60):02d}:{int(eta % 60):02d}"
    if eta > 60:
        return f"{int(eta // 60)}:{int(eta % 60):02d}"
    return f"{int(eta)}s"


class Progbar:
    """Displays a progress bar (`keras.utils.Progbar`).

    Args:
        target: total number of steps, or None if unknown.
        width: bar width in cells.
        verbose: 0 silent, 1 bar, 2 one line when finalized.
        interval: minimum seconds between redraws.
        stateful_metrics: names whose values are shown as given; every other
            value is averaged over the steps (Keras semantics). The model
            passes running epoch means, so it lists every key here.
        unit_name: "step" or "sample".
        stream: where to write (default sys.stdout at each write).
    """

    def __init__(
        self,
        target,
        width=20,
        verbose=1,
        interval=0.05,
        stateful_metrics=None,
        unit_name="step",
        stream=None,
    ):
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.stateful_metrics = set(stateful_metrics or ())
        self.unit_name = unit_name
        self._stream = stream
        self._values = {}
        self._seen_so_far = 0
        self._start = time.time()
        self._last_update = 0.0
        self._time_after_first_step = None
        self._prev_width = 0

    @property
    def stream(self):
        return self._stream if self._stream is not None else sys.stdout

    def update(self, current, values=None, finalize=None):
        """Record `values` [(name, value), ...] at step `current` and redraw."""
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        for name, value in values or ():
            if name in self.stateful_metrics or finalize:
                self._values[name] = [value, 1]
            else:
                weight = max(current - self._seen_so_far, 1)
                total, count = self._values.get(name, [0.0, 0])
                self._values[name] = [total + value * weight, count + weight]
        self._seen_so_far = current
        now = time.time()
        per_unit = self._time_per_unit(current, now)
        if self.verbose == 1:
            self._draw_bar(current, now, per_unit, finalize)
        elif self.verbose == 2 and finalize:
            self._write(self._plain_line(current, now, per_unit) + "\n")

    def add(self, n, values=None):
        self.update(self._seen_so_far + n, values)

    def _draw_bar(self, current, now, per_unit, finalize):
        dynamic = _is_dynamic(self.stream)
        if not finalize and (not dynamic or now - self._last_update < self.interval):
            return
        count, bar, info = self._parts(current, now, per_unit, finalize)
        if not dynamic:
            self._write(f"{count} {bar}{info}\n")
            return
        if in_notebook(self.stream):  # plain text: readable in saved notebooks
            done = int(self.width * current / self.target) if self.target else 0
            line = f"{count} {bar[:done]}{'─' * (len(bar) - done)}"
        else:
            line = self._colored(count, bar, current)
        width = len(count) + 1 + len(bar) + len(info)
        pad = " " * max(self._prev_width - width, 0)
        self._write("\r" + line + info + pad + ("\n" if finalize else ""))
        self._prev_width = width
        self._last_update = now  # the interval counts from the last redraw

    def _colored(self, count, bar, current):
        line = f"\x1b[1m{count}\x1b[0m "
        if self.target:
            done = int(self.width * current / self.target)
            if done > 0:
                line += f"\x1b[32m{bar[:done]}\x1b[0m"
            line += f"\x1b[37m{bar[done:]}\x1b[0m"
        return line

    def _parts(self, current, now, per_unit, finalize):
        """(count, bar, info) of a verbose=1 line, without escape codes."""
        if self.target:
            digits = int(math.log10(self.target)) + 1
            count = f"{current:>{digits}d}/{self.target}"
            bar = "━" * self.width
        else:
            count, bar = f"{current:7d}/Unknown", ""
        if self.target and not finalize:
            info = " " + format_eta(per_unit * (self.target - current))
        else:
            info = f" {now - self._start:.0f}s"
        info += format_time_per_unit(per_unit, self.unit_name)
        info += self._metrics_text(signed=True)
        return count, bar, info

    def _plain_line(self, current, now, per_unit):
        digits = int(math.log10(self.target)) + 1 if self.target else 7
        line = f"{current:>{digits}d}/{self.target} - {now - self._start:.0f}s"
        line += " -" + format_time_per_unit(per_unit, self.unit_name)
        return line + self._metrics_text(signed=False)

    def _metrics_text(self, signed):
        text = ""
        for name, (total, count) in self._values.items():
            text += f" - {name}: " + format_value(
                np.asarray(total) / max(1, count), signed
            )
        return text

    def _time_per_unit(self, current, now):
        if not current:
            return 0.0
        if self._time_after_first_step is not None and current > 1:
            per_unit = (now - self._time_after_first_step) / (current - 1)
        else:
            per_unit = (now - self._start) / current
        if current == 1:
            self._time_after_first_step = now
        return per_unit

    def _write(self, text):
        self.stream.write(text)
        self.stream.flush()
