"""RTLH cases over the real PostgreSQL and Kafka: the whole path to RLH with its events, the
steps refused (wrong order, dates, land), the survey that ends a case as not RTLH, one open
case per house, rejections, and the wilayah."""

from __future__ import annotations

from typing import Any

import pytest
from housing_testkit import LIVABLE_SURVEY, MANGKURAWANG, RAPAK_LAMBUR, Housing
from rtlh_calls import (
    AFTER_WORKS,
    CASES,
    KK,
    PATH,
    RTLH_SURVEY,
    case_at,
    decile,
    house_and_case,
    opened,
    post,
    step,
)

pytestmark = pytest.mark.integration


async def test_a_case_goes_from_report_to_rlh_announcing_every_step(housing: Housing) -> None:
    posyandu = await housing.known_posyandu()
    house = await housing.house(posyandu, kks=(KK,), address="Jl. Mangga 3")
    ref = housing.household_ref(KK)
    await decile(housing, ref, 2, posyandu)
    case = await opened(housing, house["id"])
    assert (case["status"], case["household_ref"], case["source"]) == ("reported", ref, "kader")
    assert case["allowed_actions"] == ["survey", "reject"]
    for action, body in PATH:
        case = await step(housing, case["id"], action, body)
    assert case["status"] == "rlh" and case["allowed_actions"] == []
    assert (case["kawasan"], case["decile"], case["priority"]) == (["stunting"], 2, 70)
    assert (case["funding_source"], case["proposal_year"]) == ("apbn_bsps", 2026)
    assert (case["aid_program"], case["aid_amount"], case["aid_year"]) == ("bsps", 20_000_000, 2026)
    assert (case["handled_on"], case["rlh_on"], case["closed_on"]) == ("2026-09-30",) * 3
    steps = [(h["action"], h["to_status"], h["step_on"]) for h in case["history"]]
    assert steps == [
        ("report", "reported", "2026-03-02"),
        ("survey", "surveyed", "2026-03-03"),
        ("verify", "verified", "2026-03-05"),
        ("prioritise", "prioritised", "2026-03-10"),
        ("propose", "proposed", "2026-03-12"),
        ("assign", "assigned", "2026-04-01"),
        ("start_construction", "in_construction", "2026-05-04"),
        ("handle", "handled", "2026-09-30"),
        ("mark_rlh", "rlh", "2026-09-30"),
    ]
    assert case["history"][6]["codes"] == {"tfl": "Budi", "recipient_group": "KPB 1"}
    after = await housing.client.get(
        f"/v1/assessments/{case['after_assessment_id']}", headers=housing.opd
    )
    assert after.json()["kind"] == "after_works" and after.json()["rtlh_pupr"] is False
    read = (await housing.client.get(f"/v1/houses/{house['id']}", headers=housing.opd)).json()
    assert read["rtlh_pupr"] is False  # the after-works survey is the house's latest

    # report..rlh (9), two surveys assessed, one aid: 12 events.
    events = await housing.events(12)
    changed = [e for e in events if e.type == "housing.rtlh.status_changed.v1"]
    assert [(e.data["from_status"], e.data["to_status"]) for e in changed][-2:] == [
        ("in_construction", "handled"),
        ("handled", "rlh"),
    ]
    prioritised = next(e.data for e in changed if e.data["action"] == "prioritise")
    assert (prioritised["kawasan"], prioritised["decile"], prioritised["priority"]) == (
        ["stunting"],
        2,
        70,
    )
    assert all(e.data["kawasan"] is None for e in changed[:3])  # not yet prioritised
    (aid,) = [e for e in events if e.type == "housing.aid.assigned.v1"]
    assert (aid.data["program"], aid.data["amount"], aid.data["year"]) == ("bsps", 20_000_000, 2026)
    assert aid.data["household_ref"] == ref and aid.posyandu_id == posyandu
    wire = str([e.data for e in events])
    assert KK not in wire and "Mangga" not in wire and "Budi" not in wire and "KPB" not in wire


