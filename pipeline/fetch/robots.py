"""robots.txt, fetched once per origin and honoured for our user agent.

Following RFC 9309: a missing robots.txt (404 and other 4xx) allows everything; one we cannot
get (5xx after retries, network failure) disallows everything, because "could not ask" is not
"allowed". 401/403 are read as "keep out" (Python's robotparser convention; stricter than the
RFC, which suits a polite mirror). A Crawl-delay for our agent slows the rate limiter down.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

from pipeline.fetch.transport import RequestFailed, Transport


class RobotsRules:
    """Allow/deny answers for one origin."""

    def __init__(self, parser: RobotFileParser | None = None, *, allow_all: bool = False,
                 deny_reason: str | None = None) -> None:  # fmt: skip
        self.parser = parser
        self.allow_all = allow_all
        self.deny_reason = deny_reason

    @classmethod
    def from_text(cls, text: str) -> RobotsRules:
        parser = RobotFileParser()
        parser.parse(text.splitlines())
        return cls(parser)

    def allowed(self, url: str, agent: str) -> bool:
        if self.deny_reason is not None:
            return False
        if self.allow_all or self.parser is None:
            return True
        return self.parser.can_fetch(agent, url)

    def crawl_delay(self, agent: str) -> float | None:
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(agent)
        return float(delay) if delay is not None else None


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class RobotsCache:
    """Asks each origin for robots.txt once per run."""

    def __init__(self, transport: Transport, is_allowed_host: Callable[[str], bool]) -> None:
        self.transport = transport
        self.is_allowed_host = is_allowed_host
        self.agent = transport.config.user_agent
        self._rules: dict[str, RobotsRules] = {}

    def rules_for(self, url: str) -> RobotsRules:
        origin = origin_of(url)
        if origin not in self._rules:
            rules = self._fetch(origin + "/robots.txt")
            delay = rules.crawl_delay(self.agent)
            if delay:
                self.transport.limiter.slow_down(delay)
            self._rules[origin] = rules
        return self._rules[origin]

    def why_not(self, url: str) -> str | None:
        """None when robots.txt lets us fetch url, else the reason to record."""
        rules = self.rules_for(url)
        if rules.allowed(url, self.agent):
            return None
        return rules.deny_reason or "disallowed by robots.txt"

    def _fetch(self, robots_url: str) -> RobotsRules:
        url = robots_url
        for _ in range(self.transport.config.max_redirects + 1):
            try:
                resp = self.transport.get(url)
            except RequestFailed as exc:
                return RobotsRules(deny_reason=f"robots.txt unreachable ({exc}); host skipped")
            if resp.status in {301, 302, 303, 307, 308} and resp.headers.get("location"):
                url = urljoin(url, resp.headers["location"])
                if not self.is_allowed_host(url):
                    return RobotsRules(allow_all=True)  # RFC 9309: unfollowable ~ unavailable
                continue
            if resp.status == 200:
                return RobotsRules.from_text(resp.content.decode("utf-8", errors="replace"))
            if resp.status in {401, 403}:
                return RobotsRules(deny_reason=f"robots.txt answered HTTP {resp.status}")
            if 400 <= resp.status < 500:
                return RobotsRules(allow_all=True)
            return RobotsRules(deny_reason=f"robots.txt answered HTTP {resp.status}")
        return RobotsRules(allow_all=True)
