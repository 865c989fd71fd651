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
from simpul_platform.geo import distance_m
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


class Crowded(random.Random):
    """Chooses every posyandu and draws Kukar's middle for the first two points."""

    uniforms = 0

    def random(self) -> float:
        return 0.0

    def uniform(self, a: float, b: float) -> float:
        self.uniforms += 1
        return (a + b) / 2 if self.uniforms <= 4 else super().uniform(a, b)


async def test_two_posyandu_of_a_desa_drawn_at_one_point_are_placed_apart(
    public_works: PublicWorks,
) -> None:
    """The second posyandu's point is drawn again: had it stayed, each of its reports would
    be a duplicate of the first's, and the demo's triage of one refused."""
    pw = public_works
    posyandu = [{"id": await pw.known_posyandu(MANGKURAWANG), "desa_code": MANGKURAWANG}]
    posyandu.append({"id": await pw.known_posyandu(MANGKURAWANG), "desa_code": MANGKURAWANG})
    principal = Principal("demo-loader", frozenset({"opd:public_works"}), ("64.02",))
    today = local_today(pw.settings)
    counts = await seed_infrastructure(
        pw.app.state.db, pw.settings, posyandu, principal, today, Crowded(3)
    )
    assert counts["facilities"] == 6 and counts["issue_duplicates"] == 2  # each its own road
    async with pw.app.state.db.sessions() as session:
        query = select(InfrastructureIssue).where(InfrastructureIssue.kind == "drainase")
        drains = list((await session.execute(query)).scalars())
    assert len(drains) == 2 and all(d.duplicate_of is None for d in drains)
    apart = distance_m(
        drains[0].latitude, drains[0].longitude, drains[1].latitude, drains[1].longitude
    )
    assert apart > pw.settings.issue_duplicate_radius_m
