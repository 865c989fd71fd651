"""A survey answers the referrals about its household, over the real PostgreSQL and Kafka:
another field's ``no_safe_water`` / ``no_latrine`` (accepted by a PU user, or still requested)
resolved ``surveyed_safe`` or ``surveyed_listed``; stunting's survey task resolved, and the
prioritised ``stunting_wash`` referral opened for a household the survey finds short — by a
kader's survey and by one from housing alike. Referrals by hand keep the catalogue's codes."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from public_works_testkit import PublicWorks
from reaction_calls import (
    POOR_SURVEY,
    handled,
    house_assessed,
    incoming,
    kader_survey,
    referred,
    stunting_detected,
)

from simpul_platform.testing.polling import eventually
from simpul_public_works.consumers import HOUSING_SURVEYS_CONSUMER, STUNTING_WASH_CONSUMER

pytestmark = pytest.mark.integration
KK, HOUSED_KK, WATER_KK, LATRINE_KK = (
    "6402061234560001",
    "6402061234560002",
    "6402061234560003",
    "6402061234560004",
)


def by_reason(found: list[dict[str, Any]], pw: PublicWorks, kk: str) -> dict[str, dict[str, Any]]:
    return {r["reason_code"]: r for r in found if r["household_ref"] == pw.household_ref(kk)}


async def test_a_kader_survey_answers_the_survey_task_and_opens_the_prioritised_referral(
    public_works: PublicWorks,
) -> None:
    pw = public_works
    posyandu = await pw.known_posyandu()
    await stunting_detected(pw, KK, posyandu)  # unknown to public works: a survey task
    await eventually(handled(pw, STUNTING_WASH_CONSUMER, 1))
    [task] = await incoming(pw)
    assert (task["reason_code"], task["status"]) == ("stunting_household_unsurveyed", "accepted")

    survey = await kader_survey(pw, KK, posyandu, **POOR_SURVEY)
    found = by_reason(await incoming(pw), pw, KK)
    assert set(found) == {"stunting_household_unsurveyed", "stunting_wash"}
    answered = found["stunting_household_unsurveyed"]
    assert (answered["status"], answered["outcome_code"]) == ("resolved", "surveyed_listed")
    wash = found["stunting_wash"]
    assert (wash["status"], wash["automatic"], wash["source_field"]) == (
        "accepted",
        True,
        "health",
    )
    assert wash["case_ref"] == task["case_ref"]
    assert wash["details"]["priority"] == "prioritised"
    assert wash["details"]["survey_id"] == survey["id"]

    await kader_survey(pw, KK, posyandu)  # safe now: the works resolve stunting_wash, not this
    again = by_reason(await incoming(pw), pw, KK)
    assert again["stunting_wash"]["status"] == "accepted"
    detail = await pw.client.get(f"/v1/referrals/{answered['id']}", headers=pw.opd)
    steps = [(s["action"], s["code"], s["actor"]) for s in detail.json()["history"]]
    assert steps[-1] == ("resolve", "surveyed_listed", "system:survey-followup")


async def test_a_survey_from_housing_answers_the_survey_task_too(public_works: PublicWorks) -> None:
    pw = public_works
    posyandu = await pw.known_posyandu()
    await stunting_detected(pw, HOUSED_KK, posyandu)
    await eventually(handled(pw, STUNTING_WASH_CONSUMER, 1))
    await house_assessed(pw, posyandu, (HOUSED_KK,))
    await eventually(handled(pw, HOUSING_SURVEYS_CONSUMER, 1))
    found = by_reason(await incoming(pw), pw, HOUSED_KK)
    # Housing does not ask the litres: the SPM's basic water is not proven, so prioritised.
    assert found["stunting_household_unsurveyed"]["outcome_code"] == "surveyed_listed"
    assert found["stunting_wash"]["details"]["water_level"] == "layak_terbatas"

    await stunting_detected(pw, HOUSED_KK, posyandu)  # a sibling: the WASH referral is open
    await eventually(handled(pw, STUNTING_WASH_CONSUMER, 2))
    assert len(by_reason(await incoming(pw), pw, HOUSED_KK)) == 2


async def test_other_fields_referrals_are_answered_by_the_survey(public_works: PublicWorks) -> None:
    pw = public_works
    posyandu = await pw.known_posyandu()
    water = await referred(pw, WATER_KK, posyandu, "no_safe_water")
    latrine = await referred(pw, LATRINE_KK, posyandu, "no_latrine", source="social")
    by_hand = await referred(pw, KK, posyandu, "no_latrine")
    accepted = await pw.client.post(
        f"/v1/referrals/{water}/accept", json={"accepted_on": "2026-03-01"}, headers=pw.kader
    )
    assert accepted.status_code == 200, accepted.text

    await kader_survey(pw, WATER_KK, posyandu)  # safe water: answered safe
    await kader_survey(pw, LATRINE_KK, posyandu, **POOR_SURVEY)  # still BABS: listed
    rows = {r["id"]: r for r in await incoming(pw)}
    assert (rows[water]["status"], rows[water]["outcome_code"]) == ("resolved", "surveyed_safe")
    assert (rows[latrine]["status"], rows[latrine]["outcome_code"]) == (
        "resolved",
        "surveyed_listed",
    )
    assert rows[latrine]["accepted_on"] == rows[latrine]["resolved_on"]  # accepted, then resolved
    assert rows[by_hand]["status"] == "requested"  # not surveyed yet

    wrong = await pw.client.post(
        f"/v1/referrals/{by_hand}/resolve",
        json={"outcome_code": "rtlh_listed"},  # housing's code, not public works'
        headers=pw.opd,
    )
    assert wrong.status_code == 422, wrong.text
    assert [(e["field"], e["rule"]) for e in wrong.json()["errors"]] == [
        ("outcome_code", "unknown_outcome")
    ]
    resolved = await pw.client.post(
        f"/v1/referrals/{by_hand}/resolve",
        json={"outcome_code": "latrine_provided", "resolved_on": "2026-03-05"},
        headers=pw.opd,
    )
    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["outcome_code"] == "latrine_provided"

    answers = [e for e in await pw.events(7) if e.type.startswith("public_works.referral.")]
    assert {e.data["referral_id"] for e in answers} >= {water, latrine}
    assert all(kk not in str(e.data) for e in answers for kk in (KK, WATER_KK, LATRINE_KK))


async def test_an_older_survey_entered_late_answers_nothing(public_works: PublicWorks) -> None:
    pw = public_works
    posyandu = await pw.known_posyandu()
    await kader_survey(pw, WATER_KK, posyandu, surveyed_on="2026-03-02")
    water = await referred(pw, WATER_KK, posyandu, "no_safe_water")
    await kader_survey(pw, WATER_KK, posyandu, **(POOR_SURVEY | {"surveyed_on": "2025-01-10"}))
    [row] = await incoming(pw)
    assert (row["id"], row["status"]) == (water, "requested")
    await kader_survey(pw, WATER_KK, posyandu, surveyed_on="2026-03-10")
    [row] = await incoming(pw)
    assert (row["status"], row["outcome_code"], row["resolved_on"]) == (
        "resolved",
        "surveyed_safe",
        date(2026, 3, 10),
    )
