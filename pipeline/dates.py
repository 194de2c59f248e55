"""Archive dates as printed → (start, end, precision).

The archive prints dates in a handful of shapes ("October 25, 1949", "November 01, 1951",
"August 1949", "August, 1949", "1949", "ND"), and a few rarer ones ("ca. 1950", "1950-1951",
"Spring 1953", "1950s", "March-April 1950"). We keep the printed string untouched and derive
an interval, so a month-only date still sorts and filters next to exact ones.

Precision is the unit of the interval's ends: day | month | year | undated (the tables also
know "unparsed" for a date line that yields no interval). A range ("1950-1951",
"March-April 1950") and the coarser printings take the unit of their ends, and the interval
carries the span: "Spring 1953" is month precision, 1953-03-01..1953-05-31; "1950s" is year
precision, 1950-01-01..1959-12-31. "ca." / "circa" keep the unit and set `approximate`.

Lines are also *classified* (`date_kind`): a listing entry starts at its date line, so a line
that is shaped like a date but cannot be read ("February 30, 1950", "Early 1950") must still be
recognised as the date line — otherwise it would become the title and shift the entry.
"""

from __future__ import annotations

import calendar
import difflib
import re
from dataclasses import dataclass
from datetime import date
from functools import cached_property, lru_cache

from pipeline.run_memo import run_memo

MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9
# (first month, last month, year offset of the last month); winter is ambiguous (Jan-Feb of the
# year, or Dec of the year to Feb of the next), so its interval covers both readings.
SEASONS = {
    "spring": (3, 5, 0),
    "summer": (6, 8, 0),
    "autumn": (9, 11, 0),
    "fall": (9, 11, 0),
    "winter": (1, 2, 1),
}
PRECISIONS = ("day", "month", "year", "undated")
UNDATED_MARKERS = {"", "nd", "n.d.", "n. d.", "undated", "no date", "date unknown", "[nd]"}
MAX_DATE_LINE = 40  # longer lines are never date lines (titles that merely contain a date)

_MONTH = r"(?P<month>[A-Za-z]{3,9})\.?"
_MONTH2 = r"(?P<month2>[A-Za-z]{3,9})\.?"
_YEAR = r"(?P<year>1[5-9]\d\d|20\d\d)"
_DASH = r"\s*[-–—/]\s*"
_APPROX = re.compile(r"^(?:c\.|ca\.?|circa|approx\.?|about)\s*(?=\S)", re.I)
_PATTERNS = [
    ("day", re.compile(rf"^{_MONTH}\s+(?P<day>\d{{1,2}}),?\s+{_YEAR}$")),
    ("day", re.compile(rf"^(?P<day>\d{{1,2}})\s+{_MONTH},?\s+{_YEAR}$")),
    ("day", re.compile(rf"^{_YEAR}-(?P<mnum>\d\d)-(?P<day>\d\d)$")),
    ("month", re.compile(rf"^{_MONTH},?\s+{_YEAR}$")),
    ("month_range", re.compile(rf"^{_MONTH}{_DASH}{_MONTH2},?\s+{_YEAR}$")),
    ("year", re.compile(rf"^{_YEAR}$")),
    ("year_range", re.compile(rf"^{_YEAR}{_DASH}(?P<year2>\d{{2}}|\d{{4}})$")),
    ("decade", re.compile(rf"^{_YEAR}[’']?s$")),
]
_TOKEN = re.compile(r"[A-Za-z]+|\d+|\S")
_DIGIT = re.compile(r"\d")  # the digits `_YEAR` and `_TOKEN` read a year from
_DATE_WORDS = set(MONTHS) | set(SEASONS) | {
    "early", "mid", "middle", "late", "end", "beginning", "of", "c", "ca", "circa", "approx",
    "about", "around", "before", "after", "and", "or", "to", "between", "the", "s", "nd",
    "undated", "first", "second", "half", "quarter", "th", "st", "rd",
}  # fmt: skip
_DATE_PUNCT = set(",.-–—/?[]()'’")
_PARTIAL = re.compile(r"^(?P<month>[A-Za-z]+)\.?(?:\s+\d{0,2},?)?(?:\s+\d{0,3})?$")


