"""The demo's infrastructure over the real PostgreSQL and Kafka: facilities and issues in
every state at a share of the posyandu, through the service's operations; a second run adds
nothing."""

from __future__ import annotations

import random

import pytest
from public_works_testkit import MANGKURAWANG, RAPAK_LAMBUR, TENGGARONG_KELURAHAN, PublicWorks
from sqlalchemy import select

from simpul_platform.auth import Principal
from simpul_platform.clock import local_today
from simpul_public_works.demo_infrastructure import seed_infrastructure
from simpul_public_works.domain.issues import is_overdue
from simpul_public_works.models import InfrastructureIssue, PublicFacility, PublicFacilityHistory
from simpul_public_works.ops.issues_rows import overdue_thresholds

pytestmark = pytest.mark.integration
STATES = {"reported", "triaged", "forwarded", "scheduled", "done", "declined"}


async def test_the_demo_has_issues_in_every_state(public_works: PublicWorks) -> None:
    pw = public_works
    posyandu = [
        {"id": await pw.known_posyandu(desa), "desa_code": desa}
        for desa in (RAPAK_LAMBUR, MANGKURAWANG, TENGGARONG_KELURAHAN)
    ]
    principal = Principal("demo-loader", frozenset({"opd:public_works"}), ("64.02",))
    db, today = pw.app.state.db, local_today(pw.settings)
    counts = await seed_infrastructure(
        db, pw.settings, posyandu, principal, today, random.Random(7)
    )
    seeded = counts["facilities"] // 3
    assert seeded >= 1
    assert {s for s in STATES if counts[f"issue_{s}"] >= seeded} == STATES
    assert counts["issue_duplicates"] == seeded and counts["issues"] == 8 * seeded
    assert (counts["facility_rusak"], counts["facility_berfungsi"]) == (seeded, 2 * seeded)
    assert counts["facilities_repaired"] == seeded

    async with db.sessions() as session:
        issues = list((await session.execute(select(InfrastructureIssue))).scalars())
        changes = list((await session.execute(select(PublicFacilityHistory))).scalars())
        facilities = list((await session.execute(select(PublicFacility))).scalars())
    assert {i.status for i in issues} == STATES
    thresholds = overdue_thresholds(pw.settings)
    assert any(is_overdue(i, today, thresholds) for i in issues)
    repaired = [f for f in facilities if f.kind == "mck_komunal"]
    assert all(f.status == "berfungsi" for f in repaired)
    assert sorted(c.action for c in changes if c.facility_id == repaired[0].id) == [
        "damage",
        "record",
        "repair",
    ]
    assert all(f.status == "rusak" for f in facilities if f.kind == "spam")

    again = await seed_infrastructure(db, pw.settings, posyandu, principal, today, random.Random(7))
    assert again == {}
    events = await pw.events(len(facilities) + len(issues))
    assert {e.type for e in events} >= {
        "public_works.issue.reported.v1",
        "public_works.issue.status_changed.v1",
        "public_works.facility.recorded.v1",
        "public_works.facility.status_changed.v1",
    }
