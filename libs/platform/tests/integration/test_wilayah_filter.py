"""``wilayah.under`` selects exactly the codes a scope covers, on PostgreSQL and SQLite, and
the idempotency keys' retention setting is what housekeeping applies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Column, MetaData, String, Table, insert, select

from simpul_platform.app import forget_expired
from simpul_platform.auth import NATIONWIDE, covers
from simpul_platform.db import Database
from simpul_platform.idempotency import idempotency_table
from simpul_platform.settings import ServiceSettings
from simpul_platform.wilayah import under

pytestmark = pytest.mark.integration

places = MetaData()
place = Table("place", places, Column("code", String(20), primary_key=True))
CODES = [
    "64.02.06.2012",
    "64.02.06.2001",
    "64.02.07.2001",
    "64.02.060.2001",  # not a real code: "64.02.06" must not cover it by prefix alone
    "64.03.01.1001",
    "65.01.01.1001",
    "64.02_06.2001",  # "_" is a LIKE wildcard: must not match "64.02.06."
]
SCOPES = [
    ["64.02.06"],
    ["64.02"],
    ["64"],
    ["64.02.06", "64.03"],
    ["64.02.06.2012"],
    [NATIONWIDE],
    [],
]


@pytest.mark.parametrize("backend", ["postgres", "sqlite"])
async def test_under_matches_covers(backend: str, request: pytest.FixtureRequest) -> None:
    url = request.getfixturevalue("postgres_url" if backend == "postgres" else "sqlite_url")
    db = Database(url)
    try:
        await db.create_all(places)
        async with db.transaction() as session:
            await session.execute(insert(place), [{"code": c} for c in CODES])
        for scopes in SCOPES:
            async with db.sessions() as session:
                found = set(
                    (await session.execute(select(place.c.code).where(under(place.c.code, scopes))))
                    .scalars()
                    .all()
                )
            expected = {c for c in CODES if any(covers(s, c) for s in scopes)}
            assert found == expected, scopes
    finally:
        await db.dispose()


async def test_idempotency_keys_are_kept_for_the_configured_hours(postgres_url: str) -> None:
    db = Database(postgres_url)
    try:
        await db.create_all()
        now = datetime.now(UTC)
        rows = [
            {"scope": "s", "key": key, "method": "POST", "path": "/v1/x", "fingerprint": "f",
             "created_at": now - timedelta(hours=h)}
            for key, h in (("fresh", 1), ("middle", 5), ("old", 30))
        ]
        async with db.transaction() as session:
            await session.execute(insert(idempotency_table), rows)
        await forget_expired(db, ServiceSettings(idempotency_retention_hours=4), now)
        async with db.sessions() as session:
            kept = set((await session.execute(select(idempotency_table.c.key))).scalars().all())
        assert kept == {"fresh"}
    finally:
        await db.dispose()
