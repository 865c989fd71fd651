"""Structured JSON logs carrying the request id, event id and correlation id."""

from __future__ import annotations

import logging
import sys

from pythonjsonlogger.json import JsonFormatter

from simpul_platform import context


class ContextFilter(logging.Filter):
    """Adds the ids of whatever request or event is being handled to every record."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        record.service = self.service
        record.request_id = context.request_id.get()
        record.event_id = context.event_id.get()
        record.correlation_id = context.correlation_id()
        return True


def configure_logging(service: str, level: str = "INFO") -> None:
    """JSON lines on stderr; idempotent, so tests that build many apps do not stack handlers."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_simpul", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler._simpul = True  # type: ignore[attr-defined]
    handler.setFormatter(
        JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s %(service)s %(request_id)s "
            "%(event_id)s %(correlation_id)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        )
    )
    handler.addFilter(ContextFilter(service))
    root.addHandler(handler)
    root.setLevel(level)
    # aiokafka logs every refused connection while the broker is away; the relay reports that.
    logging.getLogger("aiokafka").setLevel(logging.ERROR)
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
