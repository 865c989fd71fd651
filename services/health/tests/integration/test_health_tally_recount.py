"""``health_tally`` (the balita denominator, ibu hamil and the four screening services kept
per posyandu and month, ``ops.tally``) equals a full recount of the records
(``indicators.spm_scanned``) for every month, quarter and year of 2025 at every area level:

- after mixed writes through the write paths (bulk and single registrations, screenings at
  another kecamatan's posyandu and back-dated into the year before, pregnancies registered,
  visited, delivered early, ended), each made after reads that kept the rows it changes;
- after writers racing readers (PostgreSQL's advisory locks): a reader that meets a writer's
  posyandu waits for its commit and counts the write;
- over records stored before the table existed (the migration leaves it empty: the first read
  of a month counts it), and again after the table is emptied.
"""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, date, datetime
from typing import Any

import pytest
from alembic import command
from health_testkit import nik, replica_rows
from sqlalchemy import delete, func, insert, select

from simpul_health.app import MIGRATIONS
from simpul_health.models import metadata
from simpul_health.ops import area_codes, pregnancy, screening, tally, targets
from simpul_health.ops import indicators as queries
from simpul_health.schemas.pregnancy import AncVisitIn, DeliveryIn, PregnancyIn
from simpul_health.schemas.screening import ScreeningIn
from simpul_health.schemas.targets import TargetIn
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
TODAY = date(2025, 12, 31)
NOW = datetime(2025, 12, 31, tzinfo=UTC)
BEFORE_TALLY = "18f1b2c3d4e5"  # the revision before health_tally
OPD = Principal("dinkes", frozenset({"opd:health"}), ("64",))
AREAS = [
    queries.Area(wilayah="*"),
    queries.Area(wilayah="64.02"),
    queries.Area(wilayah=DESA_A),
    queries.Area(posyandu_id="p-b"),
    queries.Area(wilayah="64.03"),
]
LABELS = [f"2025-{m:02d}" for m in range(1, 13)] + [f"2025-Q{q}" for q in range(1, 5)] + ["2025"]
PEOPLE = {  # id: (registering desa, birth date)
    "a1": (DESA_A, date(1980, 5, 1)),
    "a2": (DESA_A, date(1965, 7, 1)),  # sixty (usia lanjut) from July 2025
    "a3": (DESA_B, date(2010, 9, 1)),  # fifteen (an adult) from September 2025
    "a4": (DESA_C, date(1950, 1, 1)),
    "a5": (ELSEWHERE, date(1990, 1, 1)),
    "b1": (DESA_A, date(2023, 1, 1)),
    "b2": (DESA_B, date(2020, 8, 10)),  # five (no longer a balita) from August 2025
    "m1": (DESA_A, date(1995, 3, 3)),
    "m2": (DESA_B, date(1998, 4, 4)),
    "m3": (DESA_C, date(2000, 6, 6)),
}
HIGH = {"systolic": 150, "diastolic": 95, "glucose_mg_dl": 210.0, "glucose_kind": "random"}
NORMAL = {"systolic": 115, "diastolic": 75}
SCREENINGS = [  # (person, day, readings, posyandu's desa)
    ("a1", date(2025, 3, 10), HIGH, None),
    ("a2", date(2025, 8, 5), NORMAL, DESA_C),  # at another kecamatan's posyandu
    ("a3", date(2025, 10, 1), {}, None),  # screened, without blood pressure or glucose
    ("a4", date(2024, 11, 20), HIGH, None),  # back-dated into 2024: "ever found" in 2025
    ("a5", date(2025, 6, 1), NORMAL, None),
    ("a1", date(2025, 11, 15), NORMAL, None),
]


def _row(person: str, desa: str, born: date, n: int) -> dict[str, Any]:
    return {
        "id": person,
        "nik": f"{n:016d}",
        "name": person,
        "sex": "F",
        "birth_date": born,
        "posyandu_id": POSYANDU[desa],
        **area_codes(desa),
        "person_ref": person,
        "created_by": "test",
        "created_at": NOW,
        "updated_by": "test",
        "updated_at": NOW,
    }


