"""document_pages: one row per detail page, every field it prints."""

import pandera.pandas as pa
from pandera.typing import Series

from schemas._fields import date, flag, precision, row_check, sha, str_list, text


class DocumentPages(pa.DataFrameModel):
    """Detail pages: full text, citation and the labelled blocks; absent blocks are null."""

    page_sha256: Series[str] = sha(unique=True)
    path: Series[str] = text("raw file path", nullable=False)
    url: Series[str] = text("page URL when known")
    slug: Series[str] = text("new-site URL slug (/document/<slug>)")
    document_id: Series[str] = text("the document this page is", nullable=False)
    layout: Series[str] = text("new_detail | old_detail", nullable=False)
    date_raw: Series[str] = text("date as printed")
    date_start: Series[pa.Date] = date("first day the printed date can mean")
    date_end: Series[pa.Date] = date("last day the printed date can mean")
    date_precision: Series[str] = precision()
    date_problem: Series[str] = text("why a printed date could not be read (null when fine)")
    title: Series[str] = text("title as printed", nullable=False)
    pre_text: Series[str] = text("text printed before the date line")
    funders: Series[object] = str_list("funders named on the page")
    body: Series[str] = text("document text (transcript/translation)")
    summary: Series[str] = text("the archive's summary of the document")
    authors: Series[object] = str_list("Author(s) block")
    places: Series[object] = str_list("Associated Places block")
    topics: Series[object] = str_list("Associated Topics block")
    subjects: Series[object] = str_list("Subjects Discussed block")
    people_orgs: Series[object] = str_list("Associated People & Organizations block")
    contributors: Series[object] = str_list("Document Contributor(s) block")
    citation: Series[str] = text("source citation exactly as printed")
    source: Series[str] = text("archival source (citation without the translation note)")
    original_archive: Series[str] = text("Original Archive field")
    rights: Series[str] = text("rights statement")
    original_uploaded_date: Series[str] = text("Original Uploaded Date field, as printed")
    doc_type: Series[str] = text("Type field")
    language: Series[str] = text("Language field")
    record_id: Series[str] = text("the archive's Record ID (printed, or from /document/NNN)")
    original_classification: Series[str] = text("Original Classification (e.g. Top Secret)")
    translator: Series[str] = text("translator named in the citation")
    node_id: Series[str] = text("Drupal node id (shortlink /node/NNN)")
    is_truncated: Series[bool] = flag("the page was cut short (partial save)")

    @row_check("date_start <= date_end")
    def dates_ordered(cls, df):  # noqa: N805
        return df["date_start"].isna() | (df["date_start"] <= df["date_end"])

    class Config:
        strict = True
