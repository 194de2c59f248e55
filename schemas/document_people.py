"""document_people: who sent, received, carried or wrote each document."""

import pandera.pandas as pa
from pandera.typing import Series

from schemas._fields import choice, text

ROLES = ["sender", "recipient", "via", "author"]


class DocumentPeople(pa.DataFrameModel):
    """People named in titles and detail pages, with the canonical person they are."""

    document_id: Series[str] = text("document", nullable=False)
    role: Series[str] = choice(" | ".join(ROLES), ROLES)
    name_printed: Series[str] = text("the name as printed", nullable=False)
    person: Series[str] = text(
        "canonical person (pipeline/data/people_aliases.csv)", nullable=False
    )
    source: Series[str] = choice("title | detail_page", ["title", "detail_page"])

    class Config:
        strict = True
        unique = ["document_id", "role", "person"]
