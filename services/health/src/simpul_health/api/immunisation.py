"""Immunisation records and completeness against the schedule."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from fastapi import APIRouter
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from simpul_health.api.deps import HealthUser, SettingsDep, visible_target, writable_posyandu
from simpul_health.domain.immunisation import antigens, completeness, load_schedule
from simpul_health.models import Immunisation
from simpul_health.schemas import (
    DoseOut,
    ImmunisationIn,
    ImmunisationOut,
    ImmunisationStatusOut,
)
from simpul_platform.errors import Conflict, InvalidInput
from simpul_platform.uow import SessionDep, UnitOfWorkDep

router = APIRouter(prefix="/v1/targets/{target_id}/immunisations", tags=["immunisation"])


@router.post("", status_code=201, response_model=ImmunisationOut, operation_id="recordImmunisation")
async def record_immunisation(
    target_id: str,
    body: ImmunisationIn,
    uow: UnitOfWorkDep,
    principal: HealthUser,
    settings: SettingsDep,
) -> Any:
    """Record one dose given to a child."""
    target = await visible_target(uow.session, principal, target_id)
    posyandu = await writable_posyandu(
        uow.session, principal, body.posyandu_id or target.posyandu_id
    )
    known = antigens(load_schedule(settings.immunisation_schedule_file))
    if body.antigen not in known:
        raise InvalidInput.field(
            "antigen", "unknown_antigen", f"Known antigens: {', '.join(known)}."
        )
    if body.dose > known[body.antigen]:
        raise InvalidInput.field(
            "dose", "unknown_dose", f"{body.antigen} has {known[body.antigen]} doses."
        )
    if body.given_on > date.today():
        raise InvalidInput.field("given_on", "given_in_future", "The date is in the future.")
    if body.given_on < target.birth_date:
        raise InvalidInput.field("given_on", "given_before_birth", "The date is before birth.")
    record = Immunisation(
        id=str(uuid.uuid4()),
        target_id=target_id,
        posyandu_id=posyandu["posyandu_id"],
        desa_code=posyandu["desa_code"],
        antigen=body.antigen,
        dose=body.dose,
        given_on=body.given_on,
        created_by=principal.subject,
        created_at=datetime.now(UTC),
    )
    uow.session.add(record)
    try:
        await uow.commit()
    except IntegrityError as exc:
        await uow.rollback()
        raise Conflict(f"{body.antigen} dose {body.dose} is already recorded.") from exc
    return record


@router.get("/status", response_model=ImmunisationStatusOut, operation_id="immunisationStatus")
async def immunisation_status(
    target_id: str,
    session: SessionDep,
    principal: HealthUser,
    settings: SettingsDep,
    on: date | None = None,
) -> Any:
    """Which scheduled doses are due, given and missing at the child's age."""
    target = await visible_target(session, principal, target_id)
    rows = (
        await session.execute(
            select(col(Immunisation.antigen), col(Immunisation.dose)).where(
                col(Immunisation.target_id) == target_id
            )
        )
    ).all()
    day = on or date.today()
    result = completeness(
        load_schedule(settings.immunisation_schedule_file),
        target.birth_date,
        day,
        {(a, d) for a, d in rows},
    )

    def doses(items: list[Any]) -> list[DoseOut]:
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
