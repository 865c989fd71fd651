"""Rows written before the kept counts existed (a database upgraded across the migration that
adds them), and rows backfilled straight into the tables with the kept counts emptied, read the
same coverage as a full recount: the kept counts start empty and are counted on first read."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, date, datetime
from typing import Any

import pytest
from alembic import command
from coverage_checks import any_of, same_as_recount
from sqlalchemy import delete, insert, inspect, select, update
from sqlmodel import col

from simpul_platform.db import Database
from simpul_platform.indicators import Period
from simpul_platform.migrations import alembic_config
from simpul_platform.replica import posyandu_replica
from simpul_social.app import MIGRATIONS
from simpul_social.models import Distribution, Household, Program, SocialTally
from simpul_social.ops.aggregates import Scope

pytestmark = pytest.mark.integration

BEFORE_TALLIES = "5c1a7d150001"  # the revision before social_tally
NOW = datetime(2026, 1, 1, tzinfo=UTC)
POSYANDU = {  # posyandu → desa: two in one desa, one in another of its kecamatan, one beyond
    "p1": "64.02.06.2012",
    "p2": "64.02.06.2012",
    "p3": "64.02.06.2001",
    "p4": "64.02.07.2001",
}
PROGRAMS = {"PKH": "quarter", "SEMBAKO": "month", "PBI": "year"}
LABELS = {
    "quarter": ["2025-Q3", "2025-Q4", "2026-Q1", "2026-Q3"],
    "month": ["2025-10", "2025-11", "2025-12", "2026-01", "2026-08"],
    "year": ["2025", "2026"],
}
SCOPES = [
    Scope(("64.02",)),
    Scope(("64.02.06",)),
    Scope(("64.02.06.2012",)),
    *(Scope((desa,), posyandu) for posyandu, desa in POSYANDU.items()),
]


def _replica() -> list[dict[str, Any]]:
    return [
        {
            "posyandu_id": p,
            "name": p,
            "desa_code": desa,
            "kecamatan_code": desa[:8],
            "kabupaten_code": desa[:5],
            "status": "registered",
            "fields": "social",
            "last_event_at": NOW,
            "last_event_id": f"e-{p}",
            "updated_at": NOW,
        }
        for p, desa in POSYANDU.items()
    ]


def _households(rng: random.Random, first: int, n: int) -> list[dict[str, Any]]:
    rows = []
    for i in range(first, first + n):
        posyandu = rng.choice(list(POSYANDU))
        rows.append(
            {
                "id": f"h{i}",
                "kk": f"{6402060000000000 + i}",
                "household_ref": f"ref-{i}",
                "posyandu_id": posyandu,
                "desa_code": POSYANDU[posyandu],
                "address": "RT 1",
                "decile": rng.choice([1, 2, 3, 4, 5, 7, 9, None]),
                "created_by": "backfill",
                "created_at": NOW,
                "updated_by": "backfill",
                "updated_at": NOW,
            }
        )
    return rows


def _distributions(
    rng: random.Random, households: list[dict[str, Any]], first: int, n: int
) -> list[dict[str, Any]]:
    rows, seen = [], set()
    for i in range(first, first + n):
        household = rng.choice(households)
        program = rng.choice(list(PROGRAMS))
        label = rng.choice(LABELS[PROGRAMS[program]])
        if (household["id"], program, label) in seen:
            continue
        seen.add((household["id"], program, label))
        period = Period.parse(label)
        rows.append(
            {
                "id": f"d{i}",
                "household_id": household["id"],
                "program_code": program,
                "period": label,
                "period_start": period.start,
                "period_end": period.end,
                "posyandu_id": household["posyandu_id"],
                "desa_code": household["desa_code"],
                "amount_idr": 100000,
                "distributed_on": period.start,
                "status": rng.choice(["distributed"] * 5 + ["pending"]),
                "created_by": "backfill",
                "created_at": NOW,
            }
        )
    return rows


async def _tables(db: Database) -> set[str]:
    async with db.sessions() as session:
        connection = await session.connection()
        return set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))


async def test_rows_from_before_the_migration_and_backfilled_rows_read_as_a_recount(
    postgres_url: str,
) -> None:
    config = alembic_config(MIGRATIONS, postgres_url)
    await asyncio.to_thread(command.upgrade, config, "heads")
    await asyncio.to_thread(command.downgrade, config, BEFORE_TALLIES)
    db = Database(postgres_url)
    rng = random.Random(23)
    try:
        assert "social_tally" not in await _tables(db)
        households = _households(rng, 0, 240)
        async with db.transaction() as session:
            await session.execute(insert(posyandu_replica), _replica())
            programs = [
                {"code": c, "name": c, "period_type": t, "benefit": "cash", "active": True}
                for c, t in PROGRAMS.items()
            ]
            await session.execute(
                insert(Program), [{**p, "created_by": "t", "created_at": NOW} for p in programs]
            )
            await session.execute(insert(Household), households)
            await session.execute(insert(Distribution), _distributions(rng, households, 0, 500))

        await asyncio.to_thread(command.upgrade, config, "heads")  # the table, empty
        migrated = await same_as_recount(db, SCOPES)
        assert any_of(migrated[SCOPES[0], "2025"])[0] > 0

        # A backfill straight into the tables: more households and distributions, deciles
        # changed; the kept counts emptied, as a backfill that does not invalidate must.
        more = _households(rng, 240, 120)
        async with db.transaction() as session:
            await session.execute(insert(Household), more)
            await session.execute(insert(Distribution), _distributions(rng, more, 500, 300))
            await session.execute(
                update(Household).where(col(Household.decile) == 9).values(decile=2)
            )
            await session.execute(delete(SocialTally))
        backfilled = await same_as_recount(db, SCOPES)
        assert any_of(backfilled[SCOPES[0], "2025"]) != any_of(migrated[SCOPES[0], "2025"])
        async with db.sessions() as session:  # what was read is kept again
            months = await session.execute(select(col(SocialTally.month)).distinct())
            assert date(2026, 8, 1) in set(months.scalars())
    finally:
        await db.dispose()
