"""Searching a release's DuckDB file: with its own `search(q)`, and with the fts extension's
own index of the same corpus (the scores the index must reproduce)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipeline.publish.duckdb_db import load_fts


def search_db(db: Path, query: str) -> list[tuple[str, float]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        load_fts(con)
        return con.execute("SELECT document_id, score FROM search($q)", {"q": query}).fetchall()
    finally:
        con.close()


def extension_scores(db: Path, query: str) -> list[tuple[str, float]]:
    """The same corpus indexed by the extension's own create_fts_index, ranked by match_bm25."""
    con = duckdb.connect()
    try:
        load_fts(con)
        con.execute(f"ATTACH '{db.as_posix()}' AS rel (READ_ONLY)")
        con.execute("CREATE TABLE corpus AS SELECT * FROM rel.store.search_corpus")
        con.execute(
            "PRAGMA create_fts_index('corpus', 'document_id', 'title', 'summary', 'body', "
            "'people', stemmer = 'porter', stopwords = 'english')"
        )
        return con.execute(
            "SELECT document_id, s FROM (SELECT document_id, "
            "fts_main_corpus.match_bm25(document_id, $q) AS s FROM corpus) "
            "WHERE s IS NOT NULL ORDER BY s DESC, document_id",
            {"q": query},
        ).fetchall()
    finally:
        con.close()
