"""The BM25 full-text index behind `search(q)`, built so a release can reuse the previous one's.

Same tokens, stems, stopwords and BM25 formula as the fts extension's `create_fts_index` /
`match_bm25` (tests compare the scores), stored differently:
- `store.search_terms(term, document_id, tf)`: one row per document and term (the extension
  keeps one row per word occurrence);
- `store.search_docs(document_id, text_hash, len)`, `store.search_dict(term, df)`,
  `store.search_stats(num_docs, avgdl, index_version, unsorted_terms)`.
Why not the extension's own build: it stems every word occurrence on one thread (about 6 s of a
30 s archive-scale run) and cannot be updated, so every run rebuilt it. Here each distinct word
is stemmed once, and the term rows of a document whose text did not change are copied from the
previous release's file, in their order, with the new documents' rows appended (sorted among
themselves; see search_terms.py).
`stem()` still comes from the extension: `search(q)` needs it loaded.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from pathlib import Path

import duckdb
import numpy as np

from pipeline.publish.search_terms import PriorIndex, reused_documents, terms_table

# Bump when the index's tables or tokens change: a release only reuses rows of the same version.
# 2: text hash over the bodies' hashes (the bodies are no longer concatenated); 3: search_stats
# counts the term rows appended since the last full sort.
INDEX_FORMAT = "3"
STEMMER = "porter"
# The index's tables and its text view, all in schema `store`.
SEARCH_OBJECTS = ("search_terms", "search_docs", "search_dict", "search_stats", "search_corpus")
SLICE_BYTES = 64_000_000  # text tokenized per statement (see _build_index)
# The extension's tokenizer (its `tokenize` macro): lower case, accents stripped, digits and
# ASCII punctuation turned into spaces, split on whitespace.
_IGNORED = r"""0-9!@#$%^&*()_+={}\[\]:;<>,.?~\\/\|''"`-"""
_IGNORE_SQL = f"[{_IGNORED}]+".replace("'", "''")
# Counting splits the raw text at the same separators first, then normalises each distinct raw
# word (and splits it again). Same tokens: the separators are ASCII, which neither
# strip_accents nor lower changes, and both work code point by code point (marks are dropped,
# not composed, so nothing joins across a separator); a character that becomes a separator
# once stripped (the Greek question mark is ";") is split by the second pass. Normalising the
# few distinct words instead of all the text takes a quarter off the count at archive scale.
_SEPARATORS_SQL = rf"[\s{_IGNORED}]+".replace("'", "''")


def _tokens(expr: str) -> str:
    return (
        f"string_split_regex(regexp_replace(lower(strip_accents(CAST({expr} AS VARCHAR))), "
        f"'{_IGNORE_SQL}', ' ', 'g'), '\\s+')"
    )


def word_count_sql(table: str, key: str, parts: int, first: int, last: int) -> str:
    """(key, w, n): the words of `table`'s `text` in rows `first`..`last`, counted per key.

    The tokens are the extension's (`_tokens`), found as `_SEPARATORS_SQL` explains. DuckDB
    scans a table of a few thousand rows on one thread (one row group), so the rows are split
    into `parts` UNION ALL branches by their `part` column, one per thread.
    """
    split = f"string_split_regex(CAST(text AS VARCHAR), '{_SEPARATORS_SQL}')"
    branches = " UNION ALL ".join(
        f"SELECT {key}, unnest({split}) AS r FROM {table} "
        f"WHERE part = {k} AND rowid BETWEEN {first} AND {last}"
        for k in range(parts)
    )
    return f"""
        WITH raw AS (
            SELECT {key}, r, count(*) AS n FROM ({branches}) WHERE r <> '' GROUP BY ALL
        ), words AS (
            SELECT r, unnest(string_split_regex(lower(strip_accents(r)), '{_SEPARATORS_SQL}'))
                AS w
            FROM (SELECT DISTINCT r FROM raw)
        )
        SELECT {key}, w, sum(n)::BIGINT AS n FROM raw JOIN words USING (r)
        WHERE w <> '' GROUP BY ALL
    """


def sql_literal(text: str) -> str:
    """`text` as a SQL string literal (paths, comments, settings)."""
    return "'" + text.replace("'", "''") + "'"


def index_version() -> str:
    """The index format and the DuckDB (and so stemmer and stopword list) it was built with."""
    return f"{INDEX_FORMAT}/duckdb-{duckdb.__version__}/{STEMMER}"


