"""The one timestamp format of run records: UTC, to the second, ISO 8601."""

from __future__ import annotations

from datetime import UTC, datetime


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
