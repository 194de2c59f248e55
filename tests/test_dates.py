"""pipeline.dates: printed dates → intervals, and what a line is as a date line.

The printed string is kept as date_raw; these tests pin the interval and precision each shape
yields, that different printings of one date share a key, that impossible or unknown dates yield
no interval (and are still recognised as date lines), and how cut-off date lines are spotted.
"""

from __future__ import annotations

from datetime import date

import pytest

from pipeline.dates import (
    PRECISIONS,
    UNDATED,
    date_kind,
    date_problem,
    is_date_line,
    looks_like_cut_date,
    looks_like_date_line,
    parse_date,
)

D = date

READABLE = [
    # day
    ("October 25, 1949", D(1949, 10, 25), D(1949, 10, 25), "day"),
    ("November 01, 1951", D(1951, 11, 1), D(1951, 11, 1), "day"),
    ("November 1, 1934", D(1934, 11, 1), D(1934, 11, 1), "day"),
    ("July 05, 1950", D(1950, 7, 5), D(1950, 7, 5), "day"),
    ("Oct. 5, 1949", D(1949, 10, 5), D(1949, 10, 5), "day"),
    ("Sept 5, 1950", D(1950, 9, 5), D(1950, 9, 5), "day"),
    ("October 25 1949", D(1949, 10, 25), D(1949, 10, 25), "day"),
    ("25 October 1949", D(1949, 10, 25), D(1949, 10, 25), "day"),
    ("1949-10-25", D(1949, 10, 25), D(1949, 10, 25), "day"),
    ("February 29, 1952", D(1952, 2, 29), D(1952, 2, 29), "day"),
    ("october\u00a025,\u00a01949", D(1949, 10, 25), D(1949, 10, 25), "day"),
    # month
    ("August 1949", D(1949, 8, 1), D(1949, 8, 31), "month"),
    ("August, 1949", D(1949, 8, 1), D(1949, 8, 31), "month"),
    ("February, 1946", D(1946, 2, 1), D(1946, 2, 28), "month"),
    ("February 1948", D(1948, 2, 1), D(1948, 2, 29), "month"),
    ("March-April 1950", D(1950, 3, 1), D(1950, 4, 30), "month"),
    ("Spring 1953", D(1953, 3, 1), D(1953, 5, 31), "month"),
    ("Summer, 1953", D(1953, 6, 1), D(1953, 8, 31), "month"),
    ("Fall 1953", D(1953, 9, 1), D(1953, 11, 30), "month"),
    ("Autumn 1953", D(1953, 9, 1), D(1953, 11, 30), "month"),
    ("Winter 1953", D(1953, 1, 1), D(1954, 2, 28), "month"),
    # year
    ("1948", D(1948, 1, 1), D(1948, 12, 31), "year"),
    ("1950-1951", D(1950, 1, 1), D(1951, 12, 31), "year"),
    ("1950–51", D(1950, 1, 1), D(1951, 12, 31), "year"),
    ("1950 - 1953", D(1950, 1, 1), D(1953, 12, 31), "year"),
    ("1950s", D(1950, 1, 1), D(1959, 12, 31), "year"),
]


@pytest.mark.parametrize(("raw", "start", "end", "precision"), READABLE)
def test_readable_dates(raw: str, start: date, end: date, precision: str) -> None:
    parsed = parse_date(raw)
    assert parsed is not None
    assert (parsed.start, parsed.end, parsed.precision) == (start, end, precision)
    assert parsed.raw == raw  # kept exactly as printed
    assert parsed.precision in PRECISIONS
    assert not parsed.approximate
    assert date_kind(raw) == "date" and is_date_line(raw) and date_problem(raw) is None


@pytest.mark.parametrize(
    ("raw", "start", "end", "precision"),
    [
        ("ca. 1950", D(1950, 1, 1), D(1950, 12, 31), "year"),
        ("c. 1950", D(1950, 1, 1), D(1950, 12, 31), "year"),
        ("circa 1950", D(1950, 1, 1), D(1950, 12, 31), "year"),
        ("ca. March 1950", D(1950, 3, 1), D(1950, 3, 31), "month"),
    ],
)
def test_approximate_dates(raw: str, start: date, end: date, precision: str) -> None:
    parsed = parse_date(raw)
    assert parsed is not None and parsed.approximate
    assert (parsed.start, parsed.end, parsed.precision) == (start, end, precision)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("August 1949", "August, 1949"),
        ("November 01, 1934", "November 1, 1934"),
        ("October 25, 1949", "25 October 1949"),
        ("Oct. 25, 1949", "1949-10-25"),
    ],
)
def test_same_date_same_key(a: str, b: str) -> None:
    assert parse_date(a).key == parse_date(b).key


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("August 1949", "August 01, 1949"),  # a month is not its first day
        ("1950", "1950-1951"),
        ("Spring 1953", "March 1953"),  # same start, different end
    ],
)
def test_different_dates_different_keys(a: str, b: str) -> None:
    assert parse_date(a).key != parse_date(b).key


