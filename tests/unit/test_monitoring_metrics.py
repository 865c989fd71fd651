"""What the platform exports on /metrics, driven without a broker: the route label is the
route's template and the status label tells 4xx from 5xx; the relay's backlog gauges (count
and oldest age) move while it cannot publish, and it counts rows and times rounds when it
can; a consumer's lag has one series per assigned partition, and its dead letters are
counted and read from the broker's end offsets."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import TopicPartition
from aiokafka.errors import KafkaConnectionError
from fastapi import APIRouter, FastAPI
from prometheus_client import generate_latest
from sqlalchemy import update

from simpul_platform import relay as relay_module
from simpul_platform.app import ServiceSpec, create_service_app
from simpul_platform.consumer_metrics import ConsumerMetrics
from simpul_platform.db import Database
from simpul_platform.errors import ProblemError
from simpul_platform.outbox import Outbox, outbox_table
from simpul_platform.relay import OutboxRelay
from simpul_platform.settings import ServiceSettings
from simpul_platform.testing.polling import eventually
from simpul_platform.testing.scrape import Scrape

pytestmark = pytest.mark.unit
TOPIC = "simpul.monitoring.v1"


def scrape() -> Scrape:
    return Scrape.parse(generate_latest().decode())


def settings(service: str, **values: Any) -> ServiceSettings:
    return ServiceSettings(service_name=service, environment="development", **values)


class NotFound(ProblemError):
    status, slug, title = 404, "not-found", "Not found"


def routes() -> APIRouter:
    router = APIRouter()

    @router.get("/v1/things/{thing_id}")
    async def thing(thing_id: str) -> dict[str, str]:
        if thing_id == "boom":
            raise RuntimeError("a bug")  # answered 500 outside the middleware
        if thing_id == "db-down":
            raise ConnectionError("database away")  # answered 503 by a problem handler
        if thing_id != "known":
            raise NotFound(f"no thing {thing_id}")
        return {"id": thing_id}

    return router


@pytest.fixture
def http_app() -> FastAPI:
    spec = ServiceSpec(
        settings=settings("mon-http"),
        title="monitoring",
        description="routes for the metric labels",
        routers=[routes()],
        uses_database=False,
    )
    return create_service_app(spec)


async def test_requests_are_counted_by_route_template_and_status(http_app: FastAPI) -> None:
    transport = httpx.ASGITransport(app=http_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        for path in (
            "/v1/things/known",
            "/v1/things/a1",
            "/v1/things/a2",
            "/v1/things/boom",
            "/v1/things/db-down",
            "/no/such/path",
        ):
            await client.get(path)
    seen = scrape()
    template = "/v1/things/{thing_id}"
    counted = {
        (labels["route"], labels["status"]): value
        for labels, value in seen.series("simpul_http_requests_total", service="mon-http")
    }
    assert counted == {
        (template, "200"): 1,
        (template, "404"): 2,
        (template, "500"): 1,
        (template, "503"): 1,
        ("unmatched", "404"): 1,
    }
    routes_timed = {
        labels["route"]
        for labels, _ in seen.series("simpul_http_request_seconds_count", service="mon-http")
    }
    assert routes_timed == {template, "unmatched"}  # never a raw path: bounded cardinality
    assert seen.value("simpul_http_request_seconds_count", service="mon-http") == 6


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'outbox.db'}")
    await db.create_all()
    yield db
    await db.engine.dispose()


async def queue(db: Database, config: ServiceSettings, count: int, age: timedelta) -> None:
    """``count`` events in the outbox, written ``age`` ago."""
    outbox = Outbox(config)
    events = [
        (TOPIC, outbox.envelope_of("monitoring.thing.happened.v1", {"n": i}, posyandu_id="p"))
        for i in range(count)
    ]
    async with db.transaction() as session:
        await outbox.add_many(session, events)
        await session.execute(update(outbox_table).values(created_at=datetime.now(UTC) - age))


class BrokerAway:
    """A producer whose broker never answers."""

    async def start(self) -> None:
        raise KafkaConnectionError("no broker")

    async def stop(self) -> None:
        return None


class Acknowledging:
    """A producer that the broker acknowledges at once (the batch interface the relay uses)."""

    def __init__(self) -> None:
        self.sent: list[bytes] = []

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def partitions_for(self, topic: str) -> set[int]:
        return {0}

    def create_batch(self) -> Acknowledging:
        return self

    def append(self, *, timestamp: Any, key: Any, value: bytes, headers: Any) -> bool:
        self.sent.append(value)
        return True

    async def send_batch(self, batch: Any, topic: str, *, partition: int) -> asyncio.Future[int]:
        acked: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        acked.set_result(len(self.sent))
        return acked


async def test_the_backlog_and_its_age_show_while_the_relay_cannot_publish(
    database: Database,
) -> None:
    config = settings("mon-relay-down", relay_poll_interval_s=0.01, relay_max_backoff_s=0.02)
    await queue(database, config, 3, timedelta(minutes=7))
    relay = OutboxRelay(database, config, producer_factory=BrokerAway)  # type: ignore[arg-type]
    running = asyncio.create_task(relay.run())

    async def failed_once() -> float | None:
        return scrape().value("simpul_outbox_failures_total", service=config.service_name)

    try:
        await eventually(failed_once)  # the round observed the backlog before it failed
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
    seen = scrape()
    assert seen.value("simpul_outbox_pending", service=config.service_name) == 3
    age = seen.value("simpul_outbox_oldest_unsent_age_seconds", service=config.service_name)
    assert age is not None and 7 * 60 <= age < 60 * 60


async def test_the_relay_counts_rows_and_times_rounds_and_the_backlog_empties(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def topics_exist(settings: ServiceSettings, topics: Any) -> None:
        return None

    monkeypatch.setattr(relay_module, "ensure_topics", topics_exist)
    config = settings("mon-relay-up")
    await queue(database, config, 5, timedelta(seconds=30))
    producer = Acknowledging()
    relay = OutboxRelay(database, config, producer_factory=lambda: producer)  # type: ignore[arg-type,return-value]
    assert await relay.backlog() == (5, pytest.approx(30, abs=10))
    assert await relay.publish_pending() == 5
    assert len(producer.sent) == 5
    assert await relay.publish_pending() == 0  # an empty round is not timed
    seen = scrape()
    assert seen.value("simpul_outbox_published_total", service=config.service_name) == 5
    assert seen.value("simpul_outbox_publish_batch_seconds_count", service=config.service_name) == 1
    assert await relay.backlog() == (0, 0.0)
    await relay._observe_backlog()
    seen = scrape()
    assert seen.value("simpul_outbox_pending", service=config.service_name) == 0
    assert seen.value("simpul_outbox_oldest_unsent_age_seconds", service=config.service_name) == 0


class Assigned:
    """A consumer's view of its partitions: position and the end seen at the last fetch."""

    def __init__(self, partitions: dict[TopicPartition, tuple[int, int | None]]) -> None:
        self.partitions = partitions
        self.ends: dict[TopicPartition, int] = {}
        self.offset_requests = 0

    def assignment(self) -> set[TopicPartition]:
        return set(self.partitions)

    def highwater(self, partition: TopicPartition) -> int | None:
        return self.partitions[partition][1]

    async def position(self, partition: TopicPartition) -> int:
        return self.partitions[partition][0]

    async def end_offsets(self, partitions: list[TopicPartition]) -> dict[TopicPartition, int]:
        self.offset_requests += 1
        return {partition: self.ends[partition] for partition in partitions}


