"""What housing's own work does to the referrals its stunting reaction opened: a survey (by the
single route or a survey team's batch) answers the survey referral of the households living in
the house; an RTLH case for the house takes over the prioritised referral, tags the case with
jenis kawasan stunting when prioritised, and resolves the referral when it ends."""

from __future__ import annotations

from typing import Any

import pytest
from housing_testkit import LIVABLE_SURVEY, Housing
from rtlh_calls import CASES, opened, step
from stunting_calls import decided, detected, incoming, survey

from simpul_platform.testing.polling import eventually

pytestmark = pytest.mark.integration
KK, OTHER_KK = "6402061234560001", "6402061234560002"


def by_household(rows: list[dict[str, Any]], housing: Housing, kk: str) -> dict[str, Any]:
    return next(r for r in rows if r["household_ref"] == housing.household_ref(kk))


async def test_a_survey_answers_the_survey_referral_of_each_household_living_there(
    housing: Housing,
) -> None:
    posyandu = await housing.known_posyandu()
    house = await housing.house(posyandu, kks=(KK,))
    batch_house = await housing.house(posyandu, kks=(OTHER_KK,))
    await detected(housing, KK, posyandu)
    await detected(housing, OTHER_KK, posyandu)
    await eventually(decided(housing, 2))
    assert {r["status"] for r in await incoming(housing)} == {"accepted"}

    await survey(housing, house["id"], floor_area_m2=20.0)  # RTLH under PUPR
    batch = await housing.client.post(
        "/v1/survey-batches",
        json={"items": [{"house_id": batch_house["id"], "survey": LIVABLE_SURVEY}]},
        headers=housing.kader,
    )
    assert batch.status_code == 200, batch.text
    assert batch.json()["results"][0]["status"] == "assessed"

    rows = await incoming(housing)
    rtlh, livable = by_household(rows, housing, KK), by_household(rows, housing, OTHER_KK)
    assert (rtlh["reason_code"], rtlh["status"], rtlh["outcome_code"]) == (
        "stunting_house_unsurveyed",
        "resolved",
        "rtlh_listed",
    )
    assert (livable["status"], livable["outcome_code"]) == ("resolved", "surveyed_rlh")
    # The survey is dated before the detection: the answer is dated the day it was requested.
    assert rtlh["resolved_on"] == rtlh["requested_on"]


async def test_an_rtlh_case_takes_over_the_prioritised_referral_and_resolves_it(
    housing: Housing,
) -> None:
    posyandu = await housing.known_posyandu()
    house = await housing.house(posyandu, kks=(KK,))
    await survey(housing, house["id"], floor_area_m2=20.0, kawasan=["kumuh_kabupaten"])
    await detected(housing, KK, posyandu)
    [decision] = await eventually(decided(housing, 1))
    assert decision.decision == "referred_rtlh"

    case = await opened(housing, house["id"])
    [row] = await incoming(housing)
    assert (row["reason_code"], row["case_ref"]) == ("stunting_rtlh", case["id"])
    await step(housing, case["id"], "survey", {})
    await step(housing, case["id"], "verify", {"verified_on": "2026-03-05"})
    prioritised = await step(housing, case["id"], "prioritise", {"prioritised_on": "2026-03-10"})
    assert prioritised["kawasan"] == ["kumuh_kabupaten", "stunting"]
    rejected = await step(
        housing, case["id"], "reject", {"reason": "not_mbr", "rejected_on": "2026-03-12"}
    )
    assert rejected["status"] == "rejected"
    [row] = await incoming(housing)
    assert (row["status"], row["outcome_code"]) == ("resolved", "not_eligible")
    read = await housing.client.get(f"{CASES}/{case['id']}", headers=housing.opd)
    assert read.json()["status"] == "rejected"
