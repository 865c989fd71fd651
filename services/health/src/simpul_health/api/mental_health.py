"""ODGJ berat: cases of severe mental disorder in care, their services, their closing.
Health roles only, within their wilayah; nothing of it goes on Kafka."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query
from sqlmodel import col

from simpul_health.api.deps import HealthUser, Today
from simpul_health.models import MentalHealthCase
from simpul_health.ops import mental_health
from simpul_health.ops.access import visible
from simpul_health.ops.programmes import listed
from simpul_health.schemas.mental_health import (
    MentalHealthCaseIn,
    MentalHealthCaseOut,
    MentalHealthCasePatch,
    MentalHealthServiceIn,
)
from simpul_platform.db import MAX_SQL_OFFSET
from simpul_platform.uow import SessionDep, UnitOfWorkDep
from simpul_platform.wilayah import WilayahQuery

router = APIRouter(prefix="/v1/mental-health/cases", tags=["ODGJ berat"])


@router.post(
    "", status_code=201, response_model=MentalHealthCaseOut, operation_id="registerMentalHealthCase"
)
async def register_case(
    body: MentalHealthCaseIn, uow: UnitOfWorkDep, principal: HealthUser, today: Today
) -> Any:
    """Register a person with a severe mental disorder (ICD-10 F20–F29, psychotic F30–F33)."""
    case = await mental_health.register(uow, principal, body, today)
    await uow.commit()
    return (await mental_health.with_services(uow.session, [case]))[0]


@router.patch(
    "/{case_id}", response_model=MentalHealthCaseOut, operation_id="updateMentalHealthCase"
)
async def update_case(
    case_id: str,
    body: MentalHealthCasePatch,
    uow: UnitOfWorkDep,
    principal: HealthUser,
    today: Today,
) -> Any:
    """Change the restrained (pasung) flag, or close the case (recovered, moved, died)."""
    case = await mental_health.update(uow, principal, case_id, body, today)
    await uow.commit()
    return (await mental_health.with_services(uow.session, [case]))[0]


@router.post(
    "/{case_id}/services",
    status_code=201,
    response_model=MentalHealthCaseOut,
    operation_id="recordMentalHealthService",
)
async def record_service(
    case_id: str,
    body: MentalHealthServiceIn,
    uow: UnitOfWorkDep,
    principal: HealthUser,
    today: Today,
) -> Any:
    """Record a service of the case (mental status exam, adherence education, medication)."""
    case = await mental_health.record_service(uow, principal, case_id, body, today)
    await uow.commit()
    return (await mental_health.with_services(uow.session, [case]))[0]


@router.get("/{case_id}", response_model=MentalHealthCaseOut, operation_id="getMentalHealthCase")
async def get_case(case_id: str, session: SessionDep, principal: HealthUser) -> Any:
    """Read one case with its services."""
    case = await visible(session, principal, MentalHealthCase, case_id, "case")
    return (await mental_health.with_services(session, [case]))[0]


@router.get("", response_model=list[MentalHealthCaseOut], operation_id="listMentalHealthCases")
async def list_cases(
    session: SessionDep,
    principal: HealthUser,
    posyandu_id: str | None = None,
    wilayah: WilayahQuery = None,
    status: Literal["active", "recovered", "moved", "died"] | None = None,
    limit: int = Query(default=100, ge=1, le=1000),
    offset: int = Query(default=0, ge=0, le=MAX_SQL_OFFSET),
) -> Any:
    """Cases of a posyandu or a wilayah inside the caller's scope, newest first."""
    where = (col(MentalHealthCase.status) == status,) if status else ()
    cases = await listed(
        session,
        principal,
        MentalHealthCase,
        posyandu_id=posyandu_id,
        wilayah=wilayah,
        order=col(MentalHealthCase.registered_on),
        limit=limit,
        offset=offset,
        where=where,
    )
    return await mental_health.with_services(session, cases)