@functools.cache
def english_stopwords() -> tuple[str, ...]:
    """The extension's own English stopword list, read from a throwaway in-memory index."""
    from pipeline.publish.duckdb_db import load_fts

    con = duckdb.connect()
    try:
        load_fts(con)
        con.execute("CREATE TABLE t AS SELECT 1 AS id, 'x' AS s")
        con.execute("PRAGMA create_fts_index('t', 'id', 's', stopwords = 'english')")
        return tuple(
            r[0] for r in con.sql("SELECT sw FROM fts_main_t.stopwords ORDER BY sw").fetchall()
        )
    finally:
        con.close()


SEARCH_MACRO_SQL = f"""
CREATE OR REPLACE MACRO main.search(q) AS TABLE
WITH qterms AS (
    SELECT DISTINCT stem(unnest({_tokens("q")}), '{STEMMER}') AS term
), scored AS (
    SELECT t.document_id,
           sum(log(((s.num_docs - w.df) + 0.5) / (w.df + 0.5) + 1)
               * ((t.tf * (1.2 + 1)) / (t.tf + 1.2 * ((1 - 0.75) + 0.75 * (d.len / s.avgdl)))))
               AS score
    FROM store.search_terms t
    JOIN qterms USING (term)
    JOIN store.search_dict w USING (term)
    JOIN store.search_docs d USING (document_id)
    CROSS JOIN store.search_stats s
    GROUP BY t.document_id
)
SELECT d.document_id, d.title, d.date_start, d.collections, s.score
FROM scored s
JOIN store.documents d USING (document_id)
ORDER BY s.score DESC, d.document_id
"""


# A document's people, in a fixed order (so its text, and its hash, is the same in every build).
_PEOPLE_SQL = """
SELECT document_id,
       string_agg(DISTINCT person || ' ' || name_printed, ' '
                  ORDER BY person || ' ' || name_printed) AS people
FROM store.document_people GROUP BY document_id
"""

# What a document is searched by, one row per document: the view analysts (and the tests, which
# index it with the extension) see. The index is built from the same columns, a document's
# detail pages one by one: concatenating long bodies in one aggregate does not spill, and did
# not fit the build's memory cap at 10x archive scale. Tokens never span two columns (they are
# joined with a space), so the term counts are the same.
SEARCH_CORPUS_SQL = f"""
CREATE OR REPLACE VIEW store.search_corpus AS
WITH bodies AS (
    SELECT document_id, string_agg(body, ' ' ORDER BY page_sha256) AS body
    FROM store.document_pages GROUP BY document_id
), people AS ({_PEOPLE_SQL})
SELECT d.document_id,
       coalesce(d.title, '') AS title,
       coalesce(d.summary, '') AS summary,
       coalesce(b.body, '') AS body,
       coalesce(x.people, '') AS people
FROM store.documents d
LEFT JOIN bodies b USING (document_id)
LEFT JOIN people x USING (document_id)
ORDER BY d.document_id
"""

# Each published detail page's body hash (the index's text hash and the join to words counted
# ahead, body_words.py, both use it). The file of words counted ahead links the pages it counted
# to their body's hash: a linked page's body is not read and hashed again (3.6 -> 0.5 s at 10x
# the archive), when the links were made by this code (`pages_version`; else
# `work.ahead_links` is empty). The unlinked pages are found first, by their sha256 alone: an
# anti join over whole rows read every body (1.2 s).
_PAGE_BODIES_SQL = """
CREATE TABLE work.page_bodies AS
SELECT d.document_id, d.page_sha256, l.body_md5
FROM store.document_pages d JOIN work.ahead_links l USING (page_sha256)
SEMI JOIN store.documents USING (document_id)
UNION ALL
SELECT document_id, page_sha256, md5(body) AS body_md5 FROM store.document_pages
SEMI JOIN (
    SELECT page_sha256 FROM store.document_pages ANTI JOIN work.ahead_links USING (page_sha256)
) USING (page_sha256)
SEMI JOIN store.documents USING (document_id) WHERE body IS NOT NULL
"""

# The same text in parts: (document_id, text) per document's title and summary, per detail page
# body whose words were not counted ahead, per document's people (aggregated once into
# work.search_people).
_PARTS_SQL = """
SELECT document_id, concat_ws(' ', coalesce(title, ''), coalesce(summary, '')) AS text
FROM store.documents
UNION ALL
SELECT p.document_id, d.body
FROM (SELECT * FROM work.page_bodies ANTI JOIN ahead.bodies USING (body_md5)) p
JOIN store.document_pages d USING (page_sha256)
UNION ALL
SELECT document_id, people FROM work.search_people SEMI JOIN store.documents USING (document_id)
"""

