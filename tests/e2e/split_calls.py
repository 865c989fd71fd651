"""What the split-process test reads from its processes, its databases and the broker."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from bench.common import connect
from simpul_platform.devstack.services import ServiceProcess
from simpul_platform.testing.kafka_reader import connection_options
from simpul_platform.testing.stack import Stack

_PUBLISHED = re.compile(r"^simpul_outbox_published_total\{[^}]*\}\s+(\S+)$", re.MULTILINE)


async def published(client: httpx.AsyncClient, url: str) -> int:
    """Outbox events this process's relay has had acknowledged by Kafka since it started."""
    text = (await client.get(f"{url}/metrics")).text
    return sum(int(float(value)) for value in _PUBLISHED.findall(text))


async def outbox(stack: Stack, name: str, keys: Sequence[str]) -> tuple[set[str], int]:
    """The event ids of ``name``'s outbox rows for these posyandu, and how many are unsent."""
    async with connect(stack.databases[name]) as db:
        rows = await db.fetch(
            "SELECT event_id, sent_at FROM outbox WHERE event_key = ANY($1)", list(keys)
        )
    return {str(r["event_id"]) for r in rows}, sum(1 for r in rows if r["sent_at"] is None)


async def outbox_total(stack: Stack, name: str) -> int:
    async with connect(stack.databases[name]) as db:
        total: int = await db.fetchval("SELECT count(*) FROM outbox")
    return total


async def topic_size(bootstrap: str, topic: str) -> int:
    """Records the topic holds (the sum of its partitions' end offsets: the relay's producer is
    idempotent, not transactional, so every offset is a record)."""
    consumer = AIOKafkaConsumer(topic, **connection_options(bootstrap), group_id=None)
    await consumer.start()
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        ends = await consumer.end_offsets([TopicPartition(topic, p) for p in partitions])
        return sum(ends.values())
    finally:
        await consumer.stop()


async def group_state(bootstrap: str, group: str) -> tuple[str, int]:
    """A consumer group's state (``Stable``...) and how many members it has."""
    admin = AIOKafkaAdminClient(**connection_options(bootstrap))
    await admin.start()
    try:
        [response] = await admin.describe_consumer_groups([group])
        (described,) = response.groups
        # DescribeGroups: (error_code, group_id, state, protocol_type, protocol, members, ...)
        state, members = described[2], described[5]
        return str(state), len(members)
    finally:
        await admin.close()


async def stop(processes: Sequence[ServiceProcess]) -> None:
    await asyncio.gather(*(asyncio.to_thread(p.stop) for p in processes))


async def restart(stack: Stack, processes: Sequence[ServiceProcess]) -> None:
    await asyncio.gather(*(asyncio.to_thread(stack.restart, p.label) for p in processes))


async def readiness(client: httpx.AsyncClient, url: str) -> dict[str, Any]:
    response = await client.get(f"{url}/readyz")
    assert response.status_code == 200, response.text
    report: dict[str, Any] = response.json()
    return report