def _people() -> list[dict[str, Any]]:
    return [_row(p, desa, born, n) for n, (p, (desa, born)) in enumerate(PEOPLE.items())]


async def _seed_replica(db: Database) -> None:
    async with db.transaction() as session:
        await session.execute(insert(posyandu_replica), replica_rows(POSYANDU, NOW))


async def _write(db: Database, step: Any) -> Any:
    """One write through its ops function, in a unit of work of its own, committed."""
    async with db.sessions() as session:
        uow = UnitOfWork(session, Outbox(HealthSettings()))
        result = await step(uow)
        await uow.commit()
    return result


def _screen(person: str, on: date, readings: dict[str, Any], at: str | None) -> Any:
    body = ScreeningIn(
        target_id=person,
        screened_on=on,
        posyandu_id=POSYANDU[at] if at else None,
        **readings,
    )
    return lambda uow: screening.record(uow, OPD, body, TODAY)


def _register(mother: str, on: date, lmp: date) -> Any:
    body = PregnancyIn(target_id=mother, registered_on=on, last_menstrual_period=lmp, gravida=1)
    return lambda uow: pregnancy.register(uow, OPD, body, TODAY)


def _visit(pregnancy_id: str, number: int, on: date) -> Any:
    body = AncVisitIn(visit_number=number, visited_on=on)
    return lambda uow: pregnancy.record_anc_visit(uow, OPD, pregnancy_id, body, TODAY)


def _deliver(pregnancy_id: str, on: date, outcome: str = "live_birth") -> Any:
    birth = outcome == "live_birth"
    body = DeliveryIn(
        delivered_on=on,
        outcome=outcome,  # type: ignore[arg-type]
        delivery_place="puskesmas" if birth else None,
        delivery_attendants=["midwife"] if birth else [],
    )
    return lambda uow: pregnancy.record_delivery(uow, OPD, pregnancy_id, body, TODAY)


async def _check(db: Database) -> dict[tuple[str, str], dict[str, tuple[int, int]]]:
    """Every area and period: the kept counts equal the recount; the kept counts returned."""
    found = {}
    for area in AREAS:
        for label in LABELS:
            period = Period.parse(label)
            async with db.sessions() as session:  # the kept first: a fill commits
                kept = await queries.spm_counts(session, area, period)
                scanned = await queries.spm_scanned(session, area, period)
            mine = {code: kept[code] for code in queries.SPM_CODES}
            assert mine == scanned, (area, label)
            found[area.wilayah or area.posyandu_id or "", label] = mine
    return found


async def _kept_rows(db: Database, posyandu_id: str, since: date) -> int:
    T = tally.TALLY
    query = select(func.count()).where(T.c.posyandu_id == posyandu_id, T.c.month >= since)
    async with db.sessions() as session:
        return int((await session.execute(query)).scalar_one())


