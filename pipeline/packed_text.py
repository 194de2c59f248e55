"""Full texts held compressed between extraction and the Parquet file.

A detail page's body is the one large value of the page rows (59 MB of 100 MB at archive
scale, 590 MB at 10x), and no stage reads it before it is written: dedup matches on titles,
dates and summaries, validation only asks that it be text. So the rows carry it as zlib bytes
(about a third of the size, also in the rows memo's files), and the Parquet writer hands the
inflated UTF-8 bytes straight to Arrow, never making the `str`.
"""

from __future__ import annotations

import zlib

LEVEL = 1  # fast; text still shrinks ~3x (level 6 gains a few percent for 3x the time)


class PackedText(bytes):
    """UTF-8 text, zlib-compressed. `str()` gives the text back; equal texts are equal bytes."""

    __slots__ = ()

    @classmethod
    def pack(cls, text: str | None) -> PackedText | None:
        return None if text is None else cls(zlib.compress(text.encode("utf-8"), LEVEL))

    def utf8(self) -> bytes:
        return zlib.decompress(self)

    def __str__(self) -> str:
        return self.utf8().decode("utf-8")

    def __repr__(self) -> str:
        return f"PackedText({len(self)} bytes packed)"


def unpacked(value: object) -> object:
    """The text of a packed value; anything else as it is."""
    return str(value) if isinstance(value, PackedText) else value


# The columns whose values arrive packed (a str is accepted too: frames built by hand).
PACKED_COLUMNS: dict[str, tuple[str, ...]] = {"document_pages": ("body",)}
