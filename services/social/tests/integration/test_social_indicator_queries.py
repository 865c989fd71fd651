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
from datetime import UTC, date, datetime
from typing import Any

import pytest
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

KAB, KEC = "64.02", "64.02.06"
DESA_A, DESA_B, DESA_C = "64.02.06.2012", "64.02.06.2013", "64.02.07.2001"
ELSEWHERE = "64.03.01.2001"  # another kabupaten
# Codes that share a textual prefix with a wilayah without lying under it (or that lie in
# the byte range [wilayah, wilayah + "/") the indexes read, and are still not under it).
UNDER_KAB_NOT_KEC = "64.02.060.001"  # starts with "64.02." and with "64.02.06"
OUTSIDE_KAB = "64.020.1.2001"  # starts with "64.02"
DASHED = "64.02.06-2012"  # between "64.02.06" and "64.02.06." in byte order
TODAY = date(2026, 1, 12)
NOW = datetime(2026, 1, 1, tzinfo=UTC)

# household: (desa, posyandu, decile)
HOUSEHOLDS: dict[str, tuple[str, str, int | None]] = {
    "h1": (DESA_A, "p-a", 1),
    "h2": (DESA_A, "p-a", 2),
    "h3": (DESA_A, "p-a", 4),
    "h4": (DESA_A, "p-a", 5),
    "h5": (DESA_A, "p-a", None),
    "h6": (DESA_A, "p-a", 3),
    "h7": (DESA_B, "p-b", 1),
    "h8": (DESA_C, "p-c", 2),
    "h9": (ELSEWHERE, "p-x", 1),
    "h10": (UNDER_KAB_NOT_KEC, "p-t1", 1),
    "h11": (OUTSIDE_KAB, "p-t2", 1),
    "h12": (DASHED, "p-t3", 1),
    "h13": (DESA_A, "p-a2", 2),  # the same desa, another posyandu
}
# program: (period type, active)
PROGRAMS = {"PKH": ("quarter", True), "SEMBAKO": ("month", True), "ATENSI": ("year", True)}
PROGRAMS["OLD"] = ("month", False)
# (household, program, period, status)
DISTRIBUTIONS = [
    ("h1", "PKH", "2025-Q4", "distributed"),  # a quarter overlapping December
    ("h1", "SEMBAKO", "2025-12", "distributed"),
    ("h2", "SEMBAKO", "2025-11", "distributed"),  # outside December, inside Q4
    ("h2", "OLD", "2025-12", "distributed"),  # an inactive program: only "any" counts it
    ("h2", "SEMBAKO", "2026-01", "distributed"),  # after 2025
    ("h3", "SEMBAKO", "2025-12", "pending"),  # not distributed
    ("h3", "PKH", "2024-Q4", "distributed"),  # before 2025
    ("h4", "PKH", "2025-Q4", "distributed"),  # decile 5
    ("h5", "SEMBAKO", "2025-12", "distributed"),  # unassessed
    ("h6", "SEMBAKO", "2025-10", "distributed"),  # two of one program: counted once
    ("h6", "SEMBAKO", "2025-12", "distributed"),
    ("h6", "PKH", "2025-Q4", "distributed"),
    ("h7", "ATENSI", "2025", "distributed"),  # a year overlapping every month of it
    ("h8", "SEMBAKO", "2025-12", "distributed"),
    ("h9", "SEMBAKO", "2025-12", "distributed"),
    ("h10", "SEMBAKO", "2025-12", "distributed"),
    ("h11", "SEMBAKO", "2025-12", "distributed"),
    ("h12", "PKH", "2025-Q3", "distributed"),  # in the year only
    ("h13", "SEMBAKO", "2025-12", "distributed"),
]
# (category, desa, posyandu, identified, served)
PPKS = [
    ("lansia_telantar", DESA_A, "p-a", date(2025, 12, 3), date(2025, 12, 10)),
    ("lansia_telantar", DESA_A, "p-a2", date(2025, 12, 5), None),
    ("anak_telantar", DESA_A, "p-a", date(2025, 11, 20), date(2025, 12, 1)),
    ("disabilitas_telantar", DESA_A, "p-a", date(2025, 12, 1), date(2026, 1, 5)),  # served later
    ("gelandangan_pengemis", DESA_C, "p-c", date(2025, 12, 15), date(2025, 12, 20)),
    ("lansia_telantar", ELSEWHERE, "p-x", date(2025, 12, 10), date(2025, 12, 11)),
    ("anak_telantar", UNDER_KAB_NOT_KEC, "p-t1", date(2025, 12, 2), None),
    ("anak_telantar", DESA_A, "p-a", date(2024, 12, 31), date(2025, 1, 2)),  # before 2025
]
# case: (household, detected, due, resolved); desa and posyandu are the household's
CASES = {
    "c1": ("h1", date(2025, 12, 1), date(2025, 12, 8), date(2025, 12, 5)),  # on time
    "c2": ("h2", date(2025, 12, 2), date(2025, 12, 9), date(2025, 12, 15)),  # late
    "c3": ("h3", date(2025, 12, 20), date(2025, 12, 29), None),  # open, overdue
    "c4": ("h6", date(2026, 1, 8), date(2026, 1, 15), None),  # open, not yet due
    "c5": ("h13", date(2025, 11, 25), date(2025, 12, 2), date(2025, 12, 1)),  # opened earlier
    "c6": ("h8", date(2025, 12, 3), date(2025, 12, 10), date(2025, 12, 10)),  # on the due date
    "c7": ("h9", date(2025, 12, 4), date(2025, 12, 11), None),
    "c8": ("h12", date(2025, 12, 5), date(2025, 12, 12), None),
    "c9": ("h1", date(2025, 12, 21), date(2025, 12, 29), None),  # due with c3: the id decides
}
# (decision, desa, detected); leads: (desa, status)
DECISIONS = [
    ("case_opened", DESA_A, date(2025, 12, 1)),
    ("not_priority_decile", DESA_A, date(2025, 12, 2)),
    ("unmatched", DESA_A, date(2025, 11, 30)),
    ("receiving_bansos", DESA_C, date(2025, 12, 3)),
    ("case_opened", UNDER_KAB_NOT_KEC, date(2025, 12, 5)),
]
LEADS = [(DESA_A, "open"), (DESA_A, "found"), (ELSEWHERE, "open"), (UNDER_KAB_NOT_KEC, "open")]


