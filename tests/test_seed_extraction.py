"""Extraction on the five real seed pages, field by field (plain pytest, no Dagster)."""

from __future__ import annotations

from datetime import date

from pipeline.extract.classify import parse_text
from tests.conftest import (
    SEED_DETAIL,
    SEED_SEARCH_1,
    SEED_SEARCH_4,
    SEED_SINO_SOVIET,
    SEED_XINJIANG,
    seed_text,
)


def test_new_site_search_page_range_and_entries() -> None:
    result = parse_text(seed_text(SEED_SEARCH_1))
    assert result.kind == "search_listing" and result.problem is None
    listing = result.listing
    assert (listing.range_first, listing.range_last, listing.range_total) == (1, 10, 120)
    assert len(listing.entries) == 10
    first = listing.entries[0]
    assert first.date_raw == "June 11, 1949"
    assert first.title == "Letter, Jiang Qing to Mao Zedong"
    assert first.summary.startswith("Jiang Qing writes to Mao Zedong about her health")
    assert [e.position for e in listing.entries] == list(range(1, 11))
    assert listing.entries[3].date_raw == "August 1949"
    assert listing.entries[3].title == "Karsky to Cde. Miklashevsky"


def test_missing_date_line_is_an_undated_entry_not_a_shift() -> None:
    listing = parse_text(seed_text(SEED_SEARCH_4)).listing
    assert (listing.range_first, listing.range_last, listing.range_total) == (31, 40, 43)
    assert len(listing.entries) == 10
    june, apresov, january = listing.entries[6], listing.entries[7], listing.entries[8]
    assert (june.date_raw, june.title) == (
        "June 1934",
        "Letter of Governor Shicai Sheng to Cdes. Stalin, Molotov, and Voroshilov",
    )
    assert june.summary.startswith("Governor Shicai Sheng expresses his firm belief")
    assert apresov.date_raw is None
    assert apresov.title.startswith("Telegram from Cdes. Stalin, Molotov, and Voroshilov to G.")
    assert apresov.summary.startswith("Stalin, Molotov, Voroshilov express alarm")
    assert january.date_raw == "January 4, 1939"


def test_old_site_collection_page_skips_chrome() -> None:
    result = parse_text(seed_text(SEED_SINO_SOVIET))
    assert result.kind == "collection_listing"
    listing = result.listing
    assert listing.title == "Sino-Soviet Relations"
    assert listing.description.startswith("This is a catch-all collection")
    assert len(listing.entries) == 20
    assert listing.entries[3].date_raw == "November 01, 1951"
    assert listing.entries[3].title.startswith("Ciphered Telegram No. 25465 from Beijing")
    last = listing.entries[-1]
    assert last.title == "Report, Zhou Enlai to Chairman Mao [Zedong] and the Central Committee"
    assert not any(e.title == "No image found." for e in listing.entries)


def test_xinjiang_collection() -> None:
    listing = parse_text(seed_text(SEED_XINJIANG)).listing
    assert listing.title == "China and the Soviet Union in Xinjiang, 1934-1949"
    assert len(listing.entries) == 11
    assert listing.entries[0].date_raw == "August, 1949"


def test_new_site_detail_page_every_field() -> None:
    result = parse_text(seed_text(SEED_DETAIL))
    assert result.kind == "document_detail"
    d = result.detail
    assert d.date_raw == "October 25, 1949"
    assert d.title == "Letter from Cde. Mao Zedong to Cde. Filippov [Stalin] via Kovalev"
    assert d.funders == ["Blavatnik Family Foundation"]
    assert d.body.startswith("CABLE N\u00ba 59442")
    assert d.body.rstrip().endswith("[illegible signature, possible Finenko] 1430")
    assert d.summary.startswith("Detailed report on the arrival of the PLA in Xinjiang")
    assert d.citation == "RGASPI, f. 558, op. 11, d. 333, ll. 25-28. Translated by Gary Goldberg."
    assert d.source == "RGASPI, f. 558, op. 11, d. 333, ll. 25-28."
    assert d.translator == "Gary Goldberg"
    assert d.rights.startswith("The History and Public Policy Program welcomes reuse")
    assert d.original_classification == "Top Secret"
    assert d.record_id is None and d.original_uploaded_date is None
    assert d.authors is None and d.places is None


def test_dates_of_the_seeds() -> None:
    from pipeline.dates import parse_date

    assert parse_date("October 25, 1949").start == date(1949, 10, 25)
    a, b = parse_date("August 1949"), parse_date("August, 1949")
    assert (a.start, a.end, a.precision) == (date(1949, 8, 1), date(1949, 8, 31), "month")
    assert a.key == b.key
    assert parse_date("November 01, 1951").key == parse_date("November 1, 1951").key
    assert parse_date("1949").precision == "year"
    assert parse_date(None).precision == "undated" and parse_date(None).start is None


def test_undated_first_entry_after_the_range_line() -> None:
    """Seed 004's missing-date layout, on the first entry of a page."""
    page = seed_text(SEED_SEARCH_4)
    head, rest = page.split("August 23, 1945\n", 1)
    result = parse_text(head + "\n" + rest)  # the date line becomes the extra blank line
    entries = result.listing.entries
    assert len(entries) == 10
    assert entries[0].date_raw is None
    assert (
        entries[0].title
        == "Cable from Vyacheslav Molotov to Soviet Ambassador in the United States"
    )
    assert entries[1].date_raw == "August 19, 1945"


def test_error_page_at_a_document_url_is_refused() -> None:
    text = "Skip to content\n\nPage not found\n\nThe requested page could not be found.\n"
    result = parse_text(text, "https://digitalarchive.wilsoncenter.org/document/some-slug")
    assert result.detail is None
    assert "no date line" in result.problem


def test_raw_holds_the_five_seeds_byte_for_byte() -> None:
    """raw/ is the seed set: same names, same bytes (checked against ../shared when CI has it)."""
    import hashlib

    from tests.conftest import RAW

    names = sorted(p.name for p in RAW.iterdir())
    assert names == [SEED_SEARCH_1, SEED_DETAIL, SEED_SINO_SOVIET, SEED_XINJIANG, SEED_SEARCH_4]
    shared = RAW.parents[1] / "shared" / "seeds"
    if shared.is_dir():
        for name in names:
            assert (RAW / name).read_bytes() == (shared / name).read_bytes(), name
    digest = hashlib.sha256((RAW / SEED_DETAIL).read_bytes()).hexdigest()
    assert digest.startswith("411501aefd9e321c")


def test_detail_blocks_seen_on_the_live_site_get_their_own_fields() -> None:
    """ "Associated People & Organizations", "Document Contributor(s)" and a labelled funder list
    must not run into the block printed before them."""
    text = seed_text(SEED_DETAIL).replace(
        "Document Information\n",
        "Associated Places\n\nXinjiang Uyghur Autonomous Region (China)\n\n"
        "Associated People & Organizations\n\nMao, Zedong, 1893-1976\n\nKovalev, Ivan\n\n"
        "Document Contributor(s)\n\nGary Goldberg\n\n"
        "Donors\n\nBlavatnik Family Foundation\n\nDocument Information\n",
        1,
    )
    d = parse_text(text).detail
    assert d.places == ["Xinjiang Uyghur Autonomous Region (China)"]
    assert d.people_orgs == ["Mao, Zedong, 1893-1976", "Kovalev, Ivan"]
    assert d.contributors == ["Gary Goldberg"]
    assert d.funders == ["Blavatnik Family Foundation"]
    assert d.original_classification == "Top Secret"