# Words counted ahead, per published page of a document not reused from the previous release.
_AHEAD_WORDS_SQL = """
INSERT INTO work.fresh_words
SELECT p.document_id, w.w, w.n
FROM work.page_bodies p
JOIN ahead.bodies b USING (body_md5)
JOIN ahead.body_words w USING (body_no)
ANTI JOIN work.reused_terms_docs USING (document_id)
"""

# A document's text hash, from its fields and its bodies' hashes (small strings to aggregate).
_HASHES_SQL = """
CREATE TABLE work.search_hashes AS
SELECT d.document_id,
       md5(concat_ws('|', coalesce(d.title, ''), coalesce(d.summary, ''),
                     coalesce(b.bodies, ''), coalesce(x.people, ''))) AS text_hash
FROM store.documents d
LEFT JOIN (
    SELECT document_id, string_agg(body_md5, ' ' ORDER BY page_sha256) AS bodies
    FROM work.page_bodies GROUP BY document_id
) b USING (document_id)
LEFT JOIN work.search_people x USING (document_id)
"""


def build_search_index(
    con: duckdb.DuckDBPyConnection,
    previous: Path | None = None,
    ahead: Path | None = None,
    pages_version: str | None = None,
    in_place: bool = False,
) -> int:
    """Create the `store.search_corpus` view and index its text; returns how many documents
    had their term rows copied from `previous` (a release's DuckDB file), or kept, `in_place`,
    from the index `con`'s file already holds (a copy of the previous release's file:
    table_delta.py). `ahead` is a file of
    body words counted ahead (body_words.py): bodies found there are not tokenized again, and
    its links from pages to bodies spare hashing the bodies when it made them under
    `pages_version` (the code that makes a page's body).

    Intermediate tables go to an in-memory database attached as `work` and are let go at
    once by detaching it. Its blocks are spilled to the temp directory under the memory cap:
    at 10x archive scale the whole build peaks at about 635 MB (56 s).
    """
    con.execute("ATTACH ':memory:' AS work")
    _attach_ahead(con, ahead, pages_version)
    try:
        return _build_index(con, previous, in_place)
    finally:
        con.execute("DETACH work")
        con.execute("DETACH ahead")


# The tables of a file of words counted ahead (body_words.py) that the build reads.
AHEAD_TABLES = {
    "bodies": "(body_md5 VARCHAR, body_no INTEGER)",
    "body_words": "(body_no INTEGER, w VARCHAR, n BIGINT)",
}


def _attach_ahead(
    con: duckdb.DuckDBPyConnection, ahead: Path | None, pages_version: str | None
) -> None:
    """Attach the words counted ahead as `ahead`: the file when it is usable (same tokenizer),
    else empty tables, so the build reads the same way with or without it. Its page -> body
    hash links go to `work.ahead_links` when they hold for `pages_version` (else none)."""
    con.execute("CREATE TABLE work.ahead_links (page_sha256 VARCHAR, body_md5 VARCHAR)")
    if ahead is not None and ahead.is_file():
        with contextlib.suppress(duckdb.Error):
            con.execute(f"ATTACH {sql_literal(ahead.as_posix())} AS ahead (READ_ONLY)")
            version = con.sql("SELECT index_version, pages_version FROM ahead.version").fetchall()
            if [v[:1] for v in version] == [(index_version(),)]:
                if pages_version is not None and version[0][1] == pages_version:
                    con.execute(
                        "INSERT INTO work.ahead_links SELECT page_sha256, body_md5 "
                        "FROM ahead.pages JOIN ahead.bodies USING (body_no)"
                    )
                return
        con.execute("DETACH DATABASE IF EXISTS ahead")
    con.execute("ATTACH ':memory:' AS ahead")
    for name, columns in AHEAD_TABLES.items():
        con.execute(f"CREATE TABLE ahead.{name} {columns}")


