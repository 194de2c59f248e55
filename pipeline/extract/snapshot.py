"""Reading raw snapshots: bytes on disk → decoded text with provenance, or a reason it cannot be.

Every file under the raw folder becomes exactly one `Snapshot`, so nothing is lost: either it
has `text`, or it has `problem` saying (with the file name) why it was not parsed.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

MAX_PAGE_BYTES = 16 * 1024 * 1024  # a real detail page is ~700 KB; past this we do not parse
_MB = 1024 * 1024  # sizes in messages, so the cap reads "16 MB" as documented
SIDECAR_SUFFIX = ".meta.json"
_READ_CHUNK = 1 << 20


@dataclass
class Snapshot:
    """One raw file: where it is, what its bytes hash to, and its text when it could be read."""

    path: str  # relative to the raw folder, POSIX separators
    sha256: str
    size: int
    format: str  # text | html | unknown
    encoding: str | None = None
    text: str | None = None
    problem: str | None = None
    transient: bool = False  # the problem is about access, not content: do not cache it


def rel_of(raw_dir: Path, path: Path) -> str:
    """`path` relative to `raw_dir`, POSIX style. String slicing for paths found under raw_dir
    (pathlib's relative_to cost about a second per pass at archive scale)."""
    base, full = str(raw_dir), str(path)
    if full.startswith(base + os.sep):
        return full[len(base) + 1 :].replace(os.sep, "/")
    return path.relative_to(raw_dir).as_posix()


def raw_rel_paths(raw_dir: Path) -> list[str]:
    """Every candidate snapshot under raw_dir (sidecars excluded), as sorted POSIX paths relative
    to it. Strings, not Paths: every run walks the whole folder, and pathlib objects for tens of
    thousands of files cost about a second per walk."""
    base = str(raw_dir)
    rels = []
    for root, dirs, names in os.walk(base, followlinks=False):
        # a link to a folder is not followed, but listed: it gets a row saying so
        linked = [d for d in dirs if os.path.islink(os.path.join(root, d))]
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in linked)
        prefix = "" if root == base else root[len(base) + 1 :].replace(os.sep, "/") + "/"
        for name in names + linked:
            if name.startswith(".") or name.endswith(SIDECAR_SUFFIX):
                continue
            rels.append(prefix + name)
    return sorted(rels)


def hash_file(path: Path) -> tuple[str, int]:
    """sha256 and size, streamed so a huge file never sits in memory."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while chunk := fh.read(_READ_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def decode_bytes(data: bytes) -> tuple[str | None, str | None, str | None]:
    """(text, encoding, problem). Handles BOMs, UTF-16, Latin-1; refuses binary."""
    if not data.strip():
        return None, None, "empty file (no visible text)"
    for bom, enc in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(enc), enc, None
            except UnicodeDecodeError as exc:
                return None, None, f"starts with a {enc} byte-order mark but does not decode: {exc}"
    sample = data[:4096]
    if sample.count(b"\x00") > len(sample) // 4:
        # UTF-16 without a BOM shows NULs in every other byte.
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        enc = "utf-16-le" if odd > even else "utf-16-be"
        try:
            text = data.decode(enc)
            if _mostly_printable(text):
                return text, enc, None
        except UnicodeDecodeError:
            pass
        return None, None, "binary file (NUL bytes), not a page snapshot"
    if b"\x00" in sample:
        return None, None, "binary file (NUL bytes), not a page snapshot"
    try:
        text = data.decode("utf-8")
        enc = "utf-8"
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
        enc = "cp1252"
    if not _mostly_printable(text):
        return None, None, "binary file (mostly control characters), not a page snapshot"
    return text, enc, None


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")


def _mostly_printable(text: str) -> bool:
    sample = text[:4096]
    return len(_CONTROL.findall(sample)) <= len(sample) // 50


def sniff_format(name: str, text: str) -> str:
    """html or text, by extension first, then by content."""
    lower = name.lower()
    if lower.endswith((".html", ".htm", ".xhtml")):
        return "html"
    head = text.lstrip()[:512].lower()
    if head.startswith(("<!doctype html", "<html")) or ("<html" in head and "<head" in head):
        return "html"
    return "text"


def read_sidecar(path: Path) -> tuple[dict, str | None]:
    """The optional `<name>.meta.json` beside a snapshot: ({url, fetched_at, ...}, problem).

    One `open` on a string path: almost every page has a sidecar, and pathlib's exists-then-read
    cost 50 µs a page (about 1 CPU-second of a cold archive-scale run), this 12 µs."""
    name = f"{path}{SIDECAR_SUFFIX}"
    try:
        with open(name, "rb") as fh:  # noqa: PTH123 - see the docstring
            meta = json.loads(fh.read().decode("utf-8"))
    except FileNotFoundError:
        return {}, None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        label = os.path.basename(name)
        return {}, f"sidecar {label} is not valid JSON ({exc}); page read without it"
    if not isinstance(meta, dict):
        return {}, f"sidecar {os.path.basename(name)} is not a JSON object; page read without it"
    return meta, None


def read_snapshot(raw_dir: Path, path: Path, max_bytes: int = MAX_PAGE_BYTES) -> Snapshot:
    """Read one file into a Snapshot; never raises for bad input, says why instead."""
    rel = rel_of(raw_dir, path)
    snap = Snapshot(path=rel, sha256="", size=0, format="unknown")
    try:
        if path.is_symlink():
            target = path.resolve()
            if not target.is_relative_to(raw_dir.resolve()):
                snap.sha256 = hashlib.sha256(f"symlink:{rel}".encode()).hexdigest()
                snap.problem = (
                    f"{rel}: symlink pointing outside the raw folder ({target}); not read"
                )
                snap.transient = True
                return snap
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):  # a folder, FIFO, socket or device: reading may block
            snap.sha256 = hashlib.sha256(f"special:{rel}".encode()).hexdigest()
            snap.problem = f"{rel}: not a regular file (a folder, pipe or device); not read"
            snap.transient = True
            return snap
        data = b""
        if st.st_size <= max_bytes:
            with path.open("rb") as fh:  # bounded: the file may have grown since stat
                data = fh.read(max_bytes + 1)
        if st.st_size > max_bytes or len(data) > max_bytes:
            data = b""
            snap.sha256, snap.size = hash_file(path)
            snap.problem = (
                f"{rel}: {snap.size / _MB:.1f} MB is over the {max_bytes / _MB:.0f} MB page cap; "
                "not parsed (a real page is under 1 MB)"
            )
            return snap
        snap.sha256, snap.size = hashlib.sha256(data).hexdigest(), len(data)
    except OSError as exc:
        if not snap.sha256:
            snap.sha256 = hashlib.sha256(f"unreadable:{rel}".encode()).hexdigest()
        snap.problem = f"{rel}: cannot read file ({exc.strerror or exc})"
        snap.transient = True
        return snap
    text, encoding, problem = decode_bytes(data)
    if problem:
        snap.problem = f"{rel}: {problem}"
        return snap
    assert text is not None
    if "\r" in text:  # one scan; the two replaces copy a 700 KB page twice
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    snap.text = text
    snap.encoding = encoding
    snap.format = sniff_format(path.name, snap.text)
    return snap
