"""A poll's records applied in one transaction per chunk, over the real broker and database.

Every record is on the topic before the runner starts, on one partition, so the first poll
holds them all and they form one chunk (``consumer_batch_size`` is larger than the test).
"""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from sqlalchemy import BigInteger, Column, MetaData, String, Table, insert, select, text
from sqlalchemy.exc import OperationalError
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.consumer import (
    IDLE_COMMIT_S,
    BatchHandler,
    Consumer,
    ConsumerRunner,
    Received,
    Subscription,
)
from simpul_platform.db import Database
from simpul_platform.events import Envelope, TolerantPayload
from simpul_platform.inbox import inbox_table
from simpul_platform.kafka import connection_options, ensure_topics, idempotent_producer
from simpul_platform.testing.kafka_reader import read_topic
from toy_service import (
    TOPIC,
    NoteCreated,
    NoteView,
    ToySettings,
    apply_note,
    effect_counts,
    toy_metadata,
)

pytestmark = pytest.mark.integration

audit_metadata = MetaData()
# Which transaction applied each event: txid_current() is one value per transaction.
applied_in = Table(
    "applied_in",
    audit_metadata,
    Column("event_id", String(64), primary_key=True),
    Column("note_id", String(64), nullable=False),
    Column("txid", BigInteger, nullable=False),
)

Handler = Callable[[AsyncSession, NoteView, Envelope], Awaitable[None]]


def note(note_id: str, text_: str = "x") -> Envelope:
    return Envelope(
        id=str(uuid.uuid4()),
        type=NoteCreated.event_type,
        source="/simpul/toy",
        time=datetime.now(UTC),
        data={"note_id": note_id, "text": text_},
        posyandu_id="pos-1",
    )


def audited(handler: Handler) -> Handler:
    """The toy handler (ORM read-then-write of the note's effect row), noting its transaction."""

    async def apply(session: AsyncSession, view: NoteView, event: Envelope) -> None:
        await handler(session, view, event)
        postgres = session.bind.dialect.name == "postgresql"
        txid = (
            (await session.execute(text("SELECT txid_current()"))).scalar_one() if postgres else 0
        )
        await session.execute(
            insert(applied_in).values(event_id=event.id, note_id=event.data["note_id"], txid=txid)
        )

    return apply


class Scenario:
    def __init__(self, make_settings: Callable[..., Any], postgres_url: str) -> None:
        self.settings = make_settings(
            ToySettings,
            database_url=postgres_url,
            kafka_topic_partitions=1,
            consumer_max_attempts=2,
        )
        self.db = Database(postgres_url)

    async def publish(self, records: list[Envelope | tuple[bytes, bytes, list[Any]]]) -> None:
        topic = self.settings.topic(TOPIC)
        await self.db.create_all(toy_metadata, audit_metadata)
        await ensure_topics(self.settings, [topic])
        producer = idempotent_producer(self.settings)
        await producer.start()
        try:
            for record in records:
                key, value, headers = record.to_kafka() if isinstance(record, Envelope) else record
                await producer.send_and_wait(topic, value=value, key=key, headers=headers)
        finally:
            await producer.stop()

    async def consume(
        self,
        handler: Handler,
        done: Callable[[ConsumerRunner], bool],
        *,
        batch: BatchHandler[NoteView] | None = None,
        other: Handler | None = None,
        other_batch: BatchHandler[NoteView] | None = None,
        linger: float = 0.5,
    ) -> Any:
        subscriptions = [Subscription(NoteView, handler, batch)]
        subscriptions += [Subscription(OtherView, other, other_batch)] if other else []
        consumer = Consumer("toy.batches", subscriptions)
        runner = ConsumerRunner(consumer, self.db, self.settings)
        task = asyncio.create_task(runner.run())
        try:
            for _ in range(600):
                if done(runner):
                    break
                await asyncio.sleep(0.1)
            await asyncio.sleep(linger)  # anything further it would (wrongly) apply
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        return runner

    async def effects(self) -> dict[str, int]:
        async with self.db.sessions() as session:
            return await effect_counts(session)

    async def transactions(self) -> dict[str, int]:
        """note id → the transaction that applied it (the last one, for a note seen twice)."""
        async with self.db.sessions() as session:
            rows = await session.execute(select(applied_in.c.note_id, applied_in.c.txid))
            return {note_id: txid for note_id, txid in rows.all()}

    async def committed_offset(self) -> int | None:
        kafka = AIOKafkaConsumer(
            **connection_options(self.settings),
            group_id=self.settings.topic("toy.batches"),
            enable_auto_commit=False,
        )
        await kafka.start()
        try:
            return await kafka.committed(TopicPartition(self.settings.topic(TOPIC), 0))
        finally:
            await kafka.stop()


@pytest.fixture
async def scenario(make_settings, postgres_url):
    running = Scenario(make_settings, postgres_url)
    yield running
    await running.db.dispose()


