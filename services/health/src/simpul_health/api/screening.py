"""Screening of remaja, usia produktif and lansia; follow-up status."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from fastapi import APIRouter

from simpul_health.api.deps import HealthUser, codes, visible_target, writable_posyandu
from simpul_health.domain.lifecycle import age_in_years, life_cycle_group
from simpul_health.domain.screening import (
    SCREENING_FLAGS,
    ScreeningInput,
    bmi,
    initial_follow_up,
    screening_flags,
)
from simpul_health.events import ScreeningRecorded
from simpul_health.models import Screening
from simpul_health.schemas import FollowUpIn, ScreeningIn, ScreeningOut
from simpul_platform.errors import InvalidInput, NotFound
from simpul_platform.uow import SessionDep, UnitOfWorkDep

router = APIRouter(prefix="/v1/screenings", tags=["screening"])


def _flag_columns(flags: list[str]) -> dict[str, Any]:
    return {f: f in flags for f in SCREENING_FLAGS}


def _measures(body: ScreeningIn) -> dict[str, Any]:
    return body.model_dump(exclude={"target_id", "screened_on", "posyandu_id"})


def _out(s: Screening) -> dict[str, Any]:
    return {**s.model_dump(), "flags": [f for f in SCREENING_FLAGS if getattr(s, f)]}


@router.post("", status_code=201, response_model=ScreeningOut, operation_id="recordScreening")
async def record_screening(body: ScreeningIn, uow: UnitOfWorkDep, principal: HealthUser) -> Any:
    """Record a screening (blood pressure, glucose, Hb, BMI) and derive its flags."""
    target = await visible_target(uow.session, principal, body.target_id)
    posyandu = await writable_posyandu(
        uow.session, principal, body.posyandu_id or target.posyandu_id
    )
    if body.screened_on > date.today():
        raise InvalidInput.field("screened_on", "screened_in_future", "The date is in the future.")
    age = age_in_years(target.birth_date, body.screened_on)
    if age < 10:
        raise InvalidInput.field(
            "target_id",
            "too_young_for_screening",
            "Screening is for remaja (10+), usia produktif and lansia.",
        )
    if (body.glucose_mg_dl is None) != (body.glucose_kind is None):
        raise InvalidInput.field(
            "glucose_kind",
            "glucose_kind_required",
            "Send glucose_mg_dl together with glucose_kind.",
        )
    if (body.systolic is None) != (body.diastolic is None):
        raise InvalidInput.field("diastolic", "blood_pressure_pair", "Send both pressures.")
    if body.systolic is not None and body.diastolic is not None and body.diastolic >= body.systolic:
        raise InvalidInput.field(
            "diastolic", "diastolic_not_below_systolic", "Diastolic must be below systolic."
        )
    flags = screening_flags(
        ScreeningInput(
            age,
            target.sex,  # type: ignore[arg-type]
            body.systolic,
            body.diastolic,
            body.glucose_mg_dl,
            body.glucose_kind,
            body.hb_g_dl,
            body.weight_kg,
            body.height_cm,
        )
    )
    now = datetime.now(UTC)
    group = life_cycle_group(target.birth_date, body.screened_on)
    s = Screening(
        id=str(uuid.uuid4()),
        target_id=target.id,
        posyandu_id=posyandu["posyandu_id"],
        **codes(posyandu["desa_code"]),
        screened_on=body.screened_on,
        life_cycle_group=group,
        age_years=age,
        **_measures(body),
        bmi=bmi(body.weight_kg, body.height_cm),
        **_flag_columns(flags),
        follow_up=initial_follow_up(flags),
        created_by=principal.subject,
        created_at=now,
        updated_by=principal.subject,
        updated_at=now,
    )
    uow.session.add(s)
    uow.publish(
        ScreeningRecorded(
            screening_id=s.id,
            person_ref=target.person_ref,
            posyandu_id=s.posyandu_id,
            desa_code=s.desa_code,
            life_cycle_group=group,
            screened_on=s.screened_on,
            flags=flags,
            follow_up=s.follow_up,
        ),
        posyandu_id=s.posyandu_id,
        wilayah=s.desa_code,
        subject=s.id,
    )
    await uow.commit()
    return _out(s)


@router.post(
    "/{screening_id}/follow-up", response_model=ScreeningOut, operation_id="updateFollowUp"
)
async def update_follow_up(
    screening_id: str, body: FollowUpIn, uow: UnitOfWorkDep, principal: HealthUser
) -> Any:
    """Set the follow-up status of a screening (referred → visited/treated/declined)."""
    s = await uow.session.get(Screening, screening_id)
    if s is None:
        raise NotFound(f"No screening {screening_id}.")
    principal.require_wilayah(s.desa_code, hide=True)
    s.follow_up, s.updated_by, s.updated_at = body.follow_up, principal.subject, datetime.now(UTC)
    uow.session.add(s)
    await uow.commit()
    return _out(s)


@router.get("/{screening_id}", response_model=ScreeningOut, operation_id="getScreening")
async def get_screening(screening_id: str, session: SessionDep, principal: HealthUser) -> Any:
    """Read one screening."""
    s = await session.get(Screening, screening_id)
    if s is None:
        raise NotFound(f"No screening {screening_id}.")
    principal.require_wilayah(s.desa_code, hide=True)
    return _out(s)
