"""`python -m pipeline run|fetch|docs`: the command line, a thin layer over Dagster and the
pure modules. Errors a person can act on are one line and a non-zero exit; --debug shows the
traceback."""

from __future__ import annotations

import gc
import sys

from pipeline.cli import main


def _exit(code: int) -> None:
    """Leave without the interpreter's last walk over every live object.

    At exit Python collects garbage once more over everything still alive (Dagster, pandas,
    DuckDB modules and their objects): about 0.8 s after an archive-scale run. Frozen objects
    are skipped by that walk (0.08 s). By now main() has closed what it opened (files, DuckDB
    connections, the Dagster instance); atexit handlers still run.
    """
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":
    _exit(main(sys.argv[1:]))
