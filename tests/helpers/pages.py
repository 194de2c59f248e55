"""Page generators for tests: seed entries recombined into pages of every supported layout, and
the ways a saved file goes wrong (encodings, line ends, cuts, junk).

Every good page comes with what the pipeline must read from it (`Expected`), so a test can
check values, not only that nothing crashed. Layouts follow the seeds in raw/ and the fixtures
in tests/fixtures/text/ (new-site search, old-site collection, new- and old-site detail pages).
"""

from __future__ import annotations

import codecs
import functools
import hashlib
import json
import random
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SEED_DIR = REPO / "raw"
SEED_LISTINGS = (
    "000_b8627c3e629c314f.txt",
    "002_ae57e85c11130f12.txt",
    "003_748643c9043377ee.txt",
    "004_bb0ea68de193cbd1.txt",
)
ARCHIVE = "https://digitalarchive.wilsoncenter.org"

# 1x1 PNG header and a few chunks: what a browser's "save image" leaves in a raw folder.
PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
) * 64


@dataclass(frozen=True)
class SeedEntry:
    date_raw: str | None
    title: str
    summary: str


@dataclass
class Expected:
    """What the pipeline must read from one generated file."""

    kind: str  # search_listing | collection_listing | document_detail
    entries: list[SeedEntry] = field(default_factory=list)
    title: str | None = None  # detail pages: title, date, record id
    date_raw: str | None = None
    record_id: str | None = None


@functools.cache
def seed_entries() -> tuple[SeedEntry, ...]:
    """Every complete entry printed on the seed listing pages (the cut last ones left out)."""
    from pipeline.extract.classify import parse_text

    seen: dict[tuple, SeedEntry] = {}
    for name in SEED_LISTINGS:
        result = parse_text((SEED_DIR / name).read_text(encoding="utf-8"))
        assert result.listing is not None, name
        for e in result.listing.entries:
            if e.is_truncated or not e.title or not e.summary:
                continue
            if not e.summary.rstrip().endswith((".", '."', ".”", ")", "!", "?")):
                continue  # a summary without final punctuation reads as cut when printed last
            entry = SeedEntry(e.date_raw, e.title, e.summary)
            seen.setdefault((entry.date_raw, entry.title), entry)
    return tuple(seen.values())


def dated_entries() -> tuple[SeedEntry, ...]:
    return tuple(e for e in seed_entries() if e.date_raw)


def record_id_for(entry: SeedEntry) -> str:
    """A stable invented archive record id per (date, title): one document, one id."""
    digest = hashlib.sha256(f"{entry.date_raw}\0{entry.title}".encode()).hexdigest()
    return str(800000 + int(digest[:8], 16) % 100000)


def new_search_page(entries: list[SeedEntry], first: int = 1, total: int | None = None) -> str:
    """New-site search results: range line, then date / title / summary blocks.

    An undated entry is printed with two blank lines before its title (as the site does).
    """
    last = first + len(entries) - 1
    total = max(total or 0, last)
    lines = ["Skip to content", "", "", f"{first} - {last} of {total}", ""]
    for e in entries:
        if e.date_raw:
            lines += ["", e.date_raw, "", e.title, "", e.summary]
        else:
            lines += ["", "", e.title, "", e.summary]
    return "\n".join(lines) + "\n"


def old_collection_page(title: str, description: str, entries: list[SeedEntry]) -> str:
    """Old-site collection page: chrome lines, title, description, bulleted entries."""
    lines = [
        "Search in",
        "ADD SEARCH FILTER CANCEL SEARCH FILTER",
        "",
        "Digital Archive International History Declassified",
        "",
        "No image found.",
        "",
        title,
        "",
        description,
        "",
    ]
    for e in entries:
        assert e.date_raw, "old-site collection entries are dated"
        lines += [f"  • {e.date_raw}", "", f"    {e.title}", "", f"    {e.summary}", ""]
    return "\n".join(lines)


def new_detail_page(entry: SeedEntry, body: list[str], funder: str = "Example Foundation") -> str:
    """New-site detail page ending with its Document Information block."""
    rid = record_id_for(entry)
    lines = ["Skip to content", "", entry.date_raw or "", "", entry.title, ""]
    lines += [f"This document was made possible with support from {funder}", "", ""]
    for para in body:
        lines += [para, ""]
    lines += ["", entry.summary, "", "Document Information", "", "Source", ""]
    lines += ["Archive of the Example Ministry, f. 1, op. 2, d. 3.", "", "Record ID", "", rid, ""]
    return "\n".join(lines)


