"""Housing aid on RTLH cases over the real PostgreSQL and Kafka: a household or house aided
within the window is refused (a 409 naming the aid), also when two assignments race; "already
aided" is read from the history, never taken on trust; amounts are plausible; the house's aid
history; the window is a setting."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from housing_testkit import Housing, Producers, start_housing
from rtlh_calls import CASES, KK, PATH, RTLH_SURVEY, case_at, house_and_case, opened, post, step
from sqlalchemy import text, update
from sqlmodel import col, func, select

from simpul_housing.models import HouseHousehold, HousingAid
from simpul_platform.testing.polling import eventually

pytestmark = pytest.mark.integration


async def moved_out(housing: Housing, kk: str) -> None:
    """The household left its house (housing has no route for a move yet)."""
    ref = housing.household_ref(kk)
    async with housing.app.state.db.transaction() as session:
        await session.execute(
            update(HouseHousehold)
            .where(
                col(HouseHousehold.household_ref) == ref, col(HouseHousehold.moved_out_on).is_(None)
            )
            .values(moved_out_on=date(2026, 3, 20))
        )


async def aid_count(housing: Housing) -> int:
    async with housing.app.state.db.sessions() as session:
        return int((await session.exec(select(func.count()).select_from(HousingAid))).one())


async def two_cases_of_one_household(housing: Housing) -> tuple[dict[str, Any], dict[str, Any]]:
    """A household proposed for aid at its house, then moved to another house, proposed there
    too: two open cases, one household."""
    first_house, first = await house_and_case(housing, "proposed")
    await moved_out(housing, KK)
    second_house = await housing.house(first_house["posyandu_id"], kks=(KK,), rt="007")
    second = await case_at(housing, second_house["id"], "proposed")
    assert first["household_ref"] == second["household_ref"]
    return first, second


async def test_a_household_aided_once_is_refused_a_second_aid(housing: Housing) -> None:
    first, second = await two_cases_of_one_household(housing)
    await step(housing, first["id"], "assign", PATH[4][1])
    refused = await post(housing, f"{CASES}/{second['id']}/assign", PATH[4][1])
    assert refused.status_code == 409, refused.text
    problem = refused.json()
    (aid,) = (
        await housing.client.get(f"/v1/houses/{first['house_id']}/aid", headers=housing.opd)
    ).json()["aid"]
    assert problem["previous_aid"] == {
        "year": 2026,
        "program": "bsps",
        "aid_id": aid["id"],
        "case_id": first["id"],
    }
    assert problem["errors"][0]["rule"] == "already_aided"
    assert aid["id"] in problem["detail"] and "10 years" in problem["detail"]
    unchanged = (await housing.client.get(f"{CASES}/{second['id']}", headers=housing.opd)).json()
    assert unchanged["status"] == "proposed" and unchanged["aid_program"] is None
    rejected = await step(
        housing, second["id"], "reject", {"reason": "already_aided", "rejected_on": "2026-04-02"}
    )
    assert rejected["history"][-1]["codes"] == {
        "reason": "already_aided",
        "previous_aid_year": 2026,
        "previous_aid_id": aid["id"],
    }
    assert await aid_count(housing) == 1


async def test_two_assignments_racing_for_one_household_give_one_aid(housing: Housing) -> None:
    first, second = await two_cases_of_one_household(housing)
    db = housing.app.state.db
    # Hold the aid table while both requests start, so both reach their check of the
    # household's aid before either has written any: only the household's lock orders them.
    async with db.transaction() as holding:
        await holding.execute(text("LOCK TABLE housing_aid IN ACCESS EXCLUSIVE MODE"))
        racing = asyncio.ensure_future(
            asyncio.gather(
                post(housing, f"{CASES}/{first['id']}/assign", PATH[4][1]),
                post(housing, f"{CASES}/{second['id']}/assign", PATH[4][1]),
            )
        )
        await eventually(lambda: waiting_on_locks(db, 2))
    answers = await racing
    assert sorted(a.status_code for a in answers) == [200, 409], [a.text for a in answers]
    loser = next(a for a in answers if a.status_code == 409).json()
    winner = next(a for a in answers if a.status_code == 200).json()
    assert loser["previous_aid"]["case_id"] == winner["id"]
    assert await aid_count(housing) == 1
    # Six steps of each case (the survey announced too), then one assignment: two events.
    events = await housing.events(14, "housing.aid.assigned.v1")
    assert [e.data["case_id"] for e in events] == [winner["id"]]


async def waiting_on_locks(db: Any, expected: int) -> bool:
    """Whether ``expected`` sessions of this database wait on a lock."""
    query = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    async with db.sessions() as session:
        return int((await session.execute(query)).scalar_one()) >= expected


async def test_a_house_aided_before_is_not_verified_again(housing: Housing) -> None:
    house, done = await house_and_case(housing, "rlh")
    case = await opened(housing, house["id"], on="2026-10-01")
    survey = {**RTLH_SURVEY, "surveyed_on": "2026-10-02"}
    await step(housing, case["id"], "survey", {"survey": survey})
    refused = await post(housing, f"{CASES}/{case['id']}/verify", {"verified_on": "2026-10-03"})
    assert refused.status_code == 409, refused.text
    assert refused.json()["previous_aid"]["case_id"] == done["id"]
    assert "already_aided" in refused.json()["detail"]
    rejected = await step(
        housing, case["id"], "reject", {"reason": "already_aided", "rejected_on": "2026-10-03"}
    )
    assert rejected["rejection_reason"] == "already_aided"


async def test_already_aided_needs_the_aid_in_the_history(housing: Housing) -> None:
    _, case = await house_and_case(housing, "surveyed")
    refused = await post(housing, f"{CASES}/{case['id']}/reject", {"reason": "already_aided"})
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"][0]["field"] == "body.reason"
    assert refused.json()["errors"][0]["rule"] == "no_previous_aid"


async def test_aid_a_survey_declares_counts_too(housing: Housing) -> None:
    posyandu = await housing.known_posyandu()
    house = await housing.house(posyandu)
    case = await opened(housing, house["id"])
    declared = {**RTLH_SURVEY, "surveyed_on": "2026-03-03", "previous_aid_year": 2019}
    surveyed = await step(housing, case["id"], "survey", {"survey": declared})
    refused = await post(housing, f"{CASES}/{case['id']}/verify", {"verified_on": "2026-03-05"})
    assert refused.status_code == 409, refused.text
    assert refused.json()["previous_aid"] == {
        "year": 2019,
        "assessment_id": surveyed["assessment_id"],
    }
    history = await housing.client.get(f"/v1/houses/{house['id']}/aid", headers=housing.kader)
    assert history.json() == {
        "house_id": house["id"],
        "aid_repeat_years": 10,
        "aid": [],
        "declared": [
            {
                "assessment_id": surveyed["assessment_id"],
                "surveyed_on": "2026-03-03",
                "previous_aid_year": 2019,
            }
        ],
    }


@pytest.mark.parametrize(
    ("change", "field", "rule"),
    [
        ({"amount": 2_000_000}, "body.amount", "amount_implausible"),
        ({"amount": 200_000_000}, "body.amount", "amount_implausible"),
        ({"program": "csr", "amount": 150_000_000}, "body.amount", "amount_implausible"),
        ({"year": 2029}, "body.year", "aid_year_out_of_range"),
        ({"assigned_on": "2026-03-11"}, "body.assigned_on", "before_previous_step"),
    ],
)
async def test_an_implausible_aid_is_refused(
    housing: Housing, change: dict[str, Any], field: str, rule: str
) -> None:
    _, case = await house_and_case(housing, "proposed")  # proposed on 2026-03-12
    refused = await post(housing, f"{CASES}/{case['id']}/assign", {**PATH[4][1], **change})
    assert refused.status_code == 422, refused.text
    assert [(e["field"], e["rule"]) for e in refused.json()["errors"]] == [(field, rule)]
    assert await aid_count(housing) == 0


async def test_the_aid_window_is_a_setting(
    make_settings: Callable[..., Any], postgres_url: str, producers: Producers
) -> None:
    async with start_housing(make_settings, postgres_url, producers, aid_repeat_years=5) as housing:
        posyandu = await housing.known_posyandu()
        house = await housing.house(posyandu)
        case = await opened(housing, house["id"])
        declared = {**RTLH_SURVEY, "surveyed_on": "2026-03-03", "previous_aid_year": 2021}
        await step(housing, case["id"], "survey", {"survey": declared})
        verified = await step(housing, case["id"], "verify", {"verified_on": "2026-03-05"})
        assert verified["status"] == "verified"  # 2021 is five years before 2026: outside
