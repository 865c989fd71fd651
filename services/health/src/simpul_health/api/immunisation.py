"""Immunisation records and completeness against the schedule."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter

from simpul_health.api.deps import HealthUser, SettingsDep, Today
from simpul_health.domain.immunisation import ScheduledDose, load_schedule
from simpul_health.ops import commit, immunisation
from simpul_health.schemas.immunisation import (
    DoseOut,
    ImmunisationIn,
    ImmunisationOut,
    ImmunisationStatusOut,
)
from simpul_platform.uow import SessionDep, UnitOfWorkDep

router = APIRouter(prefix="/v1/targets/{target_id}/immunisations", tags=["immunisation"])


@router.post("", status_code=201, response_model=ImmunisationOut, operation_id="recordImmunisation")
async def record_immunisation(
    target_id: str,
    body: ImmunisationIn,
    uow: UnitOfWorkDep,
    principal: HealthUser,
    settings: SettingsDep,
    today: Today,
) -> Any:
    """Record one dose given to a child."""
    schedule = load_schedule(settings.immunisation_schedule_file)
    record = await immunisation.record_dose(
        uow, principal, target_id, body, schedule=schedule, today=today
    )
    await commit(uow, f"{body.antigen} dose {body.dose} is already recorded.")
    return record


@router.get("/status", response_model=ImmunisationStatusOut, operation_id="immunisationStatus")
async def immunisation_status(
    target_id: str,
    session: SessionDep,
    principal: HealthUser,
    settings: SettingsDep,
    today: Today,
    on: date | None = None,
) -> Any:
    """Which scheduled doses are due, given and missing at the child's age."""
    day = on or today
    schedule = load_schedule(settings.immunisation_schedule_file)
    result = await immunisation.status(session, principal, target_id, schedule=schedule, on=day)

    def doses(items: list[ScheduledDose]) -> list[DoseOut]:
        return [DoseOut(antigen=i.antigen, dose=i.dose, due_age_days=i.due_age_days) for i in items]

    return ImmunisationStatusOut(
        target_id=target_id,
        on=day,
        age_days=result.age_days,
        due=doses(result.due),
        given=doses(result.given),
        missing=doses(result.missing),
        complete_for_age=result.complete_for_age,
        idl=result.idl,
    )