async def test_kept_counts_equal_a_recount_after_mixed_writes(migrated: Database) -> None:
    db = migrated
    await _seed_replica(db)
    await _write(db, lambda uow: targets.insert_many(uow.session, _people()))
    first = await _check(db)
    assert first["64.02", "2025-07"]["balita"] == (0, 2)  # b1, b2 (five in August)
    assert first["64.02", "2025-08"]["balita"] == (0, 1)
    assert await _kept_rows(db, "p-a", date(2025, 3, 1)) > 0

    for person, on, readings, at in SCREENINGS:
        await _write(db, _screen(person, on, readings, at))
        if person == "a1" and on.month == 3:  # a1's posyandu's months from March are dropped
            assert await _kept_rows(db, "p-a", date(2025, 3, 1)) == 0
            assert await _kept_rows(db, "p-a", date(2025, 1, 1)) > 0
            assert await _kept_rows(db, "p-b", date(2025, 3, 1)) > 0
    screened = await _check(db)
    # Hypertensive: a1 (March, with a reading in 2025) and a4 (2024, none in 2025).
    assert screened["64.02", "2025"]["hipertensi"] == (1, 2)
    assert screened["64.02", "2025"]["diabetes"] == (1, 2)
    assert screened["64.02", "2025-02"]["hipertensi"] == (0, 1)  # a4 only, found in 2024
    # a2 (screened at desa C's posyandu) counts at desa A, where registered; as usia lanjut
    # in the year (sixty by December), not in June.
    assert screened[DESA_A, "2025"]["usia_lanjut"] == (1, 1)
    assert screened[DESA_A, "2025-Q4"]["usia_produktif"] == (1, 2)  # a1 of a1 and m1
    assert screened["64.03", "2025-06"]["usia_produktif"] == (1, 1)

    m1 = await _write(db, _register("m1", date(2025, 2, 1), date(2025, 1, 5)))  # due 12 Oct
    m2 = await _write(db, _register("m2", date(2025, 4, 1), date(2025, 3, 1)))  # due 6 Dec
    m3 = await _write(db, _register("m3", date(2025, 3, 1), date(2025, 2, 1)))  # due 8 Nov
    await _check(db)
    for number, month in enumerate(range(3, 9), start=1):
        await _write(db, _visit(m1.id, number, date(2025, month, 2)))
    await _write(db, _visit(m2.id, 1, date(2025, 5, 2)))
    await _write(db, _deliver(m1.id, date(2025, 9, 20)))  # early: September, not October
    await _write(db, _deliver(m3.id, date(2025, 7, 1), outcome="miscarriage"))
    delivered = await _check(db)
    assert delivered["64.02", "2025-09"]["ibu_hamil"] == (1, 1)
    assert delivered["64.02", "2025-10"]["ibu_hamil"] == (0, 0)
    assert delivered["64.02", "2025"]["ibu_hamil"] == (1, 3)  # m1 (K6), m2 (due), m3 (ended)

    secret = HealthSettings().pseudonym_secret
    for serial, (born, sex) in enumerate(((date(1970, 1, 1), "F"), (date(2025, 3, 1), "M"))):
        body = TargetIn(
            nik=nik(born, sex, serial + 1),
            name=f"late {serial}",
            sex=sex,  # type: ignore[arg-type]
            birth_date=born,
            posyandu_id="p-b",
        )
        await _write(
            db, lambda uow, b=body: targets.create_target(uow, OPD, b, secret=secret, today=TODAY)
        )
    late = await _check(db)
    assert late["p-b", "2025-02"]["balita"] == (0, 1)  # b2; the newborn from March
    assert late["p-b", "2025-03"]["balita"] == (0, 2)
    assert late["p-b", "2025"]["usia_produktif"][1] == first["p-b", "2025"]["usia_produktif"][1] + 1


@pytest.fixture
async def kukar(postgres_url: str) -> Any:
    """PostgreSQL at the head revision with the replica and the people, nothing kept yet."""
    await upgrade(MIGRATIONS, postgres_url)
    db = Database(postgres_url, 12)
    await _seed_replica(db)
    await _write(db, lambda uow: targets.insert_many(uow.session, _people()))
    try:
        yield db
    finally:
        await db.dispose()


async def test_a_reader_waits_for_a_writer_of_its_posyandu(kukar: Database) -> None:
    """A write holds its posyandu's lock until it commits: a reader that must count that
    posyandu waits, then counts the committed write (never a count without it kept)."""
    async with kukar.sessions() as session:
        uow = UnitOfWork(session, Outbox(HealthSettings()))
        await _screen("a1", date(2025, 6, 3), HIGH, None)(uow)
        await uow.session.flush()

        async def read() -> dict[str, tuple[int, int]]:
            async with kukar.sessions() as reader:
                return await queries.spm_counts(
                    reader, queries.Area(wilayah="64.02"), Period.parse("2025")
                )

        reader = asyncio.create_task(read())
        await asyncio.sleep(0.5)
        assert not reader.done()  # waiting for p-a's lock
        await uow.commit()
    year = await reader
    assert year["hipertensi"] == (1, 1) and year["usia_produktif"][0] == 1
    await _check(kukar)


