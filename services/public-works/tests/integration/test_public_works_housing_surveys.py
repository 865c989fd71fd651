"""Housing's survey of a house on Kafka → public works' surveys of source ``housing`` over the
real PostgreSQL and broker: each household living there by pseudonym, the facts mapped and the
unknowns judged conservatively, announced like a kader's survey; a replay changes nothing; a
kader's later survey by No. KK joins the same household, and of one date a kader's wins."""

from __future__ import annotations

import pytest
from public_works_testkit import PublicWorks
from reaction_calls import (
    HOUSE_FACTS,
    handled,
    house_assessed,
    kader_survey,
    rows,
    runner,
    selected,
)
from sqlalchemy import func, select

from simpul_platform.outbox import outbox_table
from simpul_platform.testing.polling import eventually
from simpul_public_works.consumers import HOUSING_SURVEYS_CONSUMER
from simpul_public_works.models import Household, WashSurvey

pytestmark = pytest.mark.integration
KK, NEIGHBOUR_KK = "6402061234560001", "6402061234560002"


async def test_a_house_survey_becomes_each_households_survey_once(
    public_works: PublicWorks,
) -> None:
    pw = public_works
    posyandu = await pw.known_posyandu()
    sent = await house_assessed(pw, posyandu, (KK, NEIGHBOUR_KK), occupants=7)
    await eventually(handled(pw, HOUSING_SURVEYS_CONSUMER, 1))

    surveys = await rows(pw, WashSurvey, WashSurvey.occupants.desc())  # type: ignore[attr-defined]
    assert [(s.source, s.source_ref, s.occupants) for s in surveys] == [
        ("housing", sent.data["assessment_id"], 4),
        ("housing", sent.data["assessment_id"], 3),
    ]
    survey = surveys[0]
    assert (survey.water_source, survey.distance_to_waste_m) == ("sumur_terlindung", 12.0)
    assert (survey.toilet_facility, survey.toilet_type, survey.faeces_disposal) == (
        "sendiri",
        "leher_angsa",
        "tangki_septik",
    )
    unknown = (survey.on_premises, survey.available_24h, survey.fetch_minutes, survey.quality)
    assert unknown == (None, None, None, None) and survey.litres_per_person_day is None
    assert (survey.water_level, survey.water_rule) == ("layak_terbatas", "improved_facts_partial")
    assert (survey.sanitation_level, survey.sanitation_rule) == ("layak_sendiri", "own_contained")
    assert (survey.basic_water, survey.basic_water_failed) == (
        False,
        ["quantity_unknown", "quality_unknown"],
    )

    households = {h.household_ref: h for h in await rows(pw, Household, Household.id)}
    assert set(households) == {pw.household_ref(KK), pw.household_ref(NEIGHBOUR_KK)}
    mine = households[pw.household_ref(KK)]
    assert (mine.kk, mine.posyandu_id, mine.water_level, mine.basic_water) == (
        None,
        posyandu,
        "layak_terbatas",
        False,
    )

    events = await pw.events(2)
    assert {e.type for e in events} == {"public_works.household.wash_assessed.v1"}
    assert {e.data["household_ref"] for e in events} == set(households)
    assert {(e.data["source"], e.data["water_rule"]) for e in events} == {
        ("housing", "improved_facts_partial")
    }
    assert all(KK not in str(e.data) and NEIGHBOUR_KK not in str(e.data) for e in events)

    # The same event again (a relay that crashed), and the same assessment as a new event (a
    # replay past the inbox): nothing changes.
    await pw.producers.housing.redeliver(sent)
    await house_assessed(
        pw, posyandu, (KK, NEIGHBOUR_KK), occupants=7, assessment_id=sent.data["assessment_id"]
    )
    await eventually(handled(pw, HOUSING_SURVEYS_CONSUMER, 3))
    assert runner(pw, HOUSING_SURVEYS_CONSUMER).duplicates == 1
    assert len(await rows(pw, WashSurvey, WashSurvey.id)) == 2
    assert await announced(pw) == 2  # no third announcement


async def test_a_kader_survey_by_kk_joins_the_household_and_wins_its_date(
    public_works: PublicWorks,
) -> None:
    pw = public_works
    posyandu = await pw.known_posyandu()
    await house_assessed(pw, posyandu, (KK,), on="2026-03-02")
    await eventually(handled(pw, HOUSING_SURVEYS_CONSUMER, 1))
    [known] = await rows(pw, Household, Household.id)

    kader = await kader_survey(pw, KK, posyandu, surveyed_on="2026-03-02")  # the same date
    assert kader["household"]["id"] == known.id
    assert kader["household"]["kk_masked"] == "640206********01"
    assert kader["household"]["water_level"] == "aman"  # the kader's, of the same date

    await house_assessed(pw, posyandu, (KK,), on="2026-03-02", toilet_type="tidak_ada")
    await eventually(handled(pw, HOUSING_SURVEYS_CONSUMER, 2))
    [household] = await rows(pw, Household, Household.id)
    assert (household.kk, household.latest_survey_id) == (KK, kader["id"])
    assert household.sanitation_level == "aman"

    later = await house_assessed(pw, posyandu, (KK,), on="2026-04-01", **HOUSE_FACTS)
    await eventually(handled(pw, HOUSING_SURVEYS_CONSUMER, 3))
    [household] = await rows(pw, Household, Household.id)
    [latest] = [
        s for s in await rows(pw, WashSurvey, WashSurvey.id) if s.id == household.latest_survey_id
    ]
    assert (latest.source_ref, household.water_level) == (
        later.data["assessment_id"],
        "layak_terbatas",
    )
    listed = await pw.client.get(f"/v1/households/{household.id}/wash-surveys", headers=pw.opd)
    assert listed.status_code == 200, listed.text
    assert [(s["source"], s["sanitation_level"]) for s in listed.json()] == [
        ("housing", "layak_sendiri"),  # 1 April
        ("housing", "babs"),  # 2 March, recorded last
        ("kader", "aman"),
        ("housing", "layak_sendiri"),
    ]
    assert [s["quality"] for s in listed.json()] == [None, None, [], None]


async def announced(pw: PublicWorks) -> int:
    """How many household WASH events public works has written to its outbox."""
    query = select(func.count()).where(
        outbox_table.c.event_type == "public_works.household.wash_assessed.v1"
    )
    [(count,)] = await selected(pw, query)
    return int(count)
