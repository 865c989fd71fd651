"""Request context middleware: ids for logs and events, metrics per route."""

from __future__ import annotations

import logging
import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from simpul_platform import context, metrics

access_log = logging.getLogger("simpul.access")


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
        parent = headers.get(b"traceparent", b"").decode("latin-1")
        trace = parent if context.valid_traceparent(parent) else context.new_traceparent()
        request_token = context.request_id.set(request_id)
        trace_token = context.traceparent.set(trace)
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
            context.request_id.reset(request_token)
            context.traceparent.reset(trace_token)


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


def replay_body(body: bytes) -> Receive:
    """A ``receive`` that hands the already-read body to the app, then reports a disconnect."""
    delivered = False

    async def receive() -> Message:
        nonlocal delivered
        if delivered:
            return {"type": "http.disconnect"}
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive
