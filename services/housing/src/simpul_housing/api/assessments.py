"""RTLH surveys of a house, classified under both rule sets as they are recorded."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from simpul_housing.api.deps import Reader, SettingsDep, Today, Writer
from simpul_housing.domain.classification import m2_per_person
from simpul_housing.models import Assessment
from simpul_housing.ops import assessments as ops
from simpul_housing.ops.access import visible_house
from simpul_housing.schemas.assessments import AssessmentOut, SurveyIn
from simpul_platform.errors import NotFound
from simpul_platform.uow import SessionDep, UnitOfWorkDep

router = APIRouter(tags=["assessments"])


def assessment_out(row: Assessment) -> AssessmentOut:
    return AssessmentOut.model_validate(
        {**row.model_dump(), "m2_per_person": m2_per_person(row.floor_area_m2, row.occupants)}
    )


@router.post(
    "/v1/houses/{house_id}/assessments",
    status_code=201,
    response_model=AssessmentOut,
    operation_id="recordAssessment",
)
async def record_assessment(
    house_id: str,
    body: SurveyIn,
    uow: UnitOfWorkDep,
    principal: Writer,
    settings: SettingsDep,
    today: Today,
) -> Any:
    """Record an RTLH survey of a house; the answer carries RLH/RTLH under Permen PUPR 29/2018
    and Permensos 20/2017 with the criteria that failed."""
    house = await visible_house(uow.session, principal, house_id, lock=True)
    row = await ops.record_assessment(uow, principal, house, body, settings=settings, today=today)
    await uow.commit()
    return assessment_out(row)


@router.get(
    "/v1/houses/{house_id}/assessments",
    response_model=list[AssessmentOut],
    operation_id="listAssessments",
)
async def list_assessments(house_id: str, session: SessionDep, principal: Reader) -> Any:
    """A house's surveys, newest first."""
    house = await visible_house(session, principal, house_id)
    return [assessment_out(r) for r in await ops.assessments_of(session, house.id)]


@router.get(
    "/v1/assessments/{assessment_id}", response_model=AssessmentOut, operation_id="getAssessment"
)
async def get_assessment(assessment_id: str, session: SessionDep, principal: Reader) -> Any:
    """One survey with its classification."""
    row = await session.get(Assessment, assessment_id)
    if row is None:
        raise NotFound(f"No assessment {assessment_id} in your wilayah.")
    await visible_house(session, principal, row.house_id)
    return assessment_out(row)
