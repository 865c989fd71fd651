"""What every step of an RTLH case writes: the case moved one step (the workflow's 409 naming
the allowed steps otherwise), the step kept in ``rtlh_case_history`` with its codes, and
``housing.rtlh.status_changed.v1`` announcing it; and the step's date rules (not in the
future, not before the step it follows).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_housing.domain.rtlh import RTLH, RtlhAction
from simpul_housing.events import RtlhStatusChanged
from simpul_housing.models import RtlhCase, RtlhCaseHistory
from simpul_platform.clock import now
from simpul_platform.domain import RuleViolation, not_in_future
from simpul_platform.uow import UnitOfWork


def may(case: RtlhCase, action: RtlhAction) -> None:
    """A wrong step is refused before its body is judged: the 409 names the allowed ones."""
    RTLH.step(case.status, action)  # type: ignore[arg-type]


def transition(
    uow: UnitOfWork,
    case: RtlhCase,
    action: RtlhAction,
    on: date,
    actor: str,
    *,
    codes: Mapping[str, Any] | None = None,
    note: str | None = None,
) -> None:
    """Take ``action`` on the case (already changed by the caller), keep the step, announce it."""
    previous = None if action == "report" else case.status
    case.status = RTLH.next(previous, action)  # type: ignore[arg-type]
    moment = now()
    case.updated_by, case.updated_at = actor, moment
    uow.session.add(case)
    uow.session.add(
        RtlhCaseHistory(
            case_id=case.id,
            action=action,
            from_status=previous,
            to_status=case.status,
            codes={k: _json(v) for k, v in (codes or {}).items() if v is not None},
            note=note,
            step_on=on,
            actor=actor,
            at=moment,
        )
    )
    prioritised = case.priority is not None
    uow.publish(
        RtlhStatusChanged(
            case_id=case.id,
            house_id=case.house_id,
            household_ref=case.household_ref,
            posyandu_id=case.posyandu_id,
            desa_code=case.desa_code,
            source=case.source,
            referral_id=case.referral_id,
            action=action,
            from_status=previous,
            to_status=case.status,
            on=on,
            kawasan=list(case.kawasan) if prioritised else None,
            decile=case.decile if prioritised else None,
            priority=case.priority,
            rejection_reason=case.rejection_reason,
        ),
        subject=case.id,
    )


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


async def last_step_on(session: AsyncSession, case_id: str) -> date | None:
    """The date of the case's latest step (steps are dated in order)."""
    query = select(func.max(RtlhCaseHistory.step_on)).where(RtlhCaseHistory.case_id == case_id)
    return (await session.exec(query)).first()


async def step_date(
    session: AsyncSession, case: RtlhCase, given: date | None, today: date, field: str
) -> date:
    """A step's date: today when omitted, not in the future, not before the case's last step."""
    on = given or today
    not_in_future(on, today, field)
    not_before_last(on, await last_step_on(session, case.id), field)
    return on


def not_before_last(on: date, previous: date | None, field: str) -> None:
    if previous is not None and on < previous:
        raise RuleViolation(field, "before_previous_step", f"Not before {previous}.")
