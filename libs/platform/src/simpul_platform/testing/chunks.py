"""Drive a consumer's handlers on one chunk of envelopes, over a database and no broker.

``run_chunk`` hands the envelopes to a ``ConsumerRunner`` exactly as a poll would (one chunk:
inbox claim and dedup, views parsed, batch handlers, the split around a failing record, dead
letters), so reaction logic gets unit tests that take milliseconds on SQLite. Dead letters are
collected instead of sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from aiokafka import ConsumerRecord

from simpul_platform.consumer import Consumer, ConsumerRunner
from simpul_platform.db import Database
from simpul_platform.events import Envelope
from simpul_platform.settings import ServiceSettings


@dataclass(frozen=True)
class DeadLetter:
    event_id: str
    error: str


@dataclass
class ChunkResult:
    """What the runner counted for the chunk, and the records it dead-lettered."""

    handled: int
    duplicates: int
    dead_lettered: int
    dead_letters: list[DeadLetter] = field(default_factory=list)


class _DeadLetters:
    """Stands in for the dead-letter producer."""

    def __init__(self) -> None:
        self.sent: list[DeadLetter] = []

    async def send_and_wait(
        self, topic: str, *, value: bytes, key: bytes | None, headers: list[tuple[str, bytes]]
    ) -> None:
        found = dict(headers)
        self.sent.append(DeadLetter(found["ce_id"].decode(), found["dlq_error"].decode()))


async def run_chunk(
    consumer: Consumer,
    envelopes: Sequence[Envelope],
    database_url: str,
    *,
    settings: ServiceSettings | None = None,
) -> ChunkResult:
    """Apply ``envelopes`` as one chunk of ``consumer`` on ``database_url`` (a SQLite file, or
    any database whose service tables exist: the platform's inbox is created here).

    ``settings`` are the service's (handlers built from them see the same); by default plain
    test settings. Call it again with the same envelopes to see redeliveries skipped."""
    settings = settings or ServiceSettings(service_name="test", database_url=database_url)
    db = Database(database_url)
    try:
        await db.create_all()
        runner = ConsumerRunner(consumer, db, settings)
        dead_letters = _DeadLetters()
        await runner.process_chunk(_records(runner, envelopes), dead_letters)
    finally:
        await db.dispose()
    return ChunkResult(runner.handled, runner.duplicates, runner.dead_lettered, dead_letters.sent)


def _records(
    runner: ConsumerRunner, envelopes: Sequence[Envelope]
) -> list[ConsumerRecord[Any, Any]]:
    """The envelopes as one partition's records, each on its subscription's topic."""
    records: list[ConsumerRecord[Any, Any]] = []
    for offset, envelope in enumerate(envelopes):
        subscription = runner.consumer.by_type.get(envelope.type)
        topic = subscription.view.topic if subscription else runner.consumer.topics[0]
        key, value, headers = envelope.to_kafka()
        records.append(
            ConsumerRecord(
                topic=runner.settings.topic(topic),
                partition=0,
                offset=offset,
                timestamp=int(envelope.time.timestamp() * 1000),
                timestamp_type=0,
                key=key,
                value=value,
                checksum=None,
                serialized_key_size=len(key or b""),
                serialized_value_size=len(value),
                headers=headers,
            )
        )
    return records
