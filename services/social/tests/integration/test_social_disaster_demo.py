"""Social's demo follow-up over the real PostgreSQL and Kafka: once trantib's disaster has
opened its cases, the follow-up takes them part-way (served in the emergency, after it,
closed, declined, or still waiting), each through social's own steps, and a second run
changes nothing it already did."""

from __future__ import annotations

from collections import Counter

import pytest
from social_disaster_testkit import Trantib, cases_of, open_disaster, struck
from social_testkit import Social

from simpul_platform.pseudonym import household_ref
from simpul_social import demo_disaster
from simpul_social.demo_disaster import follow_disaster_cases
from simpul_social.models import DisasterProtectionHistory

pytestmark = pytest.mark.integration


async def test_the_demo_takes_a_disasters_cases_part_way(
    social: Social, trantib: Trantib, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(demo_disaster, "QUIET_S", 0.5)
    posyandu_id = await social.known_posyandu()
    secret = social.settings.pseudonym_secret
    refs = [household_ref(secret, f"6402061234{i:06d}") for i in range(60)]
    households = [
        struck(r, posyandu_id, damage="rb" if i % 3 else "rr") for i, r in enumerate(refs)
    ]
    await open_disaster(social, trantib, households)

    done = await follow_disaster_cases(social.app.state.db, social.settings)
    assert sum(done.values()) == 60
    cases = await cases_of(social)
    statuses = Counter(c.status for c in cases)
    assert statuses["emergency_served"] and statuses["recovery_served"] and statuses["opened"]
    assert statuses["closed"] == done["closed"] + done["declined"]
    displaced = [c for c in cases if c.displaced and c.emergency_served_on]
    assert displaced and all("penampungan" in {s["service"] for s in c.services} for c in displaced)
    async with social.app.state.db.sessions() as session:
        steps = (await session.exec(DisasterProtectionHistory.__table__.select())).all()  # type: ignore[attr-defined]
    assert (
        len(steps)
        == 60
        + sum(1 for c in cases if c.emergency_served_on)
        + sum(1 for c in cases if c.recovery_served_on)
        + statuses["closed"]
    )

    again = await follow_disaster_cases(social.app.state.db, social.settings)
    assert sum(again.values()) == done["waiting"]  # only the waiting ones are looked at again
    assert Counter(c.status for c in await cases_of(social)) == statuses
