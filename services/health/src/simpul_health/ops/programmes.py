"""What the three sensitive programmes (ODGJ berat, terduga TBC, risiko HIV) share: their
writes serialised per posyandu, a refused duplicate as a 409, the days a write recounts,
and their wilayah-scoped lists.

None of them publishes an event: a severe mental disorder, presumptive TB or an HIV risk
never leaves the health service (``simpul_health.events``), and only health roles read them.
"""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_health.domain.indicators import months_before
from simpul_health.models import HealthModel, Target
from simpul_health.ops import kept
from simpul_platform import locks
from simpul_platform.auth import Principal
from simpul_platform.domain import RuleViolation
from simpul_platform.errors import Conflict
from simpul_platform.uow import UnitOfWork
from simpul_platform.wilayah import under

M = TypeVar("M", bound=HealthModel)


async def serialised(session: AsyncSession, posyandu_id: str) -> None:
    """Take the posyandu's kept-count lock now (``kept.recount`` takes it again, which an
    advisory lock allows): a duplicate check and the write after it see no concurrent twin."""
    await locks.hold(session, kept.LOCK_CLASS, [posyandu_id])


async def relocked(session: AsyncSession, record: M) -> None:
    """Serialise on the record's posyandu and read the record again: a change judged against
    its current state (a case still active, a test already to standard) sees a concurrent
    writer's committed change, not the row as it was before the lock."""
    await serialised(session, record.posyandu_id)  # type: ignore[attr-defined]
    await session.refresh(record)


async def none_awaiting(
    session: AsyncSession, model: type[M], target_id: str, pending: Any, conflict: str
) -> None:
    """A 409 saying ``conflict`` when the person has a record still awaiting its result
    (``pending``: the column that is null until then); call it after ``serialised``."""
    waiting = (
        await session.execute(
            select(col(model.id)).where(  # type: ignore[attr-defined]
                col(model.target_id) == target_id,  # type: ignore[attr-defined]
                col(pending).is_(None),
            )
        )
    ).first()
    if waiting:
        raise Conflict(conflict, id=waiting[0])


async def staged(uow: UnitOfWork, conflict: str) -> None:
    """Flush the staged rows; a uniqueness the database refused is a 409 saying ``conflict``
    (the recount that follows a write would otherwise meet it first, as a 500)."""
    try:
        await uow.session.flush()
    except IntegrityError as exc:
        await uow.rollback()
        raise Conflict(conflict) from exc


def months_through(day: date, today: date) -> list[date]:
    """``day`` and the first day of every later month up to today's: the periods a record
    active from ``day`` on (a case in care) is counted in, so far."""
    days = [day]
    first = day.replace(day=1)
    while (first := months_before(first, -1)) <= today:
        days.append(first)
    return days


def not_before_birth(day: date, target: Target, field: str) -> None:
    if day < target.birth_date:
        raise RuleViolation(field, "before_birth", "The date is before the person's birth.")


async def listed(
    session: AsyncSession,
    principal: Principal,
    model: type[M],
    *,
    posyandu_id: str | None,
    wilayah: str | None,
    order: Any,
    limit: int,
    offset: int,
    where: tuple[Any, ...] = (),
) -> list[M]:
    """Records of a posyandu or a wilayah inside the caller's scope, newest first."""
    desa = col(model.desa_code)  # type: ignore[attr-defined]
    query = (
        select(model)
        .where(under(desa, principal.visible_scopes(wilayah)), *where)
        .order_by(order.desc(), col(model.id).desc())  # type: ignore[attr-defined]
        .limit(limit)
        .offset(offset)
    )
    if posyandu_id:
        query = query.where(col(model.posyandu_id) == posyandu_id)  # type: ignore[attr-defined]
    return list((await session.execute(query)).scalars().all())
