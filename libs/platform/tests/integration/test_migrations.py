"""Alembic revisions bring PostgreSQL and SQLite to the same schema, and re-running is a no-op."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from simpul_platform.db import Database
from simpul_platform.migrations import upgrade
from simpul_platform.testing.asgi import running_app
from toy_service import MIGRATIONS, ToySettings, create_app

pytestmark = pytest.mark.integration
EXPECTED = {"outbox", "inbox", "idempotency_keys", "notes", "note_effects", "alembic_version"}


@pytest.mark.parametrize("backend", ["postgres", "sqlite"])
async def test_service_start_migrates_to_head(backend, make_settings, request):
    url = request.getfixturevalue("postgres_url" if backend == "postgres" else "sqlite_url")
    settings = make_settings(
        ToySettings, database_url=url, relay_enabled=False, consumers_enabled=False
    )
    async with running_app(create_app(settings, with_consumer=False, migrate=True)) as client:
        assert (await client.get("/readyz")).json()["database"] == "ok"
    await upgrade(MIGRATIONS, url)  # a second run finds nothing to do
    db = Database(url)
    try:
        async with db.engine.connect() as connection:
            tables = set(await connection.run_sync(lambda c: inspect(c).get_table_names()))
            heads = (
                await connection.execute(text("SELECT version_num FROM alembic_version"))
            ).all()
    finally:
        await db.dispose()
    assert tables == EXPECTED
    assert len(heads) == 1


# Each replica imports everything first, then waits for a common instant, so the upgrades
# really overlap instead of being spread out by interpreter start-up.
UPGRADE = (
    "import asyncio, pathlib, sys, time; from simpul_platform.migrations import upgrade; "
    "time.sleep(max(0, float(sys.argv[3]) - time.time())); "
    "asyncio.run(upgrade(pathlib.Path(sys.argv[1]), sys.argv[2]))"
)


async def test_replicas_starting_together_migrate_once(postgres_url):
    """Several replicas of a service start at once, each a process running the upgrade: one
    applies it, the others wait for it and then find nothing to do (no duplicate-table error)."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent)}
    together = str(time.time() + 8)
    replicas = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-c", UPGRADE, str(MIGRATIONS), postgres_url, together,
            env=env, stderr=asyncio.subprocess.PIPE,
        )
        for _ in range(4)
    ]  # fmt: skip
    outcomes = [await asyncio.wait_for(r.communicate(), 120) for r in replicas]
    failures = [
        err.decode()[-2000:] for r, (_, err) in zip(replicas, outcomes, strict=True) if r.returncode
    ]
    assert failures == []
    db = Database(postgres_url)
    try:
        async with db.engine.connect() as connection:
            tables = set(await connection.run_sync(lambda c: inspect(c).get_table_names()))
            heads = (
                await connection.execute(text("SELECT version_num FROM alembic_version"))
            ).all()
    finally:
        await db.dispose()
    assert tables == EXPECTED
    assert len(heads) == 1