def _stamp(**row: Any) -> dict[str, Any]:
    return {**row, "created_at": NOW}


def hand_built() -> dict[str, list[dict[str, Any]]]:
    households = [
        {
            "id": hid,
            "kk": f"{n:016d}",
            "household_ref": f"ref-{hid}",
            "posyandu_id": posyandu,
            "desa_code": desa,
            "address": "RT 1",
            "decile": decile,
            "created_by": "test",
            "created_at": NOW,
            "updated_by": "test",
            "updated_at": NOW,
        }
        for n, (hid, (desa, posyandu, decile)) in enumerate(HOUSEHOLDS.items())
    ]
    programs = [
        _stamp(code=code, name=code, period_type=kind, benefit="cash", active=on, created_by="t")
        for code, (kind, on) in PROGRAMS.items()
    ]
    distributions = []
    for n, (hid, program, label, status) in enumerate(DISTRIBUTIONS):
        period = Period.parse(label)
        desa, posyandu, _ = HOUSEHOLDS[hid]
        distributions.append(
            _stamp(
                id=f"d{n}",
                household_id=hid,
                program_code=program,
                period=label,
                period_start=period.start,
                period_end=period.end,
                posyandu_id=posyandu,
                desa_code=desa,
                distributed_on=period.start,
                status=status,
                created_by="test",
            )
        )
    return {
        "posyandu_replica": _replica(),
        "program": programs,
        "household": households,
        "distribution": distributions,
        "ppks_case": [_ppks(n, *row) for n, row in enumerate(PPKS)],
        "priority_case": [_case(cid, *row) for cid, row in CASES.items()],
        "stunting_reaction": [_decision(n, *row) for n, row in enumerate(DECISIONS)],
        "stunting_lead": [_lead(n, *row) for n, row in enumerate(LEADS)],
    }


def _replica() -> list[dict[str, Any]]:
    """Each posyandu the households are at, in their desa (the kept counts sum posyandu)."""
    at = {posyandu: desa for desa, posyandu, _ in HOUSEHOLDS.values()}
    return [
        {
            "posyandu_id": posyandu,
            "name": posyandu,
            "desa_code": desa,
            "kecamatan_code": desa[:8],
            "kabupaten_code": desa[:5],
            "status": "registered",
            "fields": "social",
            "last_event_at": NOW,
            "last_event_id": f"ev-{posyandu}",
            "updated_at": NOW,
        }
        for posyandu, desa in at.items()
    ]


def _ppks(n: int, category: str, desa: str, posyandu: str, on: date, served: Any) -> Any:
    return _stamp(
        id=f"k{n}",
        category=category,
        status="served" if served else "identified",
        posyandu_id=posyandu,
        desa_code=desa,
        name="X",
        identified_on=on,
        served_on=served,
        created_by="test",
        updated_by="test",
        updated_at=NOW,
    )


def _case(cid: str, hid: str, detected: date, due: date, resolved: date | None) -> Any:
    desa, posyandu, decile = HOUSEHOLDS[hid]
    return {
        "id": cid,
        "stunting_episode_id": f"e-{cid}",
        "household_id": hid,
        "household_ref": f"ref-{hid}",
        "child_person_ref": f"child-{cid}",
        "posyandu_id": posyandu,
        "desa_code": desa,
        "decile": decile,
        "severity": "stunted",
        "detection_measurement_id": f"m-{cid}",
        "detected_on": detected,
        "due_on": due,
        "status": "resolved" if resolved else "open",
        "resolved_on": resolved,
        "opened_at": NOW,
        "updated_at": NOW,
    }


def _decision(n: int, decision: str, desa: str, detected: date) -> Any:
    return {
        "stunting_episode_id": f"r{n}",
        "decision": decision,
        "reason": decision,
        "child_person_ref": f"child-r{n}",
        "posyandu_id": "p",
        "desa_code": desa,
        "severity": "stunted",
        "detected_on": detected,
        "detections": 1,
        "last_event_id": f"ev{n}",
        "decided_at": NOW,
        "updated_at": NOW,
    }


def _lead(n: int, desa: str, status: str) -> Any:
    return _stamp(
        id=f"l{n}",
        stunting_episode_id=f"le{n}",
        reason="household_unknown",
        child_person_ref=f"child-l{n}",
        posyandu_id="p",
        desa_code=desa,
        severity="stunted",
        measurement_id=f"m-l{n}",
        detected_on=date(2025, 12, 1),
        status=status,
    )


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
