"""Stunting counts read from ``latest_haz`` (kept on write) equal the scan of the measurements.

Measurements go through the real write path (``record_measurements`` in a unit of work):
back-dated visits, visits without a length (no HAZ) after and before ones with, a child
measured at two desa of one kabupaten, a child measured in two kabupaten of one province
(the province must count it once, by its latest visit anywhere in it), another province, a
year boundary. Then every month, quarter and year of 2024–2025, for the nation, both
provinces and every kabupaten, totals and per desa, must be the scan's
(``stunting_scanned``), and the table must equal a rebuild from scratch. Concurrent writers
on the same children, and the migration's backfill, must give the same.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest
from alembic import command
from health_testkit import replica_rows
from sqlalchemy import delete, insert, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_health.app import MIGRATIONS
from simpul_health.models import metadata
from simpul_health.ops import area_codes, latest_haz
from simpul_health.ops import indicators as queries
from simpul_health.ops.balita_weighed import periods_of_years
from simpul_health.ops.measurement_batch import record_measurements
from simpul_health.schemas.measurements import MeasurementIn
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
ELSEWHERE, OTHER_PROVINCE = "64.03.01.2001", "65.01.01.2001"
POSYANDU = {DESA_A: "p-a", DESA_B: "p-b", DESA_C: "p-c", ELSEWHERE: "p-x", OTHER_PROVINCE: "p-y"}
NOW = datetime(2025, 12, 31, tzinfo=UTC)
BEFORE_KEPT = "19a1b2c3d4e5"  # the revision before latest_haz
OPD = Principal("dinkes", frozenset({"opd:health"}), ("64", "65"))
AREAS = [queries.Area(wilayah=w) for w in ("*", "64", "65", "64.02", "64.03", "65.01")]
CHILDREN = {  # id: (registering desa, birth date)
    "k1": (DESA_A, date(2023, 1, 15)),
    "k2": (DESA_A, date(2023, 3, 1)),
    "k3": (DESA_B, date(2024, 6, 2)),
    "k4": (DESA_A, date(2023, 5, 5)),  # measured at desa B and desa C (one kabupaten)
    "k5": (DESA_A, date(2022, 8, 8)),  # measured in 64.02 and 64.03 (one province)
    "k6": (ELSEWHERE, date(2023, 1, 1)),
    "k7": (OTHER_PROVINCE, date(2023, 2, 2)),
    "k8": (DESA_B, date(2022, 11, 11)),
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


def _item(child: str, on: date, height: float | None = 84.0, weight: float = 11.0) -> MeasurementIn:
    return MeasurementIn(
        target_id=child,
        measured_on=on,
        weight_kg=weight,
        height_cm=height,
        measure_position="standing" if height else None,
        confirmed_implausible=True,
    )


# Batches in arrival order: (desa of the posyandu that measures, items). Heights from 76 cm
# (severely stunted for these ages) to 95 cm, so the counts differ by period.
BATCHES: list[tuple[str, list[MeasurementIn]]] = [
    (DESA_A, [_item("k1", date(2025, m, 8), 78.0 + m) for m in (1, 2, 4, 5, 6)]),
    (DESA_A, [_item("k2", date(2025, 3, 8), None), _item("k2", date(2025, 5, 8), 80.0)]),
    (DESA_B, [_item("k3", date(2025, 6, 10), 66.0), _item("k4", date(2025, 6, 20), 88.0)]),
    (DESA_C, [_item("k4", date(2025, 6, 5), 78.0)]),  # back-dated, at another desa
    (ELSEWHERE, [_item("k5", date(2025, 6, 25), 95.0)]),
    (DESA_A, [_item("k5", date(2025, 6, 10), 82.0)]),  # earlier, in the other kabupaten
    (DESA_A, [_item("k1", date(2025, 3, 20), 76.0)]),  # back-dated into Q1
    (OTHER_PROVINCE, [_item("k7", date(2025, 4, 1), 80.0)]),
    (ELSEWHERE, [_item("k6", date(2024, 12, 20), 77.0), _item("k6", date(2025, 1, 5), 90.0)]),
    (DESA_A, [_item("k1", date(2025, 7, 8), None)]),  # a later weighing without a length
    (DESA_B, [_item("k8", date(2025, 6, 1), None), _item("k8", date(2025, 2, 1), 83.0)]),
    (ELSEWHERE, [_item("k5", date(2025, 5, 1), 79.0)]),  # back-dated in 64.03
    (DESA_C, [_item("k5", date(2025, 6, 28), 80.0)]),  # k5's latest moves back to 64.02
    (DESA_B, [_item("k4", date(2025, 6, 28), None), _item("k2", date(2024, 11, 3), 77.0)]),
]


async def _write(
    db: Database, desa: str, items: list[MeasurementIn], hold: float = 0.0
) -> list[str]:
    async with db.sessions() as session:
        uow = UnitOfWork(session, Outbox(HealthSettings()))
        posyandu = {"posyandu_id": POSYANDU[desa], "desa_code": desa}
        pairs = list(enumerate(items))
        results = await record_measurements(uow, OPD, posyandu, pairs, today=NOW.date())
        await asyncio.sleep(hold)  # a racing writer's statements run meanwhile
        await uow.commit()
    return [r.status for r in results]


async def _kept(session: AsyncSession) -> set[tuple[Any, ...]]:
    return {tuple(row) for row in (await session.execute(select(latest_haz.L))).all()}


async def _assert_equals_scan(db: Database) -> int:
    """Kept counts equal the scan for every period and area; the number of non-zero counts."""
    nonzero = 0
    for period in periods_of_years([2024, 2025]):
        for area in AREAS:
            async with db.sessions() as session:
                kept = await queries.stunting_counts(session, area, period)
                scanned = await queries.stunting_scanned(session, area, period)
                by_desa = await queries.stunting_by_desa(session, area, period)
                desa_scanned = await queries.stunting_scanned(session, area, period, by_desa=True)
            assert [kept] == scanned, (area, period.label)
            assert by_desa == desa_scanned, (area, period.label)
            nonzero += kept["measured"] > 0
    async with db.sessions() as session:
        before = await _kept(session)
        await latest_haz.rebuild(session)
        assert await _kept(session) == before
        await session.rollback()
    return nonzero


async def _count(db: Database, wilayah: str, label: str) -> dict[str, int]:
    async with db.sessions() as session:
        area = queries.Area(wilayah=wilayah)
        return await queries.stunting_counts(session, area, Period.parse(label))


@pytest.fixture
async def db(migrated: Database) -> Database:
    async with migrated.transaction() as session:
        await session.execute(insert(posyandu_replica), replica_rows(POSYANDU, NOW))
        await session.execute(insert(metadata.tables["targets"]), _targets())
    return migrated


async def test_kept_counts_equal_the_scan_after_a_mix_of_writes(db: Database) -> None:
    statuses = [s for desa, items in BATCHES for s in await _write(db, desa, items)]
    assert set(statuses) == {"created"}
    assert await _assert_equals_scan(db) > 40
    # June: k1, k3, k4 and k5; k5, measured in both kabupaten, counts once in the province
    # and the nation (by its 28 June visit at desa C) and once in each kabupaten; k8's June
    # visit has no length.
    june = {w: (await _count(db, w, "2025-06"))["measured"] for w in ("*", "64", "64.02", "64.03")}
    assert june == {"*": 4, "64": 4, "64.02": 4, "64.03": 1}
    async with db.sessions() as session:
        rows = await queries.stunting_by_desa(session, queries.Area(wilayah="64"), _p("2025-06"))
    # k4 by its 20 June visit at desa B (the 28th had no length), k5 at desa C.
    assert {r["desa_code"]: r["measured"] for r in rows} == {DESA_A: 1, DESA_B: 2, DESA_C: 1}
    # The year: k1's latest with a HAZ is June (July had no length); k6 counts in 2025 and 2024.
    year = await _count(db, "*", "2025")
    assert year["measured"] == 8 and year["stunted"] + year["severely_stunted"] > 0
    assert (await _count(db, "64.03", "2024"))["measured"] == 1


async def test_concurrent_writers_keep_each_child_s_latest(postgres_url: str) -> None:
    """Writers racing on the same children (each holding its transaction open a moment) in
    both kabupaten: the kept rows end as the scan's, whichever commits first."""
    await upgrade(MIGRATIONS, postgres_url)
    db = Database(postgres_url, 8)
    try:
        async with db.transaction() as session:
            await session.execute(insert(metadata.tables["targets"]), _targets())
        days = [date(2025, m, d) for m in (4, 5, 6) for d in (3, 9, 15, 21)]
        random.Random(3).shuffle(days)
        writers = [
            _write(db, (DESA_A, ELSEWHERE, DESA_C)[n % 3], _race_items(days[n::4]), hold=0.2)
            for n in range(4)
        ]
        outcomes = await asyncio.gather(*writers)
        assert {s for statuses in outcomes for s in statuses} == {"created"}
        assert await _assert_equals_scan(db) > 10
    finally:
        await db.dispose()


