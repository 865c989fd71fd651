"""Alembic revisions bring PostgreSQL and SQLite to the same schema, and re-running is a no-op."""

from __future__ import annotations

import asyncio
import os
import sys
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


# Each replica imports everything first, says so, and waits for the word to go, so the
# upgrades really overlap instead of being spread out by interpreter start-up.
UPGRADE = (
    "import asyncio, pathlib, sys; from simpul_platform.migrations import upgrade; "
    "print('ready', flush=True); sys.stdin.readline(); "
    "asyncio.run(upgrade(pathlib.Path(sys.argv[1]), sys.argv[2]))"
)


async def test_replicas_starting_together_migrate_once(postgres_url):
    """Several replicas of a service start at once, each a process running the upgrade: one
    applies it, the others wait for it and then find nothing to do (no duplicate-table error)."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent)}
    pipe = asyncio.subprocess.PIPE
    replicas = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-c", UPGRADE, str(MIGRATIONS), postgres_url,
            env=env, stdin=pipe, stdout=pipe, stderr=pipe,
        )
        for _ in range(4)
    ]  # fmt: skip
    for replica in replicas:
        assert replica.stdout is not None
        assert await asyncio.wait_for(replica.stdout.readline(), 180) == b"ready\n"
    outcomes = [asyncio.create_task(r.communicate(b"go\n")) for r in replicas]
    finished = [await asyncio.wait_for(outcome, 180) for outcome in outcomes]
    failures = [
        err.decode()[-2000:] for r, (_, err) in zip(replicas, finished, strict=True) if r.returncode
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
