"""Repeated values of the page rows (a document's title on each listing, the rights statement
of every detail page) are one object after extraction, with every row's values unchanged."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

from pipeline.extract.merge import share_repeated_values
from pipeline.extract.pages import Extraction
from pipeline.extract.row_types import EntryRow
from pipeline.runner import stage_extract

REPO = Path(__file__).resolve().parents[1]


def _copy(text: str) -> str:
    return "".join(list(text))  # an equal string that is another object


def test_equal_values_become_one_object_and_rows_keep_their_values() -> None:
    title = "Ciphered Telegram No. 11232 from Filippov [Stalin] to Mao Zedong"
    entry = {"title": title, "summary": "On Kovalev.", "date_raw": "August, 1949"}
    other = {"title": _copy(title), "summary": None, "date_raw": "August 1949"}
    detail = {
        "title": _copy(title),
        "date_start": dt.date(1949, 8, 1),
        "rights": "The History and Public Policy Program welcomes reuse",
        "body": _copy("Comrade Mao Zedong!"),
    }
    second = {**detail, "rights": _copy(detail["rights"]), "date_start": dt.date(1949, 8, 1)}
    second["body"] = _copy("Comrade Mao Zedong!")
    out = Extraction(entries=[entry, other], details=[detail, second])
    before = [dict(r) for r in out.entries + out.details]
    assert other["title"] is not title and second["rights"] is not detail["rights"]

    share_repeated_values(out)

    assert [dict(r) for r in out.entries + out.details] == before
    assert other["title"] is entry["title"] and detail["title"] is entry["title"]
    assert second["rights"] is detail["rights"]
    assert second["date_start"] is detail["date_start"]
    assert other["summary"] is None  # nulls stay nulls
    assert second["body"] is not detail["body"]  # full texts are not pooled (one per page)


def test_a_document_listed_twice_in_the_seeds_shares_its_printed_title(tmp_path: Path) -> None:
    extraction = stage_extract(REPO / "raw", tmp_path / "out")
    by_title: dict[str, list[dict]] = defaultdict(list)
    for e in extraction.entries:
        by_title[e["title"]].append(e)
    repeated = [rows for rows in by_title.values() if len({r["page_sha256"] for r in rows}) > 1]
    assert repeated, "the seed pages list some document on two pages"
    for rows in repeated:
        assert all(r["title"] is rows[0]["title"] for r in rows)


def _entry_record(**values: object) -> EntryRow:
    return EntryRow({name: values.get(name) for name in EntryRow.FIELDS})


def test_records_and_plain_rows_of_one_table_share_values_with_each_other() -> None:
    """Records are read by attribute, other rows (a duplicate page's quarantined copy is a
    dict) by key: both kinds end up with the same objects."""
    title = "Telegram from Roshchin to Filippov [Stalin]"
    record = _entry_record(title=title, summary=None, date_raw="November 1, 1949")
    second = _entry_record(title=_copy(title), summary="On trade.", date_raw="November 01, 1949")
    plain = {"title": _copy(title), "summary": _copy("On trade."), "date_raw": None}
    out = Extraction(entries=[record, plain, second])
    before = [dict(r) for r in out.entries]

    share_repeated_values(out)

    assert [dict(r) for r in out.entries] == before
    assert second["title"] is record["title"] and plain["title"] is record["title"]
    assert plain["summary"] is second["summary"]
    assert record["summary"] is None and plain["date_raw"] is None