def _race_items(days: list[date]) -> list[MeasurementIn]:
    return [
        _item(child, day, 76.0 + (day.day + n) % 15)
        for day in days
        for n, child in enumerate(("k1", "k4", "k5"))
    ]


async def test_the_upsert_alone_keeps_the_latest_under_a_race(postgres_url: str) -> None:
    """Without the children's row locks the write path takes: offers of the same rows from
    several open transactions at once leave the latest of each. The one holding the latest
    day goes first, so the others wait for it and then find a later row in place."""
    await upgrade(MIGRATIONS, postgres_url)
    db = Database(postgres_url, 8)
    days = [date(2025, 6, d) for d in range(1, 25)]
    random.Random(5).shuffle(days)
    chunks = sorted((days[n::6] for n in range(6)), key=max, reverse=True)

    async def offer(chunk: list[date], start: float) -> None:
        await asyncio.sleep(start)
        async with db.sessions() as session:
            rows = [_kept_row(child, day) for day in chunk for child in ("k1", "k2")]
            await latest_haz.record(session, rows)
            await asyncio.sleep(0.3)
            await session.commit()

    try:
        await asyncio.gather(*(offer(chunk, n / 20) for n, chunk in enumerate(chunks)))
        async with db.sessions() as session:
            kept = {(r.period, r.target_id): (r.measured_on, r.haz) for r in await _rows(session)}
    finally:
        await db.dispose()
    latest = (date(2025, 6, 24), -2.4)
    assert kept == {(p, c): latest for p in ("2025-06", "2025-Q2", "2025") for c in ("k1", "k2")}


