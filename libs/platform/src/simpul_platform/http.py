"""Request context middleware: ids for logs and events, metrics per route."""

from __future__ import annotations

import logging
import time
import uuid

from opentelemetry import trace
from opentelemetry.trace import INVALID_SPAN, Span, SpanKind, StatusCode
from opentelemetry.util.types import AttributeValue
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from simpul_platform import context, metrics, tracing
from simpul_platform.errors import ContentTooLarge, FieldError, ProblemError, problem_response

access_log = logging.getLogger("simpul.access")


# Probes and scrapes, every few seconds per process: traces of them would bury the requests'.
UNTRACED_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


class RequestContextMiddleware:
    """Sets request id and traceparent for the request, and echoes the request id back."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        incoming = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming[:128] if incoming else uuid.uuid4().hex
        parent = tracing.parse_traceparent(headers.get(b"traceparent", b"").decode("latin-1"))
        request_token = context.request_id.set(request_id)
        if scope.get("path") in UNTRACED_PATHS:
            try:
                await self._traced(scope, receive, send, request_id, INVALID_SPAN)
            finally:
                context.request_id.reset(request_token)
            return
        server = tracing.for_service(self.service)
        span = server.start(
            scope.get("method", "HTTP"), parent, kind=SpanKind.SERVER, attributes=_http(scope)
        )
        try:
            with (
                trace.use_span(span, end_on_exit=True),
                tracing.current_traceparent(span),
                tracing.activated(server),
            ):
                await self._traced(scope, receive, send, request_id, span)
        finally:
            context.request_id.reset(request_token)

    async def _traced(
        self, scope: Scope, receive: Receive, send: Send, request_id: str, span: Span
    ) -> None:
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"].append((b"x-request-id", request_id.encode()))
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            route = scope.get("route")
            path = getattr(route, "path", "unmatched")
            method = scope.get("method", "")
            _end_server_span(span, method, getattr(route, "path", None), status)
            metrics.HTTP_REQUESTS.labels(self.service, method, path, str(status)).inc()
            elapsed = time.perf_counter() - started
            metrics.HTTP_LATENCY.labels(self.service, method, path).observe(elapsed)
            access_log.info(
                "request",
                extra={
                    "method": method,
                    "path": scope.get("path"),
                    "route": path,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 1),
                },
            )


def _http(scope: Scope) -> dict[str, AttributeValue]:
    return {
        "http.request.method": scope.get("method", ""),
        "url.path": scope.get("path", ""),
        "url.scheme": scope.get("scheme", "http"),
    }


def _end_server_span(span: Span, method: str, route: str | None, status: int) -> None:
    """The SERVER span named after its route template (known only once routed) and status."""
    if not span.is_recording():
        return
    if route is not None:
        span.update_name(f"{method} {route}")
        span.set_attribute("http.route", route)
    span.set_attribute("http.response.status_code", status)
    if status >= 500:  # a 4xx is the client's error, not the server span's (semconv)
        span.set_status(StatusCode.ERROR)


async def read_body(receive: Receive) -> bytes:
    """The whole request body, for middleware that must look at it before the route does."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks)
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def replay_body(body: bytes, then: Receive | None = None) -> Receive:
    """A ``receive`` that hands the already-read body to the app, then passes on to ``then``
    (the server's own, which waits for the client to go) or reports a disconnect."""
    delivered = False

    async def receive() -> Message:
        nonlocal delivered
        if delivered:
            return await then() if then is not None else {"type": "http.disconnect"}
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


class BodyTooLarge(Exception):
    """The client sent more than the limit; the rest of its body is still unread."""

    def __init__(self, complete: bool) -> None:
        super().__init__("request body too large")
        self.complete = complete


class ClientGone(Exception):
    """The client disconnected before its body arrived in full."""


async def read_limited_body(receive: Receive, limit: int) -> bytes:
    """The whole request body, or ``BodyTooLarge`` as soon as it passes ``limit`` bytes."""
    body = bytearray()
    while True:
        message = await receive()
        if message["type"] != "http.request":
            raise ClientGone
        body += message.get("body", b"")
        more = bool(message.get("more_body", False))
        if len(body) > limit:
            raise BodyTooLarge(complete=not more)
        if not more:
            return bytes(body)


async def discard_body(receive: Receive, budget: int) -> bool:
    """Read and drop the rest of the body, at most ``budget`` bytes; True when it all came."""
    while budget >= 0:
        message = await receive()
        if message["type"] != "http.request":
            return False
        budget -= len(message.get("body", b""))
        if not message.get("more_body", False):
            return True
    return False


class RequestBodyLimit:
    """Reads every request body before the app runs and answers 413 to one over ``limit``.

    The body is read to its end before any answer, so no route, middleware or error handler
    can answer while the client is still sending. The server closes a connection after the
    answer when the client asked it to (``Connection: close``, HTTP/1.0): with part of the
    body unread, the kernel then resets the connection instead of closing it, and a client
    that is still sending sees that reset rather than the answer. For the same reason a 413
    drains the rest of a body it refuses (up to ``DRAIN_BYTES``; a client that declared more
    is answered at once and told the connection closes), except for a client waiting for
    ``100 Continue``, which has sent nothing and is told the connection closes.
    """

    DRAIN_BYTES = 64 * 1024 * 1024

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.limit:
            # A client waiting for 100 Continue has sent nothing: closing resets nothing.
            close = _expects_continue(scope) or not (
                declared <= self.limit + self.DRAIN_BYTES and await discard_body(receive, declared)
            )
            await self._too_large(scope, receive, send, close)
            return
        try:
            body = await read_limited_body(receive, self.limit)
        except BodyTooLarge as exc:
            drained = exc.complete or await discard_body(receive, self.DRAIN_BYTES)
            await self._too_large(scope, receive, send, close=not drained)
            return
        except ClientGone:
            # A truncated body must never reach a route. The answer goes nowhere; it keeps
            # the access log and metrics from counting a vanished client as a 500.
            problem = ProblemError("The client went away before its request body ended.")
            await problem_response(400, problem.to_problem(scope["path"]))(scope, receive, send)
            return
        await self.app(scope, replay_body(body, then=receive), send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send, close: bool) -> None:
        message = f"The request body is larger than {self.limit} bytes; send it in parts."
        problem = ContentTooLarge(
            message, errors=[FieldError(field="body", rule="max_bytes", message=message)]
        )
        headers = {"Connection": "close"} if close else None
        response = problem_response(problem.status, problem.to_problem(scope["path"]), headers)
        await response(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _expects_continue(scope: Scope) -> bool:
    return any(
        name == b"expect" and value.lower() == b"100-continue" for name, value in scope["headers"]
    )
