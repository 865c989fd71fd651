"""What a household survey does to the referrals about that household, so a kader never closes
by hand what the survey already says (a kader's, a batch's or one from housing alike):

- ``no_safe_water`` (another field's kader saw a family without safe water): resolved
  ``surveyed_safe`` when the survey puts the water on the layak rungs, ``surveyed_listed``
  when it does not (the household is then on public works' list by its levels);
- ``no_latrine``: the same on the sanitation ladder;
- ``stunting_household_unsurveyed`` (stunting's survey task, ``ops.stunting_wash``): resolved
  ``surveyed_safe`` when the household has the SPM's basic water and layak sanitation,
  ``surveyed_listed`` when not, and then the prioritised ``stunting_wash`` referral is opened
  (unless one is open already), as the stunting reaction would have opened had the household
  been surveyed before.

The callers pass the surveys that are now their household's latest (an older survey entered
late says nothing of the household's water today, so it answers nothing). A referral still
``requested`` is accepted first, by the same actor, so its history shows who
answered it. Each step is dated the survey's date, or the request's if the survey is older.
One query finds the open referrals of all the surveys' households (a batch's included); a
household surveyed twice in one call is judged by its latest survey (of one date, the later
given). ``stunting_wash`` itself is not answered by a survey: the works that give the water or
the latrine are (resolved by hand with ``water_access_provided`` or ``latrine_provided``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from sqlalchemy import insert, select
from sqlalchemy.engine import RowMapping

from simpul_platform.clock import now
from simpul_platform.referrals.automatic import automatic
from simpul_platform.referrals.rows import Step, due_date, take
from simpul_platform.referrals.tables import referral, referral_history
from simpul_platform.uow import UnitOfWork
from simpul_public_works.domain.ladder import sanitation_layak, wash_served, water_layak

FIELD = "public_works"
ACTOR = "system:survey-followup"
OPEN = ("requested", "accepted")
UNSURVEYED = "stunting_household_unsurveyed"
WASH = "stunting_wash"
ANSWERED = ("no_safe_water", "no_latrine", UNSURVEYED)


class SurveyedHousehold(Protocol):
    """What the follow-up reads of a recorded survey (``Surveyed`` below, or a batch's row)."""

    @property
    def survey_id(self) -> str: ...
    @property
    def household_ref(self) -> str: ...
    @property
    def surveyed_on(self) -> date: ...
    @property
    def water_level(self) -> str: ...
    @property
    def sanitation_level(self) -> str: ...
    @property
    def basic_water(self) -> bool: ...


@dataclass(frozen=True)
class Surveyed:
    survey_id: str
    household_ref: str
    surveyed_on: date
    water_level: str
    sanitation_level: str
    basic_water: bool


def served(reason: str, survey: SurveyedHousehold) -> bool:
    """Whether the survey shows the need ``reason`` names met."""
    if reason == "no_safe_water":
        return water_layak(survey.water_level)
    if reason == "no_latrine":
        return sanitation_layak(survey.sanitation_level)
    return wash_served(survey.basic_water, survey.sanitation_level)


def _latest(surveys: Sequence[SurveyedHousehold]) -> dict[str, SurveyedHousehold]:
    latest: dict[str, SurveyedHousehold] = {}
    for s in surveys:
        seen = latest.get(s.household_ref)
        if seen is None or s.surveyed_on >= seen.surveyed_on:
            latest[s.household_ref] = s
    return latest


async def _open(uow: UnitOfWork, households: Sequence[str]) -> list[RowMapping]:
    """The open referrals to public works about these households a survey answers, and their
    open ``stunting_wash`` ones (to open no second), locked in a stable order."""
    query = (
        select(referral)
        .where(
            referral.c.direction == "incoming",
            referral.c.target_field == FIELD,
            referral.c.reason_code.in_((*ANSWERED, WASH)),
            referral.c.household_ref.in_(sorted(households)),
            referral.c.status.in_(OPEN),
        )
        .order_by(referral.c.id)
        .with_for_update()
    )
    return list((await uow.session.execute(query)).mappings())


async def after_household_surveys(
    uow: UnitOfWork,
    surveys: Sequence[SurveyedHousehold],
    today: date,
) -> list[str]:
    """Answer the open referrals the surveys answer (see the module): ``surveys`` are the
    recorded surveys that became their household's latest. Returns the ids of the
    referrals resolved and opened. ``today`` dates a ``stunting_wash`` referral opened here,
    due in the service's working days for public works (its settings, the outbox's)."""
    latest = _latest(surveys)
    if not latest:
        return []
    rows = await _open(uow, list(latest))
    washing = {r["household_ref"] for r in rows if r["reason_code"] == WASH}
    touched: list[str] = []
    for row in rows:
        if row["reason_code"] == WASH:
            continue
        survey = latest[row["household_ref"]]
        ok = served(row["reason_code"], survey)
        await _resolve(uow, row, survey.surveyed_on, "surveyed_safe" if ok else "surveyed_listed")
        touched.append(str(row["id"]))
        if row["reason_code"] == UNSURVEYED and not ok and row["household_ref"] not in washing:
            washing.add(row["household_ref"])
            touched.append(await open_wash(uow, row, survey, today))
    return touched


async def _resolve(uow: UnitOfWork, row: RowMapping, surveyed_on: date, outcome: str) -> None:
    day = max(surveyed_on, row["requested_on"])
    if row["status"] == "requested":
        await take(uow, FIELD, row, Step("accept", ACTOR, day))
        query = select(referral).where(referral.c.id == row["id"])
        row = (await uow.session.execute(query)).mappings().one()
    day = max(day, row["accepted_on"])  # accepted by hand after the survey's date
    await take(uow, FIELD, row, Step("resolve", ACTOR, day, outcome))


async def open_wash(
    uow: UnitOfWork,
    survey_referral: RowMapping,
    survey: SurveyedHousehold,
    today: date,
) -> str:
    """The prioritised ``stunting_wash`` referral for a household the survey task found
    without basic water or layak sanitation: at the survey referral's posyandu, on the same
    case (the stunting decision that opened the survey task)."""
    day = max(today, survey_referral["requested_on"])
    opened = automatic(
        field=FIELD,
        source_field=survey_referral["source_field"],
        reason_code=WASH,
        posyandu_id=survey_referral["posyandu_id"],
        desa_code=survey_referral["desa_code"],
        person_ref=None,
        household_ref=survey.household_ref,
        requested_on=day,
        accepted_on=day,
        due_on=due_date(uow.outbox.settings, FIELD, day),
        case_ref=str(survey_referral["case_ref"] or survey_referral["id"]),
        actor=ACTOR,
        moment=now(),
    )
    row = opened.row | {"details": wash_details(survey)}
    await uow.session.execute(insert(referral), row)
    await uow.session.execute(insert(referral_history), opened.steps)
    uow.publish(opened.event, subject=row["id"])
    return str(row["id"])


def wash_details(survey: SurveyedHousehold) -> dict[str, Any]:
    """What a ``stunting_wash`` referral says beyond its reason: it is prioritised, and the
    survey and levels that found the household short (no personal data)."""
    return {
        "priority": "prioritised",
        "survey_id": survey.survey_id,
        "water_level": survey.water_level,
        "sanitation_level": survey.sanitation_level,
        "basic_water": survey.basic_water,
    }
