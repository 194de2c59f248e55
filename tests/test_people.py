"""Titles → type, number and parties; printed names → canonical people (issue 5)."""

from __future__ import annotations

import pytest

from pipeline.dedup.parties import parse_title
from pipeline.dedup.people import canonical_person


@pytest.mark.parametrize(
    ("title", "doc_type", "number", "senders", "recipients", "via"),
    [
        (
            "Letter from Cde. Mao Zedong to Cde. Filippov [Stalin] via Kovalev",
            "Letter",
            None,
            ("Mao Zedong",),
            ("Filippov [Stalin]",),
            ("Kovalev",),
        ),
        (
            "Cable No. 25025, Mao Zedong to Filippov [Stalin]",
            "Cable",
            "25025",
            ("Mao Zedong",),
            ("Filippov [Stalin]",),
            (),
        ),
        (
            "Ciphered Telegram No. 25465 from Beijing, Mao Zedong to Cde. Filippov [Stalin]",
            "Ciphered Telegram",
            "25465",
            ("Mao Zedong",),
            ("Filippov [Stalin]",),
            (),
        ),
        ("Karsky to Cde. Miklashevsky", None, None, ("Karsky",), ("Miklashevsky",), ()),
        (
            "Telegram from Cdes. Stalin, Molotov, and Voroshilov to G. Apresov, "
            "Consul General in Urumqi",
            "Telegram",
            None,
            ("Stalin", "Molotov", "Voroshilov"),
            ("G. Apresov",),
            (),
        ),
        (
            "Memorandum of Conversation, Soviet Ambassador to China N.V. Roshchin with Luo Ruiqing",
            "Memorandum of Conversation",
            None,
            (),
            (),
            (),
        ),
        (
            "Ciphered Telegram No. 21646 from Mao Zedong to Filippov [Stalin] conveying "
            "15 July 1952 telegram from Mao to Kim Il Sung",
            "Ciphered Telegram",
            "21646",
            ("Mao Zedong",),
            ("Filippov [Stalin]",),
            (),
        ),
    ],
)
def test_parse_title(title, doc_type, number, senders, recipients, via) -> None:  # noqa: ANN001
    facts = parse_title(title)
    assert (facts.doc_type, facts.number, facts.senders, facts.recipients, facts.via) == (
        doc_type,
        number,
        senders,
        recipients,
        via,
    )


@pytest.mark.parametrize(
    ("printed", "person"),
    [
        ("Filippov [Stalin]", "Joseph Stalin"),
        ("Filipov [Stalin]", "Joseph Stalin"),
        ("Flilippov [Stalin]", "Joseph Stalin"),
        ("Mao [Zedong]", "Mao Zedong"),
        ("[Mao Zedong]", "Mao Zedong"),
        ("Shicai Sheng", "Sheng Shicai"),
        ("Savel'yev", "Savel'yev"),
    ],
)
def test_canonical_person(printed: str, person: str) -> None:
    assert canonical_person(printed) == person


def test_seed_people_table(seed_outputs) -> None:  # noqa: ANN001
    import duckdb

    con = duckdb.connect(str(seed_outputs / "archive.duckdb"), read_only=True)
    rows = con.sql(
        "select p.role, p.name_printed, p.person from document_people p join documents d "
        "using (document_id) where d.title like 'Cable No. 3582%' order by role"
    ).fetchall()
    assert rows == [
        ("recipient", "Mao Zedong", "Mao Zedong"),
        ("sender", "Flilippov [Stalin]", "Joseph Stalin"),
    ]
