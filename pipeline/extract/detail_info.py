"""The labelled blocks at the foot of a new-site detail page.

"Author(s)", "Associated Places", "Associated Topics", "Subjects Discussed" hold one value per
line (kept as lists). "Document Information" holds the citation and rights paragraphs, first
without labels, then labelled fields (Source, Original Archive, Rights, Original Uploaded Date,
Type, Language, Record ID, Original Classification). A label printed with no value (text saves
drop link-only values) gives None, like an absent label: never "".
"""

from __future__ import annotations

from pipeline.extract.blocks import Block
from pipeline.extract.records import Detail

SECTIONS = {
    "author(s)": "authors",
    "authors": "authors",
    "associated places": "places",
    "associated topics": "topics",
    "subjects discussed": "subjects",
    "associated people & organizations": "people_orgs",
    "associated people and organizations": "people_orgs",
    "document contributor(s)": "contributors",
    "document contributors": "contributors",
    "donors": "donors",
    "funders": "donors",
    "document information": "info",
}
INFO_FIELDS = {
    "source": "source",
    "original archive": "original_archive",
    "rights": "rights",
    "original uploaded date": "original_uploaded_date",
    "type": "doc_type",
    "language": "language",
    "record id": "record_id",
    "original classification": "original_classification",
}
SINGLE_VALUED = {"original_uploaded_date", "doc_type", "record_id", "original_classification"}
LIST_SECTIONS = {"authors", "places", "topics", "subjects", "people_orgs", "contributors"}


def locate_sections(blocks: list[Block]) -> list[tuple[int, str]]:
    """(index, name) of every section heading, in page order."""
    found = []
    for i, b in enumerate(blocks):
        label = section_label(b.text)
        if label in SECTIONS:
            found.append((i, SECTIONS[label]))
    return found


def section_label(text: str) -> str:
    """A heading as a lookup key: mirrors print "Author(s):" where the site prints "Author(s)"."""
    return text.lower().rstrip(": ").strip()


def read_info(blocks: list[Block], detail: Detail) -> list[str]:
    """Fill Document Information fields on `detail`; returns the trailing lines.

    Lines after a single-valued field's value are what the page prints after the block (the
    funder names, repeated at the foot); the caller decides what they are. `detail.citation`
    gets the source paragraph as printed; the caller derives `source` from it.
    """
    current: str | None = None
    leading: list[str] = []
    values: dict[str, list[str]] = {}
    trailing: list[str] = []
    for b in blocks:
        key = INFO_FIELDS.get(b.text.lower().rstrip(":"))
        if key:
            current = key
            values.setdefault(key, [])
            continue
        if current is None:
            leading.append(b.text)
        elif current in SINGLE_VALUED and values[current]:
            trailing.append(b.text)
        else:
            values[current].append(b.text)
    if leading and not values.get("source"):
        values["source"] = [leading[0]]
        leading = leading[1:]
    if leading:
        values.setdefault("rights", []).extend(leading)
    for key, lines in values.items():
        setattr(detail, key, "\n\n".join(lines) or None)
    detail.citation, detail.source = detail.source, None
    return trailing
