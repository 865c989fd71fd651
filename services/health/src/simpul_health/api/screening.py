"""Screening of remaja, usia produktif and lansia; follow-up status."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from simpul_health.api.deps import HealthUser, Today
from simpul_health.models import Screening
from simpul_health.ops import screening
from simpul_health.ops.access import visible
from simpul_health.schemas.screening import FollowUpIn, ScreeningIn, ScreeningOut
from simpul_platform.uow import SessionDep, UnitOfWorkDep

router = APIRouter(prefix="/v1/screenings", tags=["screening"])


@router.post("", status_code=201, response_model=ScreeningOut, operation_id="recordScreening")
async def record_screening(
    body: ScreeningIn, uow: UnitOfWorkDep, principal: HealthUser, today: Today
) -> Any:
    """Record a screening (blood pressure, glucose, Hb, BMI) and derive its flags."""
    s = await screening.record(uow, principal, body, today)
    await uow.commit()
    return screening.with_flags(s)


@router.post(
    "/{screening_id}/follow-up", response_model=ScreeningOut, operation_id="updateFollowUp"
)
async def update_follow_up(
    screening_id: str, body: FollowUpIn, uow: UnitOfWorkDep, principal: HealthUser
) -> Any:
    """Set the follow-up status of a screening (referred → visited/treated/declined)."""
    s = await screening.follow_up(uow, principal, screening_id, body)
    await uow.commit()
    return screening.with_flags(s)


@router.get("/{screening_id}", response_model=ScreeningOut, operation_id="getScreening")
async def get_screening(screening_id: str, session: SessionDep, principal: HealthUser) -> Any:
    """Read one screening."""
    s = await visible(session, principal, Screening, screening_id, "screening")
    return screening.with_flags(s)
