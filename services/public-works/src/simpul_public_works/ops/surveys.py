"""Household water and sanitation surveys: the household found (or recorded) by its No. KK at
a posyandu, the survey kept as given with its ladder derived, the latest by date the
household's, and announced without personal data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from datetime import date

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.auth import Principal
from simpul_platform.clock import now
from simpul_platform.domain import not_in_future
from simpul_platform.errors import Conflict
from simpul_platform.events import new_id
from simpul_platform.pseudonym import household_ref
from simpul_platform.uow import UnitOfWork
from simpul_platform.wilayah import under
from simpul_public_works.domain.ladder import Survey, Thresholds, check_survey, ladder
from simpul_public_works.events import HouseholdWashAssessed
from simpul_public_works.models import Household, WashSurvey
from simpul_public_works.ops.access import posyandu_for_write
from simpul_public_works.ops.survey_effects import RecordedSurvey, after_surveys
from simpul_public_works.schemas.surveys import SurveyIn
from simpul_public_works.settings import PublicWorksSettings

FIELDS = {f.name for f in fields(Survey)} - {"kelurahan"}
DUPLICATE_KK = "This household was recorded by a concurrent request; send the survey again."


def thresholds(settings: PublicWorksSettings) -> Thresholds:
    return Thresholds(
        min_distance_to_waste_m=settings.min_distance_to_waste_m,
        max_fetch_minutes=settings.max_fetch_minutes,
        min_litres_per_person_day=settings.min_litres_per_person_day,
        septic_emptying_years=settings.septic_emptying_years,
    )


def is_kelurahan(desa_code: str) -> bool:
    """An urban ward: its four-digit code starts with 1 (a desa's with 2)."""
    return desa_code[-4] == "1"


async def record_survey(
    uow: UnitOfWork,
    principal: Principal,
    body: SurveyIn,
    *,
    settings: PublicWorksSettings,
    today: date,
    source: str = "kader",
) -> tuple[WashSurvey, Household]:
    """Stage a survey of the household with this No. KK at a posyandu the caller may write to
    (the household is recorded on its first survey; one known at another posyandu is a 409)."""
    not_in_future(body.surveyed_on, today, "body.surveyed_on", "The survey date")
    posyandu = await posyandu_for_write(uow.session, body.posyandu_id, principal)
    survey = Survey(
        **body.model_dump(include=FIELDS), kelurahan=is_kelurahan(posyandu["desa_code"])
    )
    check_survey(survey)
    found = ladder(survey, thresholds(settings))
    household = await _household(uow, principal, body, posyandu["desa_code"], settings)
    actor, moment = principal.subject, now()
    row = WashSurvey(
        id=new_id(),
        household_id=household.id,
        source=source,
        **body.model_dump(exclude={"kk", "posyandu_id"}),
        water_level=found.water,
        water_rule=found.water_rule,
        sanitation_level=found.sanitation,
        sanitation_rule=found.sanitation_rule,
        basic_water=found.basic_water,
        basic_water_failed=found.basic_water_rules,
        wastewater_service=found.wastewater_service,
        recorded_by=actor,
        recorded_at=moment,
    )
    latest = household.surveyed_on is None or body.surveyed_on >= household.surveyed_on
    if latest:
        household.latest_survey_id, household.surveyed_on = row.id, body.surveyed_on
        household.occupants = body.occupants
        household.water_level, household.sanitation_level = found.water, found.sanitation
        household.basic_water = found.basic_water
        household.wastewater_service = found.wastewater_service
        household.updated_by, household.updated_at = actor, moment
    uow.session.add_all([household, row])
    uow.publish(_assessed(row, household), subject=household.id)
    await after_surveys(uow, [recorded(row, household, latest=latest)], today)
    return row, household


def recorded(row: WashSurvey, household: Household, *, latest: bool) -> RecordedSurvey:
    return RecordedSurvey(
        survey_id=row.id,
        household_id=household.id,
        household_ref=household.household_ref,
        posyandu_id=household.posyandu_id,
        desa_code=household.desa_code,
        surveyed_on=row.surveyed_on,
        latest=latest,
        water_level=row.water_level,
        sanitation_level=row.sanitation_level,
        basic_water=row.basic_water,
        wastewater_service=row.wastewater_service,
    )


async def _household(
    uow: UnitOfWork,
    principal: Principal,
    body: SurveyIn,
    desa_code: str,
    settings: PublicWorksSettings,
) -> Household:
    query = select(Household).where(Household.kk == body.kk).with_for_update()
    household = (await uow.session.exec(query)).first()
    ref = household_ref(settings.pseudonym_secret, body.kk)
    if household is None:  # known by pseudonym alone (from housing's survey of its house)?
        query = select(Household).where(Household.household_ref == ref).with_for_update()
        household = (await uow.session.exec(query)).first()
    if household is not None:
        if household.posyandu_id != body.posyandu_id:
            raise Conflict(
                f"This household is known at posyandu {household.posyandu_id}.",
                household_id=household.id,
            )
        household.kk = household.kk or body.kk
        return household
    actor, moment = principal.subject, now()
    household = Household(
        id=new_id(),
        kk=body.kk,
        household_ref=ref,
        posyandu_id=body.posyandu_id,
        desa_code=desa_code,
        created_by=actor,
        created_at=moment,
        updated_by=actor,
        updated_at=moment,
    )
    uow.session.add(household)
    await uow.session.flush()  # the household before its surveys (their foreign key)
    return household


def _assessed(row: WashSurvey, household: Household) -> HouseholdWashAssessed:
    return HouseholdWashAssessed(
        survey_id=row.id,
        household_ref=household.household_ref,
        posyandu_id=household.posyandu_id,
        desa_code=household.desa_code,
        source=row.source,
        surveyed_on=row.surveyed_on,
        occupants=row.occupants,
        water_level=row.water_level,
        water_rule=row.water_rule,
        sanitation_level=row.sanitation_level,
        sanitation_rule=row.sanitation_rule,
        basic_water=row.basic_water,
        basic_water_failed=list(row.basic_water_failed),
        wastewater_service=row.wastewater_service,
    )


async def surveys_of(session: AsyncSession, household_id: str) -> Sequence[WashSurvey]:
    """A household's surveys, newest first."""
    query = (
        select(WashSurvey)
        .where(WashSurvey.household_id == household_id)
        .order_by(col(WashSurvey.surveyed_on).desc(), col(WashSurvey.recorded_at).desc())
    )
    return list((await session.exec(query)).all())


async def list_households(
    session: AsyncSession,
    principal: Principal,
    *,
    wilayah: str | None,
    posyandu_id: str | None,
    water_level: str | None,
    sanitation_level: str | None,
    limit: int,
    offset: int,
) -> Sequence[Household]:
    """Households in the caller's scope, optionally one posyandu's or by their latest levels."""
    query = select(Household).where(
        under(col(Household.desa_code), principal.visible_scopes(wilayah))
    )
    if posyandu_id is not None:
        query = query.where(Household.posyandu_id == posyandu_id)
    if water_level is not None:
        query = query.where(Household.water_level == water_level)
    if sanitation_level is not None:
        query = query.where(Household.sanitation_level == sanitation_level)
    query = query.order_by(col(Household.desa_code), col(Household.id))
    return list((await session.exec(query.offset(offset).limit(limit))).all())
