"""Per-request and per-event context that logs and outgoing events carry."""

from __future__ import annotations

import secrets
from contextvars import ContextVar

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
event_id: ContextVar[str | None] = ContextVar("event_id", default=None)
# W3C trace context; its trace id doubles as the correlation id across services and events.
traceparent: ContextVar[str | None] = ContextVar("traceparent", default=None)


def new_traceparent() -> str:
    return f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-01"


def correlation_id() -> str | None:
    """The trace id of the current traceparent, if any."""
    value = traceparent.get()
    parts = value.split("-") if value else []
    return parts[1] if len(parts) == 4 else None


def valid_traceparent(value: str | None) -> bool:
    parts = (value or "").split("-")
    return (
        len(parts) == 4
        and len(parts[1]) == 32
        and len(parts[2]) == 16
        and all(c in "0123456789abcdef" for c in "".join(parts))
    )
