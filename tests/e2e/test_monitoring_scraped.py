"""The metrics of deploy/monitoring, read from /metrics of real processes on the real broker
and PostgreSQL: the registry's writes go out through its relay (rows counted, rounds timed,
the backlog back to zero), its requests are counted by route template and status, and a
record health's replica cannot read is dead-lettered and shows as a dead letter, in the
dead-letter topic's end offsets, and nowhere as lag on the registry topic's partitions."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaProducer
from e2e_calls import eventually
from referral_calls import KUKAR_DESA, REGISTRAR

from simpul_platform.events import binary_headers
from simpul_platform.testing.kafka_reader import connection_options
from simpul_platform.testing.scrape import Scrape
from simpul_platform.testing.stack import Stack

pytestmark = pytest.mark.e2e
WRITES = 4
REPLICA = "health.posyandu-replica"
REGISTERED = "registry.posyandu.registered.v1"


@pytest.fixture(scope="module")
def stack(kafka_broker: Any, postgres_server: Any) -> Iterator[Stack]:
    # Refresh the backlog and dead-letter gauges often, so the test need not wait 15 s.
    env = {"SIMPUL_METRICS_REFRESH_INTERVAL_S": "0.5"}
    started = Stack(
        kafka_broker.bootstrap_servers,
        postgres_server,
        ["registry", "health"],
        env,
        kafka=kafka_broker.managed,
    )
    try:
        yield started.start()
    finally:
        started.stop()


async def scrape(client: httpx.AsyncClient, stack: Stack, service: str) -> Scrape:
    response = await client.get(f"{stack.url(service)}/metrics")
    assert response.status_code == 200
    return Scrape.parse(response.text)


async def outbox_rows(stack: Stack) -> tuple[int, int]:
    """The registry's outbox rows: all of them, and those marked sent."""
    conn = await asyncpg.connect(stack.databases["registry"].replace("+asyncpg", ""))
    try:
        row = await conn.fetchrow("SELECT count(*), count(sent_at) FROM outbox")
    finally:
        await conn.close()
    assert row is not None
    return int(row[0]), int(row[1])


async def test_the_relay_publishes_every_row_and_the_backlog_empties(stack: Stack) -> None:
    async with httpx.AsyncClient(timeout=30) as client:
        for n in range(WRITES):  # written while the relay runs beside the API
            created = await client.post(
                f"{stack.url('registry')}/v1/posyandu",
                headers=REGISTRAR,
                json={
                    "name": f"Posyandu Metrik {n}",
                    "desa_code": KUKAR_DESA,
                    "fields": ["health"],
                },
            )
            assert created.status_code == 201, created.text
        missing = await client.get(
            f"{stack.url('registry')}/v1/posyandu/{uuid.uuid4()}", headers=REGISTRAR
        )
        assert missing.status_code == 404

        async def drained() -> Scrape | None:
            seen = await scrape(client, stack, "registry")
            rows, sent = await outbox_rows(stack)
            published = seen.value("simpul_outbox_published_total", service="registry")
            pending = seen.value("simpul_outbox_pending", service="registry")
            done = rows >= WRITES and sent == rows == published and pending == 0
            return seen if done else None

        seen = await eventually(drained)
    assert seen.value("simpul_outbox_oldest_unsent_age_seconds", service="registry") == 0
    rounds = seen.value("simpul_outbox_publish_batch_seconds_count", service="registry")
    assert rounds is not None and 1 <= rounds <= WRITES
    requests = {
        (labels["method"], labels["route"], labels["status"]): value
        for labels, value in seen.series("simpul_http_requests_total", service="registry")
    }
    assert requests[("POST", "/v1/posyandu", "201")] == WRITES
    assert requests[("GET", "/v1/posyandu/{posyandu_id}", "404")] == 1
    assert not [route for _, route, _ in requests if route.count("-") >= 4]  # no raw ids


async def test_a_record_that_cannot_be_read_is_a_dead_letter_and_no_lag(stack: Stack) -> None:
    topic = f"{stack.namespace}simpul.registry.v1"
    await send_unreadable_posyandu(stack.bootstrap_servers, topic)
    labels = {"service": "health", "consumer": REPLICA}
    async with httpx.AsyncClient(timeout=30) as client:

        async def dead_lettered() -> Scrape | None:
            seen = await scrape(client, stack, "health")
            lags = seen.series("simpul_consumer_lag", consumer=REPLICA, topic=topic)
            settled = (
                seen.value("simpul_dlq_end_offset", **labels) == 1
                and len(lags) == 3  # the stack's topics have 3 partitions
                and all(value == 0 for _, value in lags)
            )
            return seen if settled else None

        seen = await eventually(dead_lettered)
    assert seen.value("simpul_dead_letters_total", **labels) == 1
    assert seen.value("simpul_events_consumed_total", outcome="dead_lettered", **labels) == 1
    partitions = {
        found["partition"]
        for found, _ in seen.series("simpul_consumer_lag", consumer=REPLICA, topic=topic)
    }
    assert partitions == {"0", "1", "2"}


async def send_unreadable_posyandu(bootstrap: str, topic: str) -> None:
    """A registered-posyandu event whose data lacks the name and the desa: a CloudEvent the
    replica recognises, with data its view cannot parse, which no retry can fix."""
    headers = binary_headers(
        id=str(uuid.uuid4()),
        type=REGISTERED,
        source="/simpul/registry",
        time=datetime.now(UTC),
        subject=None,
        extensions={},
    )
    producer = AIOKafkaProducer(**connection_options(bootstrap))
    await producer.start()
    try:
        value = json.dumps({"posyandu_id": "pos-unreadable"}).encode()
        await producer.send_and_wait(topic, value, key=b"pos-unreadable", headers=headers)
    finally:
        await producer.stop()
