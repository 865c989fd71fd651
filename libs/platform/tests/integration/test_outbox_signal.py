"""The relay hears commits that wrote outbox rows (PostgreSQL LISTEN/NOTIFY) and publishes them
at once, its polls while it listens thirty seconds apart; it listens again when its connection
ends."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import pytest

from simpul_platform.db import Database
from simpul_platform.outbox import Outbox
from simpul_platform.relay import OutboxRelay
from simpul_platform.testing.kafka_reader import read_envelopes
from toy_service import TOPIC, NoteCreated, ToySettings

pytestmark = pytest.mark.integration
LISTENERS = (
    "SELECT count(*) FROM pg_stat_activity "
    "WHERE query LIKE 'LISTEN%' AND datname = current_database()"
)


@asynccontextmanager
async def listening_relay(
    make_settings: Any, postgres_url: str
) -> AsyncIterator[tuple[ToySettings, Database, Outbox]]:
    """A relay running, once it listens: rounds woken by commits at most every half second,
    polls thirty seconds apart."""
    settings = make_settings(
        ToySettings, database_url=postgres_url, relay_poll_interval_s=0.5, relay_listen_poll_s=30
    )
    db = Database(postgres_url)
    await db.create_all()
    relay = OutboxRelay(db, settings)
    running = asyncio.create_task(relay.run())
    try:
        await listening(relay)
        yield settings, db, Outbox(settings)
        await listening(relay)
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
        await db.dispose()


async def listening(relay: OutboxRelay, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not relay._signal.listening:
        assert time.monotonic() < deadline, "the relay never listened"
        await asyncio.sleep(0.05)


async def write(db: Database, outbox: Outbox, note_id: str, *, commit: bool = True) -> None:
    async with db.sessions() as session:
        await outbox.add(session, NoteCreated(note_id=note_id, text="x"), posyandu_id="p")
        await (session.commit() if commit else session.rollback())


async def published(settings: ToySettings, expected: int, timeout: float = 5.0) -> list[str]:
    events = await read_envelopes(
        settings.kafka_bootstrap_servers, settings.topic(TOPIC), expected=expected, timeout=timeout
    )
    return [event.data["note_id"] for event in events]


async def test_a_commit_is_published_without_waiting_for_a_poll(make_settings, postgres_url):
    async with listening_relay(make_settings, postgres_url) as (settings, db, outbox):
        await write(db, outbox, "rolled-back", commit=False)
        started = time.monotonic()
        await write(db, outbox, "heard")
        assert await published(settings, expected=1) == ["heard"]
        assert time.monotonic() - started < 5  # not the 30 s poll
        for i in range(3):  # one after another, each heard
            await write(db, outbox, f"then-{i}")
        assert await published(settings, expected=4) == ["heard", "then-0", "then-1", "then-2"]


async def test_the_relay_listens_again_when_its_connection_ends(make_settings, postgres_url):
    async with listening_relay(make_settings, postgres_url) as (settings, db, outbox):
        admin = await asyncpg.connect(postgres_url.replace("postgresql+asyncpg", "postgresql"))
        try:
            ended = await admin.fetchval(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE query LIKE 'LISTEN%' AND datname = current_database()"
            )
            assert ended == 1
            await asyncio.sleep(0.5)
            await write(db, outbox, "after")
            assert await published(settings, expected=1) == ["after"]
            assert await admin.fetchval(LISTENERS) == 1
        finally:
            await admin.close()
