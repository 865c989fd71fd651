"""Incoming ``rtlh_suspected`` referrals over the real PostgreSQL and Kafka: one becomes the
case of the house its household lives in (or is linked to the house's open case), the case's
end resolves it; a household housing knows no house of is told to record the house first."""

from __future__ import annotations

import pytest
from housing_testkit import LIVABLE_SURVEY, Housing
from rtlh_calls import (
    CASES,
    KK,
    PATH,
    case_at,
    post,
    referral,
    referred,
    step,
)

pytestmark = pytest.mark.integration


async def test_a_referral_opens_the_houses_case_and_its_end_resolves_it(
    housing: Housing,
) -> None:
    posyandu = await housing.known_posyandu()
    referral_id = await referred(housing, posyandu)
    body = {"source": "referral", "referral_id": referral_id, "reported_on": "2026-03-02"}
    unknown = await post(housing, CASES, body, headers=housing.kader)
    assert unknown.status_code == 422, unknown.text
    error = unknown.json()["errors"][0]
    assert (error["field"], error["rule"]) == ("body.referral_id", "house_unknown")
    assert "record the house" in error["message"] and "POST /v1/houses" in error["message"]
    assert (await referral(housing, referral_id))["status"] == "requested"  # still to act on

    house = await housing.house(posyandu, kks=(KK,))
    opened = await post(housing, CASES, body, headers=housing.kader)
    assert opened.status_code == 201, opened.text
    case = opened.json()
    assert (case["house_id"], case["source"], case["referral_id"]) == (
        house["id"],
        "referral",
        referral_id,
    )
    accepted = await referral(housing, referral_id)
    assert (accepted["status"], accepted["case_ref"]) == ("accepted", case["id"])
    for action, step_body in PATH:
        case = await step(housing, case["id"], action, step_body)
    assert case["status"] == "rlh"
    resolved = await referral(housing, referral_id)
    assert (resolved["status"], resolved["outcome_code"], resolved["resolved_on"]) == (
        "resolved",
        "rehabilitated",
        "2026-09-30",
    )
    answers = [e.data for e in await housing.events(14) if e.type.startswith("housing.referral.")]
    assert [(a["status"], a["case_ref"]) for a in answers] == [
        ("accepted", case["id"]),
        ("resolved", case["id"]),
    ]
    assert answers[-1]["outcome_code"] == "rehabilitated"


async def test_a_second_referral_joins_the_open_case_and_both_resolve(housing: Housing) -> None:
    posyandu = await housing.known_posyandu()
    await housing.house(posyandu, kks=(KK,))
    first_id = await referred(housing, posyandu)
    second_id = await referred(housing, posyandu, source="social")  # one open per need
    body = {"source": "referral", "reported_on": "2026-03-02"}
    first = await post(housing, CASES, {**body, "referral_id": first_id})
    assert first.status_code == 201, first.text
    linked = await post(housing, CASES, {**body, "referral_id": second_id})
    assert linked.status_code == 200, linked.text
    assert linked.json()["id"] == first.json()["id"]
    assert linked.json()["referral_id"] == first_id  # the case keeps the one it came from
    again = await post(housing, CASES, {**body, "referral_id": second_id})
    assert again.status_code == 409 and again.json()["case_ref"] == first.json()["id"]
    case_id = first.json()["id"]
    await step(housing, case_id, "survey", PATH[0][1])
    await step(housing, case_id, "reject", {"reason": "not_mbr", "rejected_on": "2026-03-04"})
    for referral_id in (first_id, second_id):
        row = await referral(housing, referral_id)
        assert (row["status"], row["outcome_code"]) == ("resolved", "not_eligible")


async def test_a_survey_finding_the_house_livable_resolves_the_referral(housing: Housing) -> None:
    posyandu = await housing.known_posyandu()
    await housing.house(posyandu, kks=(KK,))
    referral_id = await referred(housing, posyandu)
    case = await post(
        housing, CASES, {"source": "referral", "referral_id": referral_id}, headers=housing.kader
    )
    assert case.status_code == 201, case.text
    ended = await step(housing, case.json()["id"], "survey", {"survey": LIVABLE_SURVEY})
    assert ended["rejection_reason"] == "not_rtlh"
    row = await referral(housing, referral_id)
    assert (row["status"], row["outcome_code"]) == ("resolved", "surveyed_rlh")


async def test_a_referral_is_checked_against_the_case_it_opens(housing: Housing) -> None:
    posyandu = await housing.known_posyandu()
    await housing.house(posyandu, kks=(KK,))
    other = await housing.house(posyandu, kks=("6402069999990001",))
    referral_id = await referred(housing, posyandu)
    body = {"source": "referral", "referral_id": referral_id}
    wrong_house = await post(housing, CASES, {**body, "house_id": other["id"]})
    assert wrong_house.json()["errors"][0]["rule"] == "referral_mismatch"
    missing = await post(housing, CASES, {"source": "referral", "house_id": other["id"]})
    assert missing.json()["errors"][0]["rule"] == "referral_id_required"
    stray = await post(housing, CASES, {**body, "source": "kader", "house_id": other["id"]})
    assert stray.json()["errors"][0]["rule"] == "referral_id_not_applicable"
    chosen = await post(housing, CASES, {**body, "household_id": other["households"][0]["id"]})
    assert chosen.json()["errors"][0]["rule"] == "not_applicable"
    unknown = await post(housing, CASES, {**body, "referral_id": "no-such-referral"})
    assert unknown.json()["errors"][0]["rule"] == "unknown_referral"
    own = await case_at(housing, other["id"], "surveyed")  # a kader's case: no referral
    assert own["referral_id"] is None
    assert (await referral(housing, referral_id))["status"] == "requested"
