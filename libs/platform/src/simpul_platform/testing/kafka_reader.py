"""Reading what actually reached a topic, for assertions in tests and fault checks."""

from __future__ import annotations

import time
from typing import Any

from aiokafka import AIOKafkaConsumer

from simpul_platform.events import Envelope


async def read_topic(
    bootstrap: str,
    topic: str,
    *,
    expected: int,
    timeout: float = 30.0,
) -> list[Any]:
    """Every record on ``topic`` from the beginning, waiting until ``expected`` have arrived.

    Returns what arrived when the timeout passes, so a test can report what is missing.
    """
    # No group: the consumer is assigned every partition and starts at the earliest offset.
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
    )
    await consumer.start()
    try:
        records: list[Any] = []
        deadline = time.monotonic() + timeout
        while len(records) < expected and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=200)
            for part_records in batch.values():
                records.extend(part_records)
        return records
    finally:
        await consumer.stop()


async def read_envelopes(
    bootstrap: str, topic: str, *, expected: int, timeout: float = 30.0
) -> list[Envelope]:
    records = await read_topic(bootstrap, topic, expected=expected, timeout=timeout)
    return [Envelope.from_kafka(r.key, r.value, list(r.headers)) for r in records]
