"""Page texts parsed in a run wait on disk, not in the rows, until the Parquet writer reads
them (pipeline/extract/text_spool.py); the run removes them once written."""

from __future__ import annotations

import multiprocessing
import os
import pickle
import random
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from pipeline.extract.text_spool import STALE_SECONDS, TextSpool, remove_spool, sweep_stale
from pipeline.packed_text import PackedText, SpooledText, SpoolGone, packed_of, unpacked
from pipeline.runner import (
    run_pipeline,
    stage_extract,
    stage_resolve,
    stage_tables,
    stage_write_release,
)
from tests.helpers.pages import dated_entries, new_detail_page, random_body, write

TEXTS = ["Comrade Filippov! The train left at 6.", "Кому: тов. Ковалеву — “urgent”.", ""]


def test_spooled_texts_read_back_and_cross_processes_as_places(tmp_path: Path) -> None:
    spool = TextSpool(tmp_path / "spool")
    spooled = [spool.put(PackedText.pack(text)) for text in TEXTS]
    (path,) = spool.close()
    assert [str(s) for s in spooled] == TEXTS and unpacked(spooled[1]) == TEXTS[1]
    assert [s.offset for s in spooled] == [0, spooled[0].length, sum(s.length for s in spooled[:2])]
    assert Path(path).stat().st_size == sum(s.length for s in spooled)
    assert packed_of(spooled[0]) == PackedText.pack(TEXTS[0])
    copy = pickle.loads(pickle.dumps(spooled[1]))
    assert copy == spooled[1] and copy != spooled[0] and len(pickle.dumps(copy)) < 200
    remove_spool([path])
    with pytest.raises(SpoolGone, match=f"spooled text gone: {path}"):
        str(copy)


def _child_puts(spool: TextSpool, text: str, queue: multiprocessing.Queue) -> None:
    spooled = spool.put(PackedText.pack(text))
    queue.put((spool.flush(), spooled))


def test_a_forked_process_writes_its_own_file(tmp_path: Path) -> None:
    """Extraction workers inherit the parent's spool: each must open its own file, and never
    write the parent's texts again."""
    spool = TextSpool(tmp_path / "spool")
    mine = spool.put(PackedText.pack(TEXTS[0]))
    spool.flush()
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_child_puts, args=(spool, TEXTS[1], queue))
    child.start()
    (child_file,), theirs = queue.get(timeout=30)
    child.join(30)
    (my_file,) = spool.close()
    assert child_file != my_file and Path(child_file).parent == Path(my_file).parent
    assert str(theirs) == TEXTS[1] and str(mine) == TEXTS[0]
    assert Path(my_file).stat().st_size == mine.length  # nothing of the child's in mine
    assert Path(child_file).stat().st_size == theirs.length


def test_stale_spools_of_dead_runs_are_swept(tmp_path: Path) -> None:
    folder = tmp_path / "spool"
    spool = TextSpool(folder)
    spool.put(PackedText.pack("fresh"))
    (fresh,) = spool.close()
    old = folder / "123-1.spool"
    old.write_bytes(b"left by a run that died")
    day_ago = old.stat().st_mtime - STALE_SECONDS - 60
    os.utime(old, (day_ago, day_ago))
    assert sweep_stale(folder) == [old]
    assert Path(fresh).is_file() and not old.exists()


def _detail_folder(raw: Path, n: int) -> dict[str, str]:
    """n new-site detail pages; their bodies by record id."""
    rng = random.Random(11)
    bodies = {}
    for i, entry in enumerate(dated_entries()[:n]):
        body = [f"Page {i}: {p}" for p in random_body(rng)]
        write(raw / f"detail_{i:02d}.txt", new_detail_page(entry, body))
        bodies[f"detail_{i:02d}.txt"] = body
    return {name: "\n\n".join(body) for name, body in bodies.items()}


def test_workers_spool_the_texts_and_the_run_removes_them(tmp_path: Path) -> None:
    """Two forked workers spool the bodies they parse (one file each); writing the release's
    Parquet removes them, and the files hold the texts. A whole run (in this process) hands
    the texts back as `str` and leaves no spool either."""
    raw, out = tmp_path / "raw", tmp_path / "out"
    bodies = _detail_folder(raw, 12)
    extraction = stage_extract(raw, out, processes=2)
    spooled = {d["path"]: d["body"] for d in extraction.details}
    assert all(isinstance(b, SpooledText) for b in spooled.values())
    assert {b.path for b in spooled.values()} == set(extraction.spool_files)
    assert len(extraction.spool_files) == 2
    for name, text in bodies.items():
        assert str(spooled[name]) == text
    tables = stage_tables(extraction, stage_resolve(extraction), consume=True)
    staging = stage_write_release(tables, out, extraction.spool_files)
    assert not list((out / ".cache" / "spool").glob("*.spool"))
    published = pq.read_table(staging / "document_pages.parquet").column("body").to_pylist()
    assert sorted(published) == sorted(bodies.values())

    run = run_pipeline(raw, tmp_path / "out2")
    assert not list((tmp_path / "out2" / ".cache" / "spool").glob("*.spool"))
    assert sorted(run.tables["document_pages"]["body"]) == sorted(bodies.values())
    published = pq.read_table(tmp_path / "out2" / "document_pages.parquet").column("body")
    assert sorted(published.to_pylist()) == sorted(bodies.values())