def _build_index(con: duckdb.DuckDBPyConnection, previous: Path | None, in_place: bool) -> int:
    con.execute(SEARCH_CORPUS_SQL)
    con.execute(
        "CREATE TABLE work.search_stopwords AS SELECT unnest($words) AS sw",
        {"words": list(english_stopwords())},
    )
    con.execute(f"CREATE TABLE work.search_people AS {_PEOPLE_SQL}")
    con.execute(_PAGE_BODIES_SQL)
    con.execute(_HASHES_SQL)
    prior_of = (
        contextlib.nullcontext(prior_index(con, "store"))
        if in_place
        else _previous_index(con, previous)
    )
    with prior_of as prior:
        reused = reused_documents(con, prior)
        _count_fresh_words(con)
        unsorted = terms_table(con, prior)
    con.execute(
        """
        CREATE OR REPLACE TABLE store.search_docs AS
        SELECT h.document_id, h.text_hash, coalesce(t.len, 0)::BIGINT AS len
        FROM work.search_hashes h
        LEFT JOIN (SELECT document_id, sum(tf) AS len FROM store.search_terms GROUP BY ALL) t
            USING (document_id)
        ORDER BY h.document_id
        """
    )
    con.execute(
        """
        CREATE OR REPLACE TABLE store.search_dict AS
        SELECT term, count(*) AS df FROM store.search_terms GROUP BY term ORDER BY term
        """
    )
    con.execute(
        "CREATE OR REPLACE TABLE store.search_stats AS SELECT count(*) AS num_docs, "
        "coalesce(avg(len), 0)::DOUBLE AS avgdl, $version AS index_version, "
        "$unsorted::BIGINT AS unsorted_terms FROM store.search_docs",
        {"version": index_version(), "unsorted": unsorted},
    )
    con.execute(SEARCH_MACRO_SQL)
    return reused


def _count_fresh_words(con: duckdb.DuckDBPyConnection) -> None:
    """`work.fresh_words` and `work.fresh_stems`: the words of every document whose term rows
    are not reused, counted ahead or tokenized here."""
    # The regex tokenizer is most of the cost (see word_count_sql for the threads). The text is
    # counted a slice of about SLICE_BYTES at a time (consecutive rows, so a slice reads only
    # its own blocks of the spilled table), so one statement's (document, word) counts fit in
    # the memory cap whatever the archive's size. A document's parts may fall in two slices, or
    # be counted ahead: search_terms sums its counts.
    parts = int(con.sql("SELECT current_setting('threads')").fetchone()[0])
    con.execute(
        f"CREATE TABLE work.fresh_text AS SELECT hash(document_id) % {parts} AS part, "
        f"document_id, text FROM ({_PARTS_SQL}) "
        "ANTI JOIN work.reused_terms_docs USING (document_id)"
    )
    con.execute("CREATE TABLE work.fresh_words (document_id VARCHAR, w VARCHAR, n BIGINT)")
    con.execute(_AHEAD_WORDS_SQL)
    sizes = con.sql("SELECT coalesce(strlen(text), 0) AS n FROM work.fresh_text").fetchnumpy()
    for first, last in row_slices(sizes["n"], SLICE_BYTES):
        query = word_count_sql("work.fresh_text", "document_id", parts, first, last)
        con.execute(f"INSERT INTO work.fresh_words {query}")
    con.execute(
        f"""
        CREATE TABLE work.fresh_stems AS
        SELECT w, stem(w, '{STEMMER}') AS term
        FROM (SELECT DISTINCT w FROM work.fresh_words) ANTI JOIN work.search_stopwords ON w = sw
        """
    )


@contextlib.contextmanager
def _previous_index(
    con: duckdb.DuckDBPyConnection, previous: Path | None
) -> Iterator[PriorIndex | None]:
    """The previous release's index attached while the block runs, or None when there is no
    usable one (missing, unreadable, or of another index version)."""
    if previous is None or not previous.is_file():
        yield None
        return
    try:
        con.execute(f"ATTACH {sql_literal(previous.as_posix())} AS previous_release (READ_ONLY)")
    except duckdb.Error:
        yield None
        return
    try:
        yield prior_index(con, "previous_release.store")
    finally:
        con.execute("DETACH previous_release")


def prior_index(con: duckdb.DuckDBPyConnection, schema: str) -> PriorIndex | None:
    """The index in `schema` when it is of this index version."""
    try:
        stats = con.sql(
            "SELECT index_version, unsorted_terms, "
            f"(SELECT count(*) FROM {schema}.search_terms) FROM {schema}.search_stats"
        ).fetchone()
    except duckdb.Error:  # an index of an older layout: build everything afresh
        return None
    ok = stats is not None and stats[0] == index_version()
    return PriorIndex(rows=stats[2], unsorted=stats[1], schema=schema) if ok else None


def row_slices(sizes: np.ndarray, slice_bytes: int) -> list[tuple[int, int]]:
    """(first, last) row numbers of consecutive rows, cut where the running total of `sizes`
    crosses a multiple of `slice_bytes`. Every row falls in one slice whatever the sizes are;
    they only balance the slices (DuckDB returns a table's rows in their order)."""
    if len(sizes) == 0:
        return []
    window = np.cumsum(sizes, dtype=np.int64) // slice_bytes
    lasts = [*np.flatnonzero(np.diff(window)).tolist(), len(sizes) - 1]
    return list(zip([0, *(last + 1 for last in lasts[:-1])], lasts, strict=True))
