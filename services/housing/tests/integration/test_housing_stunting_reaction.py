"""Health's stunting detections on Kafka → housing over the real PostgreSQL and broker: a
prioritised referral for a stunted child's RTLH house, a survey referral for a house never
surveyed, a recorded decision for a livable one; one referral per household through
redelivery, a restart and a second episode; DTSEN deciles kept latest-by-date."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from housing_testkit import RAPAK_LAMBUR, Housing, Producers, start_housing
from sqlalchemy import select
from stunting_calls import decided, detected, duplicates, incoming, runner, selected, survey

from simpul_housing.consumers import DECILE_CONSUMER
from simpul_housing.events import HouseholdAssessed
from simpul_housing.models import HouseholdDecile, StuntedHousehold
from simpul_platform.events import Envelope
from simpul_platform.testing.polling import eventually

pytestmark = pytest.mark.integration
RTLH_KK, RLH_KK, UNSURVEYED_KK = "6402061234560001", "6402061234560002", "6402061234560003"


async def test_an_rtlh_house_is_referred_once_through_redelivery_restart_and_episodes(
    make_settings: Any, postgres_url: str, producers: Producers
) -> None:
    async with start_housing(make_settings, postgres_url, producers) as housing:
        posyandu_id = await housing.known_posyandu()
        house = await housing.house(posyandu_id, kks=(RTLH_KK,))
        await survey(housing, house["id"], floor_area_m2=20.0)  # 4 m² a person: RTLH
        sent = await detected(housing, RTLH_KK, posyandu_id, episode_id="ep-1")
        [first] = await eventually(decided(housing, 1))
        await producers.health.redeliver(sent)  # the same event again, while running
        await eventually(duplicates(housing, 1))
    await producers.health.redeliver(sent)  # once more while housing is down
    async with start_housing(make_settings, postgres_url, producers) as housing:
        await eventually(duplicates(housing, 1))
        await detected(housing, RTLH_KK, posyandu_id, episode_id="ep-2")  # a second episode
        found = await eventually(decided(housing, 2))
        assert [(d.episode_id, d.decision) for d in found] == [
            ("ep-1", "referred_rtlh"),
            ("ep-2", "referral_open"),
        ]
        assert first.event_id == sent.id and first.house_id == house["id"]
        [row] = await incoming(housing)
        assert row["id"] == first.referral_id and row["case_ref"] == first.id
        assert (row["reason_code"], row["source_field"], row["status"]) == (
            "stunting_rtlh",
            "health",
            "accepted",
        )
        assert row["household_ref"] == housing.household_ref(RTLH_KK)
        assert row["details"]["kawasan"] == "stunting"
        assert row["details"]["priority"] == "prioritised"
        assert row["details"]["assessment_id"] == first.assessment_id is not None

        listed = await housing.client.get(
            "/v1/referrals", headers=housing.kader, params={"direction": "incoming"}
        )
        assert listed.status_code == 200, listed.text
        assert [r["reason_code"] for r in listed.json()] == ["stunting_rtlh"]
        [stunted] = [s for (s,) in await selected(housing, select(StuntedHousehold))]
        assert stunted.household_ref == housing.household_ref(RTLH_KK)

        async def accepted_on_the_wire() -> list[Envelope] | None:
            events = await housing.events(1, "housing.referral.accepted.v1")
            return events or None

        [answer] = await eventually(accepted_on_the_wire)
        assert answer.data["referral_id"] == row["id"]
        assert RTLH_KK not in str(answer.data)


async def test_unsurveyed_unknown_and_livable_houses(housing: Housing) -> None:
    posyandu_id = await housing.known_posyandu()
    await housing.house(posyandu_id, kks=(UNSURVEYED_KK,))
    livable = await housing.house(posyandu_id, kks=(RLH_KK,))
    await survey(housing, livable["id"])
    for kk in (UNSURVEYED_KK, RLH_KK, "6402069999990009", None):
        await detected(housing, kk, posyandu_id)
    found = await eventually(decided(housing, 4))
    assert [d.decision for d in found] == [
        "referred_unsurveyed",
        "house_rlh",
        "referred_unknown",
        "no_household",
    ]
    rows = {r["household_ref"]: r for r in await incoming(housing)}
    assert {ref: r["reason_code"] for ref, r in rows.items()} == {
        housing.household_ref(UNSURVEYED_KK): "stunting_house_unsurveyed",
        housing.household_ref("6402069999990009"): "stunting_house_unsurveyed",
    }
    assert rows[housing.household_ref("6402069999990009")]["details"] == {"house_known": "no"}


async def test_deciles_keep_the_latest_assessment_once(housing: Housing) -> None:
    posyandu_id = await housing.known_posyandu()
    social = housing.producers.social

    def assessed(kk: str, decile: int, on: str) -> HouseholdAssessed:
        return HouseholdAssessed(
            household_ref=housing.household_ref(kk),
            posyandu_id=posyandu_id,
            desa_code=RAPAK_LAMBUR,
            decile=decile,
            source="dtsen",
            assessed_on=date.fromisoformat(on),
        )

    first = await social.send(assessed(RTLH_KK, 2, "2025-06-01"))
    await social.send(assessed(RTLH_KK, 5, "2025-01-01"))  # older, arriving late: ignored
    await social.redeliver(first)  # the same event again
    await social.send(assessed(RLH_KK, 9, "2025-06-01"))  # after the others, same partition

    async def both() -> dict[str, tuple[int, date, str]] | None:
        rows = [d for (d,) in await selected(housing, select(HouseholdDecile))]
        found = {d.household_ref: (d.decile, d.assessed_on, d.last_event_id) for d in rows}
        return found if len(found) == 2 else None

    found = await eventually(both)
    assert found[housing.household_ref(RTLH_KK)] == (2, date(2025, 6, 1), first.id)
    assert found[housing.household_ref(RLH_KK)][0] == 9
    assert runner(housing, DECILE_CONSUMER).duplicates == 1
