"""Optional, polite fetcher: saves archive pages into raw/ for the (offline) pipeline.

Off by default. Nothing here imports Dagster; `pipeline.assets.fetch` and `pipeline.fetch.cli`
are the thin wrappers. See docs/fetching.md.
"""

from pipeline.fetch.config import (
    DEFAULT_ALLOWED_HOSTS,
    DEFAULT_USER_AGENT,
    FetchConfig,
    FetchDisabledError,
    FetchError,
    HostNotAllowedError,
)
from pipeline.fetch.fetcher import FetchReport, Problem, fetch_listing, fetch_listings
from pipeline.fetch.names import file_name_for

__all__ = [
    "DEFAULT_ALLOWED_HOSTS",
    "DEFAULT_USER_AGENT",
    "FetchConfig",
    "FetchDisabledError",
    "FetchError",
    "FetchReport",
    "HostNotAllowedError",
    "Problem",
    "fetch_listing",
    "fetch_listings",
    "file_name_for",
]
