"""One trace from an OPD's measurement POST in health to social's priority case, across the
real broker and PostgreSQL: health's request (SERVER) → its unit of work (db.transaction) →
the outbox row → health's relay (PRODUCER) → social's stunting reaction (CONSUMER) → the
priority case's event in social's outbox → social's relay (PRODUCER).

Health and social run in this process (their lifespans, relays and consumers included), so
every span reaches one in-memory exporter; a stand-in for the registry announces the posyandu.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from simpul_health.app import create_app as create_health
from simpul_health.settings import HealthSettings
from simpul_platform import tracing
from simpul_platform.auth import mint_token
from simpul_platform.settings import ServiceSettings
from simpul_platform.testing.asgi import running_app
from simpul_platform.testing.peers import RegistryPeer, until_replicated
from simpul_platform.testing.polling import eventually
from simpul_social.app import create_app as create_social
from simpul_social.settings import SocialSettings

pytestmark = pytest.mark.e2e

DESA = "64.02.06.2012"
KK = "6402060101200088"
BIRTH = date.today() - timedelta(days=740)
# The OPD's own system opened the trace; its span is the request's parent.
OPD_SPAN = "b7ad6b7169203331"
OPD_TRACE = "0af7651916cd43dd8448eb211c80319c"


@pytest.fixture
def databases(postgres_server: Any) -> Iterator[Callable[[], str]]:
    """Fresh PostgreSQL databases, one per call; dropped afterwards."""
    names: list[str] = []

    def create() -> str:
        names.append(f"t_{uuid.uuid4().hex[:12]}")
        url: str = postgres_server.create_database(names[-1])
        return url

    yield create
    for name in names:
        postgres_server.drop_database(name)


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    with tracing.tap(InMemorySpanExporter()) as exporter:
        yield exporter  # type: ignore[misc]


def bearer(settings: ServiceSettings, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(settings, role, [role], ['64.02'])}"}


@dataclass
class Clients:
    health: httpx.AsyncClient
    social: httpx.AsyncClient


async def start(
    stack: AsyncExitStack, make_settings: Callable[..., Any], databases: Callable[[], str]
) -> tuple[Clients, ServiceSettings, str]:
    """Health and social in process on one topic namespace, both knowing one posyandu."""
    health = create_health(make_settings(HealthSettings, database_url=databases()))
    social = create_social(make_settings(SocialSettings, database_url=databases()))
    peer_settings = make_settings(ServiceSettings, service_name="peer")
    registry = await stack.enter_async_context(RegistryPeer.running(peer_settings))
    for app in (health, social):
        registry.answer(app)
    clients = Clients(
        await stack.enter_async_context(running_app(health)),
        await stack.enter_async_context(running_app(social)),
    )
    posyandu_id = await registry.register(DESA, fields=("health", "social"))
    for app in (health, social):
        await until_replicated(app.state.db, posyandu_id)
    return clients, peer_settings, posyandu_id


async def created(client: httpx.AsyncClient, path: str, body: Any, headers: Any) -> Any:
    response = await client.post(path, json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def measure_a_stunted_child(
    clients: Clients, settings: ServiceSettings, posyandu_id: str
) -> None:
    """A poor household without bansos in social, its stunted child measured in health."""
    await created(
        clients.social,
        "/v1/households",
        {
            "kk": KK,
            "posyandu_id": posyandu_id,
            "address": "Jl. Kenanga",
            "members": [],
            "decile": {"decile": 1, "source": "DTSEN", "assessed_on": "2026-01-15"},
        },
        bearer(settings, "opd:social"),
    )
    nik = f"640206{BIRTH.day:02d}{BIRTH.month:02d}{BIRTH.year % 100:02d}0088"
    child = await created(
        clients.health,
        "/v1/targets",
        {
            "nik": nik,
            "kk": KK,
            "name": "Anak",
            "sex": "M",
            "birth_date": BIRTH.isoformat(),
            "posyandu_id": posyandu_id,
        },
        bearer(settings, "opd:health"),
    )
    measured = await created(
        clients.health,
        f"/v1/posyandu/{posyandu_id}/measurements",
        {
            "target_id": child["id"],
            "measured_on": date.today().isoformat(),
            "weight_kg": 9.8,
            "height_cm": 77.5,
            "measure_position": "standing",
        },
        {**bearer(settings, "opd:health"), "traceparent": f"00-{OPD_TRACE}-{OPD_SPAN}-01"},
    )
    assert measured["height_for_age"] in ("stunted", "severely_stunted")


def service(span: ReadableSpan) -> Any:
    return span.resource.attributes["service.name"]


def attribute(span: ReadableSpan, name: str) -> Any:
    return (span.attributes or {}).get(name)


def one(spans: list[ReadableSpan], **wanted: Any) -> ReadableSpan:
    """The one span of ``spans`` with these kind, name, service and event type."""
    found = [
        span
        for span in spans
        if span.kind == wanted.get("kind", span.kind)
        and span.name == wanted.get("name", span.name)
        and service(span) == wanted.get("service", service(span))
        and attribute(span, "cloudevents.event_type")
        == wanted.get("event_type", attribute(span, "cloudevents.event_type"))
    ]
    assert len(found) == 1, (wanted, [(s.name, service(s), s.kind) for s in spans])
    return found[0]


def child_of(span: ReadableSpan, parent: ReadableSpan) -> bool:
    return span.parent is not None and span.parent.span_id == parent.context.span_id


async def test_one_trace_from_a_measurement_in_health_to_socials_priority_case(
    make_settings: Callable[..., Any], databases: Callable[[], str], spans: InMemorySpanExporter
):
    async with AsyncExitStack() as stack:
        clients, settings, posyandu_id = await start(stack, make_settings, databases)
        await measure_a_stunted_child(clients, settings, posyandu_id)

        async def socials_event_published() -> list[ReadableSpan]:
            traced = [
                span
                for span in spans.get_finished_spans()
                if span.context.trace_id == int(OPD_TRACE, 16)
            ]
            announced = [
                span
                for span in traced
                if span.kind == SpanKind.PRODUCER and service(span) == "social"
            ]
            return traced if announced else []

        traced = await eventually(socials_event_published)
        cases = await clients.social.get(
            "/v1/priority-cases", headers=bearer(settings, "opd:social")
        )
    assert cases.status_code == 200
    body = cases.json()
    assert len(body["items"] if isinstance(body, dict) else body) == 1

    request = one(traced, kind=SpanKind.SERVER, service="health")
    transaction = one(traced, name="db.transaction", service="health")
    health_producer = one(
        traced, kind=SpanKind.PRODUCER, service="health", event_type="health.stunting.detected.v1"
    )
    consumer = one(
        traced, kind=SpanKind.CONSUMER, service="social", event_type="health.stunting.detected.v1"
    )
    social_producer = one(
        traced,
        kind=SpanKind.PRODUCER,
        service="social",
        event_type="social.priority_case.opened.v1",
    )
    assert request.name == "POST /v1/posyandu/{posyandu_id}/measurements"
    assert request.parent is not None and request.parent.span_id == int(OPD_SPAN, 16)
    assert attribute(request, "http.response.status_code") == 201
    assert child_of(transaction, request)
    assert child_of(health_producer, transaction)
    assert health_producer.name == f"publish {settings.topic('simpul.health.v1')}"
    assert child_of(consumer, health_producer)
    assert child_of(social_producer, consumer)
    assert social_producer.name == f"publish {settings.topic('simpul.social.v1')}"
    # Every span of the trace hangs from one of its spans, but the request from the OPD's.
    ids = {span.context.span_id for span in traced}
    assert all(span.parent and span.parent.span_id in ids for span in traced if span != request)
    assert len({span.context.trace_id for span in traced}) == 1
