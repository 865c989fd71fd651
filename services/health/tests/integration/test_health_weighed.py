"""``balita_weighed``, kept on write, equals the count from a full scan of the measurements.

Measurements go through the real write path (``record_measurements`` in a unit of work, as the
single and bulk endpoints call it): back-dated and late weighings, a child reaching a quarter's
two weighings inside one batch, re-weighings the same day (duplicates and refusals), a child
weighed at another kecamatan's posyandu, a child turning five, one born in the period, one
born on 29 February, a year boundary. Then every month, quarter and year of 2024–2025, at every
area level, must give the scan's numerator, and the table must equal a recount from scratch.
Concurrent writers for one child must count it once; the migration's backfill must equal the
recount too.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest
from alembic import command
from health_testkit import replica_rows
from sqlalchemy import insert, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_health.app import MIGRATIONS
from simpul_health.models import metadata
from simpul_health.ops import area_codes
from simpul_health.ops import balita_weighed as weighed
from simpul_health.ops import indicators as queries
from simpul_health.ops.measurement_batch import record_measurements
from simpul_health.schemas.measurements import BulkItemResult, MeasurementIn
from simpul_health.settings import HealthSettings
from simpul_platform.auth import Principal
from simpul_platform.db import Database
from simpul_platform.indicators import Period
from simpul_platform.migrations import alembic_config, upgrade
from simpul_platform.outbox import Outbox
from simpul_platform.replica import posyandu_replica
from simpul_platform.uow import UnitOfWork

pytestmark = pytest.mark.integration

DESA_A, DESA_B, DESA_C = "64.02.06.2012", "64.02.06.2013", "64.02.07.2001"
ELSEWHERE = "64.03.01.2001"
POSYANDU = {DESA_A: "p-a", DESA_B: "p-b", DESA_C: "p-c", ELSEWHERE: "p-x"}
NOW = datetime(2025, 12, 31, tzinfo=UTC)
BEFORE_WEIGHED = "1348c089b75a"  # the revision before balita_weighed
OPD = Principal("dinkes", frozenset({"opd:health"}), ("64",))
AREAS = [
    queries.Area(wilayah="*"),
    queries.Area(wilayah="64"),
    queries.Area(wilayah="64.02"),
    queries.Area(wilayah="64.02.06"),
    queries.Area(wilayah="64.02.07"),
    queries.Area(wilayah=DESA_A),
    queries.Area(wilayah=DESA_B),
    queries.Area(posyandu_id="p-a"),
    queries.Area(wilayah="64.03"),
]
CHILDREN = {  # id: (registering desa, birth date)
    "k1": (DESA_A, date(2023, 1, 15)),
    "k2": (DESA_A, date(2023, 3, 1)),
    "k3": (DESA_B, date(2025, 6, 2)),  # born in June: a balita of June and Q2, not of May
    "k4": (DESA_A, date(2020, 11, 20)),  # five on 20 November 2025
    "k5": (DESA_A, date(2024, 2, 10)),  # weighed at desa C's posyandu (another kecamatan)
    "k6": (DESA_B, date(2023, 5, 5)),
    "k7": (DESA_C, date(2022, 8, 8)),
    "k8": (DESA_B, date(2020, 2, 29)),  # a balita of February 2025 (ends the 28th) only just
    "k9": (ELSEWHERE, date(2023, 1, 1)),
}


def _targets() -> list[dict[str, Any]]:
    return [
        {
            "id": child,
            "nik": f"{n:016d}",
            "name": child,
            "sex": "F",
            "birth_date": born,
            "posyandu_id": POSYANDU[desa],
            **area_codes(desa),
            "person_ref": child,
            "created_by": "test",
            "created_at": NOW,
            "updated_by": "test",
            "updated_at": NOW,
        }
        for n, (child, (desa, born)) in enumerate(CHILDREN.items())
    ]


def _item(child: str, on: date, weight: float = 10.0) -> MeasurementIn:
    return MeasurementIn(
        target_id=child, measured_on=on, weight_kg=weight, confirmed_implausible=True
    )


def _monthly(child: str, year: int, months: range, day: int = 8) -> list[MeasurementIn]:
    return [_item(child, date(year, m, day)) for m in months]


# Batches in arrival order: (desa of the posyandu that weighs, items).
BATCHES: list[tuple[str, list[MeasurementIn]]] = [
    # k1 every month of 2025 but March, which arrives late (after k1 has seven).
    (DESA_A, _monthly("k1", 2025, range(1, 3)) + _monthly("k1", 2025, range(4, 9))),
    # k2: seven months of 2025; its eighth weighing (February) arrives at the end.
    (DESA_A, [*_monthly("k2", 2025, range(3, 10)), *_monthly("k4", 2025, range(9, 12))]),
    (DESA_B, [_item("k3", date(2025, 6, 10))]),
    (DESA_C, [*_monthly("k5", 2025, range(4, 7)), _item("k7", date(2024, 12, 20))]),
    # k6 twice in April in one batch: its Q2 standard (two) is reached inside the batch.
    (DESA_B, [_item("k6", date(2025, 4, 3)), _item("k6", date(2025, 4, 28))]),
    (DESA_C, [_item("k7", date(2025, 1, 5)), _item("k7", date(2025, 1, 25))]),
    (DESA_B, [_item("k8", date(2025, 2, 10)), _item("k3", date(2025, 6, 25))]),
    (ELSEWHERE, [_item("k9", date(2025, 6, 1))]),
    (DESA_A, _monthly("k1", 2025, range(9, 13))),
    (DESA_A, [_item("k1", date(2025, 3, 8))]),  # back-dated: k1's year was already met
    (DESA_A, [_item("k2", date(2025, 2, 8))]),  # late: k2's eighth weighing of 2025
    # Re-weighings the same day: the same values (a duplicate) and other ones (refused).
    (DESA_A, [_item("k1", date(2025, 6, 8)), _item("k2", date(2025, 3, 8), weight=11.0)]),
    (DESA_A, [_item("k5", date(2025, 12, 1)), _item("k5", date(2024, 3, 3))]),
]


async def _write(db: Database, desa: str, items: list[MeasurementIn]) -> list[BulkItemResult]:
    async with db.sessions() as session:
        uow = UnitOfWork(session, Outbox(HealthSettings()))
        posyandu = {"posyandu_id": POSYANDU[desa], "desa_code": desa}
        pairs = list(enumerate(items))
        results = await record_measurements(uow, OPD, posyandu, pairs, today=NOW.date())
        await uow.commit()
    return results


async def _kept(session: AsyncSession) -> set[tuple[Any, ...]]:
    W = weighed.W
    return {tuple(row) for row in (await session.execute(select(W))).all()}


async def _assert_equals_scan(db: Database) -> None:
    for period in weighed.periods_of_years([2024, 2025]):
        for area in AREAS:
            async with db.sessions() as session:
                kept = (await queries.spm_counts(session, area, period))["balita"][0]
                scanned = (await session.execute(queries.balita_scanned(area, period))).scalar()
            assert kept == scanned, (area, period.label)
    async with db.sessions() as session:
        before = await _kept(session)
        await weighed.rebuild(session)
        assert await _kept(session) == before
        await session.rollback()


@pytest.fixture
async def db(migrated: Database) -> Database:
    async with migrated.transaction() as session:
        await session.execute(insert(posyandu_replica), replica_rows(POSYANDU, NOW))
        await session.execute(insert(metadata.tables["targets"]), _targets())
    return migrated


async def test_kept_counts_equal_the_scan_after_a_mix_of_writes(db: Database) -> None:
    statuses = []
    for desa, items in BATCHES:
        statuses += [r.status for r in await _write(db, desa, items)]
    assert statuses.count("duplicate") == 1 and statuses.count("rejected") == 1
    await _assert_equals_scan(db)
    async with db.sessions() as session:
        year = await queries.spm_counts(session, queries.Area(wilayah="64.02"), _p("2025"))
        q2 = await queries.spm_counts(session, queries.Area(wilayah="64.02"), _p("2025-Q2"))
        feb = await queries.spm_counts(session, queries.Area(wilayah=DESA_B), _p("2025-02"))
        nov = await queries.spm_counts(session, queries.Area(posyandu_id="p-a"), _p("2025-11"))
    # 2025: eight weighings for k1 and k2 only; k4 is five by 31 December (not a balita).
    assert year["balita"] == (2, 6)
    # Q2: k1 (April–June), k2, k3 (June 10 and 25), k5 (at desa C), k6 (both in April); not
    # k4 (weighed from September) nor k7 (one weighing).
    assert q2["balita"] == (5, 7)
    assert feb["balita"] == (1, 2)  # k8, born 29 February 2020; k6 was not weighed
    assert nov["balita"] == (1, 3)  # k1; k4 (weighed) is five; k2 and k5 were not weighed


async def test_concurrent_writers_count_a_child_once(postgres_url: str) -> None:
    """Two transactions weigh k1 in June on different days: the second waits for the first
    (the child's row lock), then sees its row, so June counts k1 once."""
    await upgrade(MIGRATIONS, postgres_url)
    db = Database(postgres_url)
    try:
        async with db.transaction() as session:
            await session.execute(insert(metadata.tables["targets"]), _targets())
        async with db.sessions() as first:
            uow = UnitOfWork(first, Outbox(HealthSettings()))
            posyandu = {"posyandu_id": "p-a", "desa_code": DESA_A}
            items = [(0, _item("k1", date(2025, 6, 3)))]
            await record_measurements(uow, OPD, posyandu, items, today=NOW.date())
            second = asyncio.create_task(_write(db, DESA_A, [_item("k1", date(2025, 6, 20))]))
            await asyncio.sleep(0.5)
            assert not second.done()  # waiting for k1's row
            await uow.commit()
        assert [r.status for r in await second] == ["created"]
        async with db.sessions() as session:
            june = await queries.spm_counts(session, queries.Area(wilayah=DESA_A), _p("2025-06"))
        assert june["balita"][0] == 1
        await _assert_equals_scan(db)
    finally:
        await db.dispose()


@pytest.mark.parametrize("dialect", ["postgres", "sqlite"])
async def test_the_migration_backfills_what_a_recount_gives(
    dialect: str, request: pytest.FixtureRequest
) -> None:
    """Measurements stored before the table existed are counted by the migration."""
    url: str = request.getfixturevalue(f"{dialect}_url")
    config = alembic_config(MIGRATIONS, url)
    await asyncio.to_thread(command.upgrade, config, BEFORE_WEIGHED)
    db = Database(url)
    try:
        async with db.transaction() as session:
            await session.execute(insert(metadata.tables["targets"]), _targets())
            await session.execute(insert(metadata.tables["measurements"]), _rows())
        await upgrade(MIGRATIONS, url)
        async with db.sessions() as session:
            backfilled = await _kept(session)
            await weighed.rebuild(session)
            assert backfilled == await _kept(session)
        assert len(backfilled) > 20
    finally:
        await db.dispose()


def _rows() -> list[dict[str, Any]]:
    """Plain measurement rows (every BATCHES item, the re-weighings left out)."""
    seen, rows = set(), []
    for desa, items in BATCHES:
        for item in items:
            if (item.target_id, item.measured_on) in seen:
                continue
            seen.add((item.target_id, item.measured_on))
            rows.append(
                {
                    "id": str(uuid.uuid4()),
                    "target_id": item.target_id,
                    "posyandu_id": POSYANDU[desa],
                    **area_codes(desa),
                    "measured_on": item.measured_on,
                    "age_days": 0,
                    "sex": "F",
                    "weight_kg": item.weight_kg,
                    "created_by": "test",
                    "created_at": NOW,
                }
            )
    return rows


def _p(label: str) -> Period:
    return Period.parse(label)
