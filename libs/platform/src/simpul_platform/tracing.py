"""OpenTelemetry traces across HTTP and Kafka, with the W3C ``traceparent`` as the carrier.

How the context travels: the HTTP ``traceparent`` header is the parent of the request's SERVER
span; a unit of work is a span beneath it, and the events it adds to the outbox store that
span's traceparent in their row; the relay's PRODUCER span for a row is the row's child and
goes on the Kafka record as the CloudEvents ``traceparent`` extension (``ce_traceparent``);
a consumer's CONSUMER span is that record's child, and the events its handler writes store the
CONSUMER span's traceparent, and so on across services. ``context.traceparent`` (the logs'
correlation id) always names the current span.

Each service has its own ``TracerProvider`` (its resource's ``service.name`` is the service),
because the in-process tests host several services in one process. Spans are recorded only
when something takes them: an OTLP endpoint (``otel_exporter_otlp_endpoint``) or a test's
``tap``. Otherwise a span is a non-recording one with fresh ids, made without the SDK (about a
fifth of a recording span's cost), so propagation works while the relay and the consumers,
the hot paths, pay next to nothing; it keeps the parent's sampled flag, so a service with
export off does not make the next one drop its spans.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter
from opentelemetry.trace import (
    INVALID_SPAN,
    NonRecordingSpan,
    Span,
    SpanContext,
    SpanKind,
    TraceFlags,
)
from opentelemetry.util.types import AttributeValue

from simpul_platform import context
from simpul_platform.settings import ServiceSettings

Attributes = Mapping[str, AttributeValue]
_SAMPLED = TraceFlags(TraceFlags.SAMPLED)
# Version 00's layout (a later version may only add fields after these).
_TRACEPARENT = re.compile(r"[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(?:-.*)?")
_taps: list[SpanExporter] = []  # tests' exporters: every service's finished spans go to them


def parse_traceparent(value: str | None) -> SpanContext | None:
    """The remote span context a W3C traceparent names; None for a missing or invalid one."""
    match = _TRACEPARENT.fullmatch(value) if value else None
    if match is None:
        return None
    trace_id, span_id, flags = match.groups()
    parsed = SpanContext(
        int(trace_id, 16), int(span_id, 16), is_remote=True, trace_flags=TraceFlags(int(flags, 16))
    )
    return parsed if parsed.is_valid else None


def format_traceparent(span_context: SpanContext) -> str | None:
    """The W3C traceparent of ``span_context``; None for the invalid one."""
    if not span_context.is_valid:
        return None
    ids = f"{span_context.trace_id:032x}-{span_context.span_id:016x}"
    return f"00-{ids}-{span_context.trace_flags:02x}"


def current_parent() -> SpanContext | None:
    """The parent a new local span takes: the span ``context.traceparent`` names (every span
    here keeps it in step, and code without a span may set it too), or else the current
    OpenTelemetry span; None: a new trace."""
    named = parse_traceparent(context.traceparent.get())
    current = trace.get_current_span().get_span_context()
    if named is not None and named.span_id != current.span_id:
        return named
    return current if current.is_valid else None  # the same span, known as local


class _Tap(SpanProcessor):
    """Hands every finished span to the tests' exporters, if any (``tap``)."""

    def on_end(self, span: ReadableSpan) -> None:
        for exporter in list(_taps):
            exporter.export([span])


class Tracing:
    """One service's tracer: spans under its own resource, recorded only when taken."""

    def __init__(self, service: str, endpoint: str | None = None) -> None:
        self.service = service
        self.endpoint = endpoint
        self.provider = TracerProvider(resource=Resource.create({"service.name": service}))
        self.provider.add_span_processor(_Tap())
        if endpoint is not None:
            self.provider.add_span_processor(BatchSpanProcessor(_otlp_exporter(endpoint)))
        self.tracer = self.provider.get_tracer("simpul_platform")

    @property
    def recording(self) -> bool:
        return self.endpoint is not None or bool(_taps)

    def start(
        self,
        name: str,
        parent: SpanContext | None,
        *,
        kind: SpanKind = SpanKind.INTERNAL,
        attributes: Attributes | None = None,
    ) -> Span:
        """A started span, child of ``parent`` (None: the root of a new trace); not current."""
        if not self.recording:
            return NonRecordingSpan(_child_context(parent))
        parent_context = (
            trace.set_span_in_context(NonRecordingSpan(parent)) if parent else Context()
        )
        return self.tracer.start_span(name, parent_context, kind=kind, attributes=attributes)

    @contextmanager
    def span(
        self,
        name: str,
        parent: SpanContext | None,
        *,
        kind: SpanKind = SpanKind.INTERNAL,
        attributes: Attributes | None = None,
    ) -> Iterator[Span]:
        """A span current for the block (and ``context.traceparent`` with it); an exception
        leaving the block is recorded on it and sets its status to error."""
        started = self.start(name, parent, kind=kind, attributes=attributes)
        token = context.traceparent.set(format_traceparent(started.get_span_context()))
        try:
            if not started.is_recording():  # read only through context.traceparent: cheap
                yield started
                return
            with trace.use_span(started, end_on_exit=True):
                yield started
        finally:
            context.traceparent.reset(token)


