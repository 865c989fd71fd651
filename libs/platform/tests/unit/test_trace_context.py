"""The trace context's pure pieces: traceparent in and out, the parent each span takes, the
outbox envelope's and the Kafka record's traceparent, and spans recorded only when taken."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import INVALID_SPAN, SpanKind

from simpul_platform import context, tracing
from simpul_platform.events import Envelope, EventPayload
from simpul_platform.http import RequestContextMiddleware
from simpul_platform.outbox import Outbox
from simpul_platform.relay_rounds import record
from simpul_platform.settings import ServiceSettings
from simpul_platform.subscription import handling
from simpul_platform.uow import UnitOfWork

pytestmark = pytest.mark.unit

PARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
TRACE_ID = "0af7651916cd43dd8448eb211c80319c"


class Noted(EventPayload):
    event_type = "toy.note.created.v1"
    topic = "simpul.toy.v1"
    text: str


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    with tracing.tap(InMemorySpanExporter()) as exporter:
        yield exporter  # type: ignore[misc]


def parts(traceparent: str | None) -> list[str]:
    assert traceparent is not None
    return traceparent.split("-")


def envelope(traceparent: str | None) -> Envelope:
    return Envelope(
        id="e-1",
        type=Noted.event_type,
        source="/simpul/toy",
        time=datetime(2026, 3, 1, tzinfo=UTC),
        data={"text": "x"},
        posyandu_id="pos-1",
        traceparent=traceparent,
    )


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331",  # no flags
        "00-00000000000000000000000000000000-b7ad6b7169203331-01",  # invalid trace id
        "00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01",  # invalid span id
        "00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01",  # upper case
        "00-0af7651916cd43dd8448eb211c80319g-b7ad6b7169203331-01",  # not hex
    ],
)
def test_a_missing_or_invalid_traceparent_names_no_parent(value: str | None):
    assert tracing.parse_traceparent(value) is None


@pytest.mark.parametrize("flags", ["01", "00"])
def test_a_traceparent_reads_back_as_it_was_written(flags: str):
    value = f"00-{TRACE_ID}-b7ad6b7169203331-{flags}"
    parsed = tracing.parse_traceparent(value)
    assert parsed is not None and parsed.is_remote
    assert tracing.format_traceparent(parsed) == value


@pytest.mark.parametrize("flags", ["01", "00"])
def test_an_unrecorded_span_is_a_new_span_in_its_parents_trace_with_its_flags(flags: str):
    service = tracing.Tracing("toy")
    assert not service.recording
    span = service.start("x", tracing.parse_traceparent(f"00-{TRACE_ID}-b7ad6b7169203331-{flags}"))
    _, trace_id, span_id, child_flags = parts(tracing.format_traceparent(span.get_span_context()))
    assert (trace_id, child_flags) == (TRACE_ID, flags)
    assert span_id != "b7ad6b7169203331"
    assert not span.is_recording()


def test_a_span_without_parent_starts_a_sampled_trace_of_its_own():
    first = tracing.Tracing("toy").start("x", None).get_span_context()
    second = tracing.Tracing("toy").start("x", None).get_span_context()
    assert first.is_valid and first.trace_flags.sampled
    assert first.trace_id != second.trace_id


def test_a_current_span_is_context_traceparent_and_the_parent_of_the_next(
    spans: InMemorySpanExporter,
):
    service = tracing.Tracing("toy")
    with service.span("outer", tracing.parse_traceparent(PARENT)) as outer:
        outer_parent = context.traceparent.get()
        assert tracing.current_parent() == outer.get_span_context()
    assert context.traceparent.get() is None
    assert parts(outer_parent)[1] == TRACE_ID
    (finished,) = spans.get_finished_spans()
    assert finished.parent is not None and finished.parent.span_id == 0xB7AD6B7169203331
    assert finished.resource.attributes["service.name"] == "toy"


def test_code_that_only_set_context_traceparent_still_parents_the_next_span():
    token = context.traceparent.set(PARENT)
    try:
        parent = tracing.current_parent()
    finally:
        context.traceparent.reset(token)
    assert parent is not None and tracing.format_traceparent(parent) == PARENT


def test_a_transaction_outside_any_trace_adds_no_span(spans: InMemorySpanExporter):
    with tracing.child_span("db.transaction") as span:
        assert span is INVALID_SPAN
    assert spans.get_finished_spans() == ()


def test_the_unit_of_works_events_are_children_of_its_span():
    service = tracing.Tracing("toy")
    span = service.start("db.transaction", tracing.parse_traceparent(PARENT))
    uow = UnitOfWork(None, Outbox(ServiceSettings(service_name="toy")), span)  # type: ignore[arg-type]
    published = uow.publish(Noted(text="x"), posyandu_id="pos-1")
    assert published.traceparent == tracing.format_traceparent(span.get_span_context())
    assert context.traceparent.get() is None  # only while the envelope was built


def test_an_event_added_outside_a_unit_of_work_takes_the_current_span():
    with tracing.Tracing("toy").span("process", None) as span:
        built = Outbox(ServiceSettings(service_name="toy")).envelope(Noted(text="x"))
    assert built.traceparent == tracing.format_traceparent(span.get_span_context())


def test_the_kafka_record_carries_the_producer_spans_traceparent_not_the_rows():
    sent = envelope(PARENT)
    row = SimpleNamespace(
        event_id=sent.id,
        event_type=sent.type,
        source=sent.source,
        subject=None,
        occurred_at=sent.time,
        event_key="pos-1",
        wilayah=None,
        traceparent=PARENT,
        data='{"text":"x"}',
    )
    producer = f"00-{TRACE_ID}-00f067aa0ba902b7-01"
    _, _, headers = record(row, producer)  # type: ignore[arg-type]
    assert dict(headers)["ce_traceparent"] == producer.encode()


def test_handling_an_event_is_a_consumer_span_child_of_its_ce_traceparent(
    spans: InMemorySpanExporter,
):
    with handling(envelope(PARENT)):
        inside = context.traceparent.get()
        assert context.event_id.get() == "e-1"
    (span,) = spans.get_finished_spans()
    assert span.kind == SpanKind.CONSUMER and span.name == f"process {Noted.event_type}"
    assert span.parent is not None and span.parent.span_id == 0xB7AD6B7169203331
    assert inside == tracing.format_traceparent(span.get_span_context())
    assert span.attributes is not None and span.attributes["messaging.message.id"] == "e-1"


def test_an_event_without_traceparent_is_handled_in_a_trace_of_its_own():
    with handling(envelope(None)):
        inside = context.traceparent.get()
    assert tracing.parse_traceparent(inside) is not None


def toy_app() -> FastAPI:
    app = FastAPI()

    @app.get("/v1/notes/{note_id}")
    async def note(note_id: str) -> dict[str, Any]:
        return {"id": note_id, "traceparent": context.traceparent.get()}

    @app.get("/v1/broken")
    async def broken() -> None:
        raise RuntimeError("boom")

    app.add_middleware(RequestContextMiddleware, service="toy")
    return app


async def test_a_request_is_a_server_span_named_after_its_route_child_of_its_header(
    spans: InMemorySpanExporter,
):
    transport = httpx.ASGITransport(app=toy_app(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://toy") as client:
        answer = (await client.get("/v1/notes/n-1", headers={"traceparent": PARENT})).json()
        broken = await client.get("/v1/broken")
    assert broken.status_code == 500
    ok, failed = sorted(spans.get_finished_spans(), key=lambda s: s.name, reverse=True)
    assert ok.name == "GET /v1/notes/{note_id}" and ok.kind == SpanKind.SERVER
    assert ok.parent is not None and ok.parent.span_id == 0xB7AD6B7169203331
    assert answer["traceparent"] == tracing.format_traceparent(ok.get_span_context())
    assert ok.attributes is not None and ok.attributes["http.response.status_code"] == 200
    assert failed.name == "GET /v1/broken" and failed.parent is None
    assert not failed.status.is_ok and _status(failed) == 500


def _status(span: ReadableSpan) -> Any:
    assert span.attributes is not None
    return span.attributes["http.response.status_code"]


async def test_probes_and_scrapes_make_no_spans_while_requests_do(spans: InMemorySpanExporter):
    app = FastAPI()

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/v1/things/{thing}")
    async def thing(thing: str) -> dict[str, str]:
        return {"thing": thing}

    traced = RequestContextMiddleware(app, service="toy")
    transport = httpx.ASGITransport(app=traced)
    async with httpx.AsyncClient(transport=transport, base_url="http://toy") as client:
        assert (await client.get("/healthz")).headers["x-request-id"]
        answer = await client.get("/v1/things/a", headers={"traceparent": PARENT})
        assert answer.json() == {"thing": "a"}
    (server,) = spans.get_finished_spans()
    assert server.name == "GET /v1/things/{thing}" and server.kind is SpanKind.SERVER
