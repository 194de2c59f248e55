"""The search index's term table, `store.search_terms` (one row per document and term), and
what a build copies into it from the previous release's index (search_index.py attaches it).

Sorted by term, a search reads a few row groups of search_terms (3x faster at 10x the archive
than unsorted). Sorting the whole table again took 13.7 s of a +1% run at 10x; its unchanged
documents' rows are kept in their order instead and the new rows appended, sorted among
themselves: a search then reads a term's row groups in each appended run too. Once the rows
appended since the last full sort pass this share of the table, it is sorted again.
Kept where they are when the build updates a copy of the previous file (table_delta.py: the
other documents' rows deleted), else copied from the previous file in their order (7.8 s at
10x).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

RESORT_SHARE = 0.2  # of the table's rows appended since its last full sort (see above)


@dataclass(frozen=True)
class PriorIndex:
    """A usable previous index, attached as `previous_release`."""

    rows: int  # its term rows
    unsorted: int  # of which appended since its last full sort
    schema: str = "previous_release.store"  # where its tables are ("store": this very file)

    @property
    def in_place(self) -> bool:
        return self.schema == "store"


# The term rows of the documents counted in this build.
FRESH_TERMS_SQL = """
SELECT s.term, f.document_id, sum(f.n)::INTEGER AS tf
FROM work.fresh_words f JOIN work.fresh_stems s USING (w)
GROUP BY ALL
"""
# The previous index's term rows of the documents reused, with their place in its table.
REUSED_TERMS_SQL = """
SELECT rowid AS place, term, document_id, tf FROM {schema}.search_terms
SEMI JOIN work.reused_terms_docs USING (document_id)
"""


def terms_table(con: duckdb.DuckDBPyConnection, prior: PriorIndex | None) -> int:
    """`store.search_terms`; returns how many of its rows were appended since its last full
    sort (see RESORT_SHARE)."""
    if prior is None:
        con.execute(
            f"CREATE OR REPLACE TABLE store.search_terms AS {FRESH_TERMS_SQL} ORDER BY term"
        )
        return 0
    reused_sql = REUSED_TERMS_SQL.format(schema=prior.schema)
    con.execute(f"CREATE TABLE work.fresh_terms AS {FRESH_TERMS_SQL}")
    fresh = con.sql("SELECT count(*) FROM work.fresh_terms").fetchone()[0]
    unsorted = prior.unsorted + fresh
    if unsorted > RESORT_SHARE * max(prior.rows + fresh, 1):
        con.execute(
            "CREATE OR REPLACE TABLE store.search_terms AS SELECT term, document_id, tf FROM ("
            "SELECT term, document_id, tf FROM work.fresh_terms UNION ALL "
            f"SELECT term, document_id, tf FROM ({reused_sql})) ORDER BY term"
        )
        return 0
    if prior.in_place:  # the kept rows stay where they are
        con.execute(
            "DELETE FROM store.search_terms WHERE document_id NOT IN "
            "(SELECT document_id FROM work.reused_terms_docs)"
        )
        con.execute("INSERT INTO store.search_terms SELECT * FROM work.fresh_terms ORDER BY term")
        return unsorted
    # A join hands its rows over in no set order when it runs on several threads: the place
    # each reused row had puts them back in the previous table's order (an integer sort).
    con.execute(
        "CREATE TABLE store.search_terms AS SELECT term, document_id, tf "
        f"FROM ({reused_sql}) ORDER BY place"
    )
    con.execute("INSERT INTO store.search_terms SELECT * FROM work.fresh_terms ORDER BY term")
    return unsorted


def reused_documents(con: duckdb.DuckDBPyConnection, prior: PriorIndex | None) -> int:
    """`work.reused_terms_docs`: the documents whose id and text hash the previous index also
    has (their term rows are copied); returns how many."""
    con.execute("CREATE TABLE work.reused_terms_docs (document_id VARCHAR)")
    if prior is None:
        return 0
    con.execute(
        f"""
        INSERT INTO work.reused_terms_docs
        SELECT document_id FROM work.search_hashes
        JOIN {prior.schema}.search_docs USING (document_id, text_hash)
        """
    )
    return con.sql("SELECT count(*) FROM work.reused_terms_docs").fetchone()[0]