def old_detail_page(entry: SeedEntry, body: list[str]) -> str:
    """Old-site detail page: date, summary, the citation line naming title and record id."""
    rid = record_id_for(entry)
    citation = (
        f'"{entry.title}," {entry.date_raw}, History and Public Policy Program Digital Archive, '
        f"Archive of the Example Ministry, f. 1, op. 2, d. 3. {ARCHIVE}/document/{rid}"
    )
    lines = [entry.date_raw or "", "", f"    {entry.summary}", "", citation, ""]
    for para in body:
        lines += [para, ""]
    return "\n".join(lines)


BODY_SENTENCES = (
    "The report was sent by cable the same evening.",
    "Copies went to the members of the Politburo.",
    "The delegation arrived on the morning train and was met at the station.",
    "Further instructions will follow by courier.",
    "The situation in the region remains tense but under control.",
)


def random_body(rng: random.Random) -> list[str]:
    return [rng.choice(BODY_SENTENCES) for _ in range(rng.randint(1, 4))]


COLLECTION_TITLES = (
    "Sino-Soviet Relations",
    "China and the Soviet Union in Xinjiang, 1934-1949",
    "Korean War Origins, 1945-1950",
    "Stalin and the Chinese Revolution",
)


# ---------------------------------------------------------------- how saved files go wrong


ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1252", "latin-1")


def encode(text: str, encoding: str, crlf: bool = False) -> bytes:
    """The page's bytes as a browser or editor might have saved them."""
    if crlf:
        text = text.replace("\n", "\r\n")
    return text.encode(encoding)


def can_encode(text: str, encoding: str) -> bool:
    try:
        encode(text, encoding)
    except UnicodeEncodeError:
        return False
    return True


def cut(text: str, rng: random.Random, low: float = 0.2, high: float = 0.9) -> tuple[str, int]:
    """The page cut at a random point (a partial save); returns (text, cut offset)."""
    at = rng.randint(int(len(text) * low), int(len(text) * high))
    return text[:at], at


def junk_files(rng: random.Random) -> dict[str, bytes]:
    """Files that are not pages: one of each kind, with a little randomness in their bytes."""
    n = rng.randint(1, 9)
    rows = "\n".join(
        f"{i},{rng.random():.6f},{rng.choice('abc')}" for i in range(rng.randint(2, 30))
    )
    return {
        "empty": b"",
        "blank": rng.choice([b" \n\n\t \n", b"\r\n\r\n", b"\n"]),
        "png": PNG_BYTES[: rng.randint(200, len(PNG_BYTES))],
        "random": bytes(rng.getrandbits(8) for _ in range(rng.randint(64, 4096))),
        "csv": f"id,score,label\n{rows}\n".encode(),
        "json": json.dumps({"items": list(range(n)), "note": "export"}).encode(),
        "html_error": (
            b"<!DOCTYPE html><html><head><title>404</title></head><body>"
            b"<h1>Page not found</h1><p>The page you requested does not exist.</p></body></html>"
        ),
        "text_error": b"502 Bad Gateway\n\nnginx\n",
        "chrome_only": b"Skip to content\n\nSearch in\n\nNo image found.\n",
        "nul_text": b"June 11, 1949\x00\x00\x00Letter\x00" * 40,
        "mojibake": codecs.BOM_UTF8 + b"\xff\xfe\xfd" * 300,
    }


def mangle(text: str, rng: random.Random) -> str:
    """Random damage to a good page: lines dropped, duplicated or shuffled, junk inserted."""
    lines = text.split("\n")
    for _ in range(rng.randint(1, 6)):
        if not lines:
            break
        i = rng.randrange(len(lines))
        op = rng.randrange(5)
        if op == 0:
            del lines[i]
        elif op == 1:
            lines.insert(i, lines[i])
        elif op == 2:
            j = rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == 3:
            lines.insert(i, "".join(chr(rng.randint(33, 0x2FF)) for _ in range(rng.randint(1, 40))))
        else:
            lines[i] = lines[i][: rng.randint(0, len(lines[i]))]
    return "\n".join(lines)


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def sidecar(path: Path, url: str, fetched_at: str = "2024-05-01T12:00:00Z") -> None:
    meta = {"url": url, "fetched_at": fetched_at}
    path.with_name(path.name + ".meta.json").write_text(json.dumps(meta), encoding="utf-8")


def raw_file_paths(raw: Path) -> list[str]:
    """Files the pipeline must account for, found independently of its own walker: every
    non-hidden entry that is not a folder (links included, to folders too) and not a sidecar."""
    found = []
    for path in sorted(raw.rglob("*")):
        rel = path.relative_to(raw)
        if any(part.startswith(".") for part in rel.parts) or path.name.endswith(".meta.json"):
            continue
        if path.is_symlink() or not path.is_dir():
            found.append(rel.as_posix())
    return found
