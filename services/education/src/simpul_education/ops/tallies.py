"""Education's indicator counts kept per posyandu and month (``simpul_platform.tallies``: rows
dropped by writes under an advisory lock, filled lazily on read; its docstring says why that
is right under concurrency).

``education_tally`` holds, per (posyandu, month, code), a count's numerator and denominator
at the month's end (``domain.indicators``). What invalidates: a child registered (``since`` =
its birth date: it counts from its birth month), a status dated ``d`` (``since`` = ``d``), a
household's decile changing (all months: the decile is the latest known one). Definitions
changed by settings (``Definitions.basis``) are counted again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Table, and_, case, func, select, true
from sqlalchemy.sql import Select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_education.domain.indicators import (
    CHILDREN,
    Count,
    Definitions,
    Tallies,
    born_between,
)
from simpul_education.models import Child, ChildStatus, EducationTally, HouseholdDecile
from simpul_platform import tallies as kept_counts
from simpul_platform.locks import lock_key
from simpul_platform.tallies import Scope, month_end

__all__ = ["Scope", "count", "invalidate", "invalidate_many", "lock_key", "read"]

LOCK_CLASS = 0x5ED0  # the first key of this service's tally locks (the second: the posyandu's)
TALLY: Table = EducationTally.__table__  # type: ignore[attr-defined]
KEPT = kept_counts.Kept(TALLY, LOCK_CLASS, CHILDREN)


def _counting(defs: Definitions) -> kept_counts.Counting:
    async def counted(
        session: AsyncSession, posyandu_ids: Sequence[str], month: date
    ) -> dict[str, Tallies]:
        return await count(session, defs, posyandu_ids, month)

    return kept_counts.Counting(defs.basis, tuple(c.code for c in defs.counts), counted)


async def invalidate(session: AsyncSession, posyandu_id: str, since: date) -> None:
    """Drop the posyandu's counts of the months from ``since``'s on, in the caller's
    transaction (call it in every write that changes what they count)."""
    await kept_counts.invalidate_many(session, KEPT, [posyandu_id], since)


async def invalidate_many(session: AsyncSession, posyandu_ids: Iterable[str], since: date) -> None:
    """``invalidate`` for several posyandu at once (one lock statement, one DELETE)."""
    await kept_counts.invalidate_many(session, KEPT, posyandu_ids, since)


async def read(
    session: AsyncSession, defs: Definitions, scope: Scope, month: date, *, by_desa: bool = False
) -> dict[str, Tallies]:
    """The scope's counts at ``month``'s end, by desa (``by_desa``) or under the one key "";
    posyandu not counted yet are counted first."""
    return await kept_counts.read(session, KEPT, _counting(defs), scope, month, by_desa=by_desa)


# --------------------------------------------------------------------------- the count


async def count(
    session: AsyncSession, defs: Definitions, posyandu_ids: Sequence[str], month: date
) -> dict[str, Tallies]:
    """Every count of ``posyandu_ids`` at ``month``'s end, in one statement (by posyandu;
    posyandu without children are absent)."""
    query = counting_statement(defs, posyandu_ids, month)
    out: dict[str, Tallies] = {}
    for row in (await session.execute(query)).mappings():
        out[row["posyandu_id"]] = {
            c.code: (int(row[f"n{i}"] or 0), int(row[f"d{i}"] or 0))
            for i, c in enumerate(defs.counts)
        }
    return out


def counting_statement(defs: Definitions, posyandu_ids: Sequence[str], month: date) -> Select[Any]:
    """One row per posyandu: ``n<i>``, ``d<i>`` for each count ``i``, over its children 0–18 at
    ``month``'s end with their status then and their household's decile.

    A child's current status (``Child.status``) is its latest by date, so it is the status at
    the month's end whenever it is dated by then (the usual case, and always for the current
    month); only older months look the history up (``ix_child_status_child_id``)."""
    end = month_end(month)
    earliest, _ = born_between(0, defs.oldest, month)
    then = (
        select(col(ChildStatus.status))
        .where(col(ChildStatus.child_id) == col(Child.id), col(ChildStatus.on) <= end)
        .order_by(
            col(ChildStatus.on).desc(),
            col(ChildStatus.recorded_at).desc(),
            col(ChildStatus.id).desc(),
        )
        .limit(1)
        .scalar_subquery()
    )
    status = case((col(Child.status_on) <= end, col(Child.status)), else_=then)
    children = (
        select(
            col(Child.posyandu_id).label("posyandu_id"),
            col(Child.birth_date).label("birth_date"),
            status.label("status"),
            col(HouseholdDecile.decile).label("decile"),
        )
        .outerjoin(HouseholdDecile, col(HouseholdDecile.household_ref) == col(Child.household_ref))
        .where(
            col(Child.posyandu_id).in_(list(posyandu_ids)),
            col(Child.birth_date) >= earliest,
            col(Child.birth_date) <= end,
        )
        .offset(0)  # a fence: the status is looked up once per child, not once per count
        .subquery()
    )
    sums: list[Any] = [children.c.posyandu_id]
    for i, c in enumerate(defs.counts):
        counted, served = _conditions(c, children.c, month)
        sums.append(func.sum(case((counted, 1), else_=0)).label(f"d{i}"))
        sums.append(func.sum(case((and_(counted, served), 1), else_=0)).label(f"n{i}"))
    return select(*sums).group_by(children.c.posyandu_id)


def _conditions(
    c: Count, columns: Any, month: date
) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """(in the denominator, in the numerator once in the denominator) of one count, as SQL:
    ``Count.counts`` over the subquery's columns."""
    first, last = born_between(c.youngest, c.oldest, month)
    counted = [columns.birth_date >= first, columns.birth_date <= last]
    if c.deciles is not None:
        counted.append(columns.decile.between(*c.deciles))
    if c.among is not None:
        counted.append(columns.status.in_(sorted(c.among)))
    served = true() if c.served is None else columns.status.in_(sorted(c.served))
    return and_(*counted), served
