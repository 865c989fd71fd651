"""A batch process's SQLite (``Database(..., batch=True)``): its statements run on the event
loop's thread, and it reads, writes, refuses and waits for another writer as the threaded
driver does."""

from __future__ import annotations

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


@pytest.fixture(params=[False, True], ids=["threaded", "batch"])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'batch.db'}", batch=request.param)

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
    other = sqlite3.connect(tmp_path / "batch.db", check_same_thread=False, timeout=30)
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
