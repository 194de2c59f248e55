"""Dedup rules on hand-made near-miss fixtures: every merge variant and every never-merge rule,
asserting the exact clusters (issue 5)."""

from __future__ import annotations

from itertools import count

import pytest

from pipeline.dedup.cluster import Row, cluster_rows
from pipeline.dedup.resolve import resolve

_sha = count(1)


def entry(
    date: str | None,
    title: str,
    summary: str | None = None,
    page: str | None = None,
    position: int = 1,
) -> Row:
    page = page or f"{next(_sha):064x}"
    return Row("entry", page, position, date, title, summary)


def clusters_of(rows: list[Row]) -> list[set[str]]:
    """Clusters as sets of 'title@date' labels, sorted for comparison."""
    clusters, _ = cluster_rows(rows)
    return sorted(
        ({f"{r.title}@{r.date_raw}" for r in c.rows} for c in clusters),
        key=lambda s: sorted(s),
    )


SUMMARY = "Mao requests assistance with shipments of fuel, troops, and aircraft to Urumchi."


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (
            ("August 1949", "Karsky to Cde. Miklashevsky"),
            ("August, 1949", "Karsky to Cde. Miklashevsky"),
        ),
        (
            ("November 01, 1951", "Cable No. 25465, Mao to Filippov"),
            ("November 1, 1951", "Cable No. 25465, Mao to Filippov"),
        ),
        (
            ("October 12, 1949", "Telegram\u00a0from Kovalev to Filippov [Stalin]"),
            ("October 12, 1949", "Telegram from Kovalev to Filippov [Stalin]"),
        ),
        (
            ("October 12, 1949", "TELEGRAM FROM KOVALEV TO FILIPPOV [STALIN]"),
            ("October 12, 1949", "Telegram from Kovalev to Filippov [Stalin]"),
        ),
        (
            ("October 25, 1949", "Letter from Cde. Mao Zedong to Cde. Filippov"),
            ("October 25, 1949", "Letter from Comrade Mao Zedong to Comrade Filippov"),
        ),
        (
            ("July 7, 1942", "Letter from Cdes. Stalin and Molotov to Sheng"),
            ("July 7, 1942", "Letter from Comrades Stalin and Molotov to Sheng"),
        ),
        (
            ("July 7, 1942", "“Letter” to the Soviet Ambassador"),
            ("July 7, 1942", '"Letter" to the Soviet Ambassador'),
        ),
    ],
    ids=["month-comma", "day-zero", "nbsp", "case", "cde-comrade", "cdes-comrades", "quotes"],
)
def test_printing_variants_merge(a: tuple[str, str], b: tuple[str, str]) -> None:
    rows = [entry(*a, summary=SUMMARY), entry(*b, summary=SUMMARY)]
    assert len(clusters_of(rows)) == 1


def test_typo_merges_only_with_the_same_summary() -> None:
    a = entry(
        "March 7, 1952",
        "Cable, Zhou Enlai to Filippov [Stalin] on epidemics",
        "Zhou Enlai's request to Stalin to increase its assistance by dispatching "
        "anti-epidemiological specialists.",
    )
    b = entry("March 7, 1952", "Cable, Zhou Enlai to Filipov [Stalin] on epidemics", a.summary)
    c = entry("March 7, 1952", "Cable, Zhou Enlai to Filippov [Stalin] on epidemic", None)
    clusters, audit = cluster_rows([a, b, c])
    assert sorted(len(cl.rows) for cl in clusters) == [1, 2]
    merged = [d for d in audit if d.decision == "merged" and d.rule == "similar_title_same_summary"]
    assert len(merged) == 1 and merged[0].title_score >= 88 and merged[0].summary_score >= 95
    no_evidence = [d for d in audit if d.rule == "similar_title_no_summary_evidence"]
    assert no_evidence and all(d.decision == "rejected" for d in no_evidence)


def test_missing_word_merges_with_same_summary() -> None:
    a = entry("October 25, 1949", "Cable, Mao Zedong to Comrade Filippov [Stalin]", SUMMARY)
    b = entry("October 25, 1949", "Cable, Mao Zedong to Filippov [Stalin]", SUMMARY)
    assert len(clusters_of([a, b])) == 1


def test_never_merge_different_numbers() -> None:
    a = entry(
        "October 12, 1949", "Ciphered Telegram No. 58986 from Kovalev to Filippov [Stalin]", SUMMARY
    )
    b = entry(
        "October 12, 1949", "Ciphered Telegram No. 58968 from Kovalev to Filippov [Stalin]", SUMMARY
    )
    clusters, audit = cluster_rows([a, b])
    assert len(clusters) == 2
    assert [d.rule for d in audit] == ["never_merge_numbers_differ"]
    assert audit[0].decision == "rejected"


