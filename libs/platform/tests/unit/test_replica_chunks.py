"""The posyandu replica's consumer on one chunk of registry events, over SQLite, no broker."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from simpul_platform.db import Database
from simpul_platform.events import Envelope
from simpul_platform.replica import (
    PosyanduRegistered,
    PosyanduStatusChanged,
    get_posyandu,
    posyandu_replica_consumer,
    replica_metadata,
)
from simpul_platform.testing import run_chunk

pytestmark = pytest.mark.unit
DESA = "64.02.06.2012"
START = datetime(2025, 8, 1, 8, tzinfo=UTC)


def posyandu_event(event_type: str, minutes: int, **changes: Any) -> Envelope:
    data = {"posyandu_id": "pos-1", "name": "Posyandu Mawar", "desa_code": DESA}
    data |= {"status": "draft", "fields": ["health"], "version": 1, "added_later": True}
    return Envelope(
        id=str(uuid.uuid4()),
        type=event_type,
        source="/simpul/registry",
        time=START + timedelta(minutes=minutes),
        data=data | changes,
        posyandu_id="pos-1",
    )


@pytest.fixture
async def database_url(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'field.db'}"
    db = Database(url)
    await db.create_all(replica_metadata)
    await db.dispose()
    return url


async def replica_row(url: str) -> Any:
    db = Database(url)
    try:
        async with db.sessions() as session:
            return await get_posyandu(session, "pos-1")
    finally:
        await db.dispose()


async def test_the_newest_event_wins_and_repeats_and_unfit_ones_change_nothing(database_url):
    consumer = posyandu_replica_consumer("toy.posyandu-replica")
    registered = posyandu_event(PosyanduRegistered.event_type, 0)
    registered_again = posyandu_event(PosyanduStatusChanged.event_type, 10, status="registered")
    older = posyandu_event(PosyanduStatusChanged.event_type, 5, status="submitted")
    unfit = posyandu_event(PosyanduStatusChanged.event_type, 20, desa_code="64.02")
    kader = posyandu_event("registry.kader.assigned.v1", 30)  # not the replica's business
    chunk = [registered, registered_again, older, registered, unfit, kader]

    result = await run_chunk(consumer, chunk, database_url)

    assert (result.handled, result.duplicates, result.dead_lettered) == (3, 1, 1)
    assert [letter.event_id for letter in result.dead_letters] == [unfit.id]
    assert "does not fit PosyanduStatusChanged" in result.dead_letters[0].error
    row = await replica_row(database_url)
    assert (row["status"], row["last_event_id"]) == ("registered", registered_again.id)
    assert (row["kecamatan_code"], row["kabupaten_code"], row["fields"]) == (
        "64.02.06",
        "64.02",
        "health",
    )

    redelivered = await run_chunk(consumer, chunk[:3], database_url)
    assert (redelivered.handled, redelivered.duplicates) == (0, 3)
