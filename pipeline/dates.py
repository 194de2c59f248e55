"""Archive dates as printed → (start, end, precision).

The archive prints dates in a handful of shapes ("October 25, 1949", "November 01, 1951",
"August 1949", "August, 1949", "1949", "ND"). We keep the printed string untouched and derive an
interval, so a month-only date still sorts and filters next to exact ones.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9

_MONTH = r"(?P<month>[A-Za-z]{3,9})\.?"
_YEAR = r"(?P<year>1[5-9]\d\d|20\d\d)"
_PATTERNS = [
    ("day", re.compile(rf"^{_MONTH}\s+(?P<day>\d{{1,2}}),?\s+{_YEAR}$")),
    ("day", re.compile(rf"^(?P<day>\d{{1,2}})\s+{_MONTH},?\s+{_YEAR}$")),
    ("day", re.compile(r"^(?P<year>1[5-9]\d\d|20\d\d)-(?P<mnum>\d\d)-(?P<day>\d\d)$")),
    ("month", re.compile(rf"^{_MONTH},?\s+{_YEAR}$")),
    ("year", re.compile(rf"^(?:c\.\s*|circa\s+)?{_YEAR}$")),
]
UNDATED_MARKERS = {"", "nd", "n.d.", "undated", "no date", "date unknown"}


@dataclass(frozen=True)
class ParsedDate:
    """A printed date and the interval it stands for."""

    raw: str | None
    start: date | None
    end: date | None
    precision: str  # day | month | year | undated

    @property
    def key(self) -> str:
        """A comparable key: two printings of the same date share it."""
        if self.start is None:
            return "undated"
        return f"{self.precision}:{self.start.isoformat()}"


UNDATED = ParsedDate(None, None, None, "undated")


def _clean(raw: str) -> str:
    return " ".join(raw.replace("\u00a0", " ").split()).strip()


def parse_date(raw: str | None) -> ParsedDate | None:
    """Parse a printed date; None when the text is not a date at all (undated is a date)."""
    if raw is None:
        return UNDATED
    text = _clean(raw)
    if text.lower() in UNDATED_MARKERS:
        return ParsedDate(raw, None, None, "undated")
    for precision, pattern in _PATTERNS:
        m = pattern.match(text)
        if not m:
            continue
        parts = m.groupdict()
        year = int(parts["year"])
        if parts.get("mnum"):
            month = int(parts["mnum"])
        elif parts.get("month"):
            month = MONTHS.get(parts["month"].lower(), 0)
            if not month:
                return None
        else:
            month = 0
        try:
            if precision == "day":
                start = end = date(year, month, int(parts["day"]))
            elif precision == "month":
                start = date(year, month, 1)
                end = date(year, month, calendar.monthrange(year, month)[1])
            else:
                start, end = date(year, 1, 1), date(year, 12, 31)
        except ValueError:
            return None
        return ParsedDate(raw, start, end, precision)
    return None


def is_date_line(text: str) -> bool:
    """True when a whole line is a printed date (not "undated" markers: those are context)."""
    text = _clean(text)
    if len(text) > 24 or not text or text.lower() in UNDATED_MARKERS:
        return False
    return parse_date(text) is not None


_PARTIAL = re.compile(r"^(?P<month>[A-Za-z]+)(?:\s+\d{0,2},?)?(?:\s+\d{0,3})?$")


def looks_like_cut_date(text: str) -> bool:
    """A date line cut mid-way by a partial save ("Octob", "October 2", "October 25, 19")."""
    text = _clean(text)
    if not text or is_date_line(text):
        return False
    m = _PARTIAL.match(text)
    if not m:
        return False
    word = m.group("month").lower()
    return len(word) >= 3 and any(name.startswith(word) for name in MONTHS)