@pytest.fixture(params=["postgres", "sqlite"])
async def any_scenario(request, make_settings):
    running = Scenario(make_settings, request.getfixturevalue(f"{request.param}_url"))
    yield running
    await running.db.dispose()


async def test_a_chunk_is_one_transaction_and_a_repeat_inside_it_applies_once(any_scenario):
    scenario = any_scenario
    first = note("n1")
    again_n1 = note("n1")  # another event for the same row: read, then written again
    records = [first, note("n2"), note("n3"), first, again_n1, note("n4")]
    await scenario.publish(records)

    runner = await scenario.consume(
        audited(apply_note), lambda r: r.handled + r.duplicates >= len(records)
    )

    assert await scenario.effects() == {"n1": 2, "n2": 1, "n3": 1, "n4": 1}
    assert (runner.handled, runner.duplicates, runner.dead_lettered) == (5, 1, 0)
    assert len(set((await scenario.transactions()).values())) == 1  # (SQLite: all 0)
    async with scenario.db.sessions() as session:
        claimed = (await session.execute(select(inbox_table.c.processed_at))).scalars().all()
    assert len(claimed) == 5 and len(set(claimed)) == 1  # claimed together, in one statement
    assert await scenario.committed_offset() == len(records)


async def test_poison_in_the_middle_is_dead_lettered_and_its_neighbours_apply_once(scenario):
    unreadable = (b"pos-1", b'{"not": "a cloudevent"}', [])
    records = [note("n1"), note("n2"), note("bad", "poison"), unreadable, note("n3"), note("n4")]
    await scenario.publish(records)

    runner = await scenario.consume(
        audited(apply_note), lambda r: r.handled + r.dead_lettered >= len(records)
    )

    assert await scenario.effects() == {"n1": 1, "n2": 1, "n3": 1, "n4": 1}
    assert (runner.handled, runner.duplicates, runner.dead_lettered) == (4, 0, 2)
    txids = await scenario.transactions()
    # Before the poison: one chunk again; after it: one more chunk.
    assert txids["n1"] == txids["n2"] and txids["n3"] == txids["n4"] != txids["n1"]
    dead = await read_topic(
        scenario.settings.kafka_bootstrap_servers, runner.dead_letter_topic, expected=2
    )
    errors = sorted(dict(record.headers)["dlq_error"].decode() for record in dead)
    assert errors[0].startswith("PoisonMessage: unreadable record")
    assert errors[1] == "ValueError: this note can never be applied"
    assert await scenario.committed_offset() == len(records)


async def test_another_consumers_events_are_passed_over_unread(scenario):
    # Its type is in the header; its body is not even JSON, and it is no one's poison here.
    def elsewhere(n: int) -> tuple[bytes, bytes, list[Any]]:
        headers = [("ce_id", f"x-{n}".encode()), ("ce_type", b"toy.other.v1")]
        return (b"pos-1", b"\xff not json", headers)

    records = [note("n1"), elsewhere(1), note("n2"), elsewhere(2), elsewhere(3)]
    await scenario.publish(records)

    # The trailing two change nothing: their offsets are committed within IDLE_COMMIT_S.
    runner = await scenario.consume(
        audited(apply_note), lambda r: r.handled >= 2, linger=IDLE_COMMIT_S + 1.5
    )

    assert await scenario.effects() == {"n1": 1, "n2": 1}
    assert (runner.handled, runner.duplicates, runner.dead_lettered) == (2, 0, 0)
    async with scenario.db.sessions() as session:
        types = (await session.execute(select(inbox_table.c.event_type))).scalars().all()
    assert types == [NoteCreated.event_type] * 2  # nothing claimed for the other type
    assert await scenario.committed_offset() == len(records)


@pytest.mark.parametrize(
    "error",
    [RuntimeError("flaky once"), OperationalError("SELECT 1", None, ConnectionError("gone"))],
    ids=["handler-error", "database-outage"],
)
async def test_a_failure_once_neither_loses_nor_doubles_the_others(scenario, error):
    failed: list[str] = []

    async def fails_once_on_n3(session: AsyncSession, view: NoteView, event: Envelope) -> None:
        await apply_note(session, view, event)  # the effect is rolled back with the chunk
        if view.note_id == "n3" and not failed:
            failed.append(event.id)
            raise error

    records = [note(f"n{i}") for i in range(1, 7)]
    await scenario.publish(records)

    runner = await scenario.consume(
        audited(fails_once_on_n3), lambda r: r.handled + r.dead_lettered >= len(records)
    )

    assert await scenario.effects() == {f"n{i}": 1 for i in range(1, 7)}
    assert (runner.handled, runner.duplicates, runner.dead_lettered) == (6, 0, 0)
    assert failed == [records[2].id]
    assert await scenario.committed_offset() == len(records)


OTHER_TYPE = "toy.note.other.v1"


class OtherView(NoteView):
    event_type = OTHER_TYPE


def other(note_id: str) -> Envelope:
    return dataclasses.replace(note(note_id), type=OTHER_TYPE)


