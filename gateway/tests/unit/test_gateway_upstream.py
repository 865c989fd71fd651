"""How the gateway calls a service: over kept-alive connections, cheaply, and still within its
time budget, with retries and the circuit breaker; against a real (tiny) HTTP server."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time

import httpcore
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from simpul_gateway.upstream import CircuitBreaker, Status, Upstream
from simpul_platform import tracing

pytestmark = pytest.mark.unit


async def test_httpcore_finds_sniffio_once_and_learns_it_runs_on_asyncio():
    """httpcore imports sniffio several times per request. Without it installed, every import
    searched all of sys.path again (a fifth of the gateway's CPU under load): the platform
    depends on sniffio so that the import is a dictionary lookup after the first."""
    import sniffio

    assert sys.modules["sniffio"] is sniffio
    assert httpcore._synchronization.current_async_library() == "asyncio"


class TinyService:
    """An HTTP/1.1 server on a free port that answers each GET from a script of
    (status, body) replies, keeps connections alive, and counts them. A reply of None
    never answers (a hung service)."""

    def __init__(self, script: list[tuple[int, bytes] | None]) -> None:
        self.script = script
        self.connections = 0
        self.requests: list[bytes] = []
        self.server: asyncio.Server | None = None

    async def __aenter__(self) -> str:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self.server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    async def __aexit__(self, *_: object) -> None:
        assert self.server is not None
        self.server.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
            while True:
                self.requests.append(await reader.readuntil(b"\r\n\r\n"))
                reply = self.script.pop(0) if len(self.script) > 1 else self.script[0]
                if reply is None:
                    await asyncio.sleep(3600)
                    return
                status, body = reply
                writer.write(
                    f"HTTP/1.1 {status} X\r\ncontent-type: application/json\r\n"
                    f"content-length: {len(body)}\r\n\r\n".encode()
                    + body
                )
                await writer.drain()
        writer.close()


def upstream(url: str, *, timeout_s: float = 2.0, failures_to_open: int = 3) -> Upstream:
    breaker = CircuitBreaker(failures_to_open=failures_to_open, reset_after_s=60)
    return Upstream("health", url, timeout_s=timeout_s, retries=2, breaker=breaker)


async def test_calls_reuse_one_kept_alive_connection_and_send_the_callers_token():
    service = TinyService([(200, b'{"ok": true}')])
    async with service as url:
        client = upstream(url)
        for _ in range(5):
            answer = await client.get("/v1/summary", "tok.en", {"period": "2026-07", "x": "a b"})
            assert answer.status is Status.OK and answer.data == {"ok": True}
        await client.close()
    assert service.connections == 1 and len(service.requests) == 5
    head = service.requests[0].decode().lower()
    assert head.startswith("get /v1/summary?period=2026-07&x=a+b http/1.1\r\n")
    assert f"host: {url.split('//')[1]}" in head and "authorization: bearer tok.en" in head


async def test_a_call_in_a_trace_is_a_client_span_whose_context_the_service_receives():
    service = TinyService([(200, b"{}")])
    request = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    with tracing.tap(InMemorySpanExporter()) as spans:
        async with service as url:
            client = upstream(url)
            with tracing.activated(tracing.for_service("gateway")):
                server = tracing.current().span(
                    "GET /v1/summary", tracing.parse_traceparent(request)
                )
                with server:
                    await client.get("/v1/summary", "t")
            await client.get("/v1/summary", "t")  # outside a trace: no header, no span
            await client.close()
    (call,) = spans.get_finished_spans()[:1]
    assert call.kind is SpanKind.CLIENT and call.name == "GET health"
    assert call.parent is not None and call.resource.attributes["service.name"] == "gateway"
    assert len(spans.get_finished_spans()) == 1 + 1  # the CLIENT span, then its SERVER parent
    sent = service.requests[0].decode().lower()
    assert f"traceparent: 00-{call.context.trace_id:032x}-{call.context.span_id:016x}-01" in sent
    assert "traceparent" not in service.requests[1].decode().lower()


async def test_a_5xx_is_retried_and_a_404_is_not():
    service = TinyService([(503, b"{}"), (502, b"{}"), (200, b"[1]")])
    async with service as url:
        client = upstream(url)
        assert (await client.get("/v1/indicators", "t")).data == [1]
        assert len(service.requests) == 3
        service.script = [(404, b'{"detail": "no such posyandu"}')]
        answer = await client.get("/v1/posyandu/x", "t")
        await client.close()
    assert answer.status is Status.NOT_FOUND and answer.detail == "health: no such posyandu"
    assert len(service.requests) == 4


async def test_a_refusal_is_rejected_at_once_and_leaves_the_breaker_closed():
    problem = b'{"detail": "period: use YYYY, YYYY-Qn or YYYY-MM"}'
    service = TinyService([(422, problem)])
    async with service as url:
        client = upstream(url, failures_to_open=3)
        answers = [await client.get("/v1/indicators", "t") for _ in range(4)]
        assert len(service.requests) == 4  # not retried
        assert client.breaker.state == "closed"
        service.script = [(429, b"{}"), (429, b"{}"), (200, b"[]")]  # "not now": retried
        later = await client.get("/v1/indicators", "t")
        await client.close()
    assert {a.status for a in answers} == {Status.REJECTED}
    assert answers[0].detail == (
        "health refused the request (422): period: use YYYY, YYYY-Qn or YYYY-MM"
    )
    assert later.status is Status.OK and len(service.requests) == 7


async def test_a_hung_service_is_cut_off_at_the_budget_and_opens_the_breaker():
    service = TinyService([None])
    async with service as url:
        client = upstream(url, timeout_s=0.2, failures_to_open=2)
        started = time.monotonic()
        first = await client.get("/v1/summary", "t")
        assert first.status is Status.TIMEOUT and time.monotonic() - started < 0.5
        await client.get("/v1/summary", "t")
        skipped = await client.get("/v1/summary", "t")
        await client.close()
    assert skipped.status is Status.UNAVAILABLE and "skipped" in (skipped.detail or "")
    assert client.breaker.state == "open" and len(service.requests) == 2


async def test_a_refused_connection_is_unavailable_after_the_retries():
    async with TinyService([(200, b"{}")]) as url:
        pass  # closed: nothing listens on the port any more
    client = upstream(url)
    answer = await client.get("/v1/summary", "t")
    await client.close()
    assert answer.status is Status.UNAVAILABLE and answer.detail == "health: ConnectError"
