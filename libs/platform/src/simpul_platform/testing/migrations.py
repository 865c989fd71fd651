"""Tests of a service's migrations: a database built by revisions as they once were (a frozen
copy kept beside the tests), upgraded in place by today's, compared with a fresh one.

A service's test keeps ``tests/frozen/migrations`` (the ``env.py`` and ``versions/`` of the
layout it upgrades from) and asks ``upgrade_in_place`` what happened::

    outcome = await upgrade_in_place(FROZEN, MIGRATIONS, postgres_server, metadata)
    assert set(outcome.rows_before) == {"outbox", "inbox", "idempotency_keys"}
    assert outcome.differences() == []
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, MetaData, Table, insert, inspect, pool, select, text
from sqlalchemy.ext.asyncio import create_async_engine

from simpul_platform.idempotency import idempotency_table
from simpul_platform.inbox import inbox_table
from simpul_platform.migrations import alembic_config, schema_drift, upgrade
from simpul_platform.outbox import outbox_table
from simpul_platform.replica import posyandu_replica

PLATFORM_TABLES = (outbox_table, inbox_table, idempotency_table, posyandu_replica)
VERSIONS = "SELECT version_num FROM alembic_version"
AT = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


@dataclass
class UpgradeOutcome:
    """The platform tables' rows before and after the upgrade, and both databases' schemas."""

    rows_before: dict[str, list[dict[str, Any]]]
    rows_after: dict[str, list[dict[str, Any]]]
    schema: dict[str, Any]
    fresh_schema: dict[str, Any]
    drift: list[Any]

    def differences(self) -> list[str]:
        """What the upgrade lost or changed: empty when every row is kept, every table matches
        a fresh database's (the version table's revisions too) and the models match both."""
        found = [
            f"rows of {name} changed" for name in self._changed(self.rows_before, self.rows_after)
        ]
        found += [
            f"{name} differs from fresh" for name in self._changed(self.schema, self.fresh_schema)
        ]
        found += [f"models differ: {diff}" for diff in self.drift]
        if not all(self.rows_before.values()):
            found.append("a platform table had no rows to keep")
        return found

    @staticmethod
    def _changed(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
        return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


async def upgrade_in_place(
    frozen_dir: Path, migrations_dir: Path, server: Any, *service_metadata: MetaData
) -> UpgradeOutcome:
    """Build a database with the frozen revisions, put rows in its platform tables, upgrade it
    with today's; build another with today's alone. ``server`` is the ``postgres_server``."""
    async with _database(server) as old, _database(server) as fresh:
        await build_frozen(frozen_dir, old)
        rows_before = await fill_platform_tables(old)
        await upgrade(migrations_dir, old)
        await upgrade(migrations_dir, fresh)
        return UpgradeOutcome(
            rows_before=rows_before,
            rows_after=await platform_rows(old),
            schema=await schema_of(old),
            fresh_schema=await schema_of(fresh),
            drift=await schema_drift(old, *service_metadata),
        )


async def build_frozen(frozen_dir: Path, url: str) -> None:
    """Migrate to the frozen revisions' own head(s): never to a platform branch, which they
    predate and whose tables they create themselves."""
    config = alembic_config(frozen_dir, url)
    for head in ScriptDirectory.from_config(config).get_heads():
        await asyncio.to_thread(command.upgrade, config, head)


async def fill_platform_tables(url: str) -> dict[str, list[dict[str, Any]]]:
    """Rows in each platform table the database has (a sent and a pending outbox row, an
    inbox row, an idempotency key, a replica posyandu); returns them as stored."""
    await _run_sync(url, _fill)
    return await platform_rows(url)


async def platform_rows(url: str) -> dict[str, list[dict[str, Any]]]:
    """Every row of each platform table the database has, in primary-key order."""
    rows: dict[str, list[dict[str, Any]]] = await _run_sync(url, _read_rows)
    return rows


async def schema_of(url: str) -> dict[str, Any]:
    """Each table's columns, keys, constraints and indexes, and the revisions the version table
    holds: equal for two databases that Alembic and the service cannot tell apart."""
    schema: dict[str, Any] = await _run_sync(url, _reflect)
    return schema


async def _run_sync(url: str, fn: Callable[[Connection], Any]) -> Any:
    """``fn`` on a sync connection, in one transaction committed when it returns."""
    engine = create_async_engine(url, poolclass=pool.NullPool)
    try:
        async with engine.begin() as connection:
            return await connection.run_sync(fn)
    finally:
        await engine.dispose()


def _present(connection: Connection) -> list[Table]:
    names = set(inspect(connection).get_table_names())
    return [table for table in PLATFORM_TABLES if table.name in names]


def _fill(connection: Connection) -> None:
    for table in _present(connection):
        connection.execute(insert(table), _rows(table.name))


def _read_rows(connection: Connection) -> dict[str, list[dict[str, Any]]]:
    return {
        table.name: [
            dict(row)
            for row in connection.execute(
                select(table).order_by(*table.primary_key.columns)
            ).mappings()
        ]
        for table in _present(connection)
    }


def _reflect(connection: Connection) -> dict[str, Any]:
    inspector = inspect(connection)
    return {
        name: {
            "columns": [
                (c["name"], str(c["type"]), c["nullable"], c.get("default"))
                for c in inspector.get_columns(name)
            ],
            "primary_key": inspector.get_pk_constraint(name),
            "foreign_keys": _sorted(inspector.get_foreign_keys(name)),
            "unique": _sorted(inspector.get_unique_constraints(name)),
            "indexes": _sorted(inspector.get_indexes(name)),
            "checks": _sorted(inspector.get_check_constraints(name)),
        }
        for name in sorted(inspector.get_table_names())
    } | {"alembic_version": sorted(connection.execute(text(VERSIONS)).scalars())}


def _sorted(items: list[Any]) -> list[Any]:
    return sorted(items, key=lambda item: str(item.get("name")))


def _rows(table: str) -> list[dict[str, Any]]:
    outbox = {
        "topic": "simpul.test.v1",
        "event_key": "p-1",
        "event_type": "test.thing.happened.v1",
        "source": "/simpul/test",
        "occurred_at": AT,
        "data": '{"posyandu_id": "p-1"}',
        "created_at": AT,
        "attempts": 0,
    }
    return {
        "outbox": [
            {**outbox, "event_id": str(uuid.uuid4()), "sent_at": AT},
            {**outbox, "event_id": str(uuid.uuid4()), "sent_at": None},
        ],
        "inbox": [
            {"consumer": "test", "event_id": "e-1", "event_type": "t.v1", "processed_at": AT}
        ],
        "idempotency_keys": [
            {
                "scope": "test",
                "key": "k-1",
                "method": "POST",
                "path": "/v1/things",
                "fingerprint": "f" * 64,
                "status_code": 201,
                "content_type": "application/json",
                "response_body": "{}",
                "created_at": AT,
            }
        ],
        "posyandu_replica": [
            {
                "posyandu_id": "p-1",
                "name": "Posyandu Melati",
                "desa_code": "64.02.06.2012",
                "kecamatan_code": "64.02.06",
                "kabupaten_code": "64.02",
                "status": "active",
                "fields": "health,social",
                "last_event_at": AT,
                "last_event_id": "e-0",
                "updated_at": AT,
            }
        ],
    }[table]


@asynccontextmanager
async def _database(server: Any) -> AsyncIterator[str]:
    name = f"m_{uuid.uuid4().hex[:12]}"
    url: str = server.create_database(name)
    try:
        yield url
    finally:
        server.drop_database(name)
