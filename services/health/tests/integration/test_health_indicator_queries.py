"""Indicator queries (simpul_health.ops.indicators) against hand counts on a small hand-built set.

The rows go straight into the migrated tables, so each edge case is exactly what it says: a
child measured twice in the period, a measurement without HAZ, a child weighed at another
desa's posyandu, rows outside the area and outside the period, weighings against
``required_weighings``, the age limits of the screening groups, and "ever" hypertension and
diabetes findings. Every area level runs, because a kabupaten takes the scanning plans and
smaller areas the probing ones; SQLite must give the same answers as PostgreSQL.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest
from health_testkit import replica_rows
from sqlalchemy import func, insert, select

from simpul_health.app import MIGRATIONS
from simpul_health.models import metadata
from simpul_health.ops import area_codes, latest_haz
from simpul_health.ops import balita_weighed as weighed
from simpul_health.ops import indicators as queries
from simpul_platform.db import Database
from simpul_platform.indicators import Period
from simpul_platform.migrations import schema_drift, upgrade
from simpul_platform.referrals.tables import referral_metadata
from simpul_platform.replica import posyandu_replica, replica_metadata

pytestmark = pytest.mark.integration

KAB, KEC = "64.02", "64.02.06"
DESA_A, DESA_B, DESA_C = "64.02.06.2012", "64.02.06.2013", "64.02.07.2001"
ELSEWHERE = "64.03.01.2001"  # another kabupaten
POSYANDU = {DESA_A: "p-a", DESA_B: "p-b", DESA_C: "p-c", ELSEWHERE: "p-x"}
BORN = date(2023, 1, 15)  # a balita through all of 2025
NOW = datetime(2025, 12, 31, tzinfo=UTC)


class Rows:
    """The hand-built data set, as rows for the four tables."""

    def __init__(self) -> None:
        self.targets: list[dict[str, Any]] = []
        self.measurements: list[dict[str, Any]] = []
        self.screenings: list[dict[str, Any]] = []
        self.pregnancies: list[dict[str, Any]] = []

    def person(self, name: str, desa: str, birth: date = BORN) -> str:
        self.targets.append(
            {
                "id": name,
                "nik": f"{len(self.targets):016d}",
                "name": name,
                "sex": "F",
                "birth_date": birth,
                "posyandu_id": POSYANDU[desa],
                **area_codes(desa),
                "person_ref": name,
                "created_by": "test",
                "created_at": NOW,
                "updated_by": "test",
                "updated_at": NOW,
            }
        )
        return name

    def measure(
        self,
        child: str,
        on: date,
        haz: float | None,
        whz: float | None = 0.0,
        waz: float | None = 0.0,
        at: str | None = None,
    ) -> None:
        """``at``: the desa of the posyandu that weighed (default: the child's own)."""
        desa = at or next(t["desa_code"] for t in self.targets if t["id"] == child)
        self.measurements.append(
            {
                "id": str(uuid.uuid4()),
                "target_id": child,
                "posyandu_id": POSYANDU[desa],
                **area_codes(desa),
                "measured_on": on,
                "age_days": (on - BORN).days,
                "sex": "F",
                "weight_kg": 10.0,
                "haz": haz,
                "whz": whz,
                "waz": waz,
                "created_by": "test",
                "created_at": NOW,
            }
        )

    def screen(
        self,
        adult: str,
        on: date,
        *,
        systolic: int | None = 120,
        glucose: float | None = 100.0,
        hypertension: bool = False,
        diabetes: bool = False,
        at: str | None = None,
    ) -> None:
        desa = at or next(t["desa_code"] for t in self.targets if t["id"] == adult)
        self.screenings.append(
            {
                "id": str(uuid.uuid4()),
                "target_id": adult,
                "posyandu_id": POSYANDU[desa],
                **area_codes(desa),
                "screened_on": on,
                "life_cycle_group": "usia_produktif",
                "age_years": 40,
                "systolic": systolic,
                "diastolic": 80 if systolic else None,
                "glucose_mg_dl": glucose,
                "glucose_kind": "sewaktu" if glucose else None,
                "hypertension": hypertension,
                "diabetes": diabetes,
                "follow_up": "none",
                "created_by": "test",
                "created_at": NOW,
                "updated_by": "test",
                "updated_at": NOW,
            }
        )

    def pregnancy(
        self,
        mother: str,
        status: str,
        anc_visits: int,
        estimated: date,
        delivered: date | None = None,
    ) -> None:
        desa = next(t["desa_code"] for t in self.targets if t["id"] == mother)
        self.pregnancies.append(
            {
                "id": str(uuid.uuid4()),
                "target_id": mother,
                "posyandu_id": POSYANDU[desa],
                **area_codes(desa),
                "registered_on": date(2024, 11, 1),
                "last_menstrual_period": date(2024, 9, 20),
                "estimated_delivery": estimated,
                "gravida": 1,
                "status": status,
                "anc_visits": anc_visits,
                "delivered_on": delivered,
                "created_by": "test",
                "created_at": NOW,
                "updated_by": "test",
                "updated_at": NOW,
            }
        )


def hand_built() -> Rows:
    r = Rows()
    june = date(2025, 6, 1)
    # Balita. c1: twice in June, only the later (normal) visit counts for stunting.
    c1 = r.person("c1", DESA_A)
    r.measure(c1, date(2025, 6, 3), -2.5)
    r.measure(c1, date(2025, 6, 20), -1.0)
    # c2: severely stunted, wasted and underweight in June; back to normal in July.
    c2 = r.person("c2", DESA_A)
    r.measure(c2, date(2025, 6, 10), -3.5, whz=-2.5, waz=-2.5)
    r.measure(c2, date(2025, 7, 1), 0.0)
    # c3: weighed in June without a length (no HAZ): a weighing, not a stunting count.
    c3 = r.person("c3", DESA_A)
    r.measure(c3, date(2025, 6, 12), None, whz=None, waz=-1.0)
    # c4: stunted in May; June's visit has no HAZ, so the quarter counts May's.
    c4 = r.person("c4", DESA_B)
    r.measure(c4, date(2025, 5, 15), -2.2)
    r.measure(c4, date(2025, 6, 15), None, whz=None)
    # c5: stunted, in another kecamatan. c6: another kabupaten. c7: never weighed.
    r.measure(r.person("c5", DESA_C), date(2025, 6, 5), -2.1)
    r.measure(r.person("c6", ELSEWHERE), date(2025, 6, 5), -3.2)
    r.person("c7", DESA_A)
    # c8: a child of desa A weighed (stunted) at desa B's posyandu: the weighing is desa A's
    # child's, the stunting row is desa B's.
    r.measure(r.person("c8", DESA_A), date(2025, 6, 18), -2.6, at=DESA_B)
    # c9 is weighed every month January–August (8 times: a year's standard), c10 January–July.
    c9, c10 = r.person("c9", DESA_B), r.person("c10", DESA_B)
    for month in range(1, 9):
        r.measure(c9, date(2025, month, 8), 0.5)
        if month <= 7:
            r.measure(c10, date(2025, month, 9), 0.5)
    # c11, born on 2 June, is a balita of June (at its end) but not of May; never weighed.
    r.person("c11", DESA_A, birth=date(2025, 6, 2))

    # Adults (age on 30 June 2025). a1 45: screened in June, hypertensive with a BP reading.
    a1 = r.person("a1", DESA_A, date(1980, 1, 1))
    r.screen(a1, date(2025, 6, 10), systolic=150, glucose=None, hypertension=True)
    # a2 75: diabetic and hypertensive in March; June's screening has glucose but no BP.
    a2 = r.person("a2", DESA_A, date(1950, 1, 1))
    r.screen(a2, date(2025, 3, 1), hypertension=True, diabetes=True)
    r.screen(a2, date(2025, 6, 20), systolic=None, glucose=200.0, diabetes=True)
    # a3 35: hypertension found only after June.
    r.screen(r.person("a3", DESA_A, date(1990, 5, 5)), date(2025, 7, 5), hypertension=True)
    # a4 turns 60 on 30 June (usia lanjut), a5 is 59 (usia produktif); neither screened.
    r.person("a4", DESA_B, date(1965, 6, 30))
    r.person("a5", DESA_B, date(1965, 7, 1))
    # a6 turns 15 on 1 July: 14 in June, so in no group, though hypertensive and screened.
    r.screen(r.person("a6", DESA_A, date(2010, 7, 1)), june, systolic=140, hypertension=True)
    # a7: another kecamatan; a8: another kabupaten; both screened in June.
    r.screen(r.person("a7", DESA_C, date(1985, 2, 2)), date(2025, 6, 2))
    r.screen(r.person("a8", ELSEWHERE, date(1985, 2, 2)), date(2025, 6, 2), hypertension=True)
    # a9 of desa A, screened in June at desa C's posyandu: still desa A's screened person.
    r.screen(r.person("a9", DESA_A, date(1988, 8, 8)), date(2025, 6, 25), at=DESA_C)

    # Pregnancies: delivered in June with 6 ANC visits; due in June with 4; ended (not
    # delivered) while due in June: not counted; delivered in June in another kecamatan.
    r.pregnancy(a1, "delivered", 6, date(2025, 6, 30), delivered=date(2025, 6, 10))
    r.pregnancy("a3", "ongoing", 4, date(2025, 6, 25))
    r.pregnancy("a9", "ended", 2, date(2025, 6, 15))
    r.pregnancy("a7", "delivered", 7, date(2025, 6, 1), delivered=date(2025, 6, 3))
    return r


def stunting(measured: int, stunted: int, severe: int, wasted: int, under: int) -> dict[str, int]:
    return {
        "measured": measured,
        "stunted": stunted,
        "severely_stunted": severe,
        "wasted": wasted,
        "underweight": under,
        "overweight": 0,  # nobody here has WHZ > +2
    }


A_KAB = queries.Area(wilayah=KAB)
A_KEC = queries.Area(wilayah=KEC)
A_DESA = queries.Area(wilayah=DESA_A)
A_POS = queries.Area(posyandu_id=POSYANDU[DESA_A])
A_OTHER_KEC = queries.Area(wilayah="64.02.07")
A_ALL = queries.Area(wilayah="*")

STUNTING = [
    # June: latest per child (c1 normal, c2 severe/wasted/underweight, c5 and c8 stunted,
    # c9 and c10 normal); c3 and c4 have no June HAZ; c6 is elsewhere.
    (A_KAB, "2025-06", stunting(6, 2, 1, 1, 1)),
    (A_KEC, "2025-06", stunting(5, 1, 1, 1, 1)),  # c1, c2, c8 (at desa B), c9, c10
    (A_DESA, "2025-06", stunting(2, 0, 1, 1, 1)),  # c1, c2; c8's row is desa B's
    (A_POS, "2025-06", stunting(2, 0, 1, 1, 1)),
    (A_OTHER_KEC, "2025-06", stunting(1, 1, 0, 0, 0)),
    (A_ALL, "2025-06", stunting(7, 2, 2, 1, 1)),  # + c6 (HAZ −3.2)
    # The quarter adds c4's May row (stunted).
    (A_KAB, "2025-Q2", stunting(7, 3, 1, 1, 1)),
    # The year: c2's latest is July's (normal).
    (A_KAB, "2025", stunting(7, 3, 0, 0, 0)),
    (A_DESA, "2025", stunting(2, 0, 0, 0, 0)),
    (A_KAB, "2024", stunting(0, 0, 0, 0, 0)),
]

BY_DESA = [
    {"desa_code": DESA_A, **stunting(2, 0, 1, 1, 1)},
    {"desa_code": DESA_B, **stunting(3, 1, 0, 0, 0)},
    {"desa_code": DESA_C, **stunting(1, 1, 0, 0, 0)},
]


def spm(
    balita: tuple[int, int],
    anc: tuple[int, int],
    productive: tuple[int, int],
    elderly: tuple[int, int],
    hyper: tuple[int, int],
    diab: tuple[int, int],
) -> dict[str, tuple[int, int]]:
    return {
        "balita": balita,
        "ibu_hamil": anc,
        "usia_produktif": productive,
        "usia_lanjut": elderly,
        "hipertensi": hyper,
        "diabetes": diab,
        # the services kept on write (ops.kept): nothing of theirs is recorded here
        **dict.fromkeys(KEPT_CODES, (0, 0)),
    }


KEPT_CODES = (
    "ibu_bersalin",
    "bayi_baru_lahir",
    "usia_pendidikan_dasar",
    "odgj_berat",
    "terduga_tbc",
    "risiko_hiv",
)


SPM = [
    # June, one weighing needed. Balita of the kabupaten: c1–c5, c7–c11: 10; weighed in
    # June: all but c7 and c11. Adults 15–59: a1, a3, a5, a7, a9 (a6 is 14), screened in
    # June: a1, a7, a9. 60+: a2, a4; screened: a2. Hypertensive by June: a1 (BP in June),
    # a2 (no BP in June); a3 only in July, a6 is 14. Pregnancies: a1's and a7's count, a3's
    # is due without K6, a9's ended.
    (A_KAB, "2025-06", spm((8, 10), (2, 3), (3, 5), (1, 2), (1, 2), (1, 1))),
    (A_KEC, "2025-06", spm((7, 9), (1, 2), (2, 4), (1, 2), (1, 2), (1, 1))),
    # Desa A: c1, c2, c3, c7, c8, c11; c8's weighing at desa B still counts.
    (A_DESA, "2025-06", spm((4, 6), (1, 2), (2, 3), (1, 1), (1, 2), (1, 1))),
    (A_POS, "2025-06", spm((4, 6), (1, 2), (2, 3), (1, 1), (1, 2), (1, 1))),
    (A_OTHER_KEC, "2025-06", spm((1, 1), (1, 1), (1, 1), (0, 0), (0, 0), (0, 0))),
    # Q2 needs two weighings (April–June): c1 (two in June), c4 (May, June), c9, c10.
    (A_KAB, "2025-Q2", spm((4, 10), (2, 3), (3, 5), (1, 2), (1, 2), (1, 1))),
    (A_DESA, "2025-Q2", spm((1, 6), (1, 2), (2, 3), (1, 1), (1, 2), (1, 1))),
    # The year needs eight: only c9. Ages on 31 December: a4 and a5 are 60 (usia lanjut),
    # a6 is 15. Hypertensive in the year, each with a BP reading in it: a1, a2 (March), a3
    # (July), a6.
    (A_KAB, "2025", spm((1, 10), (2, 3), (5, 5), (1, 3), (4, 4), (1, 1))),
    (A_KEC, "2025", spm((1, 9), (1, 2), (4, 4), (1, 3), (4, 4), (1, 1))),
    (A_DESA, "2025", spm((0, 6), (1, 2), (4, 4), (1, 1), (4, 4), (1, 1))),
    # May: c11 is not born yet and nobody was weighed or screened; a2's March findings
    # make the hypertension and diabetes denominators.
    (A_DESA, "2025-05", spm((0, 5), (0, 0), (0, 3), (0, 1), (0, 1), (0, 1))),
]


@pytest.fixture
async def db(migrated: Database) -> Database:
    rows = hand_built()
    async with migrated.transaction() as session:
        await session.execute(insert(posyandu_replica), replica_rows(POSYANDU, NOW))
        for table, values in (
            ("targets", rows.targets),
            ("measurements", rows.measurements),
            ("screenings", rows.screenings),
            ("pregnancies", rows.pregnancies),
        ):
            await session.execute(insert(metadata.tables[table]), values)
        await weighed.rebuild(session)  # as the write path would have kept it
        await latest_haz.rebuild(session)
    return migrated


async def test_stunting_counts_each_child_once_by_its_latest_haz(db: Database) -> None:
    for area, label, expected in STUNTING:
        async with db.sessions() as session:
            got = await queries.stunting_counts(session, area, Period.parse(label))
        assert got == expected, (area, label)
    async with db.sessions() as session:
        by_desa = await queries.stunting_by_desa(session, A_KAB, Period.parse("2025-06"))
    assert by_desa == BY_DESA


async def test_spm_counts_match_hand_counts(db: Database) -> None:
    for area, label, expected in SPM:
        async with db.sessions() as session:
            got = await queries.spm_counts(session, area, Period.parse(label))
        assert got == expected, (area, label)


async def test_settings_last_only_for_the_counts_transaction(postgres_url: str) -> None:
    """work_mem and friends are SET LOCAL: the pooled connection goes back as it came."""
    await upgrade(MIGRATIONS, postgres_url)
    db = Database(postgres_url)
    work_mem = select(func.current_setting("work_mem"))
    try:
        async with db.sessions() as session:
            await queries.spm_counts(session, A_KAB, Period.parse("2025-06"))
            inside = (await session.execute(work_mem)).scalar_one()
            await session.commit()
            after = (await session.execute(work_mem)).scalar_one()
    finally:
        await db.dispose()
    assert (inside, after) == (queries.SETTINGS["work_mem"], "4MB")


async def test_migrations_and_models_declare_the_same_schema(postgres_url: str) -> None:
    """Autogenerate finds nothing to add: the indexes in models.py are the migrated ones."""
    await upgrade(MIGRATIONS, postgres_url)
    assert await schema_drift(postgres_url, metadata, replica_metadata, referral_metadata) == []
