"""Social's aggregates (ops/aggregates.py) against hand counts on a small hand-built set.

The rows go straight into the migrated tables, so each edge case is exactly what it says: a
quarterly and a yearly distribution overlapping a month, distributions just outside the
period, a pending one, an inactive program's, a household with two distributions of one
program, deciles 5+ and unassessed households, desa codes that share a textual prefix with a
wilayah without lying under it, PPKS served after the period or never, priority cases
resolved on time, on their due date, late, and open with or without being overdue. Every
area level runs, because a kabupaten takes the scanning plans and smaller areas the probing
ones (both shapes are also forced and compared); SQLite must give the same answers. The
coverage kept per posyandu and month (``ops.tallies``, what /v1/indicators reads) equals the
per-request counts in every case.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from social_hand_built import (
    DASHED,
    DESA_A,
    DESA_B,
    DESA_C,
    HOUSEHOLDS,
    KAB,
    KEC,
    TODAY,
    UNDER_KAB_NOT_KEC,
    hand_built,
)
from sqlalchemy import insert, select

from simpul_platform.db import Database
from simpul_platform.indicators import Period
from simpul_platform.migrations import schema_drift, upgrade
from simpul_platform.referrals.tables import referral_metadata
from simpul_platform.replica import posyandu_replica, replica_metadata
from simpul_platform.wilayah import under
from simpul_social.app import MIGRATIONS
from simpul_social.models import Household, metadata
from simpul_social.ops import aggregates
from simpul_social.ops import summary as summaries
from simpul_social.ops.aggregates import Scope

pytestmark = pytest.mark.integration


@pytest.fixture(params=["postgres", "sqlite"])
async def db(request: pytest.FixtureRequest) -> AsyncIterator[Database]:
    url: str = request.getfixturevalue(f"{request.param}_url")
    await upgrade(MIGRATIONS, url)
    database = Database(url)
    async with database.transaction() as session:
        for table, rows in hand_built().items():
            target = posyandu_replica if table == "posyandu_replica" else metadata.tables[table]
            await session.execute(insert(target), rows)
    try:
        yield database
    finally:
        await database.dispose()


# --------------------------------------------------------------------------- the wilayah


async def test_a_wilayah_covers_its_own_codes_and_no_others(db: Database) -> None:
    expected = {
        ("*",): set(HOUSEHOLDS),
        (KAB,): set(HOUSEHOLDS) - {"h9", "h11"},
        (KEC,): {"h1", "h2", "h3", "h4", "h5", "h6", "h7", "h13"},
        (DESA_A,): {"h1", "h2", "h3", "h4", "h5", "h6", "h13"},
        ("64.02.06.201",): set(),  # a prefix of DESA_A's code, not its parent
        (UNDER_KAB_NOT_KEC,): {"h10"},
        ("64.02.07", "64.03"): {"h8", "h9"},
    }
    for scopes, households in expected.items():
        async with db.sessions() as session:
            rows = await session.execute(
                select(Household.id).where(under(Household.desa_code, scopes))
            )
        assert {r[0] for r in rows} == households, scopes


# --------------------------------------------------------------------------- bansos coverage

A_KAB, A_KEC, A_DESA = Scope((KAB,)), Scope((KEC,)), Scope((DESA_A,))
A_POSYANDU = Scope((DESA_A,), "p-a")
TWO = Scope(("64.02.07", "64.03"))
ALL = Scope(("*",))


def cov(atensi: int, pkh: int, sembako: int, any_program: int, poor: int) -> dict[str, Any]:
    """Numerator and denominator per indicator code (active programs in code order)."""
    values = {"ATENSI": atensi, "PKH": pkh, "SEMBAKO": sembako, "any": any_program}
    return {f"social.bansos.coverage.{k}": (n, poor) for k, n in values.items()}


# Deciles 1–4 in the kabupaten: h1, h2, h3, h6, h13 (desa A), h7 (B), h8 (C), h10, h12 → 9.
COVERAGE = [
    # December: PKH by the Q4 distributions (h1, h6), ATENSI by h7's yearly one, "any" also
    # counts h2's inactive program; not h3 (pending), h4 (decile 5), h5 (unassessed).
    (A_KAB, "2025-12", cov(1, 2, 5, 7, 9)),  # sembako h1 h6 h8 h10 h13
    (A_KEC, "2025-12", cov(1, 2, 3, 5, 6)),  # not h8 (C), h10 and h12 (prefixes)
    (A_DESA, "2025-12", cov(0, 2, 3, 4, 5)),
    (A_POSYANDU, "2025-12", cov(0, 2, 2, 3, 4)),  # not h13 (another posyandu)
    (TWO, "2025-12", cov(0, 0, 2, 2, 2)),  # h8, h9
    (ALL, "2025-12", cov(1, 2, 7, 9, 11)),
    # Q4 adds h2's November sembako; h6's October one is the same pair again.
    (A_KAB, "2025-Q4", cov(1, 2, 6, 7, 9)),
    (A_KEC, "2025-Q4", cov(1, 2, 4, 5, 6)),
    (A_DESA, "2025-Q4", cov(0, 2, 4, 4, 5)),
    # The year adds h12's Q3 PKH; not h3's 2024-Q4 nor h2's January 2026.
    (A_KAB, "2025", cov(1, 3, 6, 8, 9)),
    (A_KEC, "2025", cov(1, 2, 4, 5, 6)),
    (A_DESA, "2025", cov(0, 2, 4, 4, 5)),
    (A_KAB, "2024", cov(0, 1, 0, 1, 9)),  # h3's 2024-Q4 PKH
]


@dataclass(frozen=True)
class Wide(Scope):
    @property
    def wide(self) -> bool:
        return True


@dataclass(frozen=True)
class Narrow(Scope):
    @property
    def wide(self) -> bool:
        return False


async def test_bansos_coverage_matches_hand_counts_in_both_shapes(db: Database) -> None:
    assert A_KAB.wide and ALL.wide and not A_KEC.wide and not A_POSYANDU.wide
    for scope, label, expected in COVERAGE:
        answers = []
        fields = (scope.wilayah, scope.posyandu_id)
        for shape in (scope, Wide(*fields), Narrow(*fields)):
            async with db.sessions() as session:
                await aggregates.tune(session, shape)
                values = await aggregates.coverage(session, shape, Period.parse(label))
            answers.append([(v.code, v.numerator, v.denominator) for v in values])
        got = {code: (n, d) for code, n, d in answers[0]}
        assert [code for code, _, _ in answers[0]] == list(expected), (scope, label)
        assert got == expected, (scope, label)
        assert answers[1] == answers[0] == answers[2], (scope, label)
        async with db.sessions() as session:
            kept = await aggregates.kept_coverage(session, scope, Period.parse(label))
        assert [(v.code, v.numerator, v.denominator) for v in kept] == answers[0], (scope, label)


# --------------------------------------------------------------------------- PPKS


def spm(disabilitas: Any, anak: Any, lansia: Any, gelandangan: Any) -> dict[str, Any]:
    """(served, identified) per category, in Permensos order."""
    return {
        "social.spm.disabilitas_telantar": disabilitas,
        "social.spm.anak_telantar": anak,
        "social.spm.lansia_telantar": lansia,
        "social.spm.gelandangan_pengemis": gelandangan,
    }


PPKS_COUNTS = [
    # Identified in December: two lansia in A (one served), the disabilitas case (served in
    # January, still served), gelandangan in C, and the anak case in the prefix desa.
    (A_KAB, "2025-12", spm((1, 1), (0, 1), (1, 2), (1, 1))),
    (A_KEC, "2025-12", spm((1, 1), (0, 0), (1, 2), (0, 0))),
    (A_POSYANDU, "2025-12", spm((1, 1), (0, 0), (1, 1), (0, 0))),
    (A_KEC, "2025-Q4", spm((1, 1), (1, 1), (1, 2), (0, 0))),  # anak identified in November
    (A_DESA, "2025", spm((1, 1), (1, 1), (1, 2), (0, 0))),  # not the one of 2024
    (ALL, "2025-12", spm((1, 1), (0, 1), (2, 3), (1, 1))),
]


async def test_ppks_served_over_identified_in_the_period(db: Database) -> None:
    for scope, label, expected in PPKS_COUNTS:
        async with db.sessions() as session:
            values = await aggregates.ppks(session, scope, Period.parse(label))
        got = {v.code: (v.numerator, v.denominator) for v in values}
        assert list(got) == list(expected) and got == expected, (scope, label)


# --------------------------------------------------------------------------- priority cases

# (opened, resolved, resolved on time, open, overdue) as of TODAY
PRIORITY = [
    # Opened in December: c1 c2 c3 c6 c8 c9; resolved: c1 c2 c5 c6, on time c1 c5 c6 (c6 on
    # its due date); open: c3 c4 c8 c9, overdue all but c4.
    (A_KAB, "2025-12", (6, 4, 3, 4, 3)),
    (A_KEC, "2025-12", (4, 3, 2, 3, 2)),  # not c6 (C) nor c8 (dashed code)
    (A_POSYANDU, "2025-12", (4, 2, 1, 3, 2)),  # c5 is at another posyandu
    (A_KEC, "2025", (5, 3, 2, 3, 2)),  # c5 was opened in November
    (A_KEC, "2026", (1, 0, 0, 3, 2)),  # c4
]
OPEN_CASES = {A_KAB: ["c8", "c3", "c9", "c4"], A_KEC: ["c3", "c9", "c4"]}


async def test_priority_cases_counted_and_listed_by_due_date(db: Database) -> None:
    for scope, label, expected in PRIORITY:
        period = Period.parse(label)
        async with db.sessions() as session:
            counts = await summaries.priority_counts(session, scope, period, TODAY)
            listed = await summaries.priority_summary(session, scope, period, TODAY)
        got = (counts.opened, counts.resolved, counts.resolved_on_time, counts.open)
        assert (*got, counts.overdue) == expected, (scope, label)
        assert counts.open_cases == []
        assert listed.model_copy(update={"open_cases": []}) == counts
        if scope in OPEN_CASES:
            assert [c.case_id for c in listed.open_cases] == OPEN_CASES[scope]
            assert [c.overdue for c in listed.open_cases] == [True] * (counts.open - 1) + [False]


async def test_indicators_as_the_endpoint_answers_them(db: Database) -> None:
    async with db.sessions() as session:
        values = await aggregates.indicators(session, A_KAB, Period.parse("2025-12"), 5)
    got = {v.code: (v.numerator, v.denominator, v.percent) for v in values}
    on_time = "social.priority_case.resolved_on_time"
    disaster = "social.spm.korban_bencana"
    assert list(got) == [*spm(0, 0, 0, 0), disaster, *cov(0, 0, 0, 0, 0), on_time]
    assert got[disaster] == (0, 0, None)  # no disaster protection case in these data
    assert got["social.bansos.coverage.any"] == (7, 9, 77.78)
    assert got["social.spm.lansia_telantar"] == (1, 2, 50.0)
    assert got[on_time] == (3, 6, 50.0)


# --------------------------------------------------------------------------- the summary


async def test_summary_and_poverty_by_desa(db: Database) -> None:
    async with db.sessions() as session:
        kab = await summaries.summary(session, A_KAB, Period.parse("2025-12"), TODAY)
        kec = await summaries.summary(session, A_KEC, Period.parse("2025-12"), TODAY)
        by_desa = await summaries.poverty_by_desa(session, A_KAB)
    # h1 h7 h10 h12 | h2 h8 h13 | h6 | h3 | h4 | h5
    assert kab.households_by_decile == {
        **{str(d): 0 for d in range(1, 11)},
        **{"1": 4, "2": 3, "3": 1, "4": 1, "5": 1, "unassessed": 1},
    }
    assert (kab.households, kab.households_assessed, kab.deciles_1_4) == (11, 10, 9)
    assert kab.deciles_1_4_percent == 90.0
    assert kab.stunting_decisions == {
        "case_opened": 2,
        "not_priority_decile": 1,
        "receiving_bansos": 1,
    }
    assert kab.open_leads == 2
    assert kab.priority_cases.opened == 6
    assert [c.case_id for c in kab.priority_cases.open_cases] == OPEN_CASES[A_KAB]
    assert (kec.households, kec.deciles_1_4, kec.open_leads) == (8, 6, 1)
    assert kec.stunting_decisions == {"case_opened": 1, "not_priority_decile": 1}
    rows = {r.desa_code: (r.households, r.households_assessed, r.deciles_1_4) for r in by_desa}
    assert rows == {
        DASHED: (1, 1, 1),
        DESA_A: (7, 6, 5),
        DESA_B: (1, 1, 1),
        UNDER_KAB_NOT_KEC: (1, 1, 1),
        DESA_C: (1, 1, 1),
    }
    assert list(rows) == sorted(rows)  # in code order (byte order, the test cluster's C.UTF-8)
    assert by_desa[1].share_deciles_1_4 == 83.33


# --------------------------------------------------------------------------- the schema


async def test_migrations_and_models_declare_the_same_schema(postgres_url: str) -> None:
    """Autogenerate finds nothing to add: the indexes in models.py are the migrated ones."""
    await upgrade(MIGRATIONS, postgres_url)
    assert await schema_drift(postgres_url, metadata, replica_metadata, referral_metadata) == []
