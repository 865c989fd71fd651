"""Health split as deployed: two API replicas and two workers on one database, beside the
registry, on the real broker and PostgreSQL. Nothing is lost or duplicated: every write
answered 2xx is stored and readable through either API, every event its outbox wrote reaches
Kafka exactly once, and the two workers share health's consumer group, so each registry event
is delivered to one of them and applied once. The APIs relay nothing: with the workers stopped
writes still succeed and the outbox grows; started again, the workers drain it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from e2e_calls import consumer_progress, eventually
from split_calls import (
    group_state,
    outbox,
    outbox_total,
    published,
    readiness,
    restart,
    stop,
    topic_size,
)

from bench.common import OPD_HEALTH, TODAY
from bench.seeding import balita, create_posyandu, insert_targets, measurement, wait_replicas
from simpul_health.consumers import REPLICA_CONSUMER
from simpul_platform.testing.kafka_reader import read_envelopes
from simpul_platform.testing.stack import Split, Stack

pytestmark = pytest.mark.e2e

HEALTH_TOPIC = "simpul.health.v1"
REGISTRY_TOPIC = "simpul.registry.v1"
MEASURED = "health.child.measured.v1"


@pytest.fixture(scope="module")
def stack(kafka_broker: Any, postgres_server: Any) -> Iterator[Stack]:
    started = Stack(
        kafka_broker.bootstrap_servers,
        postgres_server,
        ["registry", "health"],
        split={"health": Split(apis=2, workers=2)},
        kafka=kafka_broker.managed,
    )
    try:
        yield started.start()
    finally:
        started.stop()


async def _stable_group(stack: Stack) -> None:
    """Both workers joined health's replica group and the rebalance is over (a record in
    flight across a rebalance may be redelivered: harmless, but not what this test counts)."""

    async def stable() -> bool | None:
        state = await group_state(stack.bootstrap_servers, stack.namespace + REPLICA_CONSUMER)
        return state == ("Stable", 2) or None

    await eventually(stable)


async def test_each_process_reports_its_role_and_only_what_it_runs(
    stack: Stack, client: httpx.AsyncClient
) -> None:
    for url in stack.urls("health", "api"):
        report = await readiness(client, url)
        assert report["role"] == "api" and report["database"] == "ok"
        assert "outbox_pending" in report
        assert "broker" not in report and "consumers" not in report
    for url in stack.urls("health", "worker"):
        report = await readiness(client, url)
        assert report["role"] == "worker" and report["database"] == "ok"
        assert set(report["consumers"]) >= {REPLICA_CONSUMER}
        # A worker serves no domain route and no OpenAPI document.
        assert (await client.get(f"{url}/v1/targets")).status_code == 404
        assert (await client.get(f"{url}/openapi.json")).status_code == 404
    assert (await readiness(client, stack.url("registry")))["role"] == "all"


async def test_the_workers_share_the_group_and_apply_each_registry_event_once(
    stack: Stack, client: httpx.AsyncClient
) -> None:
    await _stable_group(stack)
    workers = stack.urls("health", "worker")
    before = [(await consumer_progress(client, url, REPLICA_CONSUMER))[1] for url in workers]
    places = await create_posyandu(client, stack, 12, fields=("health",), label="Replica")
    ids = [p for p, _ in places]
    await wait_replicas(stack, ids, ["health"], timeout=60)
    registry_events, _ = await outbox(stack, "registry", ids)
    assert len(registry_events) >= len(ids)

    async def delivered() -> list[dict[str, int]] | None:
        now = [(await consumer_progress(client, url, REPLICA_CONSUMER))[1] for url in workers]
        deltas = [
            {k: v - b.get(k, 0) for k, v in n.items() if v - b.get(k, 0)}
            for n, b in zip(now, before, strict=True)
        ]
        total = sum(sum(d.values()) for d in deltas)
        return deltas if total >= len(registry_events) else None

    deltas = await eventually(delivered)
    # One group: each event went to one worker only (two groups would see each twice), and it
    # was applied there once (the other worker's inbox never had to skip it).
    assert sum(sum(d.values()) for d in deltas) == len(registry_events)
    assert sum(d.get("handled", 0) for d in deltas) == len(registry_events)
    assert all("duplicate" not in d for d in deltas)
    assert await group_state(stack.bootstrap_servers, stack.namespace + REPLICA_CONSUMER) == (
        "Stable",
        2,
    )


async def test_writes_over_both_apis_reach_the_database_and_kafka_exactly_once(
    stack: Stack, client: httpx.AsyncClient
) -> None:
    places = await create_posyandu(client, stack, 6, fields=("health",), label="Split")
    ids = [p for p, _ in places]
    await wait_replicas(stack, ids, ["health"], timeout=60)
    children = balita(places, 50, seed=21, serial_from=2_100_000)
    await insert_targets(stack, children)
    apis, workers = stack.urls("health", "api"), stack.replicas("health", "worker")

    await stop(workers)  # from here on no process runs health's relay
    written = await _write_measurements(client, apis, children)
    assert len(written) == len(children) >= 250
    events, pending = await outbox(stack, "health", ids)
    assert pending == len(events) >= len(written)  # nothing sent: the APIs do not relay
    for url in apis:
        report = await readiness(client, url)
        assert report["role"] == "api" and report["outbox_pending"] >= pending
        assert await published(client, url) == 0

    await restart(stack, workers)

    async def drained() -> bool | None:
        return (await outbox(stack, "health", ids))[1] == 0 or None

    await eventually(drained)
    relayed = [await published(client, url) for url in stack.urls("health", "worker")]
    assert sum(relayed) == len(events)  # every row sent by one relay, never by both

    await _read_back(client, apis, written)
    await _exactly_once_on_the_topic(stack, ids, events, written)


async def _write_measurements(
    client: httpx.AsyncClient, apis: list[str], children: list[Any]
) -> dict[str, dict[str, Any]]:
    """One measurement per child, alternately over the two APIs, 16 at a time; the answered
    ids with what was sent."""
    semaphore = asyncio.Semaphore(16)
    on = TODAY - timedelta(days=2)

    async def one(i: int, child: Any) -> tuple[str, dict[str, Any]]:
        body = measurement(child, on)
        url = f"{apis[i % 2]}/v1/posyandu/{child.target['posyandu_id']}/measurements"
        async with semaphore:
            response = await client.post(url, json=body, headers=OPD_HEALTH)
        assert response.status_code == 201, response.text
        return response.json()["id"], body

    return dict(await asyncio.gather(*(one(i, c) for i, c in enumerate(children))))


async def _read_back(
    client: httpx.AsyncClient, apis: list[str], written: dict[str, dict[str, Any]]
) -> None:
    """Every acknowledged write, read through each API in turn."""
    semaphore = asyncio.Semaphore(16)

    async def one(i: int, measurement_id: str) -> None:
        async with semaphore:
            response = await client.get(
                f"{apis[(i + 1) % 2]}/v1/measurements/{measurement_id}", headers=OPD_HEALTH
            )
        assert response.status_code == 200, response.text
        stored, sent = response.json(), written[measurement_id]
        assert stored["target_id"] == sent["target_id"]
        assert stored["weight_kg"] == pytest.approx(sent["weight_kg"])

    await asyncio.gather(*(one(i, m) for i, m in enumerate(written)))


async def _exactly_once_on_the_topic(
    stack: Stack, ids: list[str], events: set[str], written: dict[str, dict[str, Any]]
) -> None:
    topic = stack.namespace + HEALTH_TOPIC
    every_row = await outbox_total(stack, "health")
    # Each outbox row once on the topic: as many records as rows, not one more.
    assert await topic_size(stack.bootstrap_servers, topic) == every_row
    envelopes = await read_envelopes(stack.bootstrap_servers, topic, expected=every_row)
    mine = [e.id for e in envelopes if e.posyandu_id in set(ids)]
    assert sorted(mine) == sorted(events)
    measured = {
        e.data["measurement_id"]
        for e in envelopes
        if e.type == MEASURED and e.posyandu_id in set(ids)
    }
    assert measured == set(written)
