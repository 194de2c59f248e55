"""What a page says, whatever its layout: a document's body text and facts, and the entries a
listing prints (with small printing differences), including a save cut short.

Why a module of its own: the text and the HTML page writers must print the same words for the
same document, so the words are drawn here once, seeded by the document or page key.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from bench import vocab
from bench.corpus_model import (
    MONTH_NAMES,
    Doc,
    new_site_date,
    old_site_date,
    seeded_rng,
    vary_summary,
    vary_title,
)
from bench.document_universe import Universe


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def body_paragraphs(seed: int, doc: Doc) -> list[str]:
    """The translated text: the same for every snapshot of the document."""
    rng = seeded_rng(seed, "body", doc.record_id)
    people = [p[0] for p in vocab.PEOPLE if p[4]]
    paras = []
    for _ in range(min(60, 3 + int(rng.expovariate(1 / 10)))):
        sentences = []
        for _ in range(rng.randint(1, 5)):
            sentences.append(
                rng.choice(vocab.BODY_SENTENCES).format(
                    A=rng.choice(people),
                    B=rng.choice(people),
                    city=rng.choice(vocab.CITIES),
                    city2=rng.choice(vocab.CITIES),
                    region=rng.choice(vocab.REGIONS),
                    topic=rng.choice(vocab.TOPICS),
                    n=rng.randint(2, 900),
                    nth=_ordinal(rng.randint(1, 700)),
                    d=rng.randint(1, 28),
                    month=rng.choice(MONTH_NAMES),
                    year=doc.year or 1950,
                )
            )
        paras.append(" ".join(sentences))
    return paras


@dataclass
class DetailFacts:
    funder: str
    citation: str
    classification: str
    uploaded: str
    print_ids: bool  # text saves often lose the values of Uploaded Date and Record ID


def detail_facts(seed: int, doc: Doc, fmt: str, variant: int = 0) -> DetailFacts:
    rng = seeded_rng(seed, "facts", doc.record_id)
    cite = rng.choice(vocab.ARCHIVE_CITES).format(
        a=rng.randint(10, 999), b=rng.randint(1, 90), c=rng.randint(91, 199)
    )
    citation = f"{cite} Translated by {rng.choice(vocab.TRANSLATORS)}."
    uploaded = f"{rng.choice(MONTH_NAMES)} {rng.randint(1, 28)}, {rng.randint(2011, 2023)}"
    facts = DetailFacts(
        rng.choice(vocab.FUNDERS), citation, rng.choice(vocab.CLASSIFICATIONS), uploaded, True
    )
    facts.print_ids = fmt != "new_text" or seeded_rng(seed, "ids", doc.record_id).random() < 0.3
    if variant and fmt == "new_text":
        facts.print_ids = not facts.print_ids
    return facts


@dataclass
class PrintedEntry:
    record_id: int
    date: str | None
    title: str
    summary: str | None


def printed_entries(
    seed: int, uni: Universe, key: str, records: list[int], old_site: bool
) -> list[PrintedEntry]:
    rng = seeded_rng(seed, "print", key)
    out = []
    for rid in records:
        d = uni.by_id[rid]
        date = old_site_date(d) if old_site else new_site_date(d)
        out.append(PrintedEntry(rid, date, vary_title(rng, d.title), vary_summary(rng, d.summary)))
    return out


def cut_summary(rng: random.Random, summary: str | None, title: str) -> tuple[str | None, str]:
    """A save that stopped inside an entry: keep a few words, never a closing full stop."""
    if summary:
        words = summary.split(" ")
        cut = " ".join(words[: max(1, min(len(words) - 1, rng.randint(2, 8)))])
        return cut.rstrip('.!?…"”’)]'), title
    words = title.split(" ")
    return None, " ".join(words[: max(1, len(words) // 2)])
