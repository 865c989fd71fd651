"""A disaster protection case's steps as Dinas Sosial and the social kader take them
(``domain/disaster.py``): emergency services, recovery services, closing, declining. Each step
works on the case locked by the caller, is refused with a 409 naming the allowed steps when
the case's status does not allow it (before its body is judged), is dated today or on a given
day neither in the future nor before the step it follows, is attributed and kept in
``disaster_protection_history``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.auth import Principal
from simpul_platform.domain import not_in_future
from simpul_platform.steps import advance, step_row
from simpul_platform.uow import UnitOfWork
from simpul_social.domain.dates import not_before
from simpul_social.domain.disaster import (
    DISASTER_PROTECTION,
    ProtectionAction,
    check_services,
    given,
)
from simpul_social.models import DisasterProtectionCase, DisasterProtectionHistory
from simpul_social.ops.access import get_in_wilayah
from simpul_social.schemas.disaster import CloseIn, DeclineIn, ServeEmergencyIn, ServeRecoveryIn


async def get_case(
    session: AsyncSession, case_id: str, principal: Principal, *, lock: bool = False
) -> DisasterProtectionCase:
    """A case in the caller's wilayah; 404 otherwise (it names a household)."""
    return await get_in_wilayah(
        session, DisasterProtectionCase, case_id, principal, "disaster protection case", lock=lock
    )


def serve_emergency(
    uow: UnitOfWork, case: DisasterProtectionCase, body: ServeEmergencyIn, actor: str, today: date
) -> None:
    """Emergency services given (again, on another day, while recovery has not begun)."""
    _may(case, "serve_emergency")
    on = _dated(body.served_on, today, _last_step(case), "body.served_on")
    _serve(uow, case, "serve_emergency", "emergency", body.services, on, actor, body.note)
    case.emergency_served_on = case.emergency_served_on or on


def serve_recovery(
    uow: UnitOfWork, case: DisasterProtectionCase, body: ServeRecoveryIn, actor: str, today: date
) -> None:
    """Services after the emergency given (again, on another day)."""
    _may(case, "serve_recovery")
    on = _dated(body.served_on, today, _last_step(case), "body.served_on")
    _serve(uow, case, "serve_recovery", "recovery", body.services, on, actor, body.note)
    case.recovery_served_on = case.recovery_served_on or on


def close(
    uow: UnitOfWork, case: DisasterProtectionCase, body: CloseIn, actor: str, today: date
) -> None:
    """The household's needs were met."""
    _may(case, "close")
    on = _dated(body.closed_on, today, _last_step(case), "body.closed_on")
    _step(uow, case, "close", {}, on, actor, body.note)
    case.closed_on = on


def decline(
    uow: UnitOfWork, case: DisasterProtectionCase, body: DeclineIn, actor: str, today: date
) -> None:
    """The household refused, could not be found or moved away: closed without (more) help."""
    _may(case, "decline")
    on = _dated(body.declined_on, today, _last_step(case), "body.declined_on")
    _step(uow, case, "decline", {"reason": body.reason}, on, actor, body.note)
    case.closed_on, case.decline_reason = on, body.reason


# --- shared -------------------------------------------------------------------------------


def _may(case: DisasterProtectionCase, action: ProtectionAction) -> None:
    """A wrong step is refused before its body is judged: the 409 names the allowed ones."""
    DISASTER_PROTECTION.step(case.status, action)  # type: ignore[arg-type]


def _last_step(case: DisasterProtectionCase) -> date:
    """The latest day a step was taken on: a new step is not dated before it."""
    days = (case.opened_on, case.emergency_served_on, case.recovery_served_on)
    latest_served = max(s["on"] for s in case.services) if case.services else None
    candidates = [d for d in days if d is not None]
    if latest_served is not None:
        candidates.append(date.fromisoformat(latest_served))
    return max(candidates)


def _dated(given_on: date | None, today: date, previous: date, field: str) -> date:
    on = given_on or today
    not_in_future(on, today, field)
    not_before(on, previous, field, "the case's last step on")
    return on


def _serve(
    uow: UnitOfWork,
    case: DisasterProtectionCase,
    action: ProtectionAction,
    stage: str,
    services: Sequence[str],
    on: date,
    actor: str,
    note: str | None,
) -> None:
    check_services(services)
    # A new list, so the JSON column is seen as changed.
    case.services = [*case.services, *given(services, stage, on)]
    _step(uow, case, action, {"services": list(services)}, on, actor, note)


def _step(
    uow: UnitOfWork,
    case: DisasterProtectionCase,
    action: ProtectionAction,
    codes: dict[str, Any],
    on: date,
    actor: str,
    note: str | None,
) -> None:
    previous = advance(DISASTER_PROTECTION, case, action, actor)
    uow.session.add(case)
    row = step_row("case_id", case.id, action, previous, case.status, codes, on, actor)
    uow.session.add(DisasterProtectionHistory(**row, note=note))
