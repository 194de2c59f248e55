"""Full texts held compressed between extraction and the Parquet file.

A detail page's body is the one large value of the page rows (64 MB of UTF-8 at archive scale),
and no stage reads it before it is written: dedup matches on titles, dates and summaries,
validation only asks that it be text. So the rows carry it LZ4-compressed (about half the size:
31 of the 72 MB of detail rows; also in the rows memo's files), and the Parquet writer hands the
inflated UTF-8 bytes straight to Arrow, never making the `str`.

Rows built in a run carry even less: the packed bytes go to a spool file on disk as the page is
parsed (pipeline/extract/text_spool.py), and the row holds a `SpooledText`, the place where
they are. So no stage holds every page's text at once.
"""

from __future__ import annotations

import os
import struct

import pyarrow as pa

# LZ4 (Arrow's codec) over zlib level 1: a 3.2 KB page text packs in 8 µs against 57 and
# inflates faster, for half the size instead of a third. Every cold run packs 20,000 texts.
CODEC = "lz4"
_SIZE = struct.Struct("<I")  # the UTF-8 size, before the frame: LZ4 inflates to a known size


class PackedText(bytes):
    """UTF-8 text, compressed: its size (4 bytes), then an LZ4 frame. `str()` gives the text
    back; equal texts are equal bytes."""

    __slots__ = ()

    @classmethod
    def pack(cls, text: str | None) -> PackedText | None:
        if text is None:
            return None
        data = text.encode("utf-8")
        return cls(_SIZE.pack(len(data)) + pa.compress(data, codec=CODEC, asbytes=True))

    def packed(self) -> PackedText:
        return self

    def utf8(self) -> bytes:
        (size,) = _SIZE.unpack_from(self)
        frame = memoryview(self)[_SIZE.size :]
        return pa.decompress(frame, decompressed_size=size, codec=CODEC, asbytes=True)

    def __str__(self) -> str:
        return self.utf8().decode("utf-8")

    def __repr__(self) -> str:
        return f"PackedText({len(self)} bytes packed)"


class SpoolGone(OSError):
    """A spooled text was read after its run removed the spool (once the Parquet was written)."""


# Spool files open for reading, by path: the Parquet writer reads thousands of texts from a few
# files (closed by `close_spool_readers` before the files are removed).
_READERS: dict[str, int] = {}


class SpooledText:
    """A packed text written to a spool file: where its bytes are (path, offset, length).

    Equal when they point at the same bytes; compare `str()` values to compare texts.
    """

    __slots__ = ("length", "offset", "path")

    def __init__(self, path: str, offset: int, length: int) -> None:
        self.path, self.offset, self.length = path, offset, length

    def packed(self) -> PackedText:
        fd = _READERS.get(self.path)
        try:
            if fd is None:  # two threads may open it at once (the Parquet writers): one fd kept
                opened = os.open(self.path, os.O_RDONLY)
                fd = _READERS.setdefault(self.path, opened)
                if fd != opened:
                    os.close(opened)
            data = os.pread(fd, self.length, self.offset)
        except OSError as exc:
            raise SpoolGone(f"spooled text gone: {self.path} ({exc.strerror})") from exc
        if len(data) != self.length:
            raise SpoolGone(f"spooled text cut short: {self.path} at {self.offset}")
        return PackedText(data)

    def utf8(self) -> bytes:
        return self.packed().utf8()

    def __str__(self) -> str:
        return self.utf8().decode("utf-8")

    def __repr__(self) -> str:
        return f"SpooledText({self.path!r}, {self.offset}, {self.length})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SpooledText):
            return NotImplemented
        return (self.path, self.offset, self.length) == (other.path, other.offset, other.length)

    def __hash__(self) -> int:
        return hash((self.path, self.offset, self.length))

    def __reduce__(self) -> tuple:
        return SpooledText, (self.path, self.offset, self.length)


def close_spool_readers(paths: list[str] | None = None) -> None:
    """Close the read handles of these spool files (all when None)."""
    for path in list(_READERS) if paths is None else paths:
        fd = _READERS.pop(path, None)
        if fd is not None:
            os.close(fd)


# What a text column may hold: the text itself, packed, or spooled.
TEXT_TYPES = (str, PackedText, SpooledText)


def unpacked(value: object) -> object:
    """The text of a packed or spooled value; anything else as it is."""
    return str(value) if isinstance(value, PackedText | SpooledText) else value


def utf8_of(value: object) -> object:
    """A packed or spooled text as its UTF-8 bytes (what Arrow takes for text); else as is."""
    return value.utf8() if isinstance(value, PackedText | SpooledText) else value


def packed_of(value: object) -> PackedText | None:
    """A text packed (a spooled one read back); None for anything that is not text."""
    if isinstance(value, PackedText | SpooledText):
        return value.packed()
    return PackedText.pack(value) if isinstance(value, str) else None


# The columns whose values arrive packed (a str is accepted too: frames built by hand).
PACKED_COLUMNS: dict[str, tuple[str, ...]] = {"document_pages": ("body",)}
