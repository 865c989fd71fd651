"""Health's stunting detections on Kafka → public works over the real PostgreSQL and broker: a
prioritised WASH referral for a stunted child's household without basic water or a latrine, a
survey referral for a household never surveyed or unknown, a recorded decision for a served
one; one referral per household through redelivery, a restart and a second episode."""

from __future__ import annotations

from typing import Any

import pytest
from public_works_testkit import Producers, PublicWorks, start_public_works
from reaction_calls import (
    POOR_SURVEY,
    handled,
    incoming,
    kader_survey,
    rows,
    runner,
    stunting_detected,
)

from simpul_platform.events import Envelope
from simpul_platform.testing.polling import eventually
from simpul_public_works.consumers import STUNTING_WASH_CONSUMER
from simpul_public_works.models import StuntedHousehold, StuntingWashDecision

pytestmark = pytest.mark.integration
POOR_KK, SAFE_KK, HOUSED_KK, UNKNOWN_KK = (
    "6402061234560001",
    "6402061234560002",
    "6402061234560003",
    "6402069999990009",
)


async def decisions(pw: PublicWorks) -> list[StuntingWashDecision]:
    return await rows(pw, StuntingWashDecision, StuntingWashDecision.decided_at)


async def test_a_household_without_water_or_latrine_is_referred_once(
    make_settings: Any, postgres_url: str, producers: Producers
) -> None:
    async with start_public_works(make_settings, postgres_url, producers) as pw:
        posyandu = await pw.known_posyandu()
        survey = await kader_survey(pw, POOR_KK, posyandu, **POOR_SURVEY)
        sent = await stunting_detected(pw, POOR_KK, posyandu, episode_id="ep-1")
        await eventually(handled(pw, STUNTING_WASH_CONSUMER, 1))
        await producers.health.redeliver(sent)  # the same event again, while running
        await eventually(handled(pw, STUNTING_WASH_CONSUMER, 2))
    await producers.health.redeliver(sent)  # once more while public works is down
    async with start_public_works(make_settings, postgres_url, producers) as pw:
        await eventually(handled(pw, STUNTING_WASH_CONSUMER, 1))
        assert runner(pw, STUNTING_WASH_CONSUMER).duplicates == 1
        await stunting_detected(pw, POOR_KK, posyandu, episode_id="ep-2")  # a second episode
        await eventually(handled(pw, STUNTING_WASH_CONSUMER, 2))
        first, second = await decisions(pw)
        assert [(d.episode_id, d.decision) for d in (first, second)] == [
            ("ep-1", "referred_wash"),
            ("ep-2", "already_open"),
        ]
        assert (first.event_id, first.survey_id) == (sent.id, survey["id"])
        assert first.household_id == survey["household"]["id"]
        [row] = await incoming(pw)
        assert (row["id"], row["case_ref"]) == (first.referral_id, first.id)
        assert (row["reason_code"], row["source_field"], row["status"], row["automatic"]) == (
            "stunting_wash",
            "health",
            "accepted",
            True,
        )
        assert row["household_ref"] == pw.household_ref(POOR_KK)
        assert row["details"] == {
            "household_id": survey["household"]["id"],
            "priority": "prioritised",
            "survey_id": survey["id"],
            "water_level": "tidak_layak",
            "sanitation_level": "babs",
            "basic_water": False,
        }
        [stunted] = await rows(pw, StuntedHousehold, StuntedHousehold.household_ref)
        assert stunted.household_ref == pw.household_ref(POOR_KK)

        listed = await pw.client.get(
            "/v1/referrals", headers=pw.kader, params={"direction": "incoming"}
        )
        assert listed.status_code == 200, listed.text
        assert [r["reason_code"] for r in listed.json()] == ["stunting_wash"]

        async def accepted_on_the_wire() -> list[Envelope] | None:
            found = [e for e in await pw.events(2) if e.type.endswith("referral.accepted.v1")]
            return found or None

        [answer] = await eventually(accepted_on_the_wire)
        assert answer.data["referral_id"] == row["id"]
        assert POOR_KK not in str(answer.data) and "no_kk" not in answer.data


async def test_unsurveyed_unknown_served_and_no_household(public_works: PublicWorks) -> None:
    pw = public_works
    posyandu = await pw.known_posyandu()
    await kader_survey(pw, SAFE_KK, posyandu)
    partial = await kader_survey(pw, HOUSED_KK, posyandu, litres_per_person_day=None)
    for kk in (SAFE_KK, HOUSED_KK, UNKNOWN_KK, None):
        await stunting_detected(pw, kk, posyandu)
    await eventually(handled(pw, STUNTING_WASH_CONSUMER, 4))
    found = await decisions(pw)
    assert [d.decision for d in found] == [
        "served",
        "referred_wash",  # no basic water: its quantity is unknown
        "referred_unknown",
        "no_household",
    ]
    assert [d.referral_id is None for d in found] == [True, False, False, True]
    referrals = {r["household_ref"]: r for r in await incoming(pw)}
    assert {ref: r["reason_code"] for ref, r in referrals.items()} == {
        pw.household_ref(HOUSED_KK): "stunting_wash",
        pw.household_ref(UNKNOWN_KK): "stunting_household_unsurveyed",
    }
    assert referrals[pw.household_ref(UNKNOWN_KK)]["details"] == {"household_known": "no"}
    assert referrals[pw.household_ref(HOUSED_KK)]["details"]["survey_id"] == partial["id"]
    unknown = referrals[pw.household_ref(UNKNOWN_KK)]
    assert (unknown["posyandu_id"], unknown["status"]) == (posyandu, "accepted")
