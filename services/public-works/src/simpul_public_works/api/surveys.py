"""Household water and sanitation surveys and the households they are of. The No. KK stays in
this service; reads show it masked, and only to public-works roles."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from simpul_platform.db import MAX_SQL_OFFSET
from simpul_platform.pseudonym import mask_nik
from simpul_platform.uow import SessionDep, UnitOfWorkDep
from simpul_platform.wilayah import WilayahQuery
from simpul_public_works.api.deps import Reader, SettingsDep, Today, Writer
from simpul_public_works.domain.ladder import SanitationLevel, WaterLevel
from simpul_public_works.models import Household
from simpul_public_works.ops import commit
from simpul_public_works.ops import surveys as ops
from simpul_public_works.ops.access import visible_household
from simpul_public_works.schemas.surveys import (
    HouseholdOut,
    SurveyIn,
    SurveyOut,
    SurveyRecorded,
)

router = APIRouter(tags=["wash surveys"])


def household_out(row: Household) -> HouseholdOut:
    return HouseholdOut.model_validate(
        {**row.model_dump(exclude={"kk"}), "kk_masked": mask_nik(row.kk) if row.kk else None}
    )


@router.post(
    "/v1/wash-surveys",
    status_code=201,
    response_model=SurveyRecorded,
    operation_id="recordWashSurvey",
)
async def record_survey(
    body: SurveyIn, uow: UnitOfWorkDep, principal: Writer, settings: SettingsDep, today: Today
) -> Any:
    """Record a household's water and sanitation (by No. KK at a posyandu); the answer carries
    its place on both ladders and the SPM's basic daily water, each with the deciding rule."""
    row, household = await ops.record_survey(uow, principal, body, settings=settings, today=today)
    await commit(uow, ops.DUPLICATE_KK)
    shown = SurveyOut.model_validate(row).model_dump()
    return SurveyRecorded.model_validate({**shown, "household": household_out(household)})


@router.get("/v1/households", response_model=list[HouseholdOut], operation_id="listHouseholds")
async def list_households(
    session: SessionDep,
    principal: Reader,
    wilayah: WilayahQuery = None,
    posyandu_id: Annotated[str | None, Query(max_length=36)] = None,
    water_level: WaterLevel | None = None,
    sanitation_level: SanitationLevel | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[int, Query(ge=0, le=MAX_SQL_OFFSET)] = 0,
) -> Any:
    """Households in the caller's wilayah, optionally by their latest levels."""
    found = await ops.list_households(
        session,
        principal,
        wilayah=wilayah,
        posyandu_id=posyandu_id,
        water_level=water_level,
        sanitation_level=sanitation_level,
        limit=limit,
        offset=offset,
    )
    return [household_out(h) for h in found]


@router.get(
    "/v1/households/{household_id}", response_model=HouseholdOut, operation_id="getHousehold"
)
async def get_household(household_id: str, session: SessionDep, principal: Reader) -> Any:
    """One household with its latest levels (No. KK masked)."""
    return household_out(await visible_household(session, principal, household_id))


@router.get(
    "/v1/households/{household_id}/wash-surveys",
    response_model=list[SurveyOut],
    operation_id="listWashSurveys",
)
async def list_surveys(household_id: str, session: SessionDep, principal: Reader) -> Any:
    """A household's surveys, newest first."""
    household = await visible_household(session, principal, household_id)
    return [SurveyOut.model_validate(r) for r in await ops.surveys_of(session, household.id)]
