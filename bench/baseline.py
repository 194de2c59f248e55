"""The script a user would write instead of the pipeline: the bar the pipeline must clear.

Why it exists: "≥5x faster than the baseline" is only meaningful if the baseline is what a
competent analyst would actually write in an afternoon, not a strawman. So this is that script,
kept deliberately plain and left alone: walk the folder, BeautifulSoup (the stdlib
"html.parser" backend, the one that needs no extra install) for .html, line loops for .txt,
lists of dicts, a pandas DataFrame, `drop_duplicates` on (date, title), Parquet out. It knows
the page layouts (a user looks at a few pages first) and nothing about caching, hashing,
provenance, quarantine or fuzzy matching. Do not optimise it, and do not slow it down.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

import pandas as pd
from bs4 import BeautifulSoup, Tag

RANGE = re.compile(r"^\d+ - \d+ of \d+$")
DATE = re.compile(
    r"^(January|February|March|April|May|June|July|August|September|October|November|December)"
    r"?,? ?(\d{1,2},? )?\d{4}$"
)


def is_date(line: str) -> bool:
    return bool(DATE.match(line.strip()))


def parse_new_search_text(lines: list[str], start: int) -> list[dict]:
    """Entries after the "1 - 10 of N" line: date, title, summary separated by blank lines."""
    entries = []
    current = None
    blanks = 0
    for line in lines[start + 1 :]:
        line = line.strip()
        if not line:
            blanks += 1
            continue
        if is_date(line) or (blanks >= 2 and current is not None):
            current = {"date": line if is_date(line) else None, "title": None, "summary": None}
            entries.append(current)
            if not is_date(line):
                current["title"] = line
        elif current is None:
            current = {"date": None, "title": line, "summary": None}
            entries.append(current)
        elif current["title"] is None:
            current["title"] = line
        elif current["summary"] is None:
            current["summary"] = line
        blanks = 0
    return entries


def parse_old_collection_text(lines: list[str]) -> list[dict]:
    """Old-site collections: "  • DATE" bullets, then indented title and summary."""
    entries = []
    current = None
    for line in lines:
        text = line.strip()
        if text.startswith("•"):
            text = text[1:].strip()
            current = {"date": None, "title": None, "summary": None}
            entries.append(current)
            if is_date(text):
                current["date"] = text
            else:
                current["title"] = text
        elif text and current is not None:
            if current["title"] is None:
                current["title"] = text
            elif current["summary"] is None:
                current["summary"] = text
    return entries


def parse_detail_text(lines: list[str]) -> dict:
    """A detail page: date, title, body paragraphs, summary, then Document Information."""
    text_lines = [line.strip() for line in lines if line.strip()]
    if text_lines and text_lines[0] == "Skip to content":
        text_lines = text_lines[1:]
    doc = {"date": None, "title": None, "summary": None, "body": None, "record_id": None}
    i = 0
    if text_lines and is_date(text_lines[0]):
        doc["date"] = text_lines[0]
        i = 1
    if i < len(text_lines):
        doc["title"] = text_lines[i]
    if "Document Information" in text_lines:
        end = text_lines.index("Document Information")
        doc["summary"] = text_lines[end - 1]
        doc["body"] = "\n".join(text_lines[i + 2 : end - 1])
        if "Record ID" in text_lines:
            j = text_lines.index("Record ID")
            if j + 1 < len(text_lines) and text_lines[j + 1].isdigit():
                doc["record_id"] = text_lines[j + 1]
    return doc


def parse_text_file(path: Path) -> tuple[list[dict], dict | None]:
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    lines = text.split("\n")
    for i, line in enumerate(lines[:12]):
        if RANGE.match(line.strip()):
            return parse_new_search_text(lines, i), None
    if "Document Information" in text:
        return [], parse_detail_text(lines)
    if "History and Public Policy Program Digital Archive" in text:  # old-site detail
        for line in lines:
            if "History and Public Policy Program Digital Archive" in line:
                title = line.split('," ')[0].lstrip('"')
                return [], {
                    "date": None,
                    "title": title,
                    "summary": None,
                    "body": text,
                    "record_id": line.rsplit("/", 1)[-1].strip(),
                }
    return parse_old_collection_text(lines), None


def text_of(tag: Tag | None) -> str | None:
    return tag.get_text(" ", strip=True) if tag is not None else None


def parse_html_file(path: Path) -> tuple[list[dict], dict | None]:
    with open(path, encoding="utf-8", errors="replace") as f:
        soup = BeautifulSoup(f.read(), "html.parser")
    entries = []
    for row in soup.select("div.views-row"):
        entries.append(
            {
                "date": text_of(row.select_one(".teaser__date")),
                "title": text_of(row.select_one(".teaser__title")),
                "summary": text_of(row.select_one(".teaser__summary")),
            }
        )
    if entries:
        return entries, None
    title = soup.select_one("h1.page-title")
    if title is None:
        return [], None
    record_id = None
    for field in soup.select("div.field"):
        label = field.select_one(".field__label")
        if label is not None and label.get_text(strip=True) == "Record ID":
            record_id = text_of(field.select_one(".field__item"))
    detail = {
        "date": text_of(soup.select_one(".field--name-field-document-date")),
        "title": text_of(title),
        "summary": text_of(soup.select_one(".field--name-field-summary")),
        "body": text_of(soup.select_one(".field--name-field-translation")),
        "record_id": record_id,
    }
    return [], detail


def run_baseline(raw_dir: Path, out_dir: Path) -> float:
    """Parse every page under raw_dir, write entries/documents/details Parquet; wall seconds."""
    return baseline_with_counts(raw_dir, out_dir)["seconds"]


def baseline_with_counts(raw_dir: Path, out_dir: Path) -> dict:
    """The baseline run, returning its wall seconds and how many rows it produced."""
    start = time.perf_counter()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    entries: list[dict] = []
    details: list[dict] = []
    failed = 0
    for root, _dirs, files in os.walk(raw_dir):
        for name in files:
            if name.endswith(".meta.json"):
                continue
            path = Path(root) / name
            try:
                if name.endswith(".html"):
                    page_entries, detail = parse_html_file(path)
                else:
                    page_entries, detail = parse_text_file(path)
            except Exception:  # a user's script skips what it cannot read
                failed += 1
                continue
            for e in page_entries:
                e["file"] = str(path)
                entries.append(e)
            if detail is not None:
                detail["file"] = str(path)
                details.append(detail)
    entries_df = pd.DataFrame(entries, columns=["date", "title", "summary", "file"])
    details_df = pd.DataFrame(
        details, columns=["date", "title", "summary", "body", "record_id", "file"]
    )
    documents = pd.concat([entries_df, details_df[["date", "title", "summary", "file"]]])
    documents = documents.drop_duplicates(subset=["date", "title"])
    entries_df.to_parquet(out_dir / "entries.parquet", index=False)
    details_df.to_parquet(out_dir / "details.parquet", index=False)
    documents.to_parquet(out_dir / "documents.parquet", index=False)
    return {
        "seconds": time.perf_counter() - start,
        "entries": len(entries_df),
        "details": len(details_df),
        "documents": len(documents),
        "failed_files": failed,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.baseline", description=__doc__)
    parser.add_argument("raw", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--stats-json", type=Path, help="write seconds and row counts here")
    args = parser.parse_args(argv)
    stats = baseline_with_counts(args.raw, args.out)
    if args.stats_json:
        args.stats_json.write_text(json.dumps(stats))
    print(json.dumps(stats), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
