"""Penjaringan kesehatan of school-age children (SPM kesehatan no. 5)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from simpul_health.api.deps import HealthUser, Today
from simpul_health.models import SchoolScreening
from simpul_health.ops import school_screening
from simpul_health.ops.access import visible
from simpul_health.schemas.school_screening import SchoolScreeningIn, SchoolScreeningOut
from simpul_platform.db import MAX_SQL_OFFSET
from simpul_platform.indicators import OptionalPeriodQuery, Period
from simpul_platform.openapi import problems
from simpul_platform.uow import SessionDep, UnitOfWorkDep
from simpul_platform.wilayah import WilayahQuery

router = APIRouter(prefix="/v1/school-screenings", tags=["school screening"])


@router.post(
    "",
    status_code=201,
    response_model=SchoolScreeningOut,
    operation_id="recordSchoolScreening",
    responses=problems(409, 422),
)
async def record_school_screening(
    body: SchoolScreeningIn, uow: UnitOfWorkDep, principal: HealthUser, today: Today
) -> Any:
    """Record a school-age child's screening (one per school year, July–June)."""
    s = await school_screening.record(uow, principal, body, today)
    await uow.commit()
    return school_screening.shaped(s)


@router.get("", response_model=list[SchoolScreeningOut], operation_id="listSchoolScreenings")
async def list_school_screenings(
    session: SessionDep,
    principal: HealthUser,
    posyandu_id: str | None = Query(default=None, max_length=36),
    wilayah: WilayahQuery = None,
    period: OptionalPeriodQuery = None,
    limit: int = Query(default=100, ge=1, le=1000),
    offset: int = Query(default=0, ge=0, le=MAX_SQL_OFFSET),
) -> Any:
    """School screenings of a posyandu or wilayah (and period) inside the caller's scope."""
    found = await school_screening.list_screenings(
        session,
        principal,
        posyandu_id=posyandu_id,
        wilayah=wilayah,
        period=Period.parse(period) if period else None,
        limit=limit,
        offset=offset,
    )
    return [school_screening.shaped(s) for s in found]


@router.get("/{screening_id}", response_model=SchoolScreeningOut, operation_id="getSchoolScreening")
async def get_school_screening(
    screening_id: str, session: SessionDep, principal: HealthUser
) -> Any:
    """Read one school screening."""
    s = await visible(session, principal, SchoolScreening, screening_id, "school screening")
    return school_screening.shaped(s)
