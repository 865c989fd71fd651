"""A relay round: the unsent outbox rows it claimed, as Kafka record batches under their
PRODUCER spans, in the open transaction that holds the rows' locks (``relay``)."""

from __future__ import annotations

import asyncio
import functools
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import NamedTuple

from aiokafka.partitioner import murmur2
from aiokafka.producer.message_accumulator import BatchBuilder
from opentelemetry.trace import Span, SpanKind, StatusCode
from opentelemetry.util.types import AttributeValue
from sqlalchemy.ext.asyncio import AsyncSession

from simpul_platform import tracing
from simpul_platform.events import (
    EXTENSION_POSYANDU,
    EXTENSION_TRACEPARENT,
    EXTENSION_WILAYAH,
    binary_headers,
)
from simpul_platform.tracing import Tracing


class Pending(NamedTuple):
    """An unsent outbox row, as the relay reads it: a plain tuple, since the send loop reads
    each row's fields several times and a SQLAlchemy row's attributes cost ten times more."""

    seq: int
    event_id: str
    topic: str
    event_key: str | None
    event_type: str
    source: str
    subject: str | None
    occurred_at: datetime
    wilayah: str | None
    traceparent: str | None
    data: str


@dataclass
class Parcel:
    """One Kafka record batch of a claim: its topic partition, and the rows it carries."""

    topic: str
    partition: int
    builder: BatchBuilder
    seqs: list[int] = field(default_factory=list)

    def add(
        self, seq: int, key: bytes | None, value: bytes, headers: list[tuple[str, bytes]]
    ) -> bool:
        """Whether the row's record fitted (an empty batch takes any)."""
        if self.builder.append(timestamp=None, key=key, value=value, headers=headers) is None:
            return False
        self.seqs.append(seq)
        return True


@dataclass
class Claim:
    """A batch of outbox rows, the open transaction that holds their locks, and the record
    batches and spans that will publish them."""

    session: AsyncSession
    rows: list[Pending]
    parcels: list[Parcel]
    spans: list[Span]
    started: float

    def build(
        self, new_batch: Callable[[], BatchBuilder], partitions: Mapping[str, int], tracer: Tracing
    ) -> None:
        """The rows as record batches (``new_batch``: the producer's ``create_batch``), one run
        per topic partition in the rows' order, each row under a PRODUCER span that its
        record's traceparent names; ``partitions``: each topic's partition count."""
        filling: dict[tuple[str, int], Parcel] = {}
        for row in self.rows:
            # The span is the row's child; the record carries the span's own context, so the
            # consumer's span is its child (tracing.py).
            span = tracer.start(
                f"publish {row.topic}",
                tracing.parse_traceparent(row.traceparent),
                kind=SpanKind.PRODUCER,
                attributes=producer_attributes(row) if tracer.recording else None,
            )
            self.spans.append(span)
            key, value, headers = record(row, tracing.format_traceparent(span.get_span_context()))
            where = (row.topic, partition_of(key, partitions[row.topic]))
            parcel = filling.get(where)
            if parcel is None or not parcel.add(row.seq, key, value, headers):
                parcel = filling[where] = Parcel(*where, new_batch())
                self.parcels.append(parcel)
                parcel.add(row.seq, key, value, headers)  # a batch always takes its first


async def abandon(
    claim: Claim | None,
    upcoming: asyncio.Task[Claim | None] | None,
    marking: asyncio.Task[None] | None,
) -> None:
    """After a failure: roll back the batches not sent (their rows stay pending) and let a
    mark under way end; a batch sent but not marked goes again, which consumers absorb."""
    if upcoming is not None:
        upcoming.cancel()
        claimed = (await asyncio.gather(upcoming, return_exceptions=True))[0]
        if isinstance(claimed, Claim):
            end_producer_spans(claimed.spans, RuntimeError("not sent: a batch before it failed"))
            await claimed.session.close()
    if claim is not None:
        await claim.session.close()
    if marking is not None:
        await asyncio.gather(marking, return_exceptions=True)


@functools.lru_cache(maxsize=65536)
def key_partition(key: bytes, partitions: int) -> int:
    """The partition aiokafka's default partitioner gives ``key`` (murmur2, as Java's client
    does), worked out once per key: the relay's keys are posyandu ids, a few thousand, and
    hashing each record in pure Python was a fifth of the relay's CPU."""
    hashed: int = murmur2(key)
    return (hashed & 0x7FFFFFFF) % partitions


def partition_of(key: bytes | None, partitions: int) -> int:
    """A keyed record's partition; any for one without a key, as the default partitioner."""
    return random.randrange(partitions) if key is None else key_partition(key, partitions)


def producer_attributes(row: Pending) -> dict[str, AttributeValue]:
    return tracing.attributes_of(
        {
            "messaging.system": "kafka",
            "messaging.operation.type": "send",
            "messaging.destination.name": row.topic,
            "messaging.message.id": row.event_id,
            "messaging.kafka.message.key": row.event_key,
            "cloudevents.event_type": row.event_type,
        }
    )


def end_producer_spans(
    spans: Sequence[Span],
    error: BaseException | None,
    failed: Mapping[int, str] | None = None,
    rows: Sequence[Pending] = (),
) -> None:
    """End a claim's spans: all in error, or those of the ``failed`` rows."""
    for i, span in enumerate(spans):
        if span.is_recording():
            if error is not None:
                span.set_status(StatusCode.ERROR, f"{type(error).__name__}: {error}")
            elif failed and rows[i].seq in failed:
                span.set_status(StatusCode.ERROR, failed[rows[i].seq])
        span.end()


def record(
    row: Pending, traceparent: str | None
) -> tuple[bytes | None, bytes, list[tuple[str, bytes]]]:
    """An outbox row as its Kafka record (key, value, headers), with the traceparent of the
    span that publishes it. The row's data is already the event's JSON, so it goes out as
    stored: no parse and re-encode per event."""
    occurred = row.occurred_at
    if occurred.tzinfo is None:  # SQLite returns naive datetimes
        occurred = occurred.replace(tzinfo=UTC)
    headers = binary_headers(
        id=row.event_id,
        type=row.event_type,
        source=row.source,
        time=occurred,
        subject=row.subject,
        extensions={
            EXTENSION_POSYANDU: row.event_key,
            EXTENSION_WILAYAH: row.wilayah,
            EXTENSION_TRACEPARENT: traceparent,
        },
    )
    key = row.event_key.encode() if row.event_key else None
    return key, row.data.encode(), headers
