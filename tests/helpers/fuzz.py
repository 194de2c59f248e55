"""A seeded random raw folder: good pages of every layout in random encodings, pages cut short,
damaged pages, junk, duplicates, broken sidecars and links — with what each file must yield."""

from __future__ import annotations

import os
import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from tests.helpers.pages import (
    ARCHIVE,
    COLLECTION_TITLES,
    ENCODINGS,
    Expected,
    SeedEntry,
    can_encode,
    cut,
    dated_entries,
    encode,
    junk_files,
    mangle,
    new_detail_page,
    new_search_page,
    old_collection_page,
    old_detail_page,
    random_body,
    record_id_for,
    seed_entries,
    sidecar,
    write,
)

OVERSIZE_BYTES = 17 * 1024 * 1024  # just over the 16 MB page cap


@dataclass
class CutPage:
    """A listing page cut short: the entries printed whole before the cut must all be read."""

    kind: str
    whole: list[SeedEntry]
    lost_an_entry: bool  # the cut fell before the last entry's summary: must be flagged


@dataclass
class FuzzFolder:
    root: Path
    good: dict[str, Expected] = field(default_factory=dict)  # path → what it must yield
    cut: dict[str, CutPage] = field(default_factory=dict)
    junk: dict[str, str] = field(default_factory=dict)  # path → kind of junk
    mangled: list[str] = field(default_factory=list)
    duplicates: list[list[str]] = field(default_factory=list)  # groups of same-bytes paths
    broken_sidecars: list[str] = field(default_factory=list)
    links_out: list[str] = field(default_factory=list)
    dangling: list[str] = field(default_factory=list)
    oversize: list[str] = field(default_factory=list)


def _pick_entries(rng: random.Random, dated_only: bool) -> list[SeedEntry]:
    pool = list(dated_entries() if dated_only else seed_entries())
    entries = rng.sample(pool, rng.randint(1, 10))
    if entries[0].date_raw is None:  # an undated entry never opens the list in our layouts
        entries.append(entries.pop(0))
        if entries[0].date_raw is None:
            entries = [rng.choice(list(dated_entries()))]
    return entries


def _listing(rng: random.Random) -> tuple[str, Expected, str | None]:
    """(text, expected, url or None) of a good listing page."""
    if rng.random() < 0.5:
        entries = _pick_entries(rng, dated_only=False)
        page = rng.randint(1, 5)
        first = (page - 1) * 10 + 1
        text = new_search_page(entries, first, first + 9 + rng.randint(0, 40))
        url = f"{ARCHIVE}/search?keywords=stalin&page={page}" if rng.random() < 0.4 else None
        return text, Expected("search_listing", entries), url
    entries = _pick_entries(rng, dated_only=True)
    title = rng.choice(COLLECTION_TITLES)
    description = f"Records on {title.lower()} gathered for the archive."
    text = old_collection_page(title, description, entries)
    return text, Expected("collection_listing", entries), None


def _detail(rng: random.Random) -> tuple[str, Expected, str | None]:
    entry = rng.choice(list(dated_entries()))
    rid = record_id_for(entry)
    expected = Expected(
        "document_detail", title=entry.title, date_raw=entry.date_raw, record_id=rid
    )
    if rng.random() < 0.5:
        return new_detail_page(entry, random_body(rng)), expected, None
    url = f"{ARCHIVE}/document/{rid}" if rng.random() < 0.5 else None
    return old_detail_page(entry, random_body(rng)), expected, url


def _encoded(rng: random.Random, text: str) -> bytes:
    encoding = rng.choice([e for e in ENCODINGS if can_encode(text, e)])
    return encode(text, encoding, crlf=rng.random() < 0.25)


def _name(rng: random.Random, n: int, suffix: str = ".txt") -> str:
    folder = rng.choice(["", "", "", "a/", "b/c/", "saved pages/"])
    return f"{folder}{n:04d}_{rng.getrandbits(32):08x}{suffix}"