@contextmanager
def current_traceparent(span: Span) -> Iterator[None]:
    """``context.traceparent`` names ``span`` for the block."""
    token = context.traceparent.set(format_traceparent(span.get_span_context()))
    try:
        yield
    finally:
        context.traceparent.reset(token)


def _child_context(parent: SpanContext | None) -> SpanContext:
    """A fresh span id in the parent's trace with its flags; a new sampled trace without one."""
    trace_id = parent.trace_id if parent else random.getrandbits(128) or 1
    flags = parent.trace_flags if parent else _SAMPLED
    return SpanContext(trace_id, random.getrandbits(64) or 1, is_remote=False, trace_flags=flags)


def _otlp_exporter(endpoint: str) -> SpanExporter:
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    # The setting is the collector's base URL, as OTEL_EXPORTER_OTLP_ENDPOINT; traces go to
    # its /v1/traces.
    url = (
        endpoint
        if endpoint.rstrip("/").endswith("/v1/traces")
        else f"{endpoint.rstrip('/')}/v1/traces"
    )
    return OTLPSpanExporter(endpoint=url)


_services: dict[str, Tracing] = {}
# The service whose work the current task does (set by the request middleware and the
# consumer runner), for code that knows no settings: units of work, db.transaction().
active: ContextVar[Tracing | None] = ContextVar("active_tracing", default=None)


def configure(settings: ServiceSettings) -> Tracing:
    """The service's tracing, set up from its settings (again if its endpoint changed)."""
    name, endpoint = settings.service_name, settings.otel_exporter_otlp_endpoint
    existing = _services.get(name)
    if existing is not None and existing.endpoint == endpoint:
        return existing
    if existing is not None:
        existing.provider.shutdown()
    _services[name] = Tracing(name, endpoint)
    return _services[name]


def for_service(name: str) -> Tracing:
    """The service's tracing as configured, or one that exports nothing."""
    existing = _services.get(name)
    if existing is None:
        existing = _services[name] = Tracing(name)
    return existing


def current() -> Tracing:
    """The tracing of the service whose work this is (``active``); a neutral one outside."""
    return active.get() or for_service("simpul")


@contextmanager
def activated(tracing: Tracing) -> Iterator[None]:
    token = active.set(tracing)
    try:
        yield
    finally:
        active.reset(token)


@contextmanager
def child_span(
    name: str, attributes: Attributes | None = None, *, kind: SpanKind = SpanKind.INTERNAL
) -> Iterator[Span]:
    """A span beneath the current one, in the active service; nothing outside a trace (a
    housekeeping transaction would only add a trace of its own)."""
    parent = current_parent()
    if parent is None:
        yield INVALID_SPAN
        return
    with current().span(name, parent, kind=kind, attributes=attributes) as span:
        yield span


@contextmanager
def client_call(name: str, attributes: Attributes | None = None) -> Iterator[dict[str, str]]:
    """A CLIENT span for one call to another service, and the headers that make the callee's
    SERVER span its child (empty outside a trace)."""
    with child_span(name, attributes, kind=SpanKind.CLIENT):
        parent = context.traceparent.get()
        yield {"traceparent": parent} if parent else {}


@contextmanager
def tap(exporter: SpanExporter) -> Iterator[SpanExporter]:
    """Every service's spans, recorded, go to ``exporter`` for the block (tests: an
    ``InMemorySpanExporter``)."""
    _taps.append(exporter)
    try:
        yield exporter
    finally:
        _taps.remove(exporter)


def attributes_of(values: Mapping[str, Any]) -> dict[str, AttributeValue]:
    """``values`` without the None ones (span attributes cannot hold None)."""
    return {key: value for key, value in values.items() if value is not None}
