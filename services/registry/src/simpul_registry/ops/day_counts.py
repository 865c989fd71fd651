"""Each posyandu day's kept kader counts: ``kader_expected`` (the kader appointed on the day:
start on or before it, not ended before it; an inactive kader is still expected) and
``kader_present`` (those of them with a ``present`` attendance that day).

They are facts of the day whether it was held or not; participation counts the held ones.
Every write that can change them recounts the days it touches in its own transaction: a day's
record, its attendance, a kader appointed or released.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlmodel import col

from simpul_registry.domain.fields import Role
from simpul_registry.models import KaderAttendance, Person, PosyanduDay


def _appointed_that_day() -> ColumnElement[bool]:
    """The person is a kader of the day's posyandu on the day (correlated to ``posyandu_day``)."""
    return and_(
        col(Person.posyandu_id) == col(PosyanduDay.posyandu_id),
        col(Person.role) == Role.kader.value,
        col(Person.start_date) <= col(PosyanduDay.day),
        or_(col(Person.end_date).is_(None), col(Person.end_date) >= col(PosyanduDay.day)),
    )


def _expected() -> Any:
    return select(func.count()).select_from(Person).where(_appointed_that_day()).scalar_subquery()


def _present() -> Any:
    return (
        select(func.count())
        .select_from(KaderAttendance)
        .join(Person, col(Person.id) == col(KaderAttendance.person_id))
        .where(
            col(KaderAttendance.posyandu_id) == col(PosyanduDay.posyandu_id),
            col(KaderAttendance.day) == col(PosyanduDay.day),
            col(KaderAttendance.status) == "present",
            _appointed_that_day(),
        )
        .scalar_subquery()
    )


async def recount_days(session: Any, posyandu_id: str, start: date, end: date | None) -> None:
    """Recount the posyandu's recorded days from ``start`` to ``end`` (None: every later day)."""
    span = [col(PosyanduDay.posyandu_id) == posyandu_id, col(PosyanduDay.day) >= start]
    if end is not None:
        span.append(col(PosyanduDay.day) <= end)
    await session.flush()  # the caller's new person, record or attendance rows count too
    # Lock the days first (in day order, as every writer does), then count in a later
    # statement: under READ COMMITTED its snapshot then sees whatever a concurrent writer of
    # the same days committed before releasing them, so the last writer's count is complete.
    locked = await session.execute(
        select(col(PosyanduDay.id)).where(*span).order_by(col(PosyanduDay.day)).with_for_update()
    )
    if not locked.all():  # no recorded day to recount (a new posyandu's kader, say)
        return
    await session.execute(
        update(PosyanduDay)
        .where(*span)
        .values(kader_expected=_expected(), kader_present=_present())
        .execution_options(synchronize_session=False)
    )
