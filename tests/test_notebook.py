"""notebooks/explore.ipynb runs top to bottom on the seed outputs and draws its two figures.

The notebook is executed with nbclient in a `python3` kernel of this interpreter (the venv's
ipykernel), reading the outputs of a pipeline run over raw/ and writing its PNGs to tmp_path.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import struct
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from tests.conftest import REPO

NOTEBOOK = REPO / "notebooks" / "explore.ipynb"
FIGURES = ("documents_per_year.png", "sender_recipient.png")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture()
def python3_kernel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Make sure kernel "python3" starts this interpreter (sys.executable), not another Python.

    jupyter_client replaces an argv[0] of "python"/"python3" with sys.executable, so the venv's
    own kernelspec qualifies; any other (say a user-level one pointing elsewhere) is shadowed by
    a kernelspec written to tmp_path and put first on JUPYTER_PATH.
    """
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    assert importlib.util.find_spec("ipykernel"), "ipykernel is missing: run `make install`"
    names = {"python", f"python{sys.version_info[0]}", "python{}.{}".format(*sys.version_info[:2])}
    try:
        argv0 = KernelSpecManager().get_kernel_spec("python3").argv[0]
        ours = argv0 in names or Path(argv0).resolve() == Path(sys.executable).resolve()
    except NoSuchKernel:
        ours = False
    if not ours:
        spec_dir = tmp_path / "jupyter" / "kernels" / "python3"
        spec_dir.mkdir(parents=True)
        spec = {
            "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "Python 3 (pipeline venv)",
            "language": "python",
        }
        (spec_dir / "kernel.json").write_text(json.dumps(spec))
        monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    argv0 = KernelSpecManager().get_kernel_spec("python3").argv[0]
    assert argv0 in names or Path(argv0).resolve() == Path(sys.executable).resolve()
    return "python3"


def _execute(notebook: Path, cwd: Path, kernel: str) -> nbformat.NotebookNode:
    nb = nbformat.read(notebook, as_version=4)
    client = NotebookClient(
        nb,
        kernel_name=kernel,
        timeout=120,
        resources={"metadata": {"path": str(cwd)}},
    )
    client.execute()
    return nb


def _printed(nb: nbformat.NotebookNode) -> list[str]:
    """Every line the notebook printed (stdout streams), in order."""
    lines = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.output_type == "stream" and output.name == "stdout":
                lines.extend(output.text.splitlines())
    return lines


def _errors(nb: nbformat.NotebookNode) -> list[str]:
    return [
        f"{o.ename}: {o.evalue}"
        for cell in nb.cells
        for o in cell.get("outputs", [])
        if o.output_type == "error"
    ]


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC, f"{path.name} is not a PNG"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    assert data.rstrip(b"\0").endswith(b"IEND\xaeB`\x82"), f"{path.name} is cut short"
    return width, height


def _check_figures(figures: Path) -> None:
    for name in FIGURES:
        path = figures / name
        assert path.is_file(), f"the notebook did not save {name}"
        assert path.stat().st_size > 10_000, f"{name} is suspiciously small"
        width, height = _png_size(path)
        assert width >= 600 and height >= 300, (name, width, height)


def test_committed_notebook_is_clean() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, "no code cells"
    assert all(c.outputs == [] and c.execution_count is None for c in code), "clear outputs"
    # explained step by step: a markdown cell before most code cells
    assert sum(c.cell_type == "markdown" for c in nb.cells) >= len(code) // 2


def test_notebook_runs_on_the_seed_outputs(
    seed_outputs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, python3_kernel: str
) -> None:
    figures = tmp_path / "figures"
    monkeypatch.setenv("PIPELINE_OUTPUT_DIR", str(seed_outputs))
    monkeypatch.setenv("NOTEBOOK_FIGURES_DIR", str(figures))

    nb = _execute(NOTEBOOK, NOTEBOOK.parent, python3_kernel)

    assert _errors(nb) == []
    printed = _printed(nb)
    assert f"outputs: {seed_outputs.resolve()}" in printed
    assert f"figures: {figures.resolve()}" in printed
    assert "total documents: 46" in printed
    assert "documents              46 rows   18 columns" in printed
    assert "dated documents: 45; undated (not plotted): 1" in printed
    assert "most frequent: Mao Zedong -> Joseph Stalin (11 documents)" in printed
    assert "Xinjiang: 14 documents" in printed
    assert (
        "first Xinjiang result: Report of Cde. Peng Dehuai about the Situation in Xinjiang"
        in printed
    )
    assert "Kovalev: 7 documents" in printed
    assert "saved documents_per_year.png" in printed and "saved sender_recipient.png" in printed
    _check_figures(figures)
    # the committed file is left as it was (executed in memory only)
    assert all(c.get("outputs", []) == [] for c in nbformat.read(NOTEBOOK, 4).cells)


def test_notebook_finds_outputs_next_to_its_folder(
    seed_outputs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, python3_kernel: str
) -> None:
    """Without PIPELINE_OUTPUT_DIR, a notebook in <project>/notebooks reads <project>/outputs."""
    project = tmp_path / "project"
    (project / "notebooks").mkdir(parents=True)
    shutil.copy(NOTEBOOK, project / "notebooks" / NOTEBOOK.name)
    shutil.copytree(seed_outputs, project / "outputs", symlinks=True)
    figures = tmp_path / "figures"
    monkeypatch.delenv("PIPELINE_OUTPUT_DIR", raising=False)
    monkeypatch.setenv("NOTEBOOK_FIGURES_DIR", str(figures))

    nb = _execute(project / "notebooks" / NOTEBOOK.name, project / "notebooks", python3_kernel)

    assert _errors(nb) == []
    printed = _printed(nb)
    assert f"outputs: {(project / 'outputs').resolve()}" in printed
    assert "total documents: 46" in printed
    _check_figures(figures)


def test_notebook_without_outputs_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, python3_kernel: str
) -> None:
    empty = tmp_path / "no_outputs_here"
    empty.mkdir()
    monkeypatch.setenv("PIPELINE_OUTPUT_DIR", str(empty))
    monkeypatch.setenv("NOTEBOOK_FIGURES_DIR", str(tmp_path / "figures"))

    with pytest.raises(CellExecutionError) as info:
        _execute(NOTEBOOK, NOTEBOOK.parent, python3_kernel)

    message = str(info.value)
    assert "FileNotFoundError" in message
    assert "run `make run` first" in message and str(empty) in message
    assert not (tmp_path / "figures" / FIGURES[0]).exists()
