"""Immunisation: recording a dose, and a child's completeness against the schedule."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_health.domain.immunisation import Completeness, ScheduledDose, antigens, completeness
from simpul_health.models import Immunisation
from simpul_health.ops.access import target_at, visible_target
from simpul_health.schemas.immunisation import ImmunisationIn
from simpul_platform.auth import Principal
from simpul_platform.domain import RuleViolation, not_in_future
from simpul_platform.events import new_id
from simpul_platform.uow import UnitOfWork


async def record_dose(
    uow: UnitOfWork,
    principal: Principal,
    target_id: str,
    body: ImmunisationIn,
    *,
    schedule: tuple[ScheduledDose, ...],
    today: date,
) -> Immunisation:
    """Stage one dose given to a child; the schedule names the antigens and their doses."""
    target, posyandu = await target_at(uow.session, principal, target_id, body.posyandu_id)
    known = antigens(schedule)
    if body.antigen not in known:
        raise RuleViolation("antigen", "unknown_antigen", f"Known antigens: {', '.join(known)}.")
    if body.dose > known[body.antigen]:
        raise RuleViolation(
            "dose", "unknown_dose", f"{body.antigen} has {known[body.antigen]} doses."
        )
    not_in_future(body.given_on, today, "given_on")
    if body.given_on < target.birth_date:
        raise RuleViolation("given_on", "given_before_birth", "The date is before birth.")
    record = Immunisation(
        id=new_id(),
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
    return record


async def status(
    session: AsyncSession,
    principal: Principal,
    target_id: str,
    *,
    schedule: tuple[ScheduledDose, ...],
    on: date,
) -> Completeness:
    """Which scheduled doses are due, given and missing at the child's age on ``on``."""
    target = await visible_target(session, principal, target_id)
    rows = (
        await session.execute(
            select(col(Immunisation.antigen), col(Immunisation.dose)).where(
                col(Immunisation.target_id) == target_id
            )
        )
    ).all()
    return completeness(schedule, target.birth_date, on, {(a, d) for a, d in rows})
