"""RTLH surveys of a house: recorded as given, classified under both rule sets, the house's
current classification kept as its latest survey's, and announced without personal data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from datetime import date

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_housing.domain.classification import Survey, Thresholds, check_survey, classify
from simpul_housing.events import WASH_FIELDS, HouseAssessed
from simpul_housing.models import Assessment, House, StuntedHousehold
from simpul_housing.ops import tallies
from simpul_housing.ops.access import posyandu_for_write
from simpul_housing.ops.houses import households
from simpul_housing.ops.stunting_followup import answer_surveys
from simpul_housing.schemas.assessments import SurveyIn
from simpul_housing.settings import HousingSettings
from simpul_platform.auth import Principal
from simpul_platform.clock import now
from simpul_platform.domain import RuleViolation, not_in_future
from simpul_platform.events import new_id
from simpul_platform.uow import UnitOfWork

SURVEY_FIELDS = {f.name for f in fields(Survey)}


def thresholds(settings: HousingSettings) -> Thresholds:
    return Thresholds(
        pupr_min_m2_per_person=settings.pupr_min_m2_per_person,
        rutilahu_min_m2_per_person=settings.rutilahu_min_m2_per_person,
        min_water_to_faeces_m=settings.min_water_to_faeces_m,
    )


def check(body: SurveyIn, today: date, field: str = "body") -> Survey:
    """The survey's own rules: a date that has come, a previous aid not after it, a distance
    for a ground water source."""
    not_in_future(body.surveyed_on, today, f"{field}.surveyed_on", "The survey date")
    if body.previous_aid_year is not None and body.previous_aid_year > body.surveyed_on.year:
        raise RuleViolation(
            f"{field}.previous_aid_year",
            "after_survey",
            "Aid received before the survey cannot be dated after it.",
        )
    survey = Survey(**body.model_dump(include=SURVEY_FIELDS))
    check_survey(survey, field)
    return survey


async def record_assessment(
    uow: UnitOfWork,
    principal: Principal,
    house: House,
    body: SurveyIn,
    *,
    settings: HousingSettings,
    today: date,
    field: str = "body",
) -> Assessment:
    """Stage a survey of a house (locked by the caller) at a posyandu the caller may write to.
    The latest survey by date (of one date, the later recorded) gives the house its current
    classification and occupants; an older one, recorded late, is history only."""
    survey = check(body, today, field)
    await posyandu_for_write(uow.session, house.posyandu_id, principal, field="house.posyandu_id")
    verdict = classify(survey, thresholds(settings))
    actor, moment = principal.subject, now()
    row = Assessment(
        id=new_id(),
        house_id=house.id,
        **body.model_dump(),
        rtlh_pupr=verdict.rtlh_pupr,
        failed_pupr=verdict.failed_pupr,
        rtlh_rutilahu=verdict.rtlh_rutilahu,
        failed_rutilahu=verdict.failed_rutilahu,
        recorded_by=actor,
        recorded_at=moment,
    )
    if house.assessed_on is None or body.surveyed_on >= house.assessed_on:
        house.latest_assessment_id, house.assessed_on = row.id, body.surveyed_on
        house.rtlh_pupr, house.rtlh_rutilahu = verdict.rtlh_pupr, verdict.rtlh_rutilahu
        house.occupants = body.occupants
        house.updated_by, house.updated_at = actor, moment
    uow.session.add_all([row, house])
    living = await households(uow.session, house.id)
    if house.latest_assessment_id == row.id:
        rtlh = verdict.rtlh_pupr if settings.rtlh_rule_set == "pupr" else verdict.rtlh_rutilahu
        answers = {h.household_ref: (rtlh, body.surveyed_on) for h in living}
        await answer_surveys(uow, answers, actor)
    await _invalidate(uow.session, house, [h.household_ref for h in living], body.surveyed_on)
    uow.publish(
        HouseAssessed(
            assessment_id=row.id,
            house_id=house.id,
            household_refs=[h.household_ref for h in living],
            posyandu_id=house.posyandu_id,
            desa_code=house.desa_code,
            kind=body.kind,
            surveyed_on=body.surveyed_on,
            occupants=body.occupants,
            kawasan=list(body.kawasan),
            rtlh_pupr=verdict.rtlh_pupr,
            failed_pupr=verdict.failed_pupr,
            rtlh_rutilahu=verdict.rtlh_rutilahu,
            failed_rutilahu=verdict.failed_rutilahu,
            **body.model_dump(include=set(WASH_FIELDS)),
        ),
        subject=house.id,
    )
    return row


async def _invalidate(
    session: AsyncSession, house: House, refs: Sequence[str], surveyed_on: date
) -> None:
    """The house's posyandu counts its houses; a stunted household living there is counted at
    the posyandu health reported it at: both change from the survey's date on."""
    query = select(StuntedHousehold.posyandu_id).where(
        col(StuntedHousehold.household_ref).in_(list(refs))
    )
    stunted = list((await session.exec(query)).all()) if refs else []
    await tallies.invalidate_many(session, [house.posyandu_id, *stunted], surveyed_on)


async def assessments_of(session: AsyncSession, house_id: str) -> Sequence[Assessment]:
    """A house's surveys, newest first (by date, then as recorded)."""
    query = (
        select(Assessment)
        .where(Assessment.house_id == house_id)
        .order_by(col(Assessment.surveyed_on).desc(), col(Assessment.recorded_at).desc())
    )
    return list((await session.exec(query)).all())
