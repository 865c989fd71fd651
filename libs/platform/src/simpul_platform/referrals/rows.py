"""A referral's rows and steps, as every path writes them: a new row, a step kept in
``referral_history``, a step taken on a referral the field owns (and its answer event), and the
due date. Used by ``ops`` (users and consumers) and ``automatic`` (a target's own rule).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from simpul_platform.clock import now
from simpul_platform.domain import RuleViolation
from simpul_platform.referrals.domain import REFERRAL, Action, resolved_on_time
from simpul_platform.referrals.events import ReferralAnswered
from simpul_platform.referrals.events import published_by as events_of
from simpul_platform.referrals.tables import referral, referral_history
from simpul_platform.settings import ServiceSettings
from simpul_platform.uow import UnitOfWork
from simpul_platform.workdays import due_after

DEFAULT_DUE_WORKING_DAYS = 5


def due_working_days(settings: ServiceSettings, target_field: str) -> int:
    """N of "due N working days after it was requested": the deployment's, per target field."""
    return settings.referral_due_working_days.get(target_field, DEFAULT_DUE_WORKING_DAYS)


def due_date(settings: ServiceSettings, target_field: str, requested_on: date) -> date:
    return due_after(settings, requested_on, due_working_days(settings, target_field))


@dataclass(frozen=True)
class Step:
    """One step's record: who, when, with which code and words."""

    action: Action
    actor: str
    on: date
    code: str | None = None
    note: str | None = None


async def record(
    session: AsyncSession, referral_id: str, previous: str | None, status: str, step: Step
) -> None:
    await session.execute(
        insert(referral_history).values(step_row(referral_id, previous, status, step))
    )


def new_row(
    *,
    id: str,
    direction: str,
    source_field: str,
    target_field: str,
    automatic: bool,
    posyandu_id: str,
    desa_code: str,
    reason_code: str,
    details: Mapping[str, Any],
    refs: tuple[str | None, str | None],
    need: str,
    requested_on: date,
    due_on: date,
    actor: str,
    moment: datetime | None = None,
) -> dict[str, Any]:
    moment = moment or now()
    return {
        "id": id,
        "direction": direction,
        "source_field": source_field,
        "target_field": target_field,
        "automatic": automatic,
        "posyandu_id": posyandu_id,
        "desa_code": desa_code,
        "kecamatan_code": desa_code[:8],
        "reason_code": reason_code,
        "details": dict(details),
        "person_ref": refs[0],
        "household_ref": refs[1],
        "need_key": need,
        "status": "requested",
        "requested_on": requested_on,
        "due_on": due_on,
        "requested_by": actor,
        "created_at": moment,
        "updated_at": moment,
    }


def step_row(
    referral_id: str,
    previous: str | None,
    status: str,
    step: Step,
    at: datetime | None = None,
) -> dict[str, Any]:
    return {
        "referral_id": referral_id,
        "action": step.action,
        "from_status": previous,
        "to_status": status,
        "code": step.code,
        "note": step.note,
        "actor": step.actor,
        "step_on": step.on,
        "at": at or now(),
    }


async def locked(session: AsyncSession, referral_id: str, direction: str) -> RowMapping | None:
    query = (
        select(referral)
        .where(referral.c.id == referral_id, referral.c.direction == direction)
        .with_for_update()
    )
    return (await session.execute(query)).mappings().first()


def not_before(day: date, previous: date, field: str) -> None:
    """A step is not dated before the step it follows (the request, or the acceptance)."""
    if day < previous:
        raise RuleViolation(field, "before_previous_step", f"Not before {previous}.")


async def take(
    uow: UnitOfWork, field: str, row: RowMapping, step: Step, case_ref: str | None = None
) -> None:
    """Move an incoming referral one step (409 naming the allowed ones otherwise), keep the
    step, and tell the source."""
    status = REFERRAL.next(row["status"], step.action)
    values: dict[str, Any] = {"status": status, f"{status}_on": step.on, "updated_at": now()}
    if step.action == "reject":
        values["rejection_code"] = step.code
    if step.action == "resolve":
        values["outcome_code"] = step.code
    if case_ref is not None:
        values["case_ref"] = case_ref
    await uow.session.execute(update(referral).where(referral.c.id == row["id"]).values(values))
    await record(uow.session, row["id"], row["status"], status, step)
    after = {**row, **values}
    uow.publish(answered(field, after), subject=row["id"])


def answered(field: str, row: Mapping[str, Any]) -> ReferralAnswered:
    """The answer event of an incoming referral as it now stands."""
    status = row["status"]
    return events_of(field).answer(status)(
        referral_id=row["id"],
        source_field=row["source_field"],
        target_field=field,
        posyandu_id=row["posyandu_id"],
        desa_code=row["desa_code"],
        reason_code=row["reason_code"],
        automatic=row["automatic"],
        status=status,
        step_on=row[f"{status}_on"],
        requested_on=row["requested_on"],
        due_on=row["due_on"],
        case_ref=row.get("case_ref"),
        rejection_code=row.get("rejection_code"),
        outcome_code=row.get("outcome_code"),
        resolved_on_time=(
            resolved_on_time(status, row["due_on"], row.get("resolved_on"))
            if status == "resolved"
            else None
        ),
    )
