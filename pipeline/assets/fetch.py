"""Dagster glue for the optional fetcher: off unless the run config says `enabled: true`.

Group "fetch" is kept out of the scheduled job; materialise `fetched_pages` by hand (launchpad
or `dagster asset materialize`) with a config such as the one in docs/fetching.md.
"""

from pathlib import Path

from dagster import AssetExecutionContext, Config, MaterializeResult, asset

from pipeline.fetch import DEFAULT_ALLOWED_HOSTS, FetchConfig, fetch_listings

_DEFAULTS = FetchConfig()


class FetchPagesConfig(Config):
    """Run config of `fetched_pages`; mirrors FetchConfig's polite defaults."""

    enabled: bool = False
    start_urls: list[str] = []
    max_pages: int = _DEFAULTS.max_pages
    rate_limit_per_second: float = _DEFAULTS.rate_limit_per_second
    allowed_hosts: list[str] = list(DEFAULT_ALLOWED_HOSTS)


def _raw_dir(paths: object) -> Path:
    """The paths resource's raw folder: its `raw_path()` (config, then PIPELINE_RAW_DIR, then
    raw/) when it has one, else its `raw_dir` attribute; never "" (that would mean the cwd)."""
    raw_path = getattr(paths, "raw_path", None)
    if callable(raw_path):
        return Path(raw_path())
    return Path(getattr(paths, "raw_dir", "") or "raw")


@asset(
    group_name="fetch",
    required_resource_keys={"paths"},
    description="Optional: politely fetch listing and document pages into the raw folder. "
    "Off by default (config enabled: true to run).",
)
def fetched_pages(context: AssetExecutionContext, config: FetchPagesConfig) -> MaterializeResult:
    """Runs the library fetcher; does nothing (and says so) unless explicitly enabled."""
    if not config.enabled or not config.start_urls:
        reason = "fetcher disabled" if not config.enabled else "fetcher enabled but no start_urls"
        context.log.info(f"{reason}; nothing fetched")
        return MaterializeResult(metadata={"status": reason})
    report = fetch_listings(
        config.start_urls,
        _raw_dir(context.resources.paths),
        FetchConfig(
            enabled=True,
            allowed_hosts=tuple(config.allowed_hosts),
            rate_limit_per_second=config.rate_limit_per_second,
            max_pages=config.max_pages,
        ),
    )
    context.log.info(report.summary())
    for url, reason in report.failed:
        context.log.warning(f"failed {url}: {reason}")
    return MaterializeResult(
        metadata={
            "status": report.summary(),
            "saved": len(report.saved),
            "not_modified": len(report.not_modified),
            "skipped": len(report.skipped),
            "failed": len(report.failed),
            "requests": report.requests,
        }
    )


fetch_assets = [fetched_pages]
