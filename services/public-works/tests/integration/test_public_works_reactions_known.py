"""The households other fields know at a posyandu (survey coverage's denominator), from
housing's house surveys, social's DTSEN assessments and health's stunting detections, over the
real PostgreSQL and Kafka: the field whose event has the earliest date keeps the row, whatever
the order the topics are read in; a redelivery or a detection naming no household changes
nothing."""

from __future__ import annotations

from datetime import date

import pytest
from public_works_testkit import PublicWorks
from reaction_calls import (
    handled,
    house_assessed,
    rows,
    runner,
    social_assessed,
    stunting_detected,
)

from simpul_platform.testing.polling import eventually
from simpul_public_works.consumers import KNOWN_HOUSEHOLDS_CONSUMER, STUNTING_WASH_CONSUMER
from simpul_public_works.models import KnownHousehold

pytestmark = pytest.mark.integration
HOUSED_KK, NEIGHBOUR_KK, SOCIAL_KK, HEALTH_KK = (
    "6402061234560001",
    "6402061234560002",
    "6402061234560003",
    "6402061234560004",
)


async def test_households_known_from_each_field_once(public_works: PublicWorks) -> None:
    pw = public_works
    posyandu = await pw.known_posyandu()
    housed = await house_assessed(pw, posyandu, (HOUSED_KK, NEIGHBOUR_KK), on="2026-03-02")
    social = await social_assessed(pw, SOCIAL_KK, posyandu, "2026-02-01")
    health = await stunting_detected(pw, HEALTH_KK, posyandu, on=date(2026, 3, 5))
    await stunting_detected(pw, None, posyandu)  # names no household: nothing to know
    earlier = await social_assessed(pw, HOUSED_KK, posyandu, "2026-01-15")  # known before
    await stunting_detected(pw, SOCIAL_KK, posyandu, on=date(2026, 4, 1))  # later: nothing
    await pw.producers.social.redeliver(social)
    # The detections are known in the stunting-wash consumer's transaction, not this one's.
    await eventually(handled(pw, KNOWN_HOUSEHOLDS_CONSUMER, 4))
    await eventually(handled(pw, STUNTING_WASH_CONSUMER, 3))
    assert runner(pw, KNOWN_HOUSEHOLDS_CONSUMER).duplicates == 1

    found = {
        k.household_ref: (k.source, k.posyandu_id, k.known_on, k.last_event_id)
        for k in await rows(pw, KnownHousehold, KnownHousehold.household_ref)
    }
    ref = pw.household_ref
    assert found[ref(HOUSED_KK)] == ("social", posyandu, date(2026, 1, 15), earlier.id)
    assert found[ref(NEIGHBOUR_KK)] == ("housing", posyandu, date(2026, 3, 2), housed.id)
    assert found[ref(SOCIAL_KK)] == ("social", posyandu, date(2026, 2, 1), social.id)
    assert found[ref(HEALTH_KK)] == ("health", posyandu, date(2026, 3, 5), health.id)
    assert len(found) == 4
