"""What the consumer runner reads of a poll, apart from applying it: a record's declared
type without parsing it, its envelope, the offsets passed and when they are due, and the
runs a chunk's records are applied in, and which failures are transient
(``simpul_platform.consumer``)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from aiokafka import ConsumerRecord, TopicPartition
from sqlalchemy.exc import DBAPIError, OperationalError

from simpul_platform.events import Envelope
from simpul_platform.subscription import PoisonMessage

IDLE_COMMIT_S = 1.0


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, OperationalError | ConnectionError | OSError | asyncio.TimeoutError):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


class ChunkFailed(Exception):
    """A chunk rolled back; ``index`` is the record that raised (None: none of them did, but
    the session, the inbox claim, the commit or a batch handler: ``in_batch``)."""

    def __init__(self, index: int | None, error: Exception, *, in_batch: bool = False) -> None:
        super().__init__(str(error))
        self.index, self.error, self.in_batch = index, error, in_batch


def declared_type(record: ConsumerRecord[Any, Any]) -> str | None:
    """The record's ``ce_type`` header, read without parsing the record (None: absent)."""
    for name, raw in record.headers:
        if name == "ce_type":
            return bytes(raw).decode(errors="replace")
    return None


def parse(record: ConsumerRecord[Any, Any]) -> Envelope:
    try:
        return Envelope.from_kafka(record.key, record.value, list(record.headers))
    except Exception as exc:
        raise PoisonMessage(f"unreadable record: {exc}") from exc


def next_offsets(records: Sequence[ConsumerRecord[Any, Any]]) -> dict[TopicPartition, int]:
    offsets: dict[TopicPartition, int] = {}
    for record in records:  # in offset order per partition: the last one wins
        offsets[TopicPartition(record.topic, record.partition)] = record.offset + 1
    return offsets


class Offsets:
    """The offsets passed and not committed yet. A chunk that claimed, skipped or
    dead-lettered a record is committed at once; one of other consumers' events only (most
    chunks, when events arrive a few at a time) waits up to ``IDLE_COMMIT_S`` for the next
    commit: re-reading those after a restart changes nothing, and an offset commit per poll
    was most of what a caught-up consumer cost the broker and itself."""

    def __init__(self) -> None:
        self.pending: dict[TopicPartition, int] = {}
        self.since = time.monotonic()

    def passed(self, chunk: Sequence[ConsumerRecord[Any, Any]]) -> None:
        if not self.pending:
            self.since = time.monotonic()
        self.pending.update(next_offsets(chunk))

    def due(self) -> bool:
        return bool(self.pending) and time.monotonic() - self.since >= IDLE_COMMIT_S

    def take(self, assigned: Collection[TopicPartition]) -> dict[TopicPartition, int]:
        """The pending offsets of the partitions still assigned (a rebalance may have moved
        one: its new owner reads on from the last commit), and none pending after."""
        taken = {tp: offset for tp, offset in self.pending.items() if tp in assigned}
        self.pending = {}
        return taken


def runs(envelopes: Sequence[Envelope], batched: Mapping[str, object]) -> list[list[int]]:
    """Indexes of ``envelopes`` grouped as they are applied, in order: a run of consecutive
    events whose types share a batch handler (``batched``: by type) together, every other
    event alone."""
    runs: list[list[int]] = []
    for i, envelope in enumerate(envelopes):
        previous = envelopes[runs[-1][-1]] if runs else None
        handler = batched.get(envelope.type)
        if previous is not None and handler is not None and batched.get(previous.type) == handler:
            runs[-1].append(i)
        else:
            runs.append([i])
    return runs
