"""Disasters as BPBD works them (``domain/disaster.py``): declared over desa inside the caller's
wilayah, assessed (again while the emergency lasts), then one step at a time to the close. Each
step locks the disaster, is refused with a 409 naming the allowed ones when its status does not
allow it, is dated in order, kept in ``disaster_history`` and announced (declared, assessed,
status changed: a disaster's counts and codes only, never a household's KK).

A disaster is seen by a caller whose wilayah overlaps the area it struck (its desa's kader as
well as the kabupaten's BPBD); it is stepped only by a caller whose wilayah holds all of it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.auth import Principal
from simpul_platform.clock import now
from simpul_platform.events import new_id
from simpul_platform.steps import advance, step_row
from simpul_platform.uow import UnitOfWork
from simpul_trantib.domain.disaster import (
    DISASTER,
    FACILITIES,
    DisasterAction,
    StepAction,
    check_affected_desa,
    check_declaration,
    check_evacuated,
    check_needing,
    check_step_date,
    smallest_area,
)
from simpul_trantib.events import DisasterAssessed, DisasterDeclared, DisasterStatusChanged
from simpul_trantib.models import Disaster, DisasterHistory
from simpul_trantib.schemas.disaster import AssessmentIn, DisasterIn, EvacuateIn, StepIn

COUNTS = ("dead", "missing", "injured", "displaced", "affected", "needing_evacuation")


async def declare(uow: UnitOfWork, principal: Principal, body: DisasterIn, today: date) -> Disaster:
    """Stage a declared disaster over desa all inside the caller's wilayah (403 otherwise)."""
    check_declaration(
        body.occurred_on, body.status_sk_date, body.status_sk_number, body.emergency_level, today
    )
    check_affected_desa(body.affected_desa)
    for code in body.affected_desa:
        principal.require_wilayah(code)
    moment, actor = now(), principal.subject
    disaster = Disaster(
        id=new_id(),
        **body.model_dump(),
        wilayah_code=smallest_area(body.affected_desa),
        status=DISASTER.next(None, "declare"),
        created_by=actor,
        created_at=moment,
        updated_by=actor,
        updated_at=moment,
    )
    uow.session.add(disaster)
    await uow.session.flush()  # the disaster before its history (a foreign key)
    codes = {"kind": body.kind, "status_sk_number": body.status_sk_number}
    _log(uow, disaster, "declare", None, codes, body.occurred_on, actor, note=None)
    uow.publish(
        DisasterDeclared(
            disaster_id=disaster.id,
            kind=disaster.kind,
            name=disaster.name,
            occurred_on=disaster.occurred_on,
            wilayah_code=disaster.wilayah_code,
            affected_desa=list(disaster.affected_desa),
            status_sk_number=disaster.status_sk_number,
            status_sk_date=disaster.status_sk_date,
            emergency_level=disaster.emergency_level,
        ),
        subject=disaster.id,
    )
    return disaster


async def assess(
    uow: UnitOfWork, principal: Principal, disaster: Disaster, body: AssessmentIn, today: date
) -> None:
    """The rapid assessment's totals (replacing the last ones), dated not before the last step;
    announced with no households (those come with ``disaster_households``)."""
    _may(principal, disaster, "assess")
    on = body.assessed_on or today
    check_step_date(on, today, await last_step_on(uow.session, disaster), "body.assessed_on")
    check_needing(body.needing_evacuation, disaster.evacuated)
    previous = advance(DISASTER, disaster, "assess", principal.subject)
    values = body.model_dump(exclude={"assessed_on", "facilities"})
    for name, value in values.items():
        setattr(disaster, name, value)
    disaster.facilities = body.facilities.model_dump()
    disaster.assessed_on = on
    _log(uow, disaster, "assess", previous, counts(disaster), on, principal.subject)
    uow.publish(assessed_event(disaster, on, []), subject=disaster.id)


async def take_step(
    uow: UnitOfWork,
    principal: Principal,
    disaster: Disaster,
    action: StepAction,
    body: StepIn,
    today: date,
) -> None:
    """Evacuation (with the victims rescued and evacuated), emergency response, recovery, close."""
    _may(principal, disaster, action)
    on = body.on or today
    check_step_date(on, today, await last_step_on(uow.session, disaster), "body.on")
    codes: dict[str, Any] = {}
    if isinstance(body, EvacuateIn):
        check_evacuated(body.evacuated, disaster.needing_evacuation)
        disaster.evacuated = body.evacuated
        codes = {"evacuated": body.evacuated, "needing_evacuation": disaster.needing_evacuation}
    previous = advance(DISASTER, disaster, action, principal.subject)
    if action == "close":
        disaster.closed_on = on
    _log(uow, disaster, action, previous, codes, on, principal.subject, note=body.note)
    uow.publish(
        DisasterStatusChanged(
            disaster_id=disaster.id,
            kind=disaster.kind,
            wilayah_code=disaster.wilayah_code,
            action=action,
            from_status=previous,
            to_status=disaster.status,
            on=on,
        ),
        subject=disaster.id,
    )


def counts(disaster: Disaster) -> dict[str, int]:
    return {name: getattr(disaster, name) for name in COUNTS}


def assessed_event(
    disaster: Disaster, on: date, households: list[dict[str, Any]]
) -> DisasterAssessed:
    """The disaster's latest totals, with the households this step recorded."""
    return DisasterAssessed.model_validate(
        {
            "disaster_id": disaster.id,
            "kind": disaster.kind,
            "name": disaster.name,
            "occurred_on": disaster.occurred_on,
            "wilayah_code": disaster.wilayah_code,
            "assessed_on": on,
            "counts": counts(disaster),
            "houses": {
                "rr": disaster.houses_rr,
                "rs": disaster.houses_rs,
                "rb": disaster.houses_rb,
            },
            "facilities": {name: disaster.facilities.get(name, 0) for name in FACILITIES},
            "households": households,
        }
    )


async def last_step_on(session: AsyncSession, disaster: Disaster) -> date:
    """The date of the disaster's latest step (its occurrence before any)."""
    query = select(func.max(DisasterHistory.step_on)).where(
        DisasterHistory.disaster_id == disaster.id
    )
    last = (await session.exec(query)).first()
    return max(last, disaster.occurred_on) if last is not None else disaster.occurred_on


def _may(principal: Principal, disaster: Disaster, action: DisasterAction) -> None:
    """Only a caller holding the whole area steps it (403); a wrong step is refused before its
    body is judged (409 naming the allowed ones)."""
    principal.require_wilayah(disaster.wilayah_code)
    DISASTER.step(disaster.status, action)  # type: ignore[arg-type]


def _log(
    uow: UnitOfWork,
    disaster: Disaster,
    action: str,
    previous: str | None,
    codes: dict[str, Any],
    on: date,
    actor: str,
    note: str | None = None,
) -> None:
    uow.session.add(disaster)
    row = step_row("disaster_id", disaster.id, action, previous, disaster.status, codes, on, actor)
    uow.session.add(DisasterHistory(**row, note=note))


async def history(session: AsyncSession, disaster_id: str) -> list[DisasterHistory]:
    query = (
        select(DisasterHistory)
        .where(DisasterHistory.disaster_id == disaster_id)
        .order_by(col(DisasterHistory.id))
    )
    return list((await session.exec(query)).all())
