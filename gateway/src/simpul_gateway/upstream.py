"""Calls to one upstream service: a time budget, retries with jitter, and a circuit breaker.

A view never waits longer than the budget for any service, and a service that keeps failing
is skipped (answered as unavailable at once) until the breaker's reset time has passed.

Calls go through httpcore's connection pool (keep-alive, one pool per service) rather than an
httpx client: the gateway sends plain GETs and needs none of httpx's request building, cookie
jar, redirects or auth flows, which were a third of its CPU per upstream call under load.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpcore

from simpul_platform import context, tracing

# What httpx counts as a TransportError, at the httpcore level where the gateway calls.
_TRANSPORT_ERRORS = (
    httpcore.TimeoutException,
    httpcore.NetworkError,
    httpcore.ProtocolError,
    httpcore.ProxyError,
    httpcore.UnsupportedProtocol,
)


# 4xx answers that mean "not now" rather than "not this": retried, and they count as failures.
_COME_BACK_LATER = (408, 429)


class Status(StrEnum):
    OK = "ok"
    NOT_AVAILABLE = "not_available"  # no service for this field exists yet
    UNAVAILABLE = "unavailable"  # down, erroring, or skipped by the open breaker
    TIMEOUT = "timeout"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    REJECTED = "rejected"  # the service answered 4xx to what we asked (a bad period, say)


@dataclass
class Answer:
    status: Status
    data: Any = None
    detail: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is Status.OK


class CircuitBreaker:
    def __init__(self, failures_to_open: int, reset_after_s: float) -> None:
        self.failures_to_open = failures_to_open
        self.reset_after_s = reset_after_s
        self.failures = 0
        self.opened_at: float | None = None

    @property
    def state(self) -> str:
        if self.opened_at is None:
            return "closed"
        return "half_open" if self._cooled_down() else "open"

    def allows(self) -> bool:
        # After the reset time one trial call goes through (half-open); its outcome decides.
        return self.opened_at is None or self._cooled_down()

    def record(self, success: bool) -> None:
        if success:
            self.failures, self.opened_at = 0, None
            return
        self.failures += 1
        if self.failures >= self.failures_to_open:
            self.opened_at = time.monotonic()

    def _cooled_down(self) -> bool:
        return (
            self.opened_at is not None and time.monotonic() - self.opened_at >= self.reset_after_s
        )


@dataclass(frozen=True)
class Reply:
    """An upstream's answer, read whole."""

    status: int
    headers: list[tuple[bytes, bytes]]
    content: bytes
    reason: str

    def header(self, name: bytes) -> str:
        return next((v.decode("latin-1") for k, v in self.headers if k.lower() == name), "")

    def json(self) -> Any:
        return json.loads(self.content)


class Upstream:
    """One service the gateway reads from."""

    def __init__(
        self, name: str, base_url: str, *, timeout_s: float, retries: int, breaker: CircuitBreaker
    ) -> None:
        self.name = name
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self.retries = retries
        self.breaker = breaker
        self._host = urlsplit(self.base_url).netloc.encode("ascii")
        self._timeouts = dict.fromkeys(("connect", "read", "write", "pool"), timeout_s)
        # httpx's default limits: 8 clients fan out to at most 16 concurrent calls per service.
        self._pool = (
            httpcore.AsyncConnectionPool(
                max_connections=100, max_keepalive_connections=20, keepalive_expiry=5.0
            )
            if base_url
            else None
        )

    @property
    def exists(self) -> bool:
        return self._pool is not None

    async def get(self, path: str, token: str, params: dict[str, Any] | None = None) -> Answer:
        """GET within the time budget; never raises for upstream trouble."""
        if self._pool is None:
            return Answer(Status.NOT_AVAILABLE, detail=f"no {self.name} service is deployed yet")
        if not self.breaker.allows():
            return Answer(Status.UNAVAILABLE, detail=f"{self.name} is failing; skipped for now")
        try:
            async with asyncio.timeout(self.timeout_s):  # unlike wait_for, no task per call
                with tracing.client_call(
                    f"GET {self.name}", {"server.address": self._host.decode()}
                ):
                    answer = await self._get_with_retries(path, token, params)
        except TimeoutError:
            answer = Answer(
                Status.TIMEOUT, detail=f"{self.name} did not answer in {self.timeout_s}s"
            )
        self.breaker.record(answer.status not in (Status.UNAVAILABLE, Status.TIMEOUT))
        return answer

    async def _get_with_retries(
        self, path: str, token: str, params: dict[str, Any] | None
    ) -> Answer:
        # A list value is the parameter repeated (``?source_event_id=a&source_event_id=b``).
        query = urlencode(params, doseq=True) if params else ""
        url = f"{self.base_url}{path}?{query}" if query else self.base_url + path
        headers = [
            (b"host", self._host),
            (b"accept", b"application/json"),
            (b"authorization", b"Bearer " + token.encode("latin-1")),
        ]
        if (parent := context.traceparent.get()) is not None:  # the CLIENT span of get()
            headers.append((b"traceparent", parent.encode("latin-1")))
        answer = Answer(Status.UNAVAILABLE)
        for attempt in range(self.retries + 1):
            if attempt:
                await asyncio.sleep(random.uniform(0.05, 0.15) * attempt)  # jitter: no herd
            try:
                reply = await self._request(url, headers)
            except _TRANSPORT_ERRORS as exc:
                answer = Answer(Status.UNAVAILABLE, detail=f"{self.name}: {type(exc).__name__}")
                continue
            answer = _classify(self.name, reply)
            if answer.status is not Status.UNAVAILABLE:  # only 5xx and transport errors retry
                return answer
        return answer

    async def _request(self, url: str, headers: list[tuple[bytes, bytes]]) -> Reply:
        assert self._pool is not None
        response = await self._pool.request(
            "GET", url, headers=headers, extensions={"timeout": self._timeouts}
        )
        reason = response.extensions.get("reason_phrase", b"").decode("ascii", "replace")
        return Reply(response.status, response.headers, response.content, reason)

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.aclose()


def _classify(name: str, reply: Reply) -> Answer:
    if reply.status < 300:
        return Answer(Status.OK, data=reply.json())
    detail = _problem_detail(reply)
    if reply.status in (401, 403):
        return Answer(Status.FORBIDDEN, detail=f"{name}: {detail}")
    if reply.status == 404:
        return Answer(Status.NOT_FOUND, detail=f"{name}: {detail}")
    if reply.status < 500 and reply.status not in _COME_BACK_LATER:
        # The service is up and said no to what we asked: asking again would get the same
        # answer, and it says nothing about the service's health (the breaker stays closed).
        return Answer(
            Status.REJECTED,
            data=reply.json() if _is_json(reply) else None,
            detail=f"{name} refused the request ({reply.status}): {detail}",
        )
    return Answer(Status.UNAVAILABLE, detail=f"{name} failed ({reply.status})")


def _is_json(reply: Reply) -> bool:
    return "json" in reply.header(b"content-type")


def _problem_detail(reply: Reply) -> str:
    if _is_json(reply):
        body = reply.json()
        if isinstance(body, dict):
            return str(body.get("detail") or body.get("title") or reply.reason)
    return reply.reason
