"""`python -m pipeline fetch URL ...`: the command-line face of the fetcher.

Refuses (exit 2, one line) unless --enable is given or PIPELINE_FETCH_ENABLED=1, so that no
script fetches by accident. Exit codes: 0 run finished with no failed page, 1 some pages
failed (see the summary), 2 refused (disabled, bad arguments, host not allowed).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from pipeline.fetch.config import DEFAULT_ALLOWED_HOSTS, FetchConfig, FetchError
from pipeline.fetch.fetcher import fetch_listings

ENABLE_ENV = "PIPELINE_FETCH_ENABLED"
REFUSAL = (
    "fetch refused: the fetcher is off by default; pass --enable or set "
    f"{ENABLE_ENV}=1 (see docs/fetching.md)"
)


def build_parser() -> argparse.ArgumentParser:
    defaults = FetchConfig()
    parser = argparse.ArgumentParser(
        prog="python -m pipeline fetch",
        description="Politely save archive pages (a listing, its pages, its documents) into raw/.",
    )
    parser.add_argument("urls", nargs="+", metavar="URL", help="listing page(s) to start from")
    parser.add_argument(
        "--raw",
        type=Path,
        default=None,
        help="folder to save into (default: $PIPELINE_RAW_DIR or ./raw)",
    )
    parser.add_argument(
        "--max-pages",
        type=int,
        default=defaults.max_pages,
        help="stop after this many pages (default: %(default)s)",
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=defaults.rate_limit_per_second,
        help="requests per second (default: %(default)s)",
    )
    parser.add_argument(
        "--allow-host",
        action="append",
        dest="allow_hosts",
        metavar="HOST",
        help=f"host allowed to fetch from, repeatable "
        f"(default: {', '.join(DEFAULT_ALLOWED_HOSTS)})",
    )
    parser.add_argument("--no-details", action="store_true", help="do not follow /document/ links")
    parser.add_argument("--no-pagination", action="store_true", help="fetch only the given pages")
    parser.add_argument(
        "--enable",
        action="store_true",
        help=f"required (or {ENABLE_ENV}=1): the fetcher is off by default",
    )
    return parser


def main(argv: list[str]) -> int:
    """Arguments after `fetch`; returns the exit code."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # argparse exits on --help and on bad arguments
        return exc.code if isinstance(exc.code, int) else 2
    if not (args.enable or os.environ.get(ENABLE_ENV) == "1"):
        print(REFUSAL, file=sys.stderr)
        return 2
    raw_dir = args.raw or Path(os.environ.get("PIPELINE_RAW_DIR") or "raw")
    try:
        config = FetchConfig(
            enabled=True,
            allowed_hosts=tuple(args.allow_hosts or DEFAULT_ALLOWED_HOSTS),
            rate_limit_per_second=args.rate,
            max_pages=args.max_pages,
            follow_details=not args.no_details,
            follow_pagination=not args.no_pagination,
        )
        report = fetch_listings(args.urls, raw_dir, config)
    except (FetchError, ValueError) as exc:
        print(
            str(exc) if str(exc).startswith("fetch refused") else f"fetch refused: {exc}",
            file=sys.stderr,
        )
        return 2
    for url, reason in report.failed:
        print(f"failed  {url}: {reason}", file=sys.stderr)
    for url, reason in report.skipped:
        print(f"skipped {url}: {reason}", file=sys.stderr)
    print(f"{report.summary()} -> {raw_dir}")
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