def _cut_page(rng: random.Random, text: str, expected: Expected) -> tuple[str, CutPage]:
    short, at = cut(text, rng)
    whole = []
    end = 0
    for e in expected.entries:
        # the entry's summary line, with its line end, must be inside the cut text
        line = (f"    {e.summary}" if expected.kind == "collection_listing" else e.summary) + "\n"
        end = text.index(line, end) + len(line)
        if end <= at:
            whole.append(e)
    lost = at <= end - len(line)  # cut before the last entry's summary: the page lost something
    return short, CutPage(expected.kind, whole, lost)


def build(root: Path, seed: int, n_files: int = 240, outside: Path | None = None) -> FuzzFolder:
    """Write `n_files` random files (and links) under root/ and say what each must yield."""
    rng = random.Random(seed)
    folder = FuzzFolder(root)
    root.mkdir(parents=True, exist_ok=True)
    written: list[str] = []  # files a later duplicate may copy
    n = 0
    made = 0  # files and links written so far
    while made < n_files:
        n += 1
        made += 1  # undone below when the roll writes nothing
        roll = rng.random()
        if roll < 0.40:  # a good listing page
            text, expected, url = _listing(rng)
            rel = _name(rng, n)
            write(root / rel, _encoded(rng, text))
            if url:
                sidecar(root / rel, url)
            folder.good[rel] = expected
        elif roll < 0.52:  # a good detail page
            text, expected, url = _detail(rng)
            rel = _name(rng, n)
            write(root / rel, _encoded(rng, text))
            if url:
                sidecar(root / rel, url)
            folder.good[rel] = expected
        elif roll < 0.64:  # a listing page cut short
            text, expected, _ = _listing(rng)
            short, page = _cut_page(rng, text, expected)
            rel = _name(rng, n)
            write(root / rel, _encoded(rng, short))
            folder.cut[rel] = page
        elif roll < 0.72:  # a damaged page: no expectation but being accounted for
            text, _, _ = _listing(rng) if rng.random() < 0.7 else _detail(rng)
            rel = _name(rng, n)
            write(root / rel, _encoded(rng, mangle(text, rng)))
            folder.mangled.append(rel)
        elif roll < 0.86:  # not a page at all
            kind, data = rng.choice(sorted(junk_files(rng).items()))
            suffix = {"csv": ".csv", "json": ".json", "png": ".png", "html_error": ".html"}
            rel = _name(rng, n, suffix.get(kind, ".txt"))
            write(root / rel, data)
            folder.junk[rel] = kind
        elif roll < 0.92 and written:  # the same bytes saved again under another name
            src = rng.choice(written)
            rel = _name(rng, n)
            write(root / rel, (root / src).read_bytes())
            for group in folder.duplicates:
                if src in group:
                    group.append(rel)
                    break
            else:
                folder.duplicates.append([src, rel])
            continue  # not a source for further copies (keeps expectations simple)
        elif roll < 0.96:  # a good page whose sidecar is broken
            text, expected, _ = _listing(rng)
            rel = _name(rng, n)
            write(root / rel, _encoded(rng, text))
            (root / (rel + ".meta.json")).write_text(
                rng.choice(['{"url": ', "not json", "[1, 2]", '"just a string"'])
            )
            folder.good[rel] = expected
            folder.broken_sidecars.append(rel)
        elif outside is not None and roll < 0.98:  # links out of the folder, or to nothing
            rel = _name(rng, n)
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            if rng.random() < 0.5:
                os.symlink(outside, root / rel)
                folder.links_out.append(rel)
            else:
                os.symlink(root / f"missing-{n}.txt", root / rel)
                folder.dangling.append(rel)
            continue
        else:
            made -= 1
            continue
        written.append(rel)
    rel = _name(rng, n + 1)
    with (root / rel).open("wb") as fh:  # over the cap: refused without being read whole
        fh.truncate(OVERSIZE_BYTES)
    folder.oversize.append(rel)
    return folder


def copy_folder(src: Path, dst: Path) -> None:
    shutil.copytree(src, dst, symlinks=True)
