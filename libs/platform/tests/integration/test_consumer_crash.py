"""A consumer that dies after its effect committed but before its offset did."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from simpul_platform.consumer import ConsumerRunner
from simpul_platform.db import Database
from simpul_platform.outbox import Outbox
from simpul_platform.relay import OutboxRelay
from toy_service import TOY_CONSUMER, NoteCreated, ToySettings, effect_counts, toy_metadata

pytestmark = pytest.mark.integration


class Crash(BaseException):
    """Stands for the process dying: nothing after it runs, not even the offset commit."""


class DiesBeforeOffsetCommit(ConsumerRunner):
    async def _commit(self, kafka: Any, offsets: Any) -> None:
        raise Crash


async def test_redelivered_event_is_not_applied_twice(make_settings, postgres_url):
    settings = make_settings(ToySettings, database_url=postgres_url)
    db = Database(postgres_url)
    await db.create_all(toy_metadata)
    outbox = Outbox(settings)
    async with db.transaction() as session:
        for n in range(3):
            await outbox.add(session, NoteCreated(note_id=f"n{n}", text="x"), posyandu_id="pos-1")
    relay = OutboxRelay(db, settings)
    try:
        assert await relay.publish_pending() == 3
    finally:
        await relay._close_producer()

    crashing = DiesBeforeOffsetCommit(TOY_CONSUMER, db, settings)
    with pytest.raises(Crash):
        await asyncio.wait_for(crashing.run(), timeout=60)
    async with db.sessions() as session:
        applied_before_crash = await effect_counts(session)
    assert applied_before_crash, "the crashed consumer applied its batch before dying"

    restarted = ConsumerRunner(TOY_CONSUMER, db, settings)
    task = asyncio.create_task(restarted.run())
    try:
        for _ in range(600):
            async with db.sessions() as session:
                counts = await effect_counts(session)
            if len(counts) == 3 and restarted.duplicates >= len(applied_before_crash):
                break
            await asyncio.sleep(0.1)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await db.dispose()
    assert counts == {"n0": 1, "n1": 1, "n2": 1}
    # The uncommitted records really were delivered again, and skipped by the inbox.
    assert restarted.duplicates == len(applied_before_crash)