@dataclass(frozen=True)
class ParsedDate:
    """A printed date and the interval it stands for."""

    raw: str | None
    start: date | None
    end: date | None
    precision: str  # one of PRECISIONS
    approximate: bool = False  # printed with "ca." / "circa"

    @cached_property  # parse_date hands out one object per printed date, asked for many rows
    def key(self) -> str:
        """A comparable key: two printings of the same date share it.

        "precision:start" for a plain day, month or year (document ids are built on it, so its
        shape stays); the end is appended only when the interval is wider ("Spring 1953",
        "1950-1951"), so such dates never collide with the plain month or year they start in.
        """
        if self.start is None:
            return "undated"
        key = f"{self.precision}:{self.start.isoformat()}"
        if self.end is not None and self.end != _plain_end(self.start, self.precision):
            key += f"..{self.end.isoformat()}"
        return key


UNDATED = ParsedDate(None, None, None, "undated")


class _Impossible(ValueError):
    """The text has a date's shape but names no real day (e.g. February 30)."""


class _NoMatch(ValueError):
    """The word in a month's place is not a month: this shape does not apply."""


def _clean(raw: str) -> str:
    return " ".join(raw.replace("\u00a0", " ").split()).strip()


def _month(name: str) -> int:
    month = MONTHS.get(name.lower(), 0)
    if not month:
        raise _NoMatch(name)
    return month


def _last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _plain_end(start: date, precision: str) -> date:
    """Where a single day, month or year starting at `start` ends."""
    if precision == "month":
        return _last_day(start.year, start.month)
    if precision == "year":
        return date(start.year, 12, 31)
    return start


def _interval(kind: str, parts: dict[str, str]) -> tuple[date, date, str]:
    """Turn one pattern's groups into (start, end, precision); _Impossible when no such date."""
    year = int(parts["year"])
    try:
        if kind == "day":
            month = int(parts["mnum"]) if parts.get("mnum") else _month(parts["month"])
            day = date(year, month, int(parts["day"]))
            return day, day, "day"
        if kind == "month":
            month = _month(parts["month"])
            return date(year, month, 1), _last_day(year, month), "month"
        if kind == "month_range":
            first, last = _month(parts["month"]), _month(parts["month2"])
            if last <= first:
                raise _Impossible("month range runs backwards")
            return date(year, first, 1), _last_day(year, last), "month"
        if kind == "year":
            return date(year, 1, 1), date(year, 12, 31), "year"
        if kind == "year_range":
            end = parts["year2"]
            end_year = int(end) if len(end) == 4 else year // 100 * 100 + int(end)
            if end_year <= year:
                raise _Impossible("year range runs backwards")
            return date(year, 1, 1), date(end_year, 12, 31), "year"
        if kind == "decade":
            if year % 10:
                raise _Impossible("decade not ending in 0")
            return date(year, 1, 1), date(year + 9, 12, 31), "year"
    except (_Impossible, _NoMatch):
        raise
    except ValueError as exc:  # date() rejected the day or month
        raise _Impossible(str(exc)) from exc
    raise AssertionError(kind)


def _season(text: str) -> tuple[date, date] | None:
    m = re.match(rf"^(?P<season>[A-Za-z]+),?\s+{_YEAR}$", text)
    if not m or m["season"].lower() not in SEASONS:
        return None
    first, last, offset = SEASONS[m["season"].lower()]
    year = int(m["year"])
    end_month = 2 if offset else last
    return date(year, first, 1), _last_day(year + offset, end_month)


def _read(text: str) -> ParsedDate | None:
    """Parse cleaned text; None when no supported shape matches; _Impossible when one does."""
    approximate = False
    m = _APPROX.match(text)
    if m:
        approximate, text = True, text[m.end() :]
    season = _season(text)
    if season:
        return ParsedDate(text, season[0], season[1], "month", approximate)
    for kind, pattern in _PATTERNS:
        m = pattern.match(text)
        if not m:
            continue
        try:
            start, end, precision = _interval(kind, m.groupdict())
        except _NoMatch:
            continue
        return ParsedDate(text, start, end, precision, approximate)
    return None


