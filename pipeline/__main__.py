"""`python -m pipeline run|fetch|docs`: the command line, a thin layer over Dagster and the
pure modules. Errors a person can act on are one line and a non-zero exit; --debug shows the
traceback."""

from __future__ import annotations

import sys

from pipeline.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