async def test_writers_racing_readers_leave_counts_equal_to_a_recount(kukar: Database) -> None:
    rng = random.Random(23)
    adults = ["a1", "a2", "a3", "a4", "a5"]
    writes = [
        _screen(rng.choice(adults), date(2025, rng.randint(1, 12), rng.randint(1, 28)),
                rng.choice([HIGH, NORMAL, {}]), rng.choice([None, DESA_C]))
        for _ in range(24)
    ]  # fmt: skip
    writes += [
        _register(m, date(2025, 4, 1), date(2025, 3, m_day))
        for m, m_day in (("m1", 1), ("m2", 9), ("m3", 20))
    ]

    async def reader(n: int) -> None:
        for label in rng.sample(LABELS, 6):
            async with kukar.sessions() as session:
                area = AREAS[n % len(AREAS)]
                await queries.spm_counts(session, area, Period.parse(label))

    tasks = [_write(kukar, w) for w in writes] + [reader(n) for n in range(8)]
    rng.shuffle(tasks)
    await asyncio.gather(*tasks)
    raced = await _check(kukar)
    async with kukar.transaction() as session:  # counted again from nothing: the same
        await session.execute(delete(tally.TALLY))
    assert await _check(kukar) == raced


async def test_records_before_the_table_are_counted_on_first_read(postgres_url: str) -> None:
    """The migration to ``health_tally`` over a database with records: nothing kept, and the
    first reads count every posyandu-month from the records; an emptied table again."""
    await asyncio.to_thread(command.upgrade, alembic_config(MIGRATIONS, postgres_url), BEFORE_TALLY)
    db = Database(postgres_url)
    try:
        async with db.transaction() as session:
            await session.execute(insert(metadata.tables["targets"]), _people())
            await session.execute(insert(metadata.tables["screenings"]), _screening_rows())
        await upgrade(MIGRATIONS, postgres_url)
        await _seed_replica(db)
        assert await _kept_rows(db, "p-a", date(2000, 1, 1)) == 0
        backfilled = await _check(db)
        assert backfilled["64.02", "2025"]["hipertensi"] == (1, 2)
        assert await _kept_rows(db, "p-a", date(2025, 1, 1)) == 12 * len(tally.CODES)
        async with db.transaction() as session:
            await session.execute(delete(tally.TALLY))
        assert await _check(db) == backfilled
    finally:
        await db.dispose()


def _screening_rows() -> list[dict[str, Any]]:
    """SCREENINGS as plain rows, as a database before the table would hold them."""
    rows = []
    for n, (person, on, readings, at) in enumerate(SCREENINGS):
        desa = at or PEOPLE[person][0]
        rows.append(
            {
                "id": f"s{n}",
                "target_id": person,
                "posyandu_id": POSYANDU[desa],
                **area_codes(desa),
                "screened_on": on,
                "life_cycle_group": "usia_produktif",
                "age_years": 40,
                "systolic": readings.get("systolic"),
                "diastolic": readings.get("diastolic"),
                "glucose_mg_dl": readings.get("glucose_mg_dl"),
                "glucose_kind": readings.get("glucose_kind"),
                "hypertension": readings is HIGH,
                "diabetes": readings is HIGH,
                "anaemia": False,
                "obesity": False,
                "follow_up": "none",
                "created_by": "test",
                "created_at": NOW,
                "updated_by": "test",
                "updated_at": NOW,
            }
        )
    return rows