@run_memo  # for one run: resolve() clears it (and hands its answers on)
def parse_date(raw: str | None) -> ParsedDate | None:
    """Parse a printed date; None when the text is not a readable date (undated is a date)."""
    if raw is None:
        return UNDATED
    text = _clean(raw)
    if text.lower() in UNDATED_MARKERS:
        return ParsedDate(raw, None, None, "undated")
    try:
        parsed = _read(text)
    except _Impossible:
        return None
    if parsed is None:
        return None
    return ParsedDate(raw, parsed.start, parsed.end, parsed.precision, parsed.approximate)


def _close_to_month(word: str) -> bool:
    """A misspelt month ("Febuary", "Sptember") still marks a date line."""
    if len(word) < 4:
        return False
    return bool(difflib.get_close_matches(word, [m for m in MONTHS if len(m) > 3], 1, 0.8))


def _date_shaped(text: str) -> bool:
    """Every token is date vocabulary and a plausible year is printed."""
    tokens = _TOKEN.findall(text)
    has_year = has_day = has_month = False
    for tok in tokens:
        low = tok.lower()
        if tok.isdigit():
            if len(tok) == 4 and 1500 <= int(tok) <= 2099:
                has_year = True
            elif len(tok) > 2:
                return False
            else:
                has_day = True
        elif tok.isalpha():
            if low in MONTHS or low in SEASONS or _close_to_month(low):
                has_month = True
            elif low not in _DATE_WORDS:
                return False
        elif tok not in _DATE_PUNCT:
            return False
    # Small numbers are days only next to a month: "1 - 10 of 1950" is a range line.
    return has_year and (has_month or not has_day)


# Bounded (a worker parses thousands of pages, and a long-lived process many runs): the lines
# asked about repeat from page to page (the same entries on several listings).
@lru_cache(maxsize=1 << 16)
def date_kind(text: str | None) -> str | None:
    """What a whole line is, as a date line.

    "date" (readable), "undated" (ND markers), "invalid" (a known shape naming no real day:
    "February 30, 1950"), "unparsed" (date vocabulary and a year, but no shape we read:
    "Early 1950"), or None (not a date line).
    """
    if text is None:
        return None
    text = _clean(text)
    if len(text) > MAX_DATE_LINE:
        return None
    if text.lower() in UNDATED_MARKERS:
        return "undated" if text else None
    if not _DIGIT.search(text):
        return None  # every shape read, and a date-shaped line, prints a year: skip the parsers
    try:
        if _read(text) is not None:
            return "date"
    except _Impossible:
        return "invalid"
    return "unparsed" if _date_shaped(text) else None


def date_problem(raw: str | None) -> str | None:
    """Why a printed date yields no interval, for quarantine and review; None when it is fine."""
    if raw is None:
        return None
    kind = date_kind(raw)
    if kind in {"date", "undated"}:
        return None
    if kind == "invalid":
        return f"impossible date {raw!r}"
    if kind == "unparsed":
        return f"unrecognised date format {raw!r}"
    return f"not a date {raw!r}"


def is_date_line(text: str) -> bool:
    """True when a whole line is a readable printed date (undated markers excluded)."""
    return date_kind(text) == "date"


def looks_like_date_line(text: str) -> bool:
    """True for any line that stands where a date stands: readable, ND, impossible or unread."""
    return date_kind(text) is not None


def looks_like_cut_date(text: str) -> bool:
    """A date line cut mid-way by a partial save ("Octob", "October 2", "October 25, 19", "19")."""
    text = _clean(text)
    if not text or date_kind(text) is not None:
        return False
    if text.isdigit():
        return len(text) <= 3
    m = _PARTIAL.match(text)
    if not m:
        return False
    word = m.group("month")
    if len(word) < 3 and (not word[0].isupper() or text != word):
        return False  # "M" / "Ju" alone: only a bare capitalised prefix counts
    return any(name.startswith(word.lower()) for name in MONTHS)