def _kept_row(child: str, day: date) -> dict[str, Any]:
    return {
        "target_id": child,
        "measured_on": day,
        **area_codes(DESA_A),
        "haz": -day.day / 10,
        "whz": None,
        "waz": None,
    }


async def _rows(session: AsyncSession) -> list[Any]:
    return list((await session.execute(select(latest_haz.L))).all())


@pytest.mark.parametrize("dialect", ["postgres", "sqlite"])
async def test_the_migration_backfills_what_a_rebuild_gives(
    dialect: str, request: pytest.FixtureRequest
) -> None:
    """Measurements stored before the table existed are kept by the migration; emptied, the
    table is rebuilt the same; either way the counts are the scan's."""
    url: str = request.getfixturevalue(f"{dialect}_url")
    await asyncio.to_thread(command.upgrade, alembic_config(MIGRATIONS, url), BEFORE_KEPT)
    db = Database(url)
    try:
        async with db.transaction() as session:
            await session.execute(insert(metadata.tables["targets"]), _targets())
            await session.execute(insert(metadata.tables["measurements"]), _plain_rows())
        await upgrade(MIGRATIONS, url)
        async with db.sessions() as session:
            backfilled = await _kept(session)
        assert len(backfilled) > 20
        await _assert_equals_scan(db)  # and a rebuild gives the same rows
        async with db.transaction() as session:
            await session.execute(delete(latest_haz.L))
        async with db.transaction() as session:
            await latest_haz.rebuild(session)
        async with db.sessions() as session:
            assert await _kept(session) == backfilled
    finally:
        await db.dispose()


def _plain_rows() -> list[dict[str, Any]]:
    """Plain measurement rows for every BATCHES item, with a HAZ made up from the height."""
    return [
        {
            "id": str(uuid.uuid4()),
            "target_id": item.target_id,
            "posyandu_id": POSYANDU[desa],
            **area_codes(desa),
            "measured_on": item.measured_on,
            "age_days": 0,
            "sex": "F",
            "weight_kg": item.weight_kg,
            "height_cm": item.height_cm,
            "haz": None if item.height_cm is None else (item.height_cm - 86.0) / 3.0,
            "whz": None if item.height_cm is None else (88.0 - item.height_cm) / 2.0,
            "waz": None if item.height_cm is None else -1.0,
            "created_by": "test",
            "created_at": NOW,
        }
        for desa, items in BATCHES
        for item in items
    ]


def _p(label: str) -> Period:
    return Period.parse(label)
