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
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from aiokafka import AIOKafkaProducer
from sqlalchemy import (
    BigInteger,
    String,
    and_,
    any_,
    bindparam,
    cast,
    delete,
    func,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from simpul_platform import metrics, tracing
from simpul_platform.db import Database
from simpul_platform.kafka import ensure_topics, idempotent_producer, stop_within
from simpul_platform.outbox import outbox_table
from simpul_platform.relay_rounds import (
    Claim,
    Pending,
    abandon,
    end_producer_spans,
)
from simpul_platform.settings import ServiceSettings

logger = logging.getLogger("simpul.relay")
ProducerFactory = Callable[[], AIOKafkaProducer]
# How long one publish_pending call may go on pipelining: it returns now and then, so the run
# loop's backlog gauges and purge come round while a long backlog drains.
PIPELINE_SECONDS = 1.0


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
        """Publish pending rows; returns how many the broker acknowledged.

        One batch; on PostgreSQL, while batches come back full, as many as it sends within
        ``PIPELINE_SECONDS``, each in its own transaction: the next is claimed (and its Kafka
        record batches built) while the current one is acknowledged, and the current one is
        marked while the next is sent, so the database, the broker and this process work at
        once. A batch is sent only once every row of the one before it is acknowledged, so a
        key's rows reach the topic in order, as one at a time.
        """
        producer = await self._ensure_producer()
        mine: set[int] = set()  # rows our open transactions hold: not "held elsewhere"
        claim = await self._claim_batch(producer, mine)
        upcoming: asyncio.Task[Claim | None] | None = None
        marking: asyncio.Task[None] | None = None
        published = 0
        until = time.monotonic() + PIPELINE_SECONDS
        try:
            while claim is not None:
                if self._pipelined(claim, until):
                    after = claim.rows[-1].seq  # past our own locked rows, not through them
                    upcoming = asyncio.create_task(self._claim_batch(producer, mine, after))
                sent, failed = await self._send(producer, claim)
                if marking is not None:
                    await marking
                current, claim, marking = claim, None, None
                if failed:
                    await self._finish(current, sent, failed, mine)
                    raise RuntimeError(
                        f"{len(failed)} events not acknowledged: {next(iter(failed.values()))}"
                    )
                marking = asyncio.create_task(self._finish(current, sent, failed, mine))
                published += len(sent)
                if upcoming is not None:
                    claim, upcoming = await upcoming, None
            if marking is not None:
                await marking
        finally:
            await abandon(claim, upcoming, marking)
        return published

    def _pipelined(self, claim: Claim, until: float) -> bool:
        """Whether to claim another batch while this one is sent: on PostgreSQL (SQLite has
        one writer), after a full batch (a short one drained the outbox), in time."""
        full = len(claim.rows) == self.settings.relay_batch_size
        return self.db.is_postgres and full and time.monotonic() < until

    async def _claim_batch(
        self, producer: AIOKafkaProducer, mine: set[int], after: int | None = None
    ) -> Claim | None:
        """A transaction holding the next batch of unsent rows (past ``after``), with its
        Kafka record batches built, or None (closed) when none."""
        session = self.db.sessions()
        claim = Claim(session, [], [], [], time.perf_counter())
        try:
            await session.begin()
            claim.rows = await self._claim(session, mine, after)
            await self._build(producer, claim)
        except BaseException as exc:
            end_producer_spans(claim.spans, exc)
            await session.close()
            raise
        if not claim.rows:
            await session.close()
            return None
        mine.update(row.seq for row in claim.rows)
        return claim

    async def _build(self, producer: AIOKafkaProducer, claim: Claim) -> None:
        """The claim's rows as record batches, one run per topic partition in the rows' order,
        each row under a PRODUCER span that its record's traceparent names.

        Built with the producer's batch interface (``create_batch``/``send_batch``), which takes
        a batch's records as they are, where ``send`` would find each a partition, a batch
        and a future: this was most of the relay's CPU per event."""
        topics = {row.topic for row in claim.rows}
        await self._ensure_topics(topics)
        partitions = {topic: len(await producer.partitions_for(topic)) for topic in topics}
        claim.build(producer.create_batch, partitions, self._tracing)

    async def _finish(
        self, claim: Claim, sent: list[int], failed: dict[int, str], mine: set[int]
    ) -> None:
        """Mark the batch's rows and commit its transaction."""
        try:
            await self._mark(claim.session, sent, failed)
            await claim.session.commit()
        finally:
            await claim.session.close()
            mine.difference_update(row.seq for row in claim.rows)
        service = self.settings.service_name
        metrics.OUTBOX_BATCH_SECONDS.labels(service).observe(time.perf_counter() - claim.started)
        self.published_total += len(sent)
        metrics.OUTBOX_PUBLISHED.labels(service).inc(len(sent))

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

    async def _claim(
        self, session: AsyncSession, mine: set[int], after: int | None
    ) -> list[Pending]:
        pending: ColumnElement[bool] = outbox_table.c.sent_at.is_(None)
        if after is not None:
            pending = and_(pending, outbox_table.c.seq > after)
        query = (
            select(*(outbox_table.c[name] for name in Pending._fields))
            .where(pending)
            .order_by(outbox_table.c.seq)
            .limit(self.settings.relay_batch_size)
            .with_for_update(skip_locked=True)  # rendered on PostgreSQL, ignored by SQLite
        )
        rows = [Pending(*row) for row in await session.execute(query)]
        if rows and self.db.is_postgres:
            rows = await self._drop_keys_held_elsewhere(session, rows, mine)
        return rows

    async def _drop_keys_held_elsewhere(
        self, session: AsyncSession, rows: list[Pending], mine: set[int]
    ) -> list[Pending]:
        """Keep per-key order across replicas: skip a key whose older rows another relay holds.

        SKIP LOCKED passed over rows locked by another replica (or by this relay's batch in
        flight, in ``mine``); if another replica's is older than a row we claimed for the same
        key, publishing ours now would overtake it.
        """
        keys = {row.event_key for row in rows if row.event_key}
        if not keys:
            return rows
        ours = [row.seq for row in rows]
        # NOT IN a subquery is hashed once; "<> ALL (array)" is too while PostgreSQL plans each
        # call afresh, but its generic plan, from the sixth call on, compared every candidate
        # with every element: some 50 ms a claim of 2,000.
        ours_or_in_flight = select(func.unnest(_seqs([*ours, *mine])))
        held = await session.execute(
            select(outbox_table.c.event_key)
            .where(
                and_(
                    outbox_table.c.sent_at.is_(None),
                    outbox_table.c.seq < max(ours),
                    outbox_table.c.seq.not_in(ours_or_in_flight),
                )
            )
            .distinct()
        )
        blocked = {key for (key,) in held} & keys
        return [row for row in rows if row.event_key not in blocked]

    async def _send(
        self, producer: AIOKafkaProducer, claim: Claim
    ) -> tuple[list[int], dict[int, str]]:
        """Send the claim's record batches in order; the rows acknowledged, and the failed ones
        with their error."""
        try:
            futures = [
                await producer.send_batch(p.builder, p.topic, partition=p.partition)
                for p in claim.parcels
            ]
            timeout = self.settings.relay_max_backoff_s + 30
            results = await asyncio.wait_for(
                asyncio.gather(*futures, return_exceptions=True), timeout=timeout
            )
        except BaseException as exc:
            end_producer_spans(claim.spans, exc)
            raise
        sent: list[int] = []
        failed: dict[int, str] = {}
        for parcel, result in zip(claim.parcels, results, strict=True):
            if isinstance(result, BaseException):
                failed.update(dict.fromkeys(parcel.seqs, f"{type(result).__name__}: {result}"))
            else:
                sent.extend(parcel.seqs)
        end_producer_spans(claim.spans, None, failed, claim.rows)
        return sent, failed

    async def _mark(self, session: AsyncSession, sent: list[int], failed: dict[int, str]) -> None:
        if sent:
            await session.execute(
                update(outbox_table)
                .where(_among_seqs(sent, postgres=self.db.is_postgres))
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


def _among_seqs(seqs: Sequence[int], *, postgres: bool) -> ColumnElement[bool]:
    """The outbox rows of these seqs. On PostgreSQL one array parameter instead of an IN list
    of a batch's size, which SQLAlchemy renders anew on every call; the range keeps the plan
    on the primary key (without it, a young table's plan, before its statistics, scanned
    every row against every element: some 100 µs a row on a busy outbox)."""
    if not postgres:
        return outbox_table.c.seq.in_(seqs)
    return and_(
        outbox_table.c.seq.between(min(seqs), max(seqs)), outbox_table.c.seq == any_(_seqs(seqs))
    )


def _seqs(seqs: Iterable[int]) -> ColumnElement[Any]:
    """A PostgreSQL bigint[] of outbox seqs (for ``= ANY``, ``unnest``): one bind, whatever its
    length, sent as its text form and cast, since asyncpg encoding a list checks every
    element's type through the ABCs, some microseconds each, thousands a round."""
    text = "{" + ",".join(map(str, seqs)) + "}"
    return cast(bindparam(None, text, type_=String()), ARRAY(BigInteger()))