def test_never_merge_seed_telegrams_58986_and_4159() -> None:
    a = entry(
        "October 12, 1949", "Ciphered Telegram No. 58986 from Kovalev to Filippov [Stalin]", SUMMARY
    )
    b = entry(
        "October 12, 1949", "Ciphered Telegram No. 4159 from Kovalev to Filippov [Stalin]", SUMMARY
    )
    assert len(clusters_of([a, b])) == 2


def test_never_merge_swapped_sender_and_recipient() -> None:
    a = entry(
        "March 14, 1952", "Cable, Zhou Enlai to Filippov [Stalin]", "Specialists and vaccines."
    )
    b = entry(
        "March 14, 1952", "Cable, Filippov [Stalin] to Zhou Enlai", "Specialists and vaccines."
    )
    clusters, audit = cluster_rows([a, b])
    assert len(clusters) == 2
    assert all(d.decision != "merged" for d in audit)


@pytest.mark.parametrize("other_date", ["October 13, 1949", "October 12, 1950", "October 1949"])
def test_never_merge_different_dates(other_date: str) -> None:
    title = "Ciphered Telegram No. 58986 from Kovalev to Filippov [Stalin]"
    assert (
        len(
            clusters_of(
                [entry("October 12, 1949", title, SUMMARY), entry(other_date, title, SUMMARY)]
            )
        )
        == 2
    )


def test_same_title_same_date_different_records_stay_apart() -> None:
    title = "Record of Conversation between Comrade I.V. Stalin and Chairman Mao Zedong"
    day = entry(
        "December 16, 1949",
        title,
        "Stalin and Mao discuss the treaty, loans and Taiwan in the afternoon meeting.",
    )
    evening = entry(
        "December 16, 1949",
        title,
        "Stalin and Mao discuss the treaty, loans and Taiwan in the evening meeting.",
    )
    again = entry(
        "December 16, 1949",
        title,
        "Stalin and Mao discuss the treaty, loans and Taiwan in the evening meeting.",
    )
    clusters, audit = cluster_rows([day, evening, again])
    assert sorted(len(c.rows) for c in clusters) == [1, 2]
    assert any(d.rule == "exact_key_summary_differs" and d.decision == "kept_apart" for d in audit)


def test_same_date_similar_summary_different_title_stay_apart() -> None:
    cable = entry(
        "October 25, 1949",
        "Cable, Mao Zedong to Comrade Filippov [Stalin]",
        "Mao shares a detailed report on the arrival of the PLA in Xinjiang with Stalin.",
    )
    letter = entry(
        "October 25, 1949",
        "Letter from Cde. Mao Zedong to Cde. Filippov [Stalin] via Kovalev",
        "Detailed report on the arrival of the PLA in Xinjiang, including the local "
        "population's reaction. Mao reports that the PLA was greeted warmly except for "
        'activities of some "reactionary elements and propaganda units of the Kuomintang."',
    )
    clusters, audit = cluster_rows([cable, letter])
    assert len(clusters) == 2
    assert [(d.rule, d.decision) for d in audit] == [
        ("similar_summary_different_title", "rejected")
    ]


def test_detail_page_with_two_equal_candidates_stays_unattached() -> None:
    title = "Record of Conversation between Stalin and Mao"
    a = entry("December 16, 1949", title, "Talks in the afternoon about the treaty and loans.")
    b = entry("December 16, 1949", title, "Talks in the evening about the treaty and loans.")
    detail = Row("detail", "f" * 64, 0, "December 16, 1949", title, None)
    clusters, audit = cluster_rows([a, b, detail])
    assert len(clusters) == 3
    assert any(d.rule == "detail_ambiguous" and d.decision == "unattached" for d in audit)


def test_detail_page_attaches_by_summary_when_titles_tie() -> None:
    title = "Record of Conversation between Stalin and Mao"
    a = entry("December 16, 1949", title, "Talks in the afternoon about the treaty and loans.")
    b = entry("December 16, 1949", title, "Talks in the evening about the treaty and loans.")
    detail = Row(
        "detail",
        "f" * 64,
        0,
        "December 16, 1949",
        title,
        "Talks in the evening about the treaty and loans.",
    )
    clusters, _ = cluster_rows([a, b, detail])
    with_detail = [c for c in clusters if any(r.source == "detail" for r in c.rows)]
    assert len(clusters) == 2
    assert {r.summary for r in with_detail[0].rows} == {b.summary}


