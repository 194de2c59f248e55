"""One GET at a time, politely: a rate limit before every request, retries with backoff.

Redirects are NOT followed here (the crawler checks each hop against the allow-list and
robots.txt first). 429 and 5xx responses, and network errors, are retried with exponential
backoff; a Retry-After header, in seconds or as an HTTP date, replaces the backoff delay.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from pipeline.fetch.config import FetchConfig

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
Sleep = Callable[[float], None]
Clock = Callable[[], float]
Now = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class RequestFailed(Exception):
    """A request gave up; the message is the reason recorded in the report."""


@dataclass(frozen=True)
class Fetched:
    """A final (non-retried) response. `content` is read only for 200."""

    url: str
    status: int
    headers: httpx.Headers
    content: bytes = b""


class RateLimiter:
    """Keeps at least `interval` seconds between request starts (time spent sleeping in a
    backoff counts, so a retry is not delayed twice)."""

    def __init__(self, interval: float, clock: Clock, sleep: Sleep) -> None:
        self.interval = interval
        self.clock = clock
        self.sleep = sleep
        self._last: float | None = None

    def slow_down(self, interval: float) -> None:
        """Honour a robots.txt Crawl-delay longer than our own rate."""
        self.interval = max(self.interval, interval)

    def wait(self) -> None:
        if self._last is not None:
            remaining = self._last + self.interval - self.clock()
            if remaining > 0:
                self.sleep(remaining)
        self._last = self.clock()


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header ("120" or an HTTP date); None if unusable."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


class _TooLarge(Exception):
    pass


class Transport:
    """GET with rate limit and retries; counts every request actually sent."""

    def __init__(
        self,
        client: httpx.Client,
        config: FetchConfig,
        *,
        sleep: Sleep = time.sleep,
        clock: Clock = time.monotonic,
        now: Now = utc_now,
    ) -> None:
        self.client = client
        self.config = config
        self.sleep = sleep
        self.now = now
        self.limiter = RateLimiter(config.min_interval, clock, sleep)
        self.requests = 0

    def backoff(self, attempt: int) -> float:
        """base, 2*base, 4*base, ... capped; no jitter (one client, sequential requests)."""
        return min(self.config.backoff_base_seconds * 2**attempt, self.config.backoff_max_seconds)

    def get(self, url: str, headers: dict[str, str] | None = None) -> Fetched:
        """The first non-retryable response, or RequestFailed once retries are spent."""
        cfg = self.config
        send = {"User-Agent": cfg.user_agent, **(headers or {})}
        problem = ""
        for attempt in range(cfg.max_retries + 1):
            self.limiter.wait()
            self.requests += 1
            retry_after: float | None = None
            try:
                with self.client.stream(
                    "GET", url, headers=send, follow_redirects=False, timeout=cfg.timeout_seconds
                ) as resp:
                    if resp.status_code not in RETRY_STATUSES:
                        content = self._read(resp) if resp.status_code == 200 else b""
                        return Fetched(url, resp.status_code, resp.headers, content)
                    problem = f"HTTP {resp.status_code}"
                    retry_after = parse_retry_after(resp.headers.get("retry-after"), self.now())
            except _TooLarge:
                raise RequestFailed(f"response larger than max_bytes={cfg.max_bytes}") from None
            except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
                raise RequestFailed(f"cannot request this URL: {exc}") from None
            except httpx.TransportError as exc:
                problem = f"network error ({type(exc).__name__}: {exc})"
            if attempt == cfg.max_retries:
                break
            delay = self.backoff(attempt) if retry_after is None else retry_after
            if delay > cfg.max_retry_after_seconds:
                raise RequestFailed(
                    f"{problem}; server asked to wait {delay:.0f}s, over "
                    f"max_retry_after_seconds={cfg.max_retry_after_seconds:.0f}"
                )
            self.sleep(delay)
        attempts = cfg.max_retries + 1
        raise RequestFailed(f"{problem} after {attempts} attempt{'s' if attempts > 1 else ''}")

    def _read(self, resp: httpx.Response) -> bytes:
        chunks: list[bytes] = []
        size = 0
        for chunk in resp.iter_bytes():
            size += len(chunk)
            if size > self.config.max_bytes:
                raise _TooLarge
            chunks.append(chunk)
        return b"".join(chunks)
