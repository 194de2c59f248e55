"""The BM25 full-text index behind `search(q)`, built so a release can reuse the previous one's.

Same tokens, stems, stopwords and BM25 formula as the fts extension's `create_fts_index` /
`match_bm25` (tests compare the scores), stored differently:
- `store.search_terms(term, document_id, tf)`: one row per document and term (the extension
  keeps one row per word occurrence);
- `store.search_docs(document_id, text_hash, len)`, `store.search_dict(term, df)`,
  `store.search_stats(num_docs, avgdl, index_version)`.
Why not the extension's own build: it stems every word occurrence on one thread (about 6 s of a
30 s archive-scale run) and cannot be updated, so every run rebuilt it. Here each distinct word
is stemmed once, and the term rows of a document whose text did not change are copied from the
previous release's file. `stem()` still comes from the extension: `search(q)` needs it loaded.
"""

from __future__ import annotations

import functools
from pathlib import Path

import duckdb

# Bump when the index's tables or tokens change: a release only reuses rows of the same version.
INDEX_FORMAT = "1"
STEMMER = "porter"
# The extension's tokenizer (its `tokenize` macro): lower case, accents stripped, digits and
# ASCII punctuation turned into spaces, split on whitespace.
_IGNORE = r"""[0-9!@#$%^&*()_+={}\[\]:;<>,.?~\\/\|''"`-]+"""
_IGNORE_SQL = _IGNORE.replace("'", "''")


def _tokens(expr: str) -> str:
    return (
        f"string_split_regex(regexp_replace(lower(strip_accents(CAST({expr} AS VARCHAR))), "
        f"'{_IGNORE_SQL}', ' ', 'g'), '\\s+')"
    )


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
CREATE MACRO main.search(q) AS TABLE
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


def build_search_index(con: duckdb.DuckDBPyConnection, previous: Path | None = None) -> int:
    """Index `store.search_corpus` (document_id, title, summary, body, people); returns how
    many documents had their term rows copied from `previous` (a release's DuckDB file)."""
    con.execute(
        "CREATE TEMP TABLE search_stopwords AS SELECT unnest($words) AS sw",
        {"words": list(english_stopwords())},
    )
    con.execute(
        """
        CREATE TEMP TABLE search_text AS
        SELECT document_id, concat_ws(' ', title, summary, body, people) AS text
        FROM store.search_corpus
        """
    )
    con.execute(
        """
        CREATE TEMP TABLE search_hashes AS
        SELECT document_id, md5(text) AS text_hash FROM search_text
        """
    )
    reused = _copy_unchanged(con, previous)
    # The regex tokenizer is most of the cost, and DuckDB scans a table of a few thousand rows
    # on one thread (one row group): one UNION ALL branch per thread splits it by document.
    parts = int(con.sql("SELECT current_setting('threads')").fetchone()[0])
    branches = " UNION ALL ".join(
        f"SELECT document_id, unnest({_tokens('text')}) AS w FROM search_text "
        f"ANTI JOIN reused_terms_docs USING (document_id) "
        f"WHERE hash(document_id) % {parts} = {k}"
        for k in range(parts)
    )
    con.execute(
        f"CREATE TEMP TABLE fresh_words AS SELECT document_id, w, count(*) AS n "
        f"FROM ({branches}) WHERE w <> '' GROUP BY ALL"
    )
    con.execute("DROP TABLE temp.search_text")  # each step drops what it no longer needs:
    # temp tables live in memory, and this build is the run's memory peak
    con.execute(
        f"""
        CREATE TEMP TABLE fresh_stems AS
        SELECT w, stem(w, '{STEMMER}') AS term
        FROM (SELECT DISTINCT w FROM fresh_words) ANTI JOIN search_stopwords ON w = sw
        """
    )
    con.execute(
        """
        CREATE TABLE store.search_terms AS
        SELECT term, document_id, tf FROM (
            SELECT s.term, f.document_id, sum(f.n)::INTEGER AS tf
            FROM fresh_words f JOIN fresh_stems s USING (w)
            GROUP BY ALL
            UNION ALL
            SELECT term, document_id, tf FROM reused_terms
        )
        ORDER BY term, document_id
        """
    )
    for table in (
        "fresh_words",
        "fresh_stems",
        "reused_terms",
        "reused_terms_docs",
        "search_stopwords",
    ):
        con.execute(f"DROP TABLE temp.{table}")
    con.execute(
        """
        CREATE TABLE store.search_docs AS
        SELECT h.document_id, h.text_hash, coalesce(t.len, 0)::BIGINT AS len
        FROM search_hashes h
        LEFT JOIN (SELECT document_id, sum(tf) AS len FROM store.search_terms GROUP BY ALL) t
            USING (document_id)
        ORDER BY h.document_id
        """
    )
    con.execute(
        """
        CREATE TABLE store.search_dict AS
        SELECT term, count(*) AS df FROM store.search_terms GROUP BY term ORDER BY term
        """
    )
    con.execute(
        "CREATE TABLE store.search_stats AS SELECT count(*) AS num_docs, "
        "coalesce(avg(len), 0)::DOUBLE AS avgdl, $version AS index_version FROM store.search_docs",
        {"version": index_version()},
    )
    con.execute("DROP TABLE temp.search_hashes")
    con.execute(SEARCH_MACRO_SQL)
    return reused


def _copy_unchanged(con: duckdb.DuckDBPyConnection, previous: Path | None) -> int:
    """Term rows of documents whose id and text hash the previous index also has.

    Fills temp tables `reused_terms` and `reused_terms_docs` (empty when there is no usable
    previous index: missing, unreadable, or of another index version).
    """
    con.execute("CREATE TEMP TABLE reused_terms (term VARCHAR, document_id VARCHAR, tf INTEGER)")
    con.execute("CREATE TEMP TABLE reused_terms_docs (document_id VARCHAR)")
    if previous is None or not previous.is_file():
        return 0
    try:
        con.execute(f"ATTACH {sql_literal(previous.as_posix())} AS previous_release (READ_ONLY)")
    except duckdb.Error:
        return 0
    try:
        version = con.sql(
            "SELECT index_version FROM previous_release.store.search_stats"
        ).fetchone()
        if version is None or version[0] != index_version():
            return 0
        con.execute(
            """
            INSERT INTO reused_terms_docs
            SELECT document_id FROM search_hashes
            JOIN previous_release.store.search_docs USING (document_id, text_hash)
            """
        )
        con.execute(
            """
            INSERT INTO reused_terms
            SELECT term, document_id, tf FROM previous_release.store.search_terms
            SEMI JOIN reused_terms_docs USING (document_id)
            """
        )
        return con.sql("SELECT count(*) FROM reused_terms_docs").fetchone()[0]
    except duckdb.Error:  # an index of an older layout: build everything afresh
        con.execute("DELETE FROM reused_terms")
        con.execute("DELETE FROM reused_terms_docs")
        return 0
    finally:
        con.execute("DETACH previous_release")
