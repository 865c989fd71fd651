"""The outbox relay: publishes committed outbox rows to Kafka, at least once, in order per key.

It claims a batch of unsent rows (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so replicas share
the work), sends them with an idempotent acks=all producer, marks what the broker acknowledged
as sent, and backs off while the broker is away. Consumers deduplicate by event id, so a row
sent twice after a crash between the ack and the commit is harmless.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from aiokafka import AIOKafkaProducer
from opentelemetry.trace import Span, SpanKind, StatusCode
from opentelemetry.util.types import AttributeValue
from sqlalchemy import BigInteger, String, all_, and_, any_, bindparam, delete, func, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.types import TypeEngine

from simpul_platform import metrics, tracing
from simpul_platform.db import Database
from simpul_platform.events import (
    EXTENSION_POSYANDU,
    EXTENSION_TRACEPARENT,
    EXTENSION_WILAYAH,
    binary_headers,
)
from simpul_platform.kafka import ensure_topics, idempotent_producer, stop_within
from simpul_platform.outbox import outbox_table
from simpul_platform.settings import ServiceSettings

logger = logging.getLogger("simpul.relay")
ProducerFactory = Callable[[], AIOKafkaProducer]


class OutboxRelay:
    def __init__(
        self,
        db: Database,
        settings: ServiceSettings,
        producer_factory: ProducerFactory | None = None,
    ) -> None:
        self.db = db
        self.settings = settings
        self._producer_factory = producer_factory or (lambda: idempotent_producer(settings))
        self._producer: AIOKafkaProducer | None = None
        self._known_topics: set[str] = set()
        self._last_purge = 0.0
        self._last_backlog = -float("inf")
        self.broker_available = False
        self.last_error: str | None = None
        self.published_total = 0

    @property
    def _tracing(self) -> tracing.Tracing:
        return tracing.for_service(self.settings.service_name)

    async def run(self) -> None:
        """Publish until cancelled; never raises for broker or database trouble."""
        backoff = self.settings.relay_poll_interval_s
        try:
            while True:
                try:
                    await self._observe_backlog()
                    published = await self.publish_pending()
                    backoff = self.settings.relay_poll_interval_s
                    if published < self.settings.relay_batch_size:
                        await asyncio.sleep(self.settings.relay_poll_interval_s)
                    await self._purge_sent()
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # broker or database away: back off, keep going
                    await self._on_failure(exc)
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, self.settings.relay_max_backoff_s)
        finally:
            await self._close_producer()

    async def publish_pending(self) -> int:
        """Publish one batch of pending rows; returns how many the broker acknowledged."""
        producer = await self._ensure_producer()
        started = time.perf_counter()
        async with self.db.sessions() as session, session.begin():
            rows = await self._claim(session)
            if not rows:
                return 0
            await self._ensure_topics({row.topic for row in rows})
            sent, failed = await self._send(producer, rows)
            await self._mark(session, sent, failed)
        service = self.settings.service_name
        metrics.OUTBOX_BATCH_SECONDS.labels(service).observe(time.perf_counter() - started)
        self.published_total += len(sent)
        metrics.OUTBOX_PUBLISHED.labels(service).inc(len(sent))
        if failed:
            raise RuntimeError(
                f"{len(failed)} events not acknowledged: {next(iter(failed.values()))}"
            )
        return len(sent)

    async def pending_count(self) -> int:
        async with self.db.sessions() as session:
            result = await session.execute(
                select(func.count())
                .select_from(outbox_table)
                .where(outbox_table.c.sent_at.is_(None))
            )
            return int(result.scalar_one())

    async def backlog(self) -> tuple[int, float]:
        """Unsent rows and the age in seconds of the oldest (0 when none), in one query.

        The oldest is the lowest ``seq`` (the order the relay publishes in), found through the
        ``ix_outbox_pending`` partial index: one index entry and one row, however long the
        backlog. The count reads the same index."""
        pending = outbox_table.c.sent_at.is_(None)
        oldest = (
            select(outbox_table.c.created_at)
            .where(pending)
            .order_by(outbox_table.c.seq)
            .limit(1)
            .scalar_subquery()
        )
        query = select(func.count(), oldest).select_from(outbox_table).where(pending)
        async with self.db.sessions() as session:
            count, created = (await session.execute(query)).one()
        if created is None:
            return int(count), 0.0
        if created.tzinfo is None:  # SQLite returns naive datetimes
            created = created.replace(tzinfo=UTC)
        return int(count), max((datetime.now(UTC) - created).total_seconds(), 0.0)

    async def _observe_backlog(self) -> None:
        """Refresh the backlog gauges every ``metrics_refresh_interval_s``; the run loop calls
        it on every round, the failed ones included, so an outage shows as a growing age."""
        if time.monotonic() - self._last_backlog < self.settings.metrics_refresh_interval_s:
            return
        self._last_backlog = time.monotonic()
        pending, age = await self.backlog()
        metrics.OUTBOX_PENDING.labels(self.settings.service_name).set(pending)
        metrics.OUTBOX_OLDEST_AGE.labels(self.settings.service_name).set(age)

    async def _claim(self, session: AsyncSession) -> list[Row[Any]]:
        query = (
            select(outbox_table)
            .where(outbox_table.c.sent_at.is_(None))
            .order_by(outbox_table.c.seq)
            .limit(self.settings.relay_batch_size)
            .with_for_update(skip_locked=True)  # rendered on PostgreSQL, ignored by SQLite
        )
        rows = list((await session.execute(query)).all())
        if rows and self.db.is_postgres:
            rows = await self._drop_keys_held_elsewhere(session, rows)
        return rows

    async def _drop_keys_held_elsewhere(
        self, session: AsyncSession, rows: list[Row[Any]]
    ) -> list[Row[Any]]:
        """Keep per-key order across replicas: skip a key whose older rows another relay holds.

        SKIP LOCKED passed over rows locked by another replica; if one of those is older than a
        row we claimed for the same key, publishing ours now would overtake it.
        """
        claimed = [row.seq for row in rows]
        keys = sorted({row.event_key for row in rows if row.event_key})
        if not keys:
            return rows
        held = await session.execute(
            select(outbox_table.c.event_key)
            .where(
                and_(
                    outbox_table.c.sent_at.is_(None),
                    outbox_table.c.event_key == any_(_array(keys, String())),
                    outbox_table.c.seq < max(claimed),
                    outbox_table.c.seq != all_(_array(claimed, BigInteger())),
                )
            )
            .distinct()
        )
        blocked = {key for (key,) in held}
        return [row for row in rows if row.event_key not in blocked]

    async def _send(
        self, producer: AIOKafkaProducer, rows: Sequence[Row[Any]]
    ) -> tuple[list[int], dict[int, str]]:
        spans: list[Span] = []
        try:
            results = await self._send_traced(producer, rows, spans)
        except BaseException as exc:
            _end_producer_spans(spans, [exc] * len(spans))
            raise
        _end_producer_spans(spans, results)
        sent: list[int] = []
        failed: dict[int, str] = {}
        for row, result in zip(rows, results, strict=True):
            if isinstance(result, BaseException):
                failed[row.seq] = f"{type(result).__name__}: {result}"
            else:
                sent.append(row.seq)
        return sent, failed

    async def _send_traced(
        self, producer: AIOKafkaProducer, rows: Sequence[Row[Any]], spans: list[Span]
    ) -> list[Any]:
        """Send the rows, each under a span it appends to ``spans``; their acks or errors."""
        futures = []
        tracer = self._tracing
        for row in rows:
            # One PRODUCER span per row, the row's child; the record carries the span's own
            # context, so the consumer's span is its child (tracing.py).
            span = tracer.start(
                f"publish {row.topic}",
                tracing.parse_traceparent(row.traceparent),
                kind=SpanKind.PRODUCER,
                attributes=_producer_attributes(row) if tracer.recording else None,
            )
            spans.append(span)
            key, value, headers = _record(row, tracing.format_traceparent(span.get_span_context()))
            futures.append(await producer.send(row.topic, value=value, key=key, headers=headers))
        timeout = self.settings.relay_max_backoff_s + 30
        return list(
            await asyncio.wait_for(
                asyncio.gather(*futures, return_exceptions=True), timeout=timeout
            )
        )

    async def _mark(self, session: AsyncSession, sent: list[int], failed: dict[int, str]) -> None:
        if sent:
            # One array parameter on PostgreSQL instead of an IN list of a batch's size, which
            # SQLAlchemy renders anew on every call.
            among = (
                outbox_table.c.seq == any_(_array(sent, BigInteger()))
                if self.db.is_postgres
                else outbox_table.c.seq.in_(sent)
            )
            await session.execute(
                update(outbox_table)
                .where(among)
                .values(sent_at=datetime.now(UTC), attempts=outbox_table.c.attempts + 1)
            )
        for seq, error in failed.items():
            await session.execute(
                update(outbox_table)
                .where(outbox_table.c.seq == seq)
                .values(attempts=outbox_table.c.attempts + 1, last_error=error[:2000])
            )

    async def _ensure_producer(self) -> AIOKafkaProducer:
        if self._producer is None:
            producer = self._producer_factory()
            try:
                await producer.start()
            except BaseException:
                await producer.stop()
                raise
            self._producer = producer
        self.broker_available = True
        return self._producer

    async def _ensure_topics(self, topics: set[str]) -> None:
        missing = topics - self._known_topics
        if missing:
            await ensure_topics(self.settings, missing)
            self._known_topics |= missing

    async def _on_failure(self, exc: Exception) -> None:
        self.broker_available = False
        self.last_error = f"{type(exc).__name__}: {exc}"
        metrics.OUTBOX_FAILURES.labels(self.settings.service_name).inc()
        logger.warning("outbox relay cannot publish; will retry", extra={"error": self.last_error})
        # A fresh producer after a broker outage: new connections, new producer id.
        await self._close_producer()

    async def _close_producer(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            await stop_within(producer.stop(), "the outbox relay's producer")

    async def _purge_sent(self) -> None:
        """Delete rows sent longer ago than the retention (they stay for audit until then)."""
        if time.monotonic() - self._last_purge < 60:
            return
        self._last_purge = time.monotonic()
        cutoff = datetime.now(UTC) - timedelta(hours=self.settings.relay_retention_hours)
        async with self.db.transaction() as session:
            await session.execute(
                delete(outbox_table).where(
                    and_(outbox_table.c.sent_at.is_not(None), outbox_table.c.sent_at < cutoff)
                )
            )


def _producer_attributes(row: Row[Any]) -> dict[str, AttributeValue]:
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


def _end_producer_spans(spans: Sequence[Span], results: Sequence[Any]) -> None:
    for span, result in zip(spans, results, strict=False):
        if isinstance(result, BaseException) and span.is_recording():
            span.set_status(StatusCode.ERROR, f"{type(result).__name__}: {result}")
        span.end()


def _record(
    row: Row[Any], traceparent: str | None
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


def _array(values: Sequence[Any], item: TypeEngine[Any]) -> BindParameter[Any]:
    """A PostgreSQL array parameter (for ``= ANY`` / ``<> ALL``): one bind, whatever its length."""
    return bindparam(None, list(values), type_=ARRAY(item))
