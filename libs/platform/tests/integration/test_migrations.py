"""Alembic revisions bring PostgreSQL and SQLite to the same schema, and re-running is a no-op."""

from __future__ import annotations

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
