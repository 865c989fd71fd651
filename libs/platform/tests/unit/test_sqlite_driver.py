"""SQLite's two connections (``sqlite_driver``): a service's runs its statements on its own
thread and a batch process's (``Database(..., batch=True)``) on the event loop's; each reads,
writes, refuses and waits for another writer as aiosqlite does, and a service's loop keeps
running while a statement waits for a lock."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import IntegrityError

from simpul_platform.db import Database

pytestmark = pytest.mark.unit


@pytest.fixture(params=[False, True], ids=["service", "batch"])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'driver.db'}", batch=request.param)

    @event.listens_for(db.engine.sync_engine, "connect")
    def thread_function(dbapi_connection: object, _record: object) -> None:
        dbapi_connection.create_function("thread_id", 0, threading.get_ident)  # type: ignore[attr-defined]

    async with db.transaction() as session:
        await session.execute(text("CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT)"))
    yield db
    await db.dispose()


async def names(db: Database) -> list[str]:
    async with db.sessions() as session:
        return list((await session.execute(text("SELECT name FROM item ORDER BY id"))).scalars())


async def test_statements_run_on_the_loops_thread_only_in_batch(
    database: Database, request: pytest.FixtureRequest
) -> None:
    batch = request.node.callspec.params["database"]
    async with database.transaction() as session:
        await session.execute(text("INSERT INTO item VALUES (1, 'mawar')"))
        where = (await session.execute(text("SELECT thread_id()"))).scalar_one()
    assert (where == threading.get_ident()) is batch
    assert await names(database) == ["mawar"]


async def test_rows_many_and_few_come_back_whole(database: Database) -> None:
    async with database.transaction() as session:
        await session.execute(
            text("INSERT INTO item VALUES (:id, :name)"),
            [{"id": n, "name": f"posyandu {n:04}"} for n in range(1, 1001)],
        )
        inserted = await session.execute(
            text("INSERT INTO item VALUES (1001, 'last') RETURNING id, name")
        )
        assert inserted.all() == [(1001, "last")]
    async with database.sessions() as session:
        streamed = await session.stream(text("SELECT name FROM item ORDER BY id"))
        names = [row[0] async for row in streamed]
    assert len(names) == 1001 and names[0] == "posyandu 0001" and names[-1] == "last"


async def test_a_refused_write_leaves_nothing(database: Database) -> None:
    async with database.transaction() as session:
        await session.execute(text("INSERT INTO item VALUES (1, 'mawar')"))
    with pytest.raises(IntegrityError):
        async with database.transaction() as session:
            await session.execute(text("INSERT INTO item VALUES (2, 'melati')"))
            await session.execute(text("INSERT INTO item VALUES (1, 'again')"))
    assert await names(database) == ["mawar"]


async def test_a_write_waits_for_another_processs_write_lock(
    database: Database, tmp_path: Path
) -> None:
    """Another connection (as another process would) holds the write lock for a moment: the
    write waits for it (``busy_timeout``) rather than failing, and both rows are kept."""
    other = sqlite3.connect(tmp_path / "driver.db", check_same_thread=False, timeout=30)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO item VALUES (1, 'held')")
    holding_s = 0.3

    def release() -> None:
        time.sleep(holding_s)
        other.commit()
        other.close()

    releaser = threading.Thread(target=release)
    releaser.start()
    began = time.monotonic()
    async with database.transaction() as session:
        await session.execute(text("INSERT INTO item VALUES (2, 'waited')"))
    waited = time.monotonic() - began
    releaser.join()
    assert waited >= holding_s * 0.8
    assert await names(database) == ["held", "waited"]


async def test_a_services_loop_runs_while_a_statement_waits_for_a_lock(
    tmp_path: Path,
) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'service.db'}")
    async with db.transaction() as session:
        await session.execute(text("CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT)"))
    other = sqlite3.connect(tmp_path / "service.db", check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    async def write() -> None:
        async with db.transaction() as session:
            await session.execute(text("INSERT INTO item VALUES (1, 'waited')"))

    ticker = asyncio.create_task(tick())
    writer = asyncio.create_task(write())
    await asyncio.sleep(0.3)
    assert not writer.done() and ticks >= 10  # the write waits; the loop does not
    other.rollback()
    other.close()
    await writer
    ticker.cancel()
    assert await names(db) == ["waited"]
    await db.dispose()
