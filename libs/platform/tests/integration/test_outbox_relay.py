"""Outbox, relay and consumer over the real Kafka broker and PostgreSQL."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaTimeoutError
from sqlalchemy import func, select

from simpul_platform.auth import mint_token
from simpul_platform.db import Database
from simpul_platform.events import Envelope
from simpul_platform.kafka import idempotent_producer
from simpul_platform.outbox import Outbox, outbox_table
from simpul_platform.relay import OutboxRelay
from simpul_platform.testing.asgi import running_app
from simpul_platform.testing.kafka_reader import read_envelopes, read_topic
from toy_service import TOPIC, NoteCreated, ToySettings, create_app, effect_counts, note_count

pytestmark = pytest.mark.integration


def writer_headers(settings: ToySettings) -> dict[str, str]:
    token = mint_token(settings, "opd-toy-system", ["opd:toy"], ["64.02"])
    return {"Authorization": f"Bearer {token}"}


def note(text: str, posyandu: str = "pos-1") -> dict[str, Any]:
    return {"posyandu_id": posyandu, "wilayah": "64.02.06.2001", "text": text}


async def wait_for(predicate: Callable[[], Any], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await predicate():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"condition not met within {timeout}s")


async def test_committed_write_reaches_kafka_as_a_cloudevent(make_settings, postgres_url):
    settings = make_settings(ToySettings, database_url=postgres_url)
    app = create_app(settings)
    async with running_app(app) as client:
        traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
        response = await client.post(
            "/v1/notes",
            json=note("weighing day moved"),
            headers={**writer_headers(settings), "traceparent": traceparent},
        )
        assert response.status_code == 201, response.text
        note_id = response.json()["id"]
        records = await read_topic(
            settings.kafka_bootstrap_servers, settings.topic(TOPIC), expected=1
        )
    assert len(records) == 1
    record = records[0]
    headers = {name: value.decode() for name, value in record.headers}
    assert record.key == b"pos-1"
    assert headers["ce_specversion"] == "1.0"
    assert headers["ce_type"] == "toy.note.created.v1"
    assert headers["ce_source"] == "/simpul/toy"
    assert headers["ce_subject"] == note_id
    assert headers["ce_posyanduid"] == "pos-1"
    assert headers["ce_wilayah"] == "64.02.06.2001"
    # The request's trace, carried on by the relay's own (PRODUCER) span: a new span id.
    version, trace_id, span_id, flags = headers["ce_traceparent"].split("-")
    assert (version, trace_id, flags) == ("00", traceparent.split("-")[1], "01")
    assert span_id != traceparent.split("-")[2] and len(span_id) == 16
    assert headers["content-type"] == "application/json"
    assert headers["ce_time"].endswith("Z") and len(headers["ce_id"]) == 36
    assert NoteCreated.model_validate_json(record.value) == NoteCreated(
        note_id=note_id, text="weighing day moved"
    )


async def test_rolled_back_event_is_never_published(make_settings, postgres_url):
    settings = make_settings(ToySettings, database_url=postgres_url)
    db = Database(postgres_url)
    await db.create_all()
    outbox = Outbox(settings)
    async with db.sessions() as session:
        await outbox.add(session, NoteCreated(note_id="rolled-back", text="x"), posyandu_id="p")
        await session.rollback()
    async with db.transaction() as session:
        await outbox.add(session, NoteCreated(note_id="committed", text="y"), posyandu_id="p")
    relay = OutboxRelay(db, settings)
    try:
        assert await relay.publish_pending() == 1
        assert await relay.publish_pending() == 0
    finally:
        await relay._close_producer()
        await db.dispose()
    events = await read_envelopes(
        settings.kafka_bootstrap_servers, settings.topic(TOPIC), expected=2, timeout=3
    )
    assert [e.data["note_id"] for e in events] == ["committed"]


async def test_writes_during_a_broker_outage_are_all_delivered_once(
    make_settings, postgres_url, kafka_broker
):
    settings = make_settings(ToySettings, database_url=postgres_url)
    app = create_app(settings)
    async with running_app(app) as client:
        headers = writer_headers(settings)
        first = await client.post("/v1/notes", json=note("before"), headers=headers)
        assert first.status_code == 201
        kafka_broker.kill()
        try:
            during = [
                await client.post(
                    "/v1/notes", json=note(f"outage {i}", f"pos-{i % 4}"), headers=headers
                )
                for i in range(25)
            ]
            assert [r.status_code for r in during] == [201] * 25
            ready = (await client.get("/readyz")).json()
            assert ready["database"] == "ok"
        finally:
            kafka_broker.start()
        written = {first.json()["id"], *(r.json()["id"] for r in during)}

        async def all_applied() -> bool:
            async with app.state.db.sessions() as session:
                return set((await effect_counts(session)).keys()) == written

        await wait_for(all_applied, timeout=90)
        async with app.state.db.sessions() as session:
            counts = await effect_counts(session)
            assert await note_count(session) == 26
        assert set(counts.values()) == {1}, "an effect was applied twice"
        assert await app.state.relay.pending_count() == 0
    events = await read_envelopes(
        settings.kafka_bootstrap_servers, settings.topic(TOPIC), expected=26
    )
    assert {e.data["note_id"] for e in events} == written


async def test_poison_message_goes_to_dead_letter_topic_and_consumption_continues(
    make_settings, postgres_url
):
    settings = make_settings(ToySettings, database_url=postgres_url)
    app = create_app(settings)
    async with running_app(app) as client:
        headers = writer_headers(settings)
        poison = await client.post("/v1/notes", json=note("poison"), headers=headers)
        healthy = await client.post("/v1/notes", json=note("healthy"), headers=headers)
        dead = await read_topic(
            settings.kafka_bootstrap_servers, settings.topic("simpul.dlq.toy.effects"), expected=1
        )

        async def healthy_applied() -> bool:
            async with app.state.db.sessions() as session:
                return healthy.json()["id"] in await effect_counts(session)

        await wait_for(healthy_applied)
        async with app.state.db.sessions() as session:
            assert poison.json()["id"] not in await effect_counts(session)
    assert len(dead) == 1
    dead_headers = {name: value.decode() for name, value in dead[0].headers}
    assert dead_headers["dlq_error"] == "ValueError: this note can never be applied"
    assert dead_headers["dlq_consumer"] == "toy.effects"
    assert dead_headers["dlq_source_topic"] == settings.topic(TOPIC)
    assert dead_headers["ce_type"] == "toy.note.created.v1"


async def test_two_relays_share_the_outbox_without_duplicates_or_reordering(
    make_settings, postgres_url
):
    settings = make_settings(ToySettings, database_url=postgres_url, relay_batch_size=40)
    keys = [f"pos-{i}" for i in range(5)]
    db = await database_with_notes(settings, postgres_url, 300, keys, per_commit=30)
    relays = [OutboxRelay(db, settings), OutboxRelay(db, settings)]

    async def drain(relay: OutboxRelay) -> None:
        while await relay.pending_count():
            await relay.publish_pending()

    try:
        await asyncio.gather(*(drain(r) for r in relays))
    finally:
        for relay in relays:
            await relay._close_producer()
        await db.dispose()
    # Which replica publishes what is a race (one may pipeline the whole outbox while the
    # other finds every key held); that a replica passes over held keys is tested below.
    assert sum(r.published_total for r in relays) == 300
    events = await read_envelopes(
        settings.kafka_bootstrap_servers, settings.topic(TOPIC), expected=300
    )
    assert sorted(int(e.data["note_id"]) for e in events) == list(range(300))
    assert in_order_per_key(events)


async def database_with_notes(
    settings: ToySettings, url: str, count: int, keys: list[str], per_commit: int | None = None
) -> Database:
    """A database whose outbox holds notes 0 .. count-1, ``per_commit`` a transaction (all in
    one by default), their posyandu ids round the ``keys``."""
    db = Database(url)
    await db.create_all()
    outbox = Outbox(settings)
    step = per_commit or count
    for first in range(0, count, step):
        async with db.transaction() as session:
            for n in range(first, min(first + step, count)):
                note_created = NoteCreated(note_id=str(n), text="x")
                await outbox.add(session, note_created, posyandu_id=keys[n % len(keys)])
    return db


def in_order_per_key(events: list[Envelope]) -> bool:
    """Per posyandu, the order of writing is the order on the topic."""
    keys = {e.posyandu_id for e in events}
    per_key = [[int(e.data["note_id"]) for e in events if e.posyandu_id == k] for k in keys]
    return all(numbers == sorted(numbers) for numbers in per_key)


async def test_a_relay_passes_over_a_key_whose_older_row_another_replica_holds(
    make_settings, postgres_url
):
    settings = make_settings(ToySettings, database_url=postgres_url, relay_batch_size=40)
    keys = [f"pos-{i}" for i in range(5)]
    db = await database_with_notes(settings, postgres_url, 100, keys)
    relay = OutboxRelay(db, settings)
    topic = settings.topic(TOPIC)
    try:
        async with db.transaction() as other:  # another replica's claim: pos-0's oldest row
            await other.execute(
                select(outbox_table.c.seq)
                .where(outbox_table.c.event_key == "pos-0")
                .order_by(outbox_table.c.seq)
                .limit(1)
                .with_for_update()
            )
            while await relay.publish_pending():
                pass
            events = await read_envelopes(settings.kafka_bootstrap_servers, topic, expected=80)
            assert {e.posyandu_id for e in events} == set(keys[1:])
            assert await relay.pending_count() == 20
        while await relay.publish_pending():  # the other replica let go without sending
            pass
    finally:
        await relay._close_producer()
        await db.dispose()
    events = await read_envelopes(settings.kafka_bootstrap_servers, topic, expected=100)
    assert sorted(int(e.data["note_id"]) for e in events) == list(range(100))
    assert in_order_per_key(events)


async def test_a_backlog_goes_out_several_batches_a_call_each_in_its_own_transaction(
    make_settings, postgres_url
):
    settings = make_settings(ToySettings, database_url=postgres_url, relay_batch_size=25)
    db = await database_with_notes(settings, postgres_url, 200, [f"pos-{i}" for i in range(7)])
    relay = OutboxRelay(db, settings)
    try:
        first = await relay.publish_pending()
        assert first > settings.relay_batch_size  # the next batch claimed while one is sent
        while await relay.publish_pending():
            pass
        async with db.sessions() as session:
            marked = (
                await session.execute(
                    select(outbox_table.c.attempts, func.count())
                    .where(outbox_table.c.sent_at.is_not(None))
                    .group_by(outbox_table.c.attempts)
                )
            ).all()
    finally:
        await relay._close_producer()
        await db.dispose()
    assert marked == [(1, 200)]
    events = await read_envelopes(
        settings.kafka_bootstrap_servers, settings.topic(TOPIC), expected=200
    )
    assert sorted(int(e.data["note_id"]) for e in events) == list(range(200))
    assert in_order_per_key(events)


async def test_a_batch_the_broker_refuses_stops_the_pipeline_behind_it(make_settings, postgres_url):
    # One partition: each batch of ten is one record batch, and the topic's order is total.
    settings = make_settings(
        ToySettings, database_url=postgres_url, relay_batch_size=10, kafka_topic_partitions=1
    )
    db = await database_with_notes(settings, postgres_url, 30, ["pos-1", "pos-2"])
    failing = OutboxRelay(db, settings, lambda: refusing_the_second_batch(settings))
    try:
        with pytest.raises(RuntimeError, match="10 events not acknowledged: KafkaTimeoutError"):
            await failing.publish_pending()
    finally:
        await failing._close_producer()
    async with db.sessions() as session:
        rows = (
            await session.execute(
                select(
                    outbox_table.c.sent_at.is_not(None),
                    outbox_table.c.attempts,
                    outbox_table.c.last_error.is_not(None),
                ).order_by(outbox_table.c.seq)
            )
        ).all()
    # Sent; refused and counted; claimed behind the refusal, let go untouched.
    assert rows == [(True, 1, False)] * 10 + [(False, 1, True)] * 10 + [(False, 0, False)] * 10
    relay = OutboxRelay(db, settings)
    try:
        while await relay.publish_pending():
            pass
    finally:
        await relay._close_producer()
        await db.dispose()
    events = await read_envelopes(
        settings.kafka_bootstrap_servers, settings.topic(TOPIC), expected=30
    )
    assert [int(e.data["note_id"]) for e in events] == list(range(30))


def refusing_the_second_batch(settings: ToySettings) -> AIOKafkaProducer:
    """The platform's producer, but its second record batch comes back refused."""
    producer = idempotent_producer(settings)
    send_batch = producer.send_batch
    calls = 0

    async def refuse_second(batch: Any, topic: str, *, partition: int) -> asyncio.Future[Any]:
        nonlocal calls
        calls += 1
        if calls != 2:
            return await send_batch(batch, topic, partition=partition)
        refused: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        refused.set_exception(KafkaTimeoutError())
        return refused

    producer.send_batch = refuse_second  # type: ignore[method-assign]
    return producer


async def test_outbox_relay_and_consumer_work_on_sqlite(make_settings, sqlite_url):
    settings = make_settings(ToySettings, database_url=sqlite_url)
    app = create_app(settings)
    async with running_app(app) as client:
        response = await client.post(
            "/v1/notes", json=note("sqlite"), headers=writer_headers(settings)
        )
        assert response.status_code == 201

        async def applied() -> bool:
            async with app.state.db.sessions() as session:
                return (await effect_counts(session)).get(response.json()["id"]) == 1

        await wait_for(applied)
    events = await read_envelopes(
        settings.kafka_bootstrap_servers, settings.topic(TOPIC), expected=1
    )
    assert [e.data["note_id"] for e in events] == [response.json()["id"]]
