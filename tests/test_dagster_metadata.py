"""What the Dagster UI shows for a table: row count, preview, column schema, quarantine kinds."""

from __future__ import annotations

import pandas as pd

from pipeline.assets.metadata import reason_counts, table_metadata
from schemas import TABLES
from tests.conftest import SEED_DETAIL


def test_quarantine_counts_by_reason_kind_not_by_file() -> None:
    q = pd.DataFrame(
        {
            "stage": ["extract", "extract", "validate"],
            "table_name": ["raw_pages", "raw_pages", "listings"],
            "rule": [None, None, "range_ordered"],
            "reason": [
                "a.txt: empty file (no visible text)",
                "sub/b.txt: empty file (no visible text)",
                "listings row x: failed range_ordered",
            ],
        }
    )
    counts = reason_counts(q)
    assert counts.to_dict("records") == [
        {
            "stage": "extract",
            "table_name": "raw_pages",
            "reason_kind": "empty file (no visible text)",
            "rows": 2,
        },
        {"stage": "validate", "table_name": "listings", "reason_kind": "range_ordered", "rows": 1},
    ]


def test_table_metadata_has_count_preview_and_described_columns(seed_outputs) -> None:  # noqa: ANN001
    docs = pd.read_parquet(seed_outputs / "documents.parquet")
    meta = table_metadata("documents", docs)
    assert meta["dagster/row_count"].value == 46
    assert meta["preview"].value.splitlines()[0].startswith("| document_id | title |")
    assert len(meta["preview"].value.splitlines()) == 2 + 5
    columns = {c.name: c.description for c in meta["dagster/column_schema"].columns}
    assert columns["n_listings"] == "distinct listings (collections/searches) holding it"


def test_schema_checks_report_the_validation_of_the_same_step(
    tmp_path,
    monkeypatch,  # noqa: ANN001
) -> None:
    """A row broken before validation: the run succeeds, the check names the quarantined row."""
    import dagster as dg

    import pipeline.runner as runner
    from pipeline.dagster_run import build_cli_job
    from tests.conftest import RAW

    assemble = runner.assemble

    def one_bad_entry(extraction, resolution, consume=False):  # noqa: ANN001, ANN202
        tables = assemble(extraction, resolution, consume)
        tables["listing_entries"].loc[3, "position"] = 0
        return tables

    monkeypatch.setattr(runner, "assemble", one_bad_entry)
    paths = {"raw_dir": str(RAW), "output_dir": str(tmp_path / "out")}
    result = build_cli_job().execute_in_process(
        run_config={"resources": {"paths": {"config": paths}}},
        instance=dg.DagsterInstance.ephemeral(),
    )
    evaluations = {
        e.asset_check_evaluation_data.check_name: e.asset_check_evaluation_data
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    }
    assert len(evaluations) == 10 and all(e.passed for e in evaluations.values())
    entries = evaluations["listing_entries_matches_schema"].metadata
    assert (entries["rows_validated"].value, entries["rows_quarantined"].value) == (51, 1)
    assert entries["failures_left"].value == 0
    assert evaluations["documents_matches_schema"].metadata["rows_quarantined"].value == 0
    published = pd.read_parquet(tmp_path / "out" / "listing_entries.parquet")
    assert len(published) == 50
    type_checks = {
        e.event_specific_data.step_output_handle.output_name: e.event_specific_data.type_check_data
        for e in result.all_events
        if e.event_type_value == "STEP_OUTPUT" and e.step_key == "published_tables"
    }
    # each table's frame passed pandera once in validate_table: its output type trusts that
    assert {t for t, c in type_checks.items() if c and c.description} == set(TABLES)
    assert all(type_checks[t].success for t in TABLES)


def test_table_type_skips_only_the_frame_that_passed_in_this_step(seed_outputs) -> None:  # noqa: ANN001
    """The output type trusts `validate_table` for that very frame object; a copy or another
    frame is validated by pandera (and a broken one fails)."""
    import dagster as dg

    from pipeline.assets.tables import _table_type
    from pipeline.validate import passed_as, validate_table

    docs = pd.read_parquet(seed_outputs / "documents.parquet")
    valid, rejected = validate_table("documents", docs)
    assert valid is docs and not rejected and passed_as(docs) == "documents"
    doc_type = _table_type("documents")
    trusted = dg.check_dagster_type(doc_type, docs)
    assert trusted.success and trusted.description == "passed pandera in pipeline.validate"
    assert passed_as(docs.copy()) is None
    copied = dg.check_dagster_type(doc_type, docs.copy())
    assert copied.success and copied.description != trusted.description
    broken = docs.copy()
    broken.loc[0, "n_listings"] = -1
    assert not dg.check_dagster_type(doc_type, broken).success
    assert not dg.check_dagster_type(_table_type("listings"), docs).success  # another model


