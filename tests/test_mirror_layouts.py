"""Layouts seen on the archive's staging mirrors (checked against live mirror pages, written
here with invented content): a "Results:" line and a "Documents" heading around the range line,
and detail pages that print "Author(s):" with a colon and a filled Document Information block."""

from __future__ import annotations

from pipeline.extract.classify import parse_text

MIRROR_SEARCH = """Skip to content

Results:

11 - 12 of 12

Documents

March 3, 1951

Ciphered Telegram No. 1234, Roshchin to Filippov [Stalin]

Roshchin passes on a request for trucks and fuel for the units near the front.



Note on the Rail Transit of Equipment through Manchuria

An unsigned note listing the railway cars needed for the spring deliveries.
"""

MIRROR_DETAIL = """Skip to content

March 3, 1951

Ciphered Telegram No. 1234, Roshchin to Filippov [Stalin]

[...]

CIPHERED TELEGRAM No. 1234

TO FILIPPOV

Confirm receipt.

Roshchin passes on a request for trucks and fuel for the units near the front.

Author(s):


Document Information

Source

APRF, f. 45, op. 1, d. 999, l. 1.

Rights

The History and Public Policy Program welcomes reuse of Digital Archive materials.

Original Uploaded Date

2011-11-20

Type

Telegram

Language

Record ID

100001
"""


def test_mirror_search_page_headings_are_not_entries() -> None:
    result = parse_text(MIRROR_SEARCH, "https://mirror.example.org/search?keywords=rail&page=1")
    listing = result.listing
    assert result.problem is None
    assert (listing.range_first, listing.range_last, listing.range_total) == (11, 12, 12)
    assert [(e.date_raw, e.title) for e in listing.entries] == [
        ("March 3, 1951", "Ciphered Telegram No. 1234, Roshchin to Filippov [Stalin]"),
        (None, "Note on the Rail Transit of Equipment through Manchuria"),
    ]
    assert listing.is_truncated is False


def test_mirror_detail_page_with_labelled_document_information() -> None:
    result = parse_text(MIRROR_DETAIL, "https://mirror.example.org/node/90001")
    d = result.detail
    assert result.problem is None
    assert d.title == "Ciphered Telegram No. 1234, Roshchin to Filippov [Stalin]"
    assert d.summary == (
        "Roshchin passes on a request for trucks and fuel for the units near the front."
    )
    assert d.body.startswith("[...]") and d.body.endswith("Confirm receipt.")
    assert d.authors is None  # "Author(s):" printed with nothing under it
    assert d.source == "APRF, f. 45, op. 1, d. 999, l. 1."
    assert d.rights.startswith("The History and Public Policy Program welcomes reuse")
    assert (d.original_uploaded_date, d.doc_type, d.language, d.record_id) == (
        "2011-11-20",
        "Telegram",
        None,
        "100001",
    )
    assert d.node_id == "90001"