class Batches:
    """A batch handler that applies the notes one by one as the per-record one would, noting
    the runs it was given (as note ids) and failing on a poison note."""

    def __init__(self) -> None:
        self.runs: list[list[str]] = []
        self.singles: list[str] = []

    async def batch(self, session: AsyncSession, run: Sequence[Received[NoteView]]) -> None:
        self.runs.append([view.note_id for view, _ in run])
        if any(view.text == "poison" for view, _ in run):
            raise ValueError("a poison note in the batch")
        for view, event in run:
            await audited(apply_note)(session, view, event)
            await session.flush()

    async def single(self, session: AsyncSession, view: NoteView, event: Envelope) -> None:
        self.singles.append(view.note_id)
        await audited(apply_note)(session, view, event)


async def test_a_batch_handler_gets_each_run_of_its_type_in_order(scenario):
    batches = Batches()
    first = note("n1")
    records = [first, note("n2"), other("o1"), note("n3"), first, note("n1"), note("n4")]
    await scenario.publish(records)

    runner = await scenario.consume(
        batches.single,
        lambda r: r.handled + r.duplicates >= len(records),
        batch=batches.batch,
        other=batches.single,
    )

    # The repeated event is claimed once; the other type ends a run and is applied alone.
    assert batches.runs == [["n1", "n2"], ["n3", "n1", "n4"]]
    assert batches.singles == ["o1"]
    assert await scenario.effects() == {"n1": 2, "n2": 1, "o1": 1, "n3": 1, "n4": 1}
    assert (runner.handled, runner.duplicates, runner.dead_lettered) == (6, 1, 0)
    assert len(set((await scenario.transactions()).values())) == 1
    assert await scenario.committed_offset() == len(records)


async def test_types_sharing_a_batch_handler_form_one_run(scenario):
    batches = Batches()
    records = [note("n1"), other("o1"), note("n2"), other("o2")]  # alternating, as produced
    await scenario.publish(records)

    runner = await scenario.consume(
        batches.single,
        lambda r: r.handled >= len(records),
        batch=batches.batch,
        other=batches.single,
        other_batch=batches.batch,
    )

    assert batches.runs == [["n1", "o1", "n2", "o2"]] and batches.singles == []
    assert await scenario.effects() == {"n1": 1, "o1": 1, "n2": 1, "o2": 1}
    assert (runner.handled, runner.dead_lettered) == (4, 0)


async def test_a_failing_batch_falls_back_to_record_by_record(scenario):
    batches = Batches()
    records = [note("n1"), note("n2"), note("bad", "poison"), note("n3"), note("n4")]
    await scenario.publish(records)

    runner = await scenario.consume(
        batches.single,
        lambda r: r.handled + r.dead_lettered >= len(records),
        batch=batches.batch,
    )

    assert await scenario.effects() == {"n1": 1, "n2": 1, "n3": 1, "n4": 1}
    assert (runner.handled, runner.duplicates, runner.dead_lettered) == (4, 0, 1)
    # The whole chunk once as a batch; then record by record, the poison note split out.
    assert batches.runs[0] == ["n1", "n2", "bad", "n3", "n4"]
    assert "bad" not in {n for run in batches.runs[1:] for n in run}
    dead = await read_topic(
        scenario.settings.kafka_bootstrap_servers, runner.dead_letter_topic, expected=1
    )
    error = dict(dead[0].headers)["dlq_error"].decode()
    assert error == "ValueError: this note can never be applied"
    assert await scenario.committed_offset() == len(records)


async def test_a_view_that_does_not_fit_is_dead_lettered_without_retries(scenario):
    unfit = dataclasses.replace(note("n2"), data={"note_id": "n2"})  # no text
    records = [note("n1"), unfit, note("n3")]
    await scenario.publish(records)

    runner = await scenario.consume(
        audited(apply_note), lambda r: r.handled + r.dead_lettered >= len(records)
    )

    assert await scenario.effects() == {"n1": 1, "n3": 1}
    assert (runner.handled, runner.duplicates, runner.dead_lettered) == (2, 0, 1)
    dead = await read_topic(
        scenario.settings.kafka_bootstrap_servers, runner.dead_letter_topic, expected=1
    )
    error = dict(dead[0].headers)["dlq_error"].decode()
    assert error.startswith("PoisonMessage: toy.note.created.v1 does not fit NoteView")


class Unnamed(TolerantPayload):
    """A view that names no event."""


async def noop(session: AsyncSession, view: Any, event: Envelope) -> None:
    return None


def test_a_subscription_names_its_event_once():
    with pytest.raises(ValueError, match="names no event_type"):
        Consumer("toy", [Subscription(Unnamed, noop)])
    with pytest.raises(ValueError, match=r"subscribes to toy\.note\.created\.v1 twice"):
        Consumer("toy", [Subscription(NoteView, noop), Subscription(NoteView, noop)])
    consumer = Consumer("toy", [Subscription(NoteView, noop), Subscription(OtherView, noop)])
    assert consumer.topics == [TOPIC] and consumer.batched == {}