async def test_a_wrong_step_is_a_409_naming_the_allowed_ones(housing: Housing) -> None:
    _, case = await house_and_case(housing, "surveyed")
    refused = await post(
        housing,
        f"{CASES}/{case['id']}/assign",
        {"program": "bsps", "amount": 20_000_000, "year": 2026},
    )
    assert refused.status_code == 409, refused.text
    assert refused.json()["current_status"] == "surveyed"
    assert refused.json()["allowed"] == ["verify", "reject"]
    again = await post(housing, f"{CASES}/{case['id']}/survey", {})
    assert again.status_code == 409 and again.json()["allowed"] == ["verify", "reject"]


@pytest.mark.parametrize(
    ("body", "field", "rule"),
    [
        ({"verified_on": "2999-01-01"}, "body.verified_on", "not_in_future"),
        ({"verified_on": "2026-03-02"}, "body.verified_on", "before_previous_step"),
    ],
)
async def test_a_step_dated_in_the_future_or_before_the_last_is_refused(
    housing: Housing, body: dict[str, Any], field: str, rule: str
) -> None:
    _, case = await house_and_case(housing, "surveyed")  # surveyed on 2026-03-03
    refused = await post(housing, f"{CASES}/{case['id']}/verify", body)
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"][0] | {"message": ""} == {
        "field": field,
        "rule": rule,
        "message": "",
    }


async def test_a_survey_finding_the_house_livable_ends_the_case_as_not_rtlh(
    housing: Housing,
) -> None:
    house = await housing.house(await housing.known_posyandu())
    livable = await post(
        housing, f"/v1/houses/{house['id']}/assessments", LIVABLE_SURVEY, headers=housing.kader
    )
    case = await opened(housing, house["id"], on="2026-03-04")
    ended = await step(housing, case["id"], "survey", {})  # the house's latest
    assert ended["assessment_id"] == livable.json()["id"]
    assert (ended["status"], ended["rejection_reason"]) == ("rejected", "not_rtlh")
    assert [h["action"] for h in ended["history"]] == ["report", "survey", "reject"]
    assert ended["history"][1]["step_on"] == "2026-03-04"  # not before the report
    again = await opened(housing, house["id"])  # the house may be reported again
    assert again["status"] == "reported"


async def test_a_survey_step_needs_a_survey_of_this_house(housing: Housing) -> None:
    posyandu = await housing.known_posyandu()
    house = await housing.house(posyandu)
    other = await housing.house(posyandu, kks=("6402069999990001",))
    elsewhere = await post(
        housing, f"/v1/houses/{other['id']}/assessments", RTLH_SURVEY, headers=housing.kader
    )
    case = await opened(housing, house["id"])
    never = await post(housing, f"{CASES}/{case['id']}/survey", {})
    assert never.json()["errors"][0]["rule"] == "survey_required"
    wrong = await post(
        housing, f"{CASES}/{case['id']}/survey", {"assessment_id": elsewhere.json()["id"]}
    )
    assert wrong.json()["errors"][0]["rule"] == "unknown_assessment"
    after = await post(
        housing, f"{CASES}/{case['id']}/survey", {"survey": {**RTLH_SURVEY, "kind": "after_works"}}
    )
    assert after.json()["errors"][0] == {
        "field": "body.survey.kind",
        "rule": "not_after_works",
        "message": "The after-works survey is the handle step's.",
    }


async def test_one_open_case_per_house(housing: Housing) -> None:
    house, case = await house_and_case(housing, "verified")
    second = await post(housing, CASES, {"house_id": house["id"], "source": "desa"})
    assert second.status_code == 409, second.text
    assert second.json()["open_case_id"] == case["id"]
    assert case["id"] in second.json()["detail"]


@pytest.mark.parametrize("land", ["tanah_ilegal", "tanah_negara"])
async def test_a_house_on_illegal_or_state_land_is_not_proposed(
    housing: Housing, land: str
) -> None:
    _, case = await house_and_case(housing, "prioritised", land_status=land)
    refused = await post(housing, f"{CASES}/{case['id']}/propose", PATH[3][1])
    assert refused.status_code == 422, refused.text
    assert [(e["field"], e["rule"]) for e in refused.json()["errors"]] == [
        ("house.land_status", "land_not_eligible")
    ]
    assert "relocation" in refused.json()["errors"][0]["message"]
    rejected = await step(
        housing, case["id"], "reject", {"reason": "land_illegal", "rejected_on": "2026-03-11"}
    )
    assert (rejected["status"], rejected["closed_on"]) == ("rejected", "2026-03-11")


