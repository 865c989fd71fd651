"""Immunisation coverage (simpul_health.ops.coverage) against hand counts on a hand-built set.

The rows go straight into the migrated tables (PostgreSQL and SQLite), so each edge is exactly
what it says: a dose the day before the first birthday (counts) and on it (does not), a child
whose first birthday is the period's last day (in the period) or the next one's first day (not),
a child of desa A immunised at desa B's posyandu (counted where registered), children of other
desa, kecamatan and kabupaten.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert

from simpul_health.domain.coverage import basic, boosters
from simpul_health.domain.immunisation import NATIONAL_SCHEDULE
from simpul_health.models import metadata
from simpul_health.ops import area_codes, coverage
from simpul_health.ops.indicators import Area
from simpul_platform.db import Database
from simpul_platform.indicators import Period

pytestmark = pytest.mark.integration

DESA_A, DESA_B, DESA_C = "64.02.06.2012", "64.02.06.2013", "64.02.07.2001"
ELSEWHERE = "64.03.01.2001"
POSYANDU = {DESA_A: "p-a", DESA_B: "p-b", DESA_C: "p-c", ELSEWHERE: "p-x"}
NOW = datetime(2025, 12, 31, tzinfo=UTC)
BASIC = basic(NATIONAL_SCHEDULE)
BOOSTERS = boosters(NATIONAL_SCHEDULE)
MR1 = next(i for i, d in enumerate(BASIC) if (d.antigen, d.dose) == ("MR", 1))
BCG = next(i for i, d in enumerate(BASIC) if (d.antigen, d.dose) == ("BCG", 1))


class Rows:
    def __init__(self) -> None:
        self.targets: list[dict[str, Any]] = []
        self.immunisations: list[dict[str, Any]] = []

    def child(
        self,
        name: str,
        desa: str,
        birth: date,
        *,
        skip: tuple[tuple[str, int], ...] = (),
        given_on: dict[tuple[str, int], date] | None = None,
        boosted: bool = False,
        at: str | None = None,
    ) -> None:
        """Every basic dose on its due day (``skip``: not given; ``given_on``: another day),
        and the 18-month doses with ``boosted``; ``at``: the desa whose posyandu gave them."""
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
        doses = [*BASIC, *(BOOSTERS if boosted else ())]
        for d in doses:
            key = (d.antigen, d.dose)
            if key in skip:
                continue
            on = (given_on or {}).get(key, birth + timedelta(days=d.due_age_days))
            self.dose(name, at or desa, d.antigen, d.dose, on)

    def dose(self, child: str, desa: str, antigen: str, dose: int, on: date) -> None:
        self.immunisations.append(
            {
                "id": str(uuid.uuid4()),
                "target_id": child,
                "posyandu_id": POSYANDU[desa],
                "desa_code": desa,
                "antigen": antigen,
                "dose": dose,
                "given_on": on,
                "created_by": "test",
                "created_at": NOW,
            }
        )


def hand_built() -> Rows:
    r = Rows()
    # First birthdays in June 2025 (desa A unless said).
    r.child("k1", DESA_A, date(2024, 6, 10))  # complete
    # MR 1 the day before the first birthday: complete.
    r.child("k2", DESA_A, date(2024, 6, 15), given_on={("MR", 1): date(2025, 6, 14)})
    # MR 1 on the first birthday: late, not complete (and not an MR 1 by 12 months).
    r.child("k3", DESA_A, date(2024, 6, 20), given_on={("MR", 1): date(2025, 6, 20)})
    r.child("k4", DESA_A, date(2024, 6, 30))  # birthday on June's last day: in June
    r.child("k10", DESA_A, date(2024, 6, 12), at=DESA_B)  # immunised at desa B's posyandu
    r.child("k7", DESA_B, date(2024, 6, 5))  # same kecamatan
    r.child("k8", DESA_C, date(2024, 6, 5), skip=tuple((d.antigen, d.dose) for d in BASIC))
    r.child("k9", ELSEWHERE, date(2024, 6, 5))  # another kabupaten: never counted
    # Other months of 2025: July 1st (not June), May 31st without BCG.
    r.child("k5", DESA_A, date(2024, 7, 1))
    r.child("k6", DESA_A, date(2024, 5, 31), skip=(("BCG", 1),))
    # Second birthdays in June 2025: b1 boosted; b2 lacks MR 2; b3's MR 2 on the birthday.
    r.child("b1", DESA_A, date(2023, 6, 10), boosted=True)
    r.child("b2", DESA_A, date(2023, 6, 11), boosted=True)
    r.immunisations = [
        i
        for i in r.immunisations
        if not (i["target_id"] == "b2" and i["antigen"] == "MR" and i["dose"] == 2)
    ]
    r.child("b3", DESA_A, date(2023, 6, 12), boosted=True, given_on={("MR", 2): date(2025, 6, 12)})
    return r


@pytest.fixture
async def db(migrated: Database) -> Database:
    rows = hand_built()
    async with migrated.transaction() as session:
        await session.execute(insert(metadata.tables["targets"]), rows.targets)
        await session.execute(insert(metadata.tables["immunisations"]), rows.immunisations)
    return migrated


POSYANDU_A = Area(posyandu_id="p-a")
# (area, period) → (children reaching 12 months, IDL, MR 1, BCG), counted by hand above.
IDL_EXPECTED = [
    (POSYANDU_A, "2025-06", (5, 4, 4, 5)),  # k1 k2 k3 k4 k10; k3 late
    (Area(wilayah=DESA_A), "2025-06", (5, 4, 4, 5)),
    (Area(wilayah="64.02.06"), "2025-06", (6, 5, 5, 6)),  # + k7
    (Area(wilayah="64.02"), "2025-06", (7, 5, 5, 6)),  # + k8 (nothing given)
    (Area(wilayah="64"), "2025-06", (8, 6, 6, 7)),  # + k9 (another kabupaten of 64)
    (Area(wilayah="64.02"), "2025-07", (1, 1, 1, 1)),  # k5
    (POSYANDU_A, "2025", (7, 5, 6, 6)),  # + k5, k6 (no BCG)
    (Area(wilayah=DESA_A), "2025", (7, 5, 6, 6)),
    (Area(wilayah="64.02"), "2025", (9, 6, 7, 7)),
    (Area(wilayah="64.02"), "2025-Q2", (8, 5, 6, 6)),  # June's and k6 (May)
    (Area(wilayah="64.03"), "2025", (1, 1, 1, 1)),  # k9
    (Area(wilayah="64.02"), "2024", (3, 3, 3, 3)),  # b1 b2 b3's first birthdays
]


@pytest.mark.parametrize(("area", "label", "expected"), IDL_EXPECTED)
async def test_idl_and_each_dose_equal_a_hand_count(
    db: Database, area: Area, label: str, expected: tuple[int, int, int, int]
) -> None:
    async with db.sessions() as session:
        children, complete, given = await coverage.reaching(
            session, area, Period.parse(label), 1, BASIC
        )
    assert (children, complete, given[MR1], given[BCG]) == expected


@pytest.mark.parametrize(
    ("area", "label", "expected"),
    [
        (POSYANDU_A, "2025-06", (3, 1)),  # b1; b2 lacks MR 2, b3's MR 2 on the birthday
        (Area(wilayah="64.02"), "2025", (3, 1)),
        (Area(wilayah="64.02"), "2024-06", (0, 0)),  # their first birthdays, not second
    ],
)
async def test_baduta_boosters_equal_a_hand_count(
    db: Database, area: Area, label: str, expected: tuple[int, int]
) -> None:
    async with db.sessions() as session:
        children, boosted, _ = await coverage.reaching(
            session, area, Period.parse(label), 2, BOOSTERS
        )
    assert (children, boosted) == expected


async def test_coverage_rows_are_context_rows_with_idl_target_90(db: Database) -> None:
    async with db.sessions() as session:
        rows = await coverage.coverage(
            session, Area(wilayah=DESA_A), Period.parse("2025-06"), NATIONAL_SCHEDULE
        )
    by_code = {r.code: r for r in rows}
    idl = by_code["health.idl"]
    assert (idl.numerator, idl.denominator, idl.percent, idl.target_percent) == (4, 5, 80.0, 90)
    assert idl.kind == "context" and "Renstra" in idl.source
    booster = by_code["health.imunisasi_lanjutan_baduta"]
    assert (booster.numerator, booster.denominator) == (1, 3)
    assert (by_code["health.imunisasi_mr_1"].numerator, len(rows)) == (4, 2 + len(BASIC))
    assert all(r.kind == "context" for r in rows)