class DeadLetterProducer:
    def __init__(self, partitions: int) -> None:
        self.ids = set(range(partitions))

    async def partitions_for(self, topic: str) -> set[int]:
        return self.ids


def lag_series(service: str) -> dict[tuple[str, str, str], float]:
    return {
        (labels["consumer"], labels["topic"], labels["partition"]): value
        for labels, value in scrape().series("simpul_consumer_lag", service=service)
    }


async def test_consumer_lag_has_a_series_per_assigned_partition() -> None:
    config = settings("mon-lag")
    gauges = ConsumerMetrics(config, "mon.replica", "simpul.dlq.mon.replica")
    p0, p1, p2 = (TopicPartition("simpul.registry.v1", i) for i in range(3))
    kafka = Assigned({p0: (10, 25), p1: (7, 7), p2: (0, None)})  # p2 not fetched yet
    assert await gauges.observe_lag(kafka) is None  # unknown until every partition is
    assert lag_series("mon-lag") == {
        ("mon.replica", "simpul.registry.v1", "0"): 15,
        ("mon.replica", "simpul.registry.v1", "1"): 0,
    }
    kafka.partitions = {p1: (7, 9), p2: (3, 4)}  # a rebalance took p0 away
    assert await gauges.observe_lag(kafka) == 3
    assert lag_series("mon-lag") == {
        ("mon.replica", "simpul.registry.v1", "1"): 2,
        ("mon.replica", "simpul.registry.v1", "2"): 1,
    }
    gauges.stopped()
    assert lag_series("mon-lag") == {}


async def test_dead_letters_are_counted_and_read_from_the_topic_end_offsets() -> None:
    config = settings("mon-dlq", metrics_refresh_interval_s=3600)
    topic = "simpul.dlq.mon.referrals"
    gauges = ConsumerMetrics(config, "mon.referrals", topic)
    labels = {"service": "mon-dlq", "consumer": "mon.referrals"}
    assert scrape().value("simpul_dead_letters_total", **labels) == 0  # there before the first
    kafka = Assigned({})
    kafka.ends = {TopicPartition(topic, 0): 2, TopicPartition(topic, 1): 0}
    producer = DeadLetterProducer(partitions=2)
    await gauges.observe_dead_letters(kafka, producer)
    assert scrape().value("simpul_dlq_end_offset", **labels) == 2  # e.g. before a restart
    kafka.ends[TopicPartition(topic, 1)] = 1
    await gauges.observe_dead_letters(kafka, producer)  # within the interval: no request
    assert kafka.offset_requests == 1
    gauges.dead_lettered()
    await gauges.observe_dead_letters(kafka, producer)  # a new dead letter: read at once
    assert kafka.offset_requests == 2
    seen = scrape()
    assert seen.value("simpul_dead_letters_total", **labels) == 1
    assert seen.value("simpul_dlq_end_offset", **labels) == 3
