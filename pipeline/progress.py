"""Progress on a terminal without flooding logs: one line per stage, rewritten in place at
most a few times a second, and a final line when the stage ends."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class ProgressLine:
    """Callable progress(stage, done, total) that throttles its own output."""

    def __init__(
        self, stream: TextIO | None = None, interval: float = 0.5, label: str | None = None
    ) -> None:
        self.stream = stream or sys.stderr
        self.label = label
        self.interval = interval
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