async def test_an_after_works_survey_still_rtlh_leaves_the_case_handled(housing: Housing) -> None:
    _, case = await house_and_case(housing, "in_construction")
    unfinished = {**AFTER_WORKS, "surveyed_on": "2026-08-01", "ventilasi": False}
    handled = await step(housing, case["id"], "handle", {"survey": unfinished})
    assert handled["status"] == "handled" and handled["allowed_actions"] == ["handle", "mark_rlh"]
    early = await post(
        housing,
        f"{CASES}/{case['id']}/handle",
        {"survey": {**AFTER_WORKS, "surveyed_on": "2026-07-01"}},
    )
    assert early.json()["errors"][0]["rule"] == "before_previous_step"
    done = await step(housing, case["id"], "handle", {"survey": AFTER_WORKS})
    assert done["status"] == "rlh" and done["handled_on"] == "2026-09-30"


async def test_a_rejection_is_announced_with_its_reason(housing: Housing) -> None:
    _, case = await house_and_case(housing, "verified")
    body = {"reason": "not_mbr", "rejected_on": "2026-03-06", "note": "PNS aktif"}
    rejected = await step(housing, case["id"], "reject", body)
    assert rejected["rejection_reason"] == "not_mbr"
    assert rejected["history"][-1]["note"] == "PNS aktif"
    # report, the survey's assessment and step, verify, reject
    events = await housing.events(5, "housing.rtlh.status_changed.v1")
    last = events[-1].data
    assert (last["from_status"], last["to_status"], last["rejection_reason"]) == (
        "verified",
        "rejected",
        "not_mbr",
    )
    assert "PNS" not in str(last)


async def test_cases_are_listed_within_the_wilayah_and_by_priority(housing: Housing) -> None:
    here = await housing.known_posyandu(RAPAK_LAMBUR)
    there = await housing.known_posyandu(MANGKURAWANG)
    poor = await housing.house(here, kks=("6402060000000001",))
    richer = await housing.house(here, kks=("6402060000000002",))
    away = await housing.house(there, kks=("6402060000000003",))
    await decile(housing, housing.household_ref("6402060000000001"), 1, here)
    await decile(housing, housing.household_ref("6402060000000002"), 5, here)
    cases = {}
    for name, house in (("richer", richer), ("poor", poor), ("away", away)):
        cases[name] = await case_at(housing, house["id"], "prioritised")
    assert (cases["poor"]["priority"], cases["richer"]["priority"]) == (80, 40)
    unprioritised = await case_at(
        housing, (await housing.house(here, kks=("6402060000000004",)))["id"], "verified"
    )

    by_priority = await housing.client.get(
        CASES, params={"order": "priority", "posyandu_id": here}, headers=housing.opd
    )
    ids = [c["id"] for c in by_priority.json()]
    assert ids == [cases["poor"]["id"], cases["richer"]["id"], unprioritised["id"]]
    kader = await housing.client.get(CASES, params={"status": "prioritised"}, headers=housing.kader)
    assert {c["id"] for c in kader.json()} == {cases["poor"]["id"], cases["richer"]["id"]}
    mangkurawang = await housing.client.get(
        CASES, params={"wilayah": MANGKURAWANG}, headers=housing.opd
    )
    assert [c["id"] for c in mangkurawang.json()] == [cases["away"]["id"]]
    hidden = await housing.client.get(f"{CASES}/{cases['away']['id']}", headers=housing.kader)
    assert hidden.status_code == 404
    step_away = await post(
        housing, f"{CASES}/{cases['away']['id']}/propose", PATH[3][1], headers=housing.kader
    )
    assert step_away.status_code == 404
    open_away = await post(
        housing, CASES, {"house_id": away["id"], "source": "kader"}, headers=housing.kader
    )
    assert open_away.status_code == 404
    dpmd = await housing.client.get(CASES, headers=housing.dpmd)
    assert dpmd.status_code == 403  # person-level: housing roles only
