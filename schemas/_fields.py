"""Field constructors shared by the table models, so each column is declared once, with its
description, and the Parquet type is derived from the model (metadata["arrow"] for lists)."""

from __future__ import annotations

import pandera.pandas as pa

DATE_PRECISIONS = ["day", "month", "year", "undated", "unparsed"]
PAGE_KINDS = ["collection_listing", "search_listing", "document_detail", "unknown"]


def text(description: str, nullable: bool = True, **checks) -> pa.Field:  # noqa: ANN003
    return pa.Field(nullable=nullable, description=description, **checks)


def sha(
    description: str = "sha256 of the raw snapshot this row came from (provenance)",
    nullable: bool = False,
    unique: bool = False,
) -> pa.Field:
    return pa.Field(
        nullable=nullable,
        unique=unique,
        str_length={"min_value": 64, "max_value": 64},
        description=description,
    )


def count(description: str, nullable: bool = False, ge: int = 0) -> pa.Field:
    return pa.Field(nullable=nullable, ge=ge, description=description)


def flag(description: str) -> pa.Field:
    return pa.Field(nullable=False, description=description)


def date(description: str) -> pa.Field:
    return pa.Field(nullable=True, description=description)


def str_list(description: str) -> pa.Field:
    return pa.Field(nullable=True, description=description, metadata={"arrow": "list<string>"})


def choice(description: str, values: list[str], nullable: bool = False) -> pa.Field:
    return pa.Field(nullable=nullable, isin=values, description=description)


def precision() -> pa.Field:
    return choice("how exact the date is: day | month | year | undated | unparsed", DATE_PRECISIONS)


def row_check(description: str):  # noqa: ANN201 - pandera's decorator
    """A check over whole rows (`@row_check("a <= b")` on a classmethod returning one bool per
    row). The checks say themselves what a null means; pandera's default (`ignore_na`) would
    also pass rows whose every column is null, and to find them it tests every value of the
    table once per check (2.3 s at 10x the archive under cProfile), though no such row can
    pass the columns' own checks (every table has non-nullable key columns)."""
    return pa.dataframe_check(description=description, ignore_na=False)
