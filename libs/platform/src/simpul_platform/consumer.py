"""Consumers: exactly-once effects on top of at-least-once delivery.

For each record the runner opens one database transaction, inserts an inbox row
``(consumer, event id)`` and runs the handler in it. A redelivered event finds its inbox row and
is skipped. Offsets are committed only after that transaction commits. A handler that keeps
failing sends the record to ``simpul.dlq.<consumer>`` with the error and the runner moves on;
a database or broker outage is waited out instead, since dead-lettering would lose nothing but
still stop the effect.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.errors import CommitFailedError, KafkaError
from sqlalchemy import Column, DateTime, String, Table, insert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform import context, metrics
from simpul_platform.db import Database, platform_metadata
from simpul_platform.events import Envelope
from simpul_platform.kafka import dead_letter_topic, ensure_topics, idempotent_producer
from simpul_platform.settings import ServiceSettings

logger = logging.getLogger("simpul.consumer")

inbox_table = Table(
    "inbox",
    platform_metadata,
    Column("consumer", String(120), primary_key=True),
    Column("event_id", String(64), primary_key=True),
    Column("event_type", String(200), nullable=False),
    Column("processed_at", DateTime(timezone=True), nullable=False),
)

Handler = Callable[[AsyncSession, Envelope], Awaitable[None]]


@dataclass
class Consumer:
    """What a service consumes: a name (its group id), logical topics, handlers by event type.

    Event types without a handler are acknowledged and ignored, so producers can add types.
    """

    name: str
    topics: list[str]
    handlers: Mapping[str, Handler] = field(default_factory=dict)


class PoisonMessage(Exception):
    """A record that can never be handled (not a CloudEvent, bad data)."""


def _is_transient(exc: BaseException) -> bool:
    if isinstance(exc, OperationalError | ConnectionError | OSError | asyncio.TimeoutError):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


class ConsumerRunner:
    def __init__(self, consumer: Consumer, db: Database, settings: ServiceSettings) -> None:
        self.consumer = consumer
        self.db = db
        self.settings = settings
        self.group_id = settings.topic(consumer.name)
        self.topics = [settings.topic(t) for t in consumer.topics]
        self.dead_letter_topic = dead_letter_topic(settings, consumer.name)
        self._kafka: AIOKafkaConsumer | None = None
        self.handled = 0
        self.duplicates = 0
        self.dead_lettered = 0
        self.lag: int | None = None  # None until the first poll

    async def run(self) -> None:
        """Consume until cancelled, reconnecting after broker outages."""
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

    async def _update_lag(self, kafka: AIOKafkaConsumer) -> None:
        """Records between this consumer's position and the end of its partitions; unknown
        (None) until it has partitions and has fetched from each, so 0 means caught up."""
        partitions = kafka.assignment()
        highwaters = {partition: kafka.highwater(partition) for partition in partitions}
        if not partitions or any(h is None for h in highwaters.values()):
            self.lag = None
            return
        total = 0
        for partition, highwater in highwaters.items():
            total += max((highwater or 0) - await kafka.position(partition), 0)
        self.lag = total
        metrics.CONSUMER_LAG.labels(self.settings.service_name, self.consumer.name).set(total)

    async def _consume(self) -> None:
        await ensure_topics(self.settings, [*self.topics, self.dead_letter_topic])
        kafka = AIOKafkaConsumer(
            *self.topics,
            bootstrap_servers=self.settings.kafka_bootstrap_servers,
            group_id=self.group_id,
            client_id=f"simpul-{self.settings.service_name}-{self.consumer.name}",
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            isolation_level="read_committed",
            max_poll_records=200,
        )
        dead_letters = idempotent_producer(self.settings)
        try:
            await kafka.start()
            await dead_letters.start()
            self._kafka = kafka
            while True:
                batch = await kafka.getmany(timeout_ms=500)
                for partition, records in batch.items():
                    for record in records:
                        await self._process(record, dead_letters)
                    await self._commit(kafka, partition, records[-1].offset + 1)
                await self._update_lag(kafka)
        finally:
            self._kafka = None
            self.lag = None
            await kafka.stop()
            await dead_letters.stop()

    async def _commit(
        self, kafka: AIOKafkaConsumer, partition: TopicPartition, offset: int
    ) -> None:
        try:
            await kafka.commit({partition: offset})
        except CommitFailedError:
            # Rebalanced away: the new owner re-reads from the last commit; the inbox skips repeats.
            logger.info("offset commit lost to a rebalance", extra={"consumer": self.consumer.name})

    async def _process(self, record: ConsumerRecord[Any, Any], dead_letters: Any) -> None:
        attempts = 0
        while True:
            try:
                await self._handle(record)
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if _is_transient(exc) and not isinstance(exc, PoisonMessage):
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
        try:
            envelope = Envelope.from_kafka(record.key, record.value, list(record.headers))
        except Exception as exc:
            raise PoisonMessage(f"unreadable record: {exc}") from exc
        handler = self.consumer.handlers.get(envelope.type)
        if handler is None:  # another consumer's business: nothing to apply, nothing to dedupe
            metrics.CONSUMED.labels(self.settings.service_name, self.consumer.name, "ignored").inc()
            return
        event_token = context.event_id.set(envelope.id)
        trace_token = context.traceparent.set(envelope.traceparent or context.new_traceparent())
        try:
            async with self.db.sessions() as session, session.begin():
                if not await self._claim_inbox(session, envelope):
                    self.duplicates += 1
                    metrics.CONSUMED.labels(
                        self.settings.service_name, self.consumer.name, "duplicate"
                    ).inc()
                    return
                await handler(session, envelope)
            self.handled += 1
            metrics.CONSUMED.labels(self.settings.service_name, self.consumer.name, "handled").inc()
        finally:
            context.event_id.reset(event_token)
            context.traceparent.reset(trace_token)

    async def _claim_inbox(self, session: AsyncSession, envelope: Envelope) -> bool:
        values = {
            "consumer": self.consumer.name,
            "event_id": envelope.id,
            "event_type": envelope.type,
            "processed_at": datetime.now(UTC),
        }
        statement: Any
        if self.db.is_postgres:
            statement = pg_insert(inbox_table).values(**values).on_conflict_do_nothing()
        elif self.db.dialect == "sqlite":
            statement = sqlite_insert(inbox_table).values(**values).on_conflict_do_nothing()
        else:
            statement = insert(inbox_table).values(**values)
        result = await session.execute(statement)
        return bool(result.rowcount)  # type: ignore[attr-defined]

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
        logger.error(
            "event dead-lettered",
            extra={
                "consumer": self.consumer.name,
                "topic": record.topic,
                "offset": record.offset,
                "error": str(exc),
            },
        )
