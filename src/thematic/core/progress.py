"""A progress bar for long runs: percent, cases, rate and time remaining, on a terminal only.

The bar is drawn on one line of the given stream (standard error in the CLI), redrawn at most a
few times a second, and only when that stream is a terminal: piped into a file or another
program it stays silent, so logs and outputs are never littered. Progress is measured in bytes
of input read (known before the run starts), the rate in cases scored.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

BAR_WIDTH = 24


def _duration(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}"


class Progress:
    """Reports a run's progress on `stream` if it is a terminal; does nothing otherwise.

    `clock` (seconds, monotonic) and `interval` (the least time between redraws) exist for tests.
    Use as a context manager, or call `finish` at the end.
    """

    def __init__(self, stream: TextIO, label: str = "scoring", *, clock: Callable[[], float] = time.monotonic,
                 interval: float = 0.2) -> None:
        isatty = getattr(stream, "isatty", None)
        self.enabled = bool(isatty and isatty())
        self.stream = stream
        self.label = label
        self.clock = clock
        self.interval = interval
        self.total = 0
        self.done = 0
        self.cases = 0
        self.started = clock()
        self.drawn_at: float | None = None
        self.width = 0

    def start(self, total_bytes: int) -> None:
        """The run reads `total_bytes` bytes in all."""
        self.total = max(0, total_bytes)
        self.started = self.clock()
        self._draw()

    def update(self, done_bytes: int, cases: int) -> None:
        """`done_bytes` bytes read and `cases` cases scored so far."""
        self.done, self.cases = done_bytes, cases
        if self.enabled and (self.drawn_at is None or self.clock() - self.drawn_at >= self.interval):
            self._draw()

    def finish(self) -> None:
        """Draw the final state and end the line."""
        if self.enabled and self.drawn_at is not None:
            elapsed = self.clock() - self.started
            self._write(f"{self.label} done: {self.cases:,} cases in {_duration(elapsed)}"
                        f" ({self._rate(elapsed):,.0f} cases/s)")
            self.stream.write("\n")
            self.stream.flush()
            self.drawn_at = None

    def line(self) -> str:
        """The progress line as it would be drawn now."""
        elapsed = self.clock() - self.started
        share = min(1.0, self.done / self.total) if self.total else 0.0
        filled = int(share * BAR_WIDTH)
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        if self.done and elapsed > 0 and self.total:
            left = f"{_duration(elapsed * (self.total - self.done) / self.done)} left"
        else:
            left = "time left unknown yet"
        return (f"{self.label} {share * 100:3.0f}% [{bar}] {self.cases:,} cases, "
                f"{self._rate(elapsed):,.0f} cases/s, {left}")

    def _rate(self, elapsed: float) -> float:
        return self.cases / elapsed if elapsed > 0 else 0.0

    def _draw(self) -> None:
        if not self.enabled:
            return
        self._write(self.line())
        self.drawn_at = self.clock()

    def _write(self, text: str) -> None:
        # Carriage return and padding: the new line covers the old one, on any terminal.
        self.stream.write("\r" + text.ljust(self.width))
        self.stream.flush()
        self.width = len(text)

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.finish()
