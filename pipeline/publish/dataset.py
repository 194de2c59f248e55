"""A release's tables as a Hive-partitioned Parquet dataset, for engines that read a folder of
files from object storage (DuckDB `read_parquet(..., hive_partitioning = true)`, Spark,
pyarrow.dataset) rather than one file per table.

Layout under the destination (a local folder or a pyarrow filesystem URI such as s3://…):

    <dest>/<release id>/documents/year=1949/part-0.parquet
    <dest>/<release id>/documents/year=__HIVE_DEFAULT_PARTITION__/part-0.parquet   (undated)
    <dest>/<release id>/raw_pages/part-0.parquet                                   (no documents)
    <dest>/<release id>/_SUCCESS      manifest: tables, rows and files; written last
    <dest>/LATEST                     the newest complete release id; written after _SUCCESS

Every table with a `document_id` is partitioned by that document's year (`documents.date_start`),
so a document's rows in every table share one partition: a reader of one year reads one folder
per table. The other tables (raw pages, listings, quarantine) are one file each. A release is
written once and never changed (its id is the hash of its Parquet bytes): a second export of the
same release does nothing. On a local destination the release is written under a temporary
name and renamed into place; on object storage, where a rename is a copy, `_SUCCESS` and then
`LATEST` are written last, so a reader who starts from `LATEST` never sees a partial release.
Tables are read a record batch at a time: the full texts are never held whole.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from pipeline.publish.parquet import WRITER_OPTIONS

PARTITION = "year"
NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"  # Hive's name for a null key: undated documents
SUCCESS = "_SUCCESS"
LATEST = "LATEST"
GROUP_BYTES = 2 << 20  # a row group's (and a read batch's) data: ~100 rows of full texts
ROWS_PER_GROUP = 64_000  # at most, as in the release's files


@dataclass
class DatasetReport:
    """What an export wrote (or found already written)."""

    release_id: str
    location: str
    written: bool
    tables: dict[str, dict] = field(default_factory=dict)  # table → {rows, files, partitioned}

    def summary(self) -> str:
        files = sum(len(t["files"]) for t in self.tables.values())
        state = "written" if self.written else "already there"
        return f"{state} {self.location} ({len(self.tables)} tables, {files} files)"


def _filesystem(dest: str) -> tuple[pafs.FileSystem, str, bool]:
    """(filesystem, base path, is local) for a folder path or a URI pyarrow knows."""
    if "://" in dest:
        fs, base = pafs.FileSystem.from_uri(dest)
        return fs, base.rstrip("/"), isinstance(fs, pafs.LocalFileSystem)
    return pafs.LocalFileSystem(), str(Path(dest).absolute()), True


def _exists(fs: pafs.FileSystem, path: str) -> bool:
    return fs.get_file_info(path).type != pafs.FileType.NotFound


def document_years(release: Path) -> tuple[pa.Array, pa.Array]:
    """(document ids, their year or null) from the release's documents table."""
    docs = pq.read_table(release / "documents.parquet", columns=["document_id", "date_start"])
    return (
        docs.column("document_id").combine_chunks(),
        pc.year(docs.column("date_start").combine_chunks()),
    )


