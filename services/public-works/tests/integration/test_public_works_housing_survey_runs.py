"""Housing's surveys applied a consumer chunk's run at a time (``on_assessed_batch``) leave
exactly what they leave one event at a time, over the real PostgreSQL: the households and
their surveys (a household's second survey in the run sees its first), the replay that
changes nothing, the survey task answered and the prioritised referral opened, the events.
Two sets of households, one per path, in one database: compared household by household."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from public_works_testkit import RAPAK_LAMBUR, PublicWorks
from reaction_calls import HOUSE_FACTS, handled, stunting_detected
from sqlalchemy import select

from simpul_platform.consumer import Received
from simpul_platform.events import Envelope, new_id
from simpul_platform.outbox import outbox_table
from simpul_platform.referrals.tables import referral
from simpul_platform.testing.polling import eventually
from simpul_public_works.consumers import STUNTING_WASH_CONSUMER
from simpul_public_works.events import HouseAssessed
from simpul_public_works.models import Household, WashSurvey
from simpul_public_works.ops.housing_surveys import HousingSurveys

pytestmark = pytest.mark.integration
ONE_BY_ONE = {"A": "6402061234560001", "B": "6402061234560002", "C": "6402061234560003"}
IN_A_RUN = {"A": "6402061234560011", "B": "6402061234560012", "C": "6402061234560013"}
NO_TOILET = {
    "water_source": "sumur_tidak_terlindung",
    "bathroom": "tidak_ada",
    "toilet_type": "tidak_ada",
    "faeces_disposal": "pantai_kebun",
}


def house(pw: PublicWorks, posyandu: str, kks: list[str], on: str, **facts: Any) -> HouseAssessed:
    return HouseAssessed.model_validate(
        {
            "assessment_id": new_id(),
            "household_refs": [pw.household_ref(kk) for kk in kks],
            "posyandu_id": posyandu,
            "desa_code": RAPAK_LAMBUR,
            "surveyed_on": on,
            "occupants": 5,
            **HOUSE_FACTS,
            **facts,
        }
    )


def sent(view: HouseAssessed) -> Received[HouseAssessed]:
    data = view.model_dump(mode="json")
    return Received(
        view, Envelope(new_id(), view.event_type, "/simpul/housing", datetime.now(UTC), data)
    )


def chunk(pw: PublicWorks, posyandu: str, kk: dict[str, str]) -> list[Received[HouseAssessed]]:
    # Four occupants: two each, whichever household's pseudonym sorts first.
    first = house(pw, posyandu, [kk["A"], kk["B"]], "2026-03-02", occupants=4, **NO_TOILET)
    second = house(pw, posyandu, [kk["C"]], "2026-03-03")
    return [
        sent(first),  # A's survey task answered: listed, and the prioritised referral opened
        sent(second),
        sent(house(pw, posyandu, [kk["A"]], "2026-03-10")),  # A again, later: now its latest
        sent(second),  # the same assessment again (another event): nothing
    ]


async def outcome(pw: PublicWorks, kk: dict[str, str], run: list[Received[HouseAssessed]]) -> Any:
    """Each household's surveys, referrals and events, by label and the run's positions."""
    position = {received.view.assessment_id: i for i, received in reversed(list(enumerate(run)))}
    async with pw.app.state.db.sessions() as session:
        found: dict[str, Any] = {}
        for label, number in kk.items():
            ref = pw.household_ref(number)
            household = (
                await session.execute(select(Household).where(Household.household_ref == ref))
            ).scalar_one()
            surveys = (
                (
                    await session.execute(
                        select(WashSurvey).where(WashSurvey.household_id == household.id)
                    )
                )
                .scalars()
                .all()
            )
            latest = next(s for s in surveys if s.id == household.latest_survey_id)
            referrals = (
                (await session.execute(select(referral).where(referral.c.household_ref == ref)))
                .mappings()
                .all()
            )
            events = (
                (
                    await session.execute(
                        select(outbox_table.c.event_type).where(
                            outbox_table.c.subject == household.id
                        )
                    )
                )
                .scalars()
                .all()
            )
            found[label] = (
                sorted(
                    (position[s.source_ref], s.occupants, s.water_level, s.sanitation_level)
                    for s in surveys
                ),
                position[latest.source_ref],
                household.surveyed_on,
                sorted((r["reason_code"], r["status"], r["outcome_code"]) for r in referrals),
                sorted(events),
            )
        return found


async def test_a_chunk_in_a_run_leaves_what_its_surveys_leave_one_by_one(
    public_works: PublicWorks,
) -> None:
    pw, db = public_works, public_works.app.state.db
    posyandu = await pw.known_posyandu()
    for kk in (ONE_BY_ONE, IN_A_RUN):  # unknown to public works: a survey task each
        await stunting_detected(pw, kk["A"], posyandu)
    await eventually(handled(pw, STUNTING_WASH_CONSUMER, 2))
    housing = HousingSurveys(pw.settings)

    one_by_one = chunk(pw, posyandu, ONE_BY_ONE)
    for view, event in one_by_one:
        async with db.sessions() as session, session.begin():
            await housing.on_assessed(session, view, event)
    in_a_run = chunk(pw, posyandu, IN_A_RUN)
    async with db.sessions() as session, session.begin():
        await housing.on_assessed_batch(session, in_a_run)

    expected = await outcome(pw, ONE_BY_ONE, one_by_one)
    assert await outcome(pw, IN_A_RUN, in_a_run) == expected
    surveys, latest, _, referrals, events = expected["A"]
    assert [(at, level) for at, _, _, level in surveys] == [
        (0, "babs"),
        (2, "layak_sendiri"),
    ]
    assert latest == 2 and events == ["public_works.household.wash_assessed.v1"] * 2
    assert referrals == [
        ("stunting_household_unsurveyed", "resolved", "surveyed_listed"),
        ("stunting_wash", "accepted", None),
    ]
    assert len(expected["C"][0]) == 1  # the replay recorded nothing