@pytest.mark.parametrize("raw", ["ND", "nd", "n.d.", "Undated", "No date", "date unknown"])
def test_undated_markers(raw: str) -> None:
    parsed = parse_date(raw)
    assert parsed is not None
    assert (parsed.start, parsed.end, parsed.precision) == (None, None, "undated")
    assert parsed.raw == raw
    assert date_kind(raw) == "undated" and looks_like_date_line(raw)
    assert not is_date_line(raw)  # a date line, but not a readable date
    assert date_problem(raw) is None


def test_missing_date_is_undated() -> None:
    assert parse_date(None) is UNDATED
    assert UNDATED.key == "undated"
    assert date_problem(None) is None


@pytest.mark.parametrize(
    "raw",
    [
        "February 30, 1950",
        "February 29, 1950",  # not a leap year
        "April 31, 1961",
        "1949-13-01",
        "1950-1949",  # range running backwards
        "April-March 1950",
        "1955s",
    ],
)
def test_impossible_dates(raw: str) -> None:
    assert parse_date(raw) is None
    assert date_kind(raw) == "invalid"
    assert looks_like_date_line(raw) and not is_date_line(raw)
    assert date_problem(raw) == f"impossible date {raw!r}"


@pytest.mark.parametrize(
    "raw",
    [
        "Early 1950",
        "Mid-1950",
        "late 1950s",
        "Febuary 3, 1950",
        "1950?",
        "[1950]",
        "June 1-3, 1950",
        "Spring ١٩٥٠",  # a year in Arabic-Indic digits: still a year
    ],
)
def test_date_shaped_but_unread(raw: str) -> None:
    """Unknown formats yield no interval but still stand where a date stands."""
    assert parse_date(raw) is None
    assert date_kind(raw) == "unparsed"
    assert looks_like_date_line(raw)
    assert date_problem(raw) == f"unrecognised date format {raw!r}"


@pytest.mark.parametrize(
    "text",
    [
        "Letter from Mao Zedong to Stalin",
        "Chapter 12, 1950",  # a word that is not a month
        "Memo 5, 1950",
        "1 - 10 of 1950",  # a range line, not a date
        "Report on the events of October 1956 in Budapest and their consequences",
        "Telegram No. 1950",
        "August",  # date words without a year
        "Early Spring",
        "",
    ],
)
def test_not_dates(text: str) -> None:
    assert date_kind(text) is None
    assert not looks_like_date_line(text)
    assert parse_date(text) is None if text else True


@pytest.mark.parametrize(
    "text",
    [
        "Octob",
        "Oct",
        "October 2",
        "October 25,",
        "October 25, 19",
        "October 25, 194",
        "19",
        "M",
        "Ju",
    ],
)
def test_cut_dates(text: str) -> None:
    assert looks_like_cut_date(text)
    assert date_kind(text) is None


@pytest.mark.parametrize(
    "text",
    ["October 25, 1949", "1949", "ND", "Letter", "m", "Xy", "Telegram No. 5", "1950?", "12345"],
)
def test_not_cut_dates(text: str) -> None:
    assert not looks_like_cut_date(text)


def test_overlong_lines_are_never_date_lines() -> None:
    assert date_kind("October 25, 1949 " + "x" * 40) is None


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("October 25, 1949", "day:1949-10-25"),
        ("August, 1949", "month:1949-08-01"),
        ("1949", "year:1949-01-01"),
        ("1950-1951", "year:1950-01-01..1951-12-31"),
        ("Spring 1953", "month:1953-03-01..1953-05-31"),
        ("ND", "undated"),
    ],
)
def test_key_shape_is_stable(raw: str, key: str) -> None:
    """Document ids are built on the key: its shape for plain dates must not drift."""
    assert parse_date(raw).key == key


def test_a_read_key_leaves_the_date_equal_to_a_fresh_one() -> None:
    """The key is kept on the object once read (one object per printed date, asked for on
    every row that prints it): equality, hashing and pickling still see the interval only."""
    import pickle

    read = parse_date("Spring 1953")
    assert read is not None and read.key == "month:1953-03-01..1953-05-31"
    fresh = pickle.loads(pickle.dumps(parse_date.__wrapped__("Spring 1953")))
    assert "key" not in vars(fresh)
    assert read == fresh and hash(read) == hash(fresh)
    assert pickle.loads(pickle.dumps(read)).key == read.key
