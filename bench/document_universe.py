"""The documents of the synthetic archive: dates, titles, summaries and near-miss siblings.

Why a module of its own: this is where dedup's ground truth is made. Every document has a unique
(year, normalised title); the near-misses beside them (another telegram number, sender and
recipient swapped) are the traps that must stay separate documents.
"""

from __future__ import annotations

import random
import re

from bench import vocab
from bench.corpus_model import (
    MONTH_DAYS,
    MONTH_NAMES,
    P_MONTH,
    P_NEAR_MISS,
    P_NO_SUMMARY,
    P_UNDATED,
    P_YEAR,
    YEAR_WEIGHTS,
    YEARS,
    Doc,
    seeded_rng,
    slugify,
)

TITLE_TEMPLATES: list[tuple[int, str]] = [
    (8, "Ciphered Telegram No. {num} from {A} to {B}"),
    (4, "Ciphered Telegram No. {num} from {city}, {A} to {hB}{B}"),
    (4, "Cable No. {num}, {A} to {hB}{B}"),
    (2, "Cable Telegram no. {num} from {A} to {B}"),
    (5, "Cable, {A} to {HB}{B}"),
    (6, "Letter, {A} to {B}"),
    (3, "Letter from {hA}{A} to {hB}{B} via {C}"),
    (5, "Memorandum of Conversation between {A} and {B}"),
    (3, "Memorandum of Conversation, {A} with {B}, {tday} {tmonth} {tyear}"),
    (4, "Report, {A} to {B}"),
    (2, "Report of {hA}{A} about the Situation in {region}"),
    (5, "Telegram from {A} to {B}"),
    (3, "Record of Conversation between {A} and {B}"),
    (2, "Minutes of Conversation between {A} and {B} in {city}"),
    (2, "{A} to {hB}{B}"),
    (2, "Note from {A} to {B} regarding {region}"),
]
SUMMARY_TEMPLATES = [
    "{a} informs {b} about {topic}.",
    "{a} requests assistance from {b} with {topic}.",
    "{a} reports to {b} on {topic}.",
    "{a} asks {b} for advice on {topic}.",
    "{a} agrees with {b} on {topic}.",
    "{a} and {b} discuss {topic}.",
    "Telegram from {a} to {b} discussing {topic}.",
    "{a} briefs {b} on {topic}, and {verb} the leadership in {city}.",
]
SUMMARY_TAILS = [
    " {a} also mentions {topic2}.",
    " The {n} specialists requested earlier will arrive in {city}.",
    " {b} is asked to reply before the end of the month.",
    " The report was drafted in {city} and forwarded via the embassy.",
]


def _pick_weighted(rng: random.Random, items: list[tuple[int, str]]) -> str:
    return rng.choices([t for _, t in items], weights=[w for w, _ in items])[0]


def _norm_title(title: str) -> str:
    t = title.lower().replace("comrade ", "cde. ").replace("\u00a0", " ")
    return " ".join(re.sub(r"[^\w\s]", " ", t).split())


