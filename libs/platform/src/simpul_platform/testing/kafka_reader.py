"""Reading what actually reached a topic, for assertions in tests and fault checks."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import UnknownTopicOrPartitionError

from simpul_platform.events import Envelope

# Where the broker is: its bootstrap servers, or a client's connection options
# (``KafkaCluster.client_options(principal)``) when it authenticates.
Connection = str | Mapping[str, Any]
# Credentials for a bootstrap string, registered by the fixture that started an authenticating
# broker: tests that pass only ``settings.kafka_bootstrap_servers`` then read as the admin.
_KNOWN: dict[str, dict[str, Any]] = {}


def register_connection(options: Mapping[str, Any]) -> None:
    _KNOWN[str(options["bootstrap_servers"])] = dict(options)


def connection_options(bootstrap: Connection) -> dict[str, Any]:
    if isinstance(bootstrap, str):
        return _KNOWN.get(bootstrap, {"bootstrap_servers": bootstrap})
    return dict(bootstrap)


async def read_topic(
    bootstrap: Connection,
    topic: str,
    *,
    expected: int,
    timeout: float = 30.0,
) -> list[Any]:
    """Every record on ``topic`` from the beginning, waiting until ``expected`` have arrived.

    Returns what arrived when the timeout passes, so a test can report what is missing.
    """
    deadline = time.monotonic() + timeout
    consumer = await _started(bootstrap, topic, deadline)
    try:
        records: list[Any] = []
        while len(records) < expected and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=200)
            for part_records in batch.values():
                records.extend(part_records)
        return records
    finally:
        await consumer.stop()


async def read_envelopes(
    bootstrap: Connection, topic: str, *, expected: int, timeout: float = 30.0
) -> list[Envelope]:
    records = await read_topic(bootstrap, topic, expected=expected, timeout=timeout)
    return [Envelope.from_kafka(r.key, r.value, list(r.headers)) for r in records]


async def find_record(
    bootstrap: Connection, topic: str, match: Callable[[Any], bool], *, timeout: float = 30.0
) -> Any:
    """The first record on ``topic`` that ``match`` accepts, exactly as it was published (key,
    value and headers), read from the beginning; AssertionError when none comes in time."""
    deadline = time.monotonic() + timeout
    consumer = await _started(bootstrap, topic, deadline)
    try:
        while time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=200)
            for record in (r for part in batch.values() for r in part):
                if match(record):
                    return record
    finally:
        await consumer.stop()
    raise AssertionError(f"no matching record on {topic} within {timeout} s")


async def _started(bootstrap: Connection, topic: str, deadline: float) -> AIOKafkaConsumer:
    """A started reader assigned every partition of ``topic``, from the earliest offset.

    A service creates its topics in the background at start, and on three nodes a new topic
    reaches every broker's metadata a moment later: the reader waits for the topic's partitions
    (until ``deadline``). It assigns them itself rather than subscribing: a subscriber with no
    group waits for an assignment that a metadata race can leave unmade, with no time limit."""
    consumer = AIOKafkaConsumer(
        **connection_options(bootstrap),
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
    )
    await consumer.start()
    try:
        # A fresh metadata request each time: the client's own cache only follows its topics.
        while not (partitions := (await _metadata(consumer)).partitions_for_topic(topic)):
            if time.monotonic() >= deadline:
                raise UnknownTopicOrPartitionError(topic)
            await asyncio.sleep(0.2)
        consumer.assign([TopicPartition(topic, partition) for partition in sorted(partitions)])
        return consumer
    except BaseException:
        await consumer.stop()
        raise


async def _metadata(consumer: AIOKafkaConsumer) -> Any:
    return await consumer._client.fetch_all_metadata()
