"""Consumers: exactly-once effects on top of at-least-once delivery.

The runner applies a poll's records in chunks of up to ``consumer_batch_size`` (partitions one
after another, each in offset order), each chunk in ONE database transaction: it inserts the
chunk's inbox rows ``(consumer, event id)`` in one statement, runs the handlers of the records
it newly claimed, in order, commits once, and only then commits the chunk's offsets. A
redelivered event finds its inbox row and is skipped; so is the same event a second time in
one chunk. One commit per chunk instead of per record is what lets a consumer keep up: the
connection checkout, BEGIN, inbox insert and COMMIT cost as much as a small handler.

What a consumer reads is declared: one ``Subscription`` per event type, with the consumer's own
tolerant view of it (naming the producer's type and topic) and the handler that gets the parsed
view beside the envelope. The runner parses a record it newly claimed once, just before its
handler runs; data that does not fit the view is a poison message (no retry can fix it).

Handlers share the chunk's session, one after another; after each one the runner flushes and
empties the session, so a handler sees the earlier records' effects exactly as if they had
committed in transactions of their own, and never a stale ORM object from before them.

If anything in a chunk fails, the whole chunk rolls back. For a record's own error, the records
before it are applied again in one transaction, the failing record goes through the
one-record-per-transaction path (retries, then ``simpul.dlq.<consumer>`` with the error), and
the records after it continue as a new chunk. A database or broker outage (or a failed commit)
sends the chunk through the one-record path, which waits the outage out instead of
dead-lettering: that would lose nothing but still stop the effect. Counters and metrics move
only for committed outcomes.

A consumer may also give an event type a batch handler: the records of a chunk it newly
claimed, one run of consecutive events of that type at a time (or of the types that share
the handler: a producer's "registered" and "changed" events of one thing alternate), so it
can read the facts for all of them in one query and write with multi-row INSERTs. Runs keep
the chunk's order (a run ends at an event of a type handled otherwise). The per-record
handler stays the reference: if a batch handler raises, the chunk rolls back and is applied
again record by record, which finds and splits out a poison record as above. So a batch
handler must give exactly the effects its per-record handler would, applied in order.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any, Literal

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.errors import CommitFailedError, KafkaError
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform import inbox, metrics, tracing
from simpul_platform.consumer_metrics import ConsumerMetrics
from simpul_platform.consumer_records import (
    IDLE_COMMIT_S,
    ChunkFailed,
    Offsets,
    declared_type,
    is_transient,
    parse,
    runs,
)
from simpul_platform.db import Database
from simpul_platform.events import Envelope
from simpul_platform.kafka import (
    connection_options,
    dead_letter_topic,
    ensure_topics,
    idempotent_producer,
    stop_within,
)
from simpul_platform.settings import ServiceSettings
from simpul_platform.subscription import (
    BatchHandler,
    Consumer,
    Handler,
    PoisonMessage,
    Received,
    Subscription,
    handling,
)

__all__ = [
    "IDLE_COMMIT_S",
    "BatchHandler",
    "Consumer",
    "ConsumerRunner",
    "Handler",
    "PoisonMessage",
    "Received",
    "Subscription",
    "handling",
]

logger = logging.getLogger("simpul.consumer")


Outcome = Literal["handled", "duplicate", "ignored"]


class ConsumerRunner:
    def __init__(self, consumer: Consumer, db: Database, settings: ServiceSettings) -> None:
        self.consumer = consumer
        self.db = db
        self.settings = settings
        self.group_id = settings.topic(consumer.name)
        self.topics = [settings.topic(t) for t in consumer.topics]
        self.dead_letter_topic = dead_letter_topic(settings, consumer.name)
        self.batch_size = settings.consumer_batch_size
        self._kafka: AIOKafkaConsumer | None = None
        self.handled = 0
        self.duplicates = 0
        self.dead_lettered = 0
        self.lag: int | None = None  # None until the first poll
        self._metrics = ConsumerMetrics(settings, consumer.name, self.dead_letter_topic)

    async def run(self) -> None:
        """Consume until cancelled, reconnecting after broker outages."""
        # The handlers' CONSUMER spans are this service's (tracing.current()); the task's own.
        tracing.active.set(tracing.for_service(self.settings.service_name))
        backoff = 0.5
        while True:
            try:
                await self._consume()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                logger.warning(
                    "consumer stopped; restarting",
                    extra={"consumer": self.consumer.name, "error": f"{type(exc).__name__}: {exc}"},
                )
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, self.settings.relay_max_backoff_s)

    async def _consume(self) -> None:
        await ensure_topics(self.settings, [*self.topics, self.dead_letter_topic])
        kafka = AIOKafkaConsumer(
            *self.topics,
            **connection_options(self.settings),
            group_id=self.group_id,
            client_id=f"simpul-{self.settings.service_name}-{self.consumer.name}",
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            isolation_level="read_committed",
            max_poll_records=max(self.batch_size, 200),
        )
        dead_letters = idempotent_producer(self.settings)
        try:
            await kafka.start()
            await dead_letters.start()
            self._kafka = kafka
            offsets = Offsets()
            while True:
                records = await self._poll(kafka)
                for start in range(0, len(records), self.batch_size):
                    chunk = records[start : start + self.batch_size]
                    outcomes = self._outcome_count()
                    await self._process_chunk(chunk, dead_letters)
                    offsets.passed(chunk)
                    if self._outcome_count() != outcomes or offsets.due():
                        if self.settings.fault_hold_offset_commit_s:
                            await asyncio.sleep(self.settings.fault_hold_offset_commit_s)
                        await self._commit(kafka, offsets.take(kafka.assignment()))
                if offsets.due():
                    await self._commit(kafka, offsets.take(kafka.assignment()))
                self.lag = await self._metrics.observe_lag(kafka)
                await self._metrics.observe_dead_letters(kafka, dead_letters)
        finally:
            self._kafka = None
            self.lag = None
            self._metrics.stopped()
            await stop_within(kafka.stop(), f"consumer {self.consumer.name}")
            await stop_within(dead_letters.stop(), f"dead-letter producer of {self.consumer.name}")

    async def _poll(self, kafka: AIOKafkaConsumer) -> list[ConsumerRecord[Any, Any]]:
        """The next records: a poll's, and when it brought fewer than a chunk, what arrives
        within ``consumer_linger_ms`` after it. Partitions one after another, each in offset
        order (a later poll's records of a partition after the earlier's): chunks may span
        partitions (bigger transactions when load is spread), order is kept per key."""
        batch = await kafka.getmany(timeout_ms=500)
        records = [record for part in batch.values() for record in part]
        linger = self.settings.consumer_linger_ms
        if records and len(records) < self.batch_size and linger:
            await asyncio.sleep(linger / 1000)
            more = await kafka.getmany(timeout_ms=0, max_records=self.batch_size - len(records))
            records += [record for part in more.values() for record in part]
        return records

    def _outcome_count(self) -> int:
        return self.handled + self.duplicates + self.dead_lettered

    async def _commit(self, kafka: AIOKafkaConsumer, offsets: dict[TopicPartition, int]) -> None:
        if not offsets:
            return
        try:
            await kafka.commit(offsets)  # every partition of the chunk in one request
        except CommitFailedError:
            # Rebalanced away: the new owner re-reads from the last commit; the inbox skips repeats.
            logger.info("offset commit lost to a rebalance", extra={"consumer": self.consumer.name})

    async def process_chunk(
        self, records: Sequence[ConsumerRecord[Any, Any]], dead_letters: Any
    ) -> None:
        """Apply one chunk of polled records as the consume loop does (its dead letters go to
        ``dead_letters``, a producer); tests drive it without a broker (testing.run_chunk)."""
        with tracing.activated(tracing.for_service(self.settings.service_name)):
            await self._process_chunk(records, dead_letters)

    async def _process_chunk(
        self,
        records: Sequence[ConsumerRecord[Any, Any]],
        dead_letters: Any,
        *,
        batched: bool = True,
    ) -> None:
        """Apply ``records`` in one transaction, splitting around a record that fails."""
        while records:
            try:
                self._count(await self._transaction(records, batched=batched))
                return
            except ChunkFailed as failed:
                index = failed.index
                if failed.in_batch and not is_transient(failed.error):
                    # Which record the batch failed on is unknown: record by record finds it.
                    logger.warning(
                        "batch handler failed; applying the chunk record by record",
                        extra={"consumer": self.consumer.name, "error": str(failed.error)},
                    )
                    await self._process_chunk(records, dead_letters, batched=False)
                    return
                if index is None or is_transient(failed.error):
                    for record in records:  # the one-record path waits outages out
                        await self._process(record, dead_letters)
                    return
                # The records before it succeeded once in this order; they will again.
                if index:
                    await self._process_chunk(records[:index], dead_letters, batched=batched)
                await self._process(records[index], dead_letters)
                records = records[index + 1 :]

    async def _process(self, record: ConsumerRecord[Any, Any], dead_letters: Any) -> None:
        attempts = 0
        while True:
            try:
                await self._handle(record)
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if is_transient(exc) and not isinstance(exc, PoisonMessage):
                    logger.warning("transient failure; retrying", extra={"error": str(exc)})
                    await asyncio.sleep(1.0)
                    continue
                attempts += 1
                if (
                    isinstance(exc, PoisonMessage)
                    or attempts >= self.settings.consumer_max_attempts
                ):
                    await self._dead_letter(record, exc, dead_letters)
                    return
                await asyncio.sleep(0.1 * attempts)

    async def _handle(self, record: ConsumerRecord[Any, Any]) -> None:
        """One record in its own transaction, with its per-record handler."""
        try:
            self._count(await self._transaction([record], batched=False))
        except ChunkFailed as failed:  # retries and dead letters judge the record's own error
            raise failed.error from failed.error.__cause__

    async def _transaction(
        self, records: Sequence[ConsumerRecord[Any, Any]], *, batched: bool
    ) -> list[Outcome]:
        """Claim the records' inbox rows and run their handlers in one transaction, in order
        (runs of one type together through its batch handler when ``batched``).

        Raises ChunkFailed, after the rollback, naming the record that failed."""
        failed_at: int | None = None  # None: not any one record's fault (the claim, the commit)
        in_batch = False
        try:
            envelopes: list[Envelope | None] = []
            for record in records:
                failed_at = len(envelopes)
                envelopes.append(self._read(record))
            failed_at = None
            read = [envelope for envelope in envelopes if envelope is not None]
            if not read:  # nothing of this consumer's: no transaction to open
                return ["ignored"] * len(envelopes)
            async with self.db.sessions() as session, session.begin():
                claimed = await inbox.claim(
                    session, self.db, self.consumer.name, read, self.consumer.by_type
                )
                outcomes = self._outcomes(envelopes, claimed)
                handled = [
                    (i, envelope)
                    for i, (envelope, outcome) in enumerate(zip(envelopes, outcomes, strict=True))
                    if outcome == "handled" and envelope is not None
                ]
                positions, work = [i for i, _ in handled], [envelope for _, envelope in handled]
                for run in runs(work, self.consumer.batched if batched else {}):
                    received: list[Received[Any]] = []
                    for i in run:  # a view that does not fit is that record's own failure
                        failed_at = positions[i]
                        received.append(Received(self._view(work[i]), work[i]))
                    if len(run) == 1:
                        await self._apply(session, received[0])
                    else:
                        failed_at, in_batch = None, True
                        await self._apply_batch(session, received)
                        in_batch = False
                failed_at = None
            return outcomes
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            raise ChunkFailed(failed_at, exc, in_batch=in_batch) from exc

    def _read(self, record: ConsumerRecord[Any, Any]) -> Envelope | None:
        """The record's envelope, or None for a type this consumer does not read: most of the
        records on a topic are other consumers' business, and parsing one costs more than
        everything else the runner does with it."""
        declared = declared_type(record)
        if declared is not None and declared not in self.consumer.by_type:
            return None
        return parse(record)

    def _outcomes(self, envelopes: Sequence[Envelope | None], claimed: set[str]) -> list[Outcome]:
        """What each record will be: handled (newly claimed), a duplicate, or ignored."""
        outcomes: list[Outcome] = []
        for envelope in envelopes:
            if envelope is None or envelope.type not in self.consumer.by_type:
                outcomes.append("ignored")  # another consumer's business: nothing to dedupe
            elif envelope.id in claimed:
                claimed.discard(envelope.id)  # the same event again later in it is a duplicate
                outcomes.append("handled")
            else:
                outcomes.append("duplicate")
        return outcomes

    def _view(self, envelope: Envelope) -> Any:
        return self.consumer.by_type[envelope.type].parse(envelope)

    async def _apply(self, session: AsyncSession, received: Received[Any]) -> None:
        view, envelope = received
        with handling(envelope):
            await self.consumer.by_type[envelope.type].handler(session, view, envelope)
            await self._settle(session)

    async def _apply_batch(self, session: AsyncSession, run: list[Received[Any]]) -> None:
        batch_handler = self.consumer.by_type[run[0].event.type].batch_handler
        assert batch_handler is not None  # only types in ``batched`` form runs
        await batch_handler(session, run)
        await self._settle(session)

    @staticmethod
    async def _settle(session: AsyncSession) -> None:
        # Written now, so the next handler's queries see it; forgotten, so its ORM reads come
        # from the database as they would in a transaction of their own.
        await session.flush()
        session.expunge_all()

    def _count(self, outcomes: Sequence[Outcome]) -> None:
        """Counters move only once the outcomes are committed (a rolled-back chunk is redone)."""
        for outcome in outcomes:
            if outcome == "handled":
                self.handled += 1
            elif outcome == "duplicate":
                self.duplicates += 1
            metrics.CONSUMED.labels(self.settings.service_name, self.consumer.name, outcome).inc()

    async def _dead_letter(
        self, record: ConsumerRecord[Any, Any], exc: BaseException, dead_letters: Any
    ) -> None:
        headers = [
            *list(record.headers),
            ("dlq_error", f"{type(exc).__name__}: {exc}"[:4000].encode()),
            ("dlq_consumer", self.consumer.name.encode()),
            ("dlq_source_topic", record.topic.encode()),
            ("dlq_source_partition", str(record.partition).encode()),
            ("dlq_source_offset", str(record.offset).encode()),
        ]
        # Until the dead letter is acknowledged the offset is not committed, so nothing is lost.
        while True:
            try:
                await dead_letters.send_and_wait(
                    self.dead_letter_topic, value=record.value, key=record.key, headers=headers
                )
                break
            except KafkaError:
                await asyncio.sleep(1.0)
        self.dead_lettered += 1
        metrics.CONSUMED.labels(
            self.settings.service_name, self.consumer.name, "dead_lettered"
        ).inc()
        self._metrics.dead_lettered()
        logger.error(
            "event dead-lettered",
            extra={
                "consumer": self.consumer.name,
                "topic": record.topic,
                "offset": record.offset,
                "error": str(exc),
            },
        )