class Universe:
    """The documents the synthetic archive holds, with unique (year, normalised title)."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.docs: list[Doc] = []
        self.by_id: dict[int, Doc] = {}
        self._keys: set[tuple[int, str]] = set()
        self._slugs: set[str] = set()
        self._people_by_year: dict[int, list[tuple[str, str, bool]]] = {}
        for y in YEARS:
            active = [(p[0], p[1], p[4]) for p in vocab.PEOPLE if p[2] <= y <= p[3]]
            self._people_by_year[y] = active

    def extend(self, n: int, first_record_id: int, tag: str) -> list[Doc]:
        """Add n documents; about 2% of them are near-misses of the one made just before."""
        rng = seeded_rng(self.seed, "docs", tag)
        added: list[Doc] = []
        next_id = first_record_id
        while len(added) < n:
            made = self._fresh(rng, next_id)
            if made is None:
                continue
            doc, template, params = made
            self._add(doc)
            added.append(doc)
            next_id += rng.randint(1, 9)
            if len(added) < n and rng.random() < P_NEAR_MISS:
                sib = self._near_miss(rng, doc, template, params, next_id)
                if sib is not None:
                    self._add(sib)
                    added.append(sib)
                    next_id += rng.randint(1, 9)
        return added

    def _add(self, doc: Doc) -> None:
        self.docs.append(doc)
        self.by_id[doc.record_id] = doc
        self._keys.add((doc.year or 0, _norm_title(doc.title)))

    def _unique_slug(self, title: str) -> str:
        base = slugify(title) or "document"
        slug, n = base, 0
        while slug in self._slugs:
            slug = f"{base}-{n}"
            n += 1
        self._slugs.add(slug)
        return slug

    def _date(self, rng: random.Random) -> tuple[int | None, int | None, int | None, str]:
        r = rng.random()
        year = rng.choices(YEARS, weights=YEAR_WEIGHTS)[0]
        month = rng.randint(1, 12)
        if r < P_UNDATED:
            return None, None, None, "undated"
        if r < P_UNDATED + P_YEAR:
            return year, None, None, "year"
        if r < P_UNDATED + P_YEAR + P_MONTH:
            return year, month, None, "month"
        return year, month, rng.randint(1, MONTH_DAYS[month - 1]), "day"

    def _people(self, rng: random.Random, year: int) -> list[tuple[str, str, bool]]:
        active = self._people_by_year[year]
        return rng.sample(active, 3) if len(active) >= 3 else rng.sample(vocab.PEOPLE[:3], 3)

    def _title_params(self, rng: random.Random, year: int) -> dict[str, object]:
        (a, _, a_person), (b, _, b_person), (c, _, _) = self._people(rng, year)
        tmonth = rng.randint(1, 12)
        return {
            "A": a,
            "B": b,
            "C": c,
            "hA": "Cde. " if a_person else "",
            "hB": "Cde. " if b_person else "",
            "HB": "Comrade " if b_person else "",
            "num": rng.choice([rng.randint(100, 9999), rng.randint(10000, 99999)]),
            "city": rng.choice(vocab.CITIES),
            "region": rng.choice(vocab.REGIONS),
            "tday": rng.randint(1, 28),
            "tmonth": MONTH_NAMES[tmonth - 1],
            "tyear": year,
            "a_person": a_person,
            "b_person": b_person,
        }

    def _summary(self, rng: random.Random, params: dict[str, object]) -> str | None:
        if rng.random() < P_NO_SUMMARY:
            return None
        short = {p[0]: p[1] for p in vocab.PEOPLE}
        fill = {
            "a": short.get(str(params["A"]), str(params["A"])),
            "b": short.get(str(params["B"]), str(params["B"])),
            "topic": rng.choice(vocab.TOPICS),
            "topic2": rng.choice(vocab.TOPICS),
            "verb": rng.choice(vocab.VERBS),
            "city": rng.choice(vocab.CITIES),
            "n": rng.randint(2, 60),
        }
        text = rng.choice(SUMMARY_TEMPLATES).format(**fill)
        for tail in rng.sample(SUMMARY_TAILS, rng.choice([0, 0, 1, 1, 2])):
            text += tail.format(**fill)
        return text[0].upper() + text[1:]

    def _fresh(
        self, rng: random.Random, record_id: int
    ) -> tuple[Doc, str, dict[str, object]] | None:
        year, month, day, precision = self._date(rng)
        pick_year = year or rng.choice(YEARS)
        template = _pick_weighted(rng, TITLE_TEMPLATES)
        params = self._title_params(rng, pick_year)
        title = template.format(**params)
        if (year or 0, _norm_title(title)) in self._keys:
            return None  # would be indistinguishable from an existing document
        summary = self._summary(rng, params)
        doc = Doc(record_id, year, month, day, precision, title, summary, self._unique_slug(title))
        return doc, template, params

    def _near_miss(
        self,
        rng: random.Random,
        other: Doc,
        template: str,
        params: dict[str, object],
        record_id: int,
    ) -> Doc | None:
        """Same date, almost the same title: another number, or sender and recipient swapped.

        These must stay separate documents (DESIGN.md, Dedup), so they are the dedup's traps.
        """
        p = dict(params)
        if "{num}" in template:
            p["num"] = int(str(p["num"])) + rng.choice([1, 2, 7, 11, 100, -1, -3])
            same_summary = rng.random() < 0.5  # the hard case: only the number differs
            summary = other.summary if same_summary else self._summary(rng, p)
        elif "{A} to" in template:
            p["A"], p["B"] = params["B"], params["A"]
            p["a_person"], p["b_person"] = params["b_person"], params["a_person"]
            p["hA"] = "Cde. " if p["a_person"] else ""
            p["hB"] = "Cde. " if p["b_person"] else ""
            p["HB"] = "Comrade " if p["b_person"] else ""
            summary = self._summary(rng, p)
        else:
            return None
        title = template.format(**p)
        if title == other.title or (other.year or 0, _norm_title(title)) in self._keys:
            return None
        return Doc(
            record_id,
            other.year,
            other.month,
            other.day,
            other.precision,
            title,
            summary,
            self._unique_slug(title),
            near_miss_of=other.record_id,
        )
