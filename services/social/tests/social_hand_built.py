"""The hand-built rows of ``test_social_indicator_queries``: each edge case of social's
aggregates as a few rows inserted straight into the migrated tables (the test's docstring
lists them), with the wilayah codes that share a textual prefix without lying under it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from simpul_platform.indicators import Period

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