def group_rows(parquet: pq.ParquetFile) -> int:
    """Rows per read batch and (at least) per written row group: about GROUP_BYTES of data.

    The writer holds up to that many rows per partition before it writes a group, so memory
    stays near partitions x GROUP_BYTES whatever the table's size (full texts included)."""
    meta = parquet.metadata
    data = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    row_bytes = max(data // max(meta.num_rows, 1), 1)
    return max(64, min(ROWS_PER_GROUP, GROUP_BYTES // row_bytes))


def _batches_with_year(
    parquet: pq.ParquetFile, rows: int, ids: pa.Array, years: pa.Array
) -> tuple[pa.Schema, Iterator[pa.RecordBatch]]:
    """The table's record batches with the `year` of each row's document appended."""
    schema = parquet.schema_arrow.append(pa.field(PARTITION, pa.int64()))

    def batches() -> Iterator[pa.RecordBatch]:
        for batch in parquet.iter_batches(batch_size=rows):
            where = pc.index_in(batch.column("document_id"), value_set=ids)
            year = pc.take(years, where)
            yield pa.RecordBatch.from_arrays([*batch.columns, year], schema=schema)

    return schema, batches()


def _write_table(
    release: Path, table: str, fs: pafs.FileSystem, base: str, ids: pa.Array, years: pa.Array
) -> dict:
    """One table under base/<table>/; returns its rows, files and whether it is partitioned."""
    path = release / f"{table}.parquet"
    parquet = pq.ParquetFile(path)
    partitioned = "document_id" in parquet.schema_arrow.names
    files: list[str] = []
    options = ds.ParquetFileFormat().make_write_options(
        compression=WRITER_OPTIONS["compression"],
        compression_level=WRITER_OPTIONS["compression_level"],
        use_dictionary=WRITER_OPTIONS["use_dictionary"],
        write_statistics=WRITER_OPTIONS["write_statistics"],
        data_page_version=WRITER_OPTIONS["data_page_version"],
        version=WRITER_OPTIONS["version"],
    )
    rows = group_rows(parquet)
    if partitioned:
        schema, batches = _batches_with_year(parquet, rows, ids, years)
        partitioning = ds.partitioning(pa.schema([pa.field(PARTITION, pa.int64())]), flavor="hive")
    else:
        schema = parquet.schema_arrow
        batches = parquet.iter_batches(batch_size=rows)
        partitioning = None
    ds.write_dataset(
        pa.RecordBatchReader.from_batches(schema, batches),
        f"{base}/{table}",
        format="parquet",
        partitioning=partitioning,
        basename_template="part-{i}.parquet",
        filesystem=fs,
        file_options=options,
        use_threads=False,  # rows keep the release's order, so the bytes are the same each time
        preserve_order=True,
        min_rows_per_group=rows,
        max_rows_per_group=max(rows, ROWS_PER_GROUP),
        existing_data_behavior="error",
        file_visitor=lambda written: files.append(written.path.removeprefix(f"{base}/")),
    )
    if not files:  # no rows: one empty file, so that readers still find the table's columns
        empty = f"{table}/{PARTITION}={NULL_PARTITION}" if partitioned else table
        fs.create_dir(f"{base}/{empty}", recursive=True)
        with fs.open_output_stream(f"{base}/{empty}/part-0.parquet") as out:
            pq.write_table(parquet.schema_arrow.empty_table(), out, **WRITER_OPTIONS)
        files.append(f"{empty}/part-0.parquet")
    return {"rows": parquet.metadata.num_rows, "files": sorted(files), "partitioned": partitioned}


def export_dataset(release: Path, dest: str) -> DatasetReport:
    """Write the release folder's tables to `dest` as a partitioned dataset (see module doc)."""
    release = Path(release)
    release_id = release.name
    fs, root, local = _filesystem(dest)
    final = f"{root}/{release_id}"
    report = DatasetReport(release_id, final, written=False)
    if _exists(fs, f"{final}/{SUCCESS}"):
        manifest = json.loads(fs.open_input_stream(f"{final}/{SUCCESS}").read())
        report.tables = manifest["tables"]
        _write_text(fs, f"{root}/{LATEST}", release_id)
        return report
    base = f"{root}/.{release_id}.tmp-{os.getpid()}" if local else final
    if _exists(fs, base):
        fs.delete_dir(base)  # a partial export: its files are rewritten whole
    fs.create_dir(base, recursive=True)
    ids, years = document_years(release)
    tables = sorted(p.name.removesuffix(".parquet") for p in release.glob("*.parquet"))
    for table in tables:
        report.tables[table] = _write_table(release, table, fs, base, ids, years)
    manifest = {"release_id": release_id, "partition": PARTITION, "tables": report.tables}
    _write_text(fs, f"{base}/{SUCCESS}", json.dumps(manifest, indent=1, sort_keys=True))
    if local:
        if _exists(fs, final):
            fs.delete_dir(final)  # a release without _SUCCESS: a write that died
        fs.move(base, final)
    _write_text(fs, f"{root}/{LATEST}", release_id)
    report.written = True
    return report


def _write_text(fs: pafs.FileSystem, path: str, text: str) -> None:
    """A small file; on a local destination written aside and renamed over the old one."""
    if isinstance(fs, pafs.LocalFileSystem):
        tmp = f"{path}.tmp-{os.getpid()}"
        with fs.open_output_stream(tmp) as out:
            out.write(text.encode("utf-8"))
        os.replace(tmp, path)
        return
    with fs.open_output_stream(path) as out:
        out.write(text.encode("utf-8"))
