"""Settings for the optional fetcher, and the errors it raises before touching the network.

Everything that makes the fetcher polite has a safe default here: it is off, it talks to one
host, one request a second, a bounded number of pages. Callers turn it on explicitly.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_ALLOWED_HOSTS: tuple[str, ...] = ("digitalarchive.wilsoncenter.org",)
DEFAULT_USER_AGENT = "wilson-archive-pipeline/0.1 (+research mirror; polite fetcher)"
ENABLE_HINT = (
    "the fetcher is off by default; turn it on with FetchConfig(enabled=True), "
    "`python -m pipeline fetch ... --enable` (or PIPELINE_FETCH_ENABLED=1), "
    "or the Dagster run config `enabled: true`"
)


class FetchError(Exception):
    """Base class: the fetch run was refused before any request was sent."""


class FetchDisabledError(FetchError):
    """The fetcher was called without being enabled."""


class HostNotAllowedError(FetchError):
    """A start URL points at a host outside the allow-list (or is not http/https)."""


@dataclass(frozen=True)
class FetchConfig:
    """How politely and how far to fetch. Frozen so one run cannot change its own limits."""

    enabled: bool = False
    allowed_hosts: tuple[str, ...] = DEFAULT_ALLOWED_HOSTS
    rate_limit_per_second: float = 1.0
    max_pages: int = 200
    max_retries: int = 4
    backoff_base_seconds: float = 1.0
    backoff_max_seconds: float = 60.0
    max_retry_after_seconds: float = 300.0  # a longer Retry-After fails the page instead
    user_agent: str = DEFAULT_USER_AGENT
    timeout_seconds: float = 30.0
    follow_details: bool = True
    follow_pagination: bool = True
    max_redirects: int = 5
    max_bytes: int = 16 * 1024 * 1024  # same cap the pipeline applies when reading raw/

    def __post_init__(self) -> None:
        raw = (self.allowed_hosts,) if isinstance(self.allowed_hosts, str) else self.allowed_hosts
        hosts = tuple(h.strip().lower() for h in raw if h and h.strip())
        object.__setattr__(self, "allowed_hosts", hosts)
        if not hosts:
            raise ValueError("allowed_hosts must name at least one host")
        if not self.rate_limit_per_second > 0:
            raise ValueError("rate_limit_per_second must be > 0")
        if self.max_pages < 1:
            raise ValueError("max_pages must be >= 1")
        if self.max_retries < 0 or self.max_redirects < 0:
            raise ValueError("max_retries and max_redirects must be >= 0")
        if self.backoff_base_seconds < 0 or self.max_bytes < 1:
            raise ValueError("backoff_base_seconds must be >= 0 and max_bytes >= 1")
        if not self.user_agent.strip():
            raise ValueError("user_agent must not be empty: sites need to know who is asking")

    @property
    def min_interval(self) -> float:
        """Seconds between two requests."""
        return 1.0 / self.rate_limit_per_second