def test_dedup_reports_the_units_a_rerun_read_back(tmp_path, raw_copy) -> None:  # noqa: ANN001
    """Dedup's metadata: how many units (dedup/units.py) it had, and how many it read back
    from the last run because their rows were unchanged."""
    import dagster as dg

    from pipeline.dagster_run import build_cli_job
    from pipeline.dedup.units import split_units
    from pipeline.runner import stage_extract
    from tests.conftest import SEED_SEARCH_4

    def dedup_metadata() -> tuple[int, int]:
        paths = {"raw_dir": str(raw_copy), "output_dir": str(tmp_path / "out")}
        result = build_cli_job().execute_in_process(
            run_config={"resources": {"paths": {"config": paths}}},
            instance=dg.DagsterInstance.ephemeral(),
        )
        (event,) = result.asset_materializations_for_node("resolved_documents")
        return event.metadata["units"].value, event.metadata["units_unchanged"].value

    page = (raw_copy / SEED_SEARCH_4).read_bytes()
    (raw_copy / SEED_SEARCH_4).unlink()
    before = stage_extract(raw_copy, tmp_path / "probe")
    assert dedup_metadata() == (len(split_units(before.entries, before.details)), 0)
    (raw_copy / SEED_SEARCH_4).write_bytes(page)
    after = stage_extract(raw_copy, tmp_path / "probe")
    units, unchanged = dedup_metadata()
    assert units == len(split_units(after.entries, after.details))
    assert 0 < unchanged < units  # the search page's ten entries touched some units, not all
    assert dedup_metadata() == (units, units)  # nothing changed: every unit read back


def test_the_raw_folder_is_walked_once_for_all_buckets(
    tmp_path,
    raw_copy,
    monkeypatch,  # noqa: ANN001
) -> None:
    """`raw_listing` lists the raw folder once and every bucket asset reads its own list: the
    buckets hold every snapshot once, each in the bucket its path hashes to."""
    import dagster as dg

    import pipeline.extract.pages as pages
    from pipeline.assets.extract import EXTRACT_BUCKETS
    from pipeline.dagster_run import build_cli_job
    from pipeline.extract.snapshot import raw_rel_paths

    (raw_copy / "sub").mkdir()
    (raw_copy / "sub" / "copy.txt").write_bytes((raw_copy / SEED_DETAIL).read_bytes())
    walks = []
    monkeypatch.setattr(pages, "raw_rel_paths", lambda raw: walks.append(raw) or raw_rel_paths(raw))
    paths = {"raw_dir": str(raw_copy), "output_dir": str(tmp_path / "out")}
    result = build_cli_job().execute_in_process(
        run_config={"resources": {"paths": {"config": paths}}},
        instance=dg.DagsterInstance.ephemeral(),
    )
    assert walks == [raw_copy]
    listing = result.output_for_node("raw_listing")
    assert sorted(rel for bucket in listing for rel in bucket) == raw_rel_paths(raw_copy)
    for bucket, rels in enumerate(listing):
        assert all(pages.bucket_of(rel, EXTRACT_BUCKETS) == bucket for rel in rels)
        part = result.output_for_node(f"extracted_pages_{bucket}")
        assert sorted(row["path"] for row in part.raw_pages) == rels
    (event,) = result.asset_materializations_for_node("raw_listing")
    assert event.metadata["files"].value == len(raw_rel_paths(raw_copy)) == 6


def test_publishing_reports_how_the_duckdb_file_was_made(tmp_path, raw_copy) -> None:  # noqa: ANN001
    """A first run loads every table; after a page is added the next run updates the copied
    file in place and says how many rows it appended and deleted."""
    import dagster as dg

    from pipeline.dagster_run import build_cli_job
    from schemas import TABLES
    from tests.conftest import SEED_SEARCH_4

    def publish_metadata() -> dict:
        paths = {"raw_dir": str(raw_copy), "output_dir": str(tmp_path / "out")}
        result = build_cli_job().execute_in_process(
            run_config={"resources": {"paths": {"config": paths}}},
            instance=dg.DagsterInstance.ephemeral(),
        )
        (event,) = result.asset_materializations_for_node("published_release")
        return {k: v.value for k, v in event.metadata.items() if k.startswith("duckdb_")}

    page = (raw_copy / SEED_SEARCH_4).read_bytes()
    (raw_copy / SEED_SEARCH_4).unlink()
    assert publish_metadata() == {
        "duckdb_tables_updated": 0,
        "duckdb_tables_loaded": len(TABLES),
        "duckdb_rows_appended": 0,
        "duckdb_rows_deleted": 0,
    }
    (raw_copy / SEED_SEARCH_4).write_bytes(page)
    second = publish_metadata()
    assert second["duckdb_tables_updated"] > 0
    assert second["duckdb_tables_updated"] + second["duckdb_tables_loaded"] == len(TABLES)
    assert second["duckdb_rows_appended"] >= 10  # the search page's ten entries at least
    assert publish_metadata() == {}  # nothing changed: no new file was built


def test_the_listing_is_type_checked_by_its_shape_not_path_by_path() -> None:
    """`raw_listing` and each bucket's input carry a type that checks a list per bucket: the
    type inferred from `list[list[str]]` checked every path five times (1.7 s at 10x)."""
    from pipeline.assets.extract import RAW_LISTING, bucket_assets, raw_listing

    assert raw_listing.op.output_defs[0].dagster_type is RAW_LISTING
    for bucket in bucket_assets:
        (listing_input,) = [i for i in bucket.op.input_defs if i.name == "raw_listing"]
        assert listing_input.dagster_type is RAW_LISTING
    assert RAW_LISTING.type_check(None, [["details/a.html"], [], ["listings/b.txt"]]).success
    assert not RAW_LISTING.type_check(None, ["details/a.html"]).success
    assert not RAW_LISTING.type_check(None, "details/a.html").success
