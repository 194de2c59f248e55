"""Progress on a terminal without flooding logs: one line per stage, rewritten in place at
most a few times a second, and a final line when the stage ends."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class ProgressLine:
    """Callable progress(stage, done, total) that throttles its own output."""

    def __init__(
        self, stream: TextIO | None = None, interval: float | None = None, label: str | None = None
    ) -> None:
        self.stream = stream or sys.stderr
        self.label = label
        # Rewritten in place on a terminal; in a log file a line every few seconds at most.
        self.interval = interval if interval is not None else (0.5 if self.stream.isatty() else 5.0)
        self._last = 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        final = done >= total
        if not final and now - self._last < self.interval:
            return
        self._last = now
        tty = self.stream.isatty()
        end = "\n" if final or not tty else ""
        prefix = "\r" if tty else ""
        self.stream.write(f"{prefix}{self.label or stage}: {done}/{total} pages{end}")
        self.stream.flush()


def stage_done(stage: str, summary: str, seconds: float, stream: TextIO | None = None) -> None:
    """One line when a stage without page counts ends: "dedup: 46 documents (0.1 s)"."""
    stream = stream or sys.stderr
    stream.write(f"{stage}: {summary} ({seconds:.1f} s)\n")
    stream.flush()