def _entries_for(rows: list[tuple[str, str, str, str]]) -> list[dict]:
    return [
        {
            "page_sha256": sha,
            "position": i + 1,
            "date_raw": date,
            "title": title,
            "summary": "s",
            "listing_id": lid,
            "is_truncated": False,
        }
        for i, (sha, lid, date, title) in enumerate(rows)
    ]


def test_ids_do_not_depend_on_order_or_extra_pages() -> None:
    base = [
        ("a" * 64, "c:one", "August 1949", "Karsky to Cde. Miklashevsky"),
        ("b" * 64, "c:two", "August, 1949", "Karsky to Comrade Miklashevsky"),
        ("b" * 64, "c:two", "October 3, 1949", "Cable, Filippov [Stalin] to Pyongyang"),
    ]
    listings = [
        {"page_sha256": "a" * 64, "title": "One"},
        {"page_sha256": "b" * 64, "title": "Two"},
        {"page_sha256": "c" * 64, "title": "Three"},
    ]
    first = resolve(_entries_for(base), [], listings)
    again = resolve(list(reversed(_entries_for(base))), [], listings)
    extra = resolve(
        _entries_for(base + [("c" * 64, "c:three", "1950", "Another document")]), [], listings
    )
    ids = sorted(d["document_id"] for d in first.documents)
    assert ids == sorted(d["document_id"] for d in again.documents)
    assert set(ids) <= {d["document_id"] for d in extra.documents}
    karsky = [d for d in first.documents if d["title"].startswith("Karsky")][0]
    assert karsky["n_listings"] == 2 and karsky["collections"] == ["One", "Two"]
    assert karsky["date_variants"] == ["August 1949", "August, 1949"]


def test_record_id_gives_the_document_id() -> None:
    entries = _entries_for([("a" * 64, "c:one", "May 10, 1942", "Letter from Sheng to Stalin")])
    detail = {
        "page_sha256": "d" * 64,
        "date_raw": "May 10, 1942",
        "title": "Letter from Sheng to Stalin",
        "summary": None,
        "record_id": "121800",
        "node_id": None,
        "url": "https://digitalarchive.wilsoncenter.org/document/121800",
        "authors": None,
        "is_truncated": False,
    }
    result = resolve(entries, [detail], [{"page_sha256": "a" * 64, "title": "One"}])
    assert [d["document_id"] for d in result.documents] == ["wcda-121800"]
    assert result.page_document == {"d" * 64: "wcda-121800"}


def test_same_title_same_date_with_different_summaries_stay_apart() -> None:
    """Two telegrams printed with one title on one day, whose summaries share only a prefix:
    without positive evidence they are two documents (precision first)."""
    title = "Ciphered Telegram from Beijing, Mao Zedong to Filippov [Stalin]"
    a = entry(
        "October 18, 1951",
        title,
        "Mao writes to Stalin regarding an upcoming conference "
        "to discuss strategy for an armistice ending the Korean War.",
    )
    b = entry(
        "October 18, 1951",
        title,
        "Mao writes to Stalin regarding the delegation to "
        "Moscow and the strategy for the Korean War armistice.",
    )
    clusters, audit = cluster_rows([a, b])
    assert len(clusters) == 2
    assert ("exact_key_summary_differs", "kept_apart") in [(d.rule, d.decision) for d in audit]
    assert all(d.decision != "merged" for d in audit)


def test_a_run_leaves_no_memoised_titles_or_dates_behind() -> None:
    from pipeline.dates import parse_date
    from pipeline.dedup.normalize import normalize_summary, normalize_title
    from pipeline.dedup.parties import parse_title
    from pipeline.dedup.people import canonical_person

    base = [
        ("a" * 64, "c:one", "August 1949", "Karsky to Cde. Miklashevsky"),
        ("b" * 64, "c:two", "August, 1949", "Karsky to Comrade Miklashevsky"),
    ]
    out = resolve(_entries_for(base), [], [{"page_sha256": "a" * 64, "title": "One"}])
    assert len(out.documents) == 1  # the two printings merged: the memoised keys were used
    people = {(p["role"], p["person"]) for p in out.document_people}
    assert people == {("sender", "Karsky"), ("recipient", "Miklashevsky")}  # names were looked up
    for memoised in (parse_date, normalize_title, normalize_summary, parse_title, canonical_person):
        assert len(memoised) == 0 and not memoised.warm  # a long-lived process keeps none
