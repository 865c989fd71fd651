"""Housing's indicator counts kept per posyandu and month (``simpul_platform.tallies``: rows
dropped by writes under an advisory lock, filled lazily on read; its docstring says why that
is right under concurrency). What is counted: ``domain.indicators``.

**What invalidates** (``invalidate(session, posyandu_id, since)`` in the write's transaction):
a house recorded (its posyandu, the day recorded); a survey (the house's posyandu and those
stunted households living there were reported at, its survey date); an RTLH case handled (its
posyandu, ``handled_on``); a disaster unit planned, re-planned or completed (its posyandu,
1 January of every planned year touched); a relocated household's year, criteria or
facilitation (its posyandu, 1 January of the programme year); a household found stunted (its
posyandu, ``first_detected_on``); a household moving in or out of a house while stunted (the
stunted household's posyandu, ``ALL_MONTHS``: the current house is not dated).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Table, and_, case, func, literal, or_, select, union_all
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_housing.domain import indicators as d
from simpul_housing.models import (
    Assessment,
    DisasterHouse,
    House,
    HouseHousehold,
    HousingTally,
    RelocationHousehold,
    RtlhCase,
    StuntedHousehold,
)
from simpul_platform import tallies as kept_counts
from simpul_platform.tallies import Scope, Tallies, month_end

__all__ = ["Scope", "count", "invalidate", "invalidate_many", "read"]

LOCK_CLASS = 0x40E5  # the first key of this service's tally locks (the second: the posyandu's)
TALLY: Table = HousingTally.__table__  # type: ignore[attr-defined]
KEPT = kept_counts.Kept(TALLY, LOCK_CLASS, d.HOUSES)


async def invalidate(session: AsyncSession, posyandu_id: str, since: date) -> None:
    """Drop the posyandu's counts of the months from ``since``'s on, in the caller's
    transaction (call it in every write that changes what they count)."""
    await kept_counts.invalidate_many(session, KEPT, [posyandu_id], since)


async def invalidate_many(session: AsyncSession, posyandu_ids: Iterable[str], since: date) -> None:
    """``invalidate`` for several posyandu at once (one lock statement, one DELETE)."""
    await kept_counts.invalidate_many(session, KEPT, posyandu_ids, since)


async def read(
    session: AsyncSession, scope: Scope, month: date, *, by_desa: bool = False
) -> dict[str, Tallies]:
    """The scope's counts at ``month``'s end, by desa (``by_desa``) or under the one key "";
    posyandu not counted yet are counted first."""
    counting = kept_counts.Counting(d.BASIS, d.CODES, count)
    return await kept_counts.read(session, KEPT, counting, scope, month, by_desa=by_desa)


# --------------------------------------------------------------------------- the count


async def count(
    session: AsyncSession, posyandu_ids: Sequence[str], month: date
) -> dict[str, Tallies]:
    """Every count of ``posyandu_ids`` at ``month``'s end (by posyandu; absent: none), in one
    statement (one round trip: a filler holds its chunk's locks while it counts)."""
    out: dict[str, Tallies] = {}
    for posyandu_id, code, numerator, denominator in await session.execute(
        counting_statement(list(posyandu_ids), month)
    ):
        out.setdefault(posyandu_id, {})[code] = (int(numerator or 0), int(denominator or 0))
    return out


def counting_statement(ids: list[str], month: date) -> Any:
    """Rows (posyandu id, code, numerator, denominator): one per posyandu and count that has
    anything to count, each table read once."""
    houses = _houses(ids, month).cte("houses")
    h = houses.c
    return union_all(
        select(h.posyandu_id, literal(d.HOUSES), h.recorded, h.recorded),
        select(h.posyandu_id, literal(d.RLH_PUPR), h.rlh_pupr, h.surveyed),
        select(h.posyandu_id, literal(d.RLH_RUTILAHU), h.rlh_rutilahu, h.surveyed),
        _handled(ids, month),
        _disaster(ids, month),
        _relocation(ids, month),
        _stunted(ids, month),
    )


def _at(flag: str, end: date) -> Any:
    """A house's classification under one rule set (``rtlh_pupr`` / ``rtlh_rutilahu``) by its
    latest survey on or before ``end``: the house's own copy when its latest survey is by then
    (the usual case, and always for the current month); otherwise its history."""
    then = (
        select(getattr(Assessment, flag))
        .where(col(Assessment.house_id) == col(House.id), col(Assessment.surveyed_on) <= end)
        .order_by(col(Assessment.surveyed_on).desc(), col(Assessment.recorded_at).desc())
        .limit(1)
        .scalar_subquery()
    )
    return case((col(House.assessed_on) <= end, getattr(House, flag)), else_=then)


def _count_if(condition: ColumnElement[bool]) -> Any:
    return func.sum(case((condition, 1), else_=0))


def _houses(ids: list[str], month: date) -> Any:
    end = month_end(month)
    next_day = datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC)
    houses = (
        select(
            col(House.posyandu_id).label("posyandu_id"),
            col(House.created_at).label("created_at"),
            _at("rtlh_pupr", end).label("pupr"),
            _at("rtlh_rutilahu", end).label("rutilahu"),
        )
        .where(col(House.posyandu_id).in_(ids))
        .offset(0)  # a fence: each classification looked up once per house
        .subquery()
    )
    c = houses.c
    return select(
        c.posyandu_id,
        _count_if(or_(c.created_at < next_day, c.pupr.is_not(None))).label("recorded"),
        _count_if(c.pupr.is_not(None)).label("surveyed"),
        _count_if(c.pupr.is_(False)).label("rlh_pupr"),
        _count_if(c.rutilahu.is_(False)).label("rlh_rutilahu"),
    ).group_by(c.posyandu_id)


def _handled(ids: list[str], month: date) -> Any:
    first, end = d.year_to_date(month)
    return (
        select(col(RtlhCase.posyandu_id), literal(d.RTLH_HANDLED), func.count(), func.count())
        .where(
            col(RtlhCase.posyandu_id).in_(ids),
            col(RtlhCase.handled_on) >= first,
            col(RtlhCase.handled_on) <= end,
        )
        .group_by(col(RtlhCase.posyandu_id))
    )


def _disaster(ids: list[str], month: date) -> Any:
    first, end = d.year_to_date(month)
    done = col(DisasterHouse.completed_on)
    return (
        select(
            col(DisasterHouse.posyandu_id),
            literal(d.DISASTER_VICTIMS),
            _count_if(and_(done >= first, done <= end)),
            func.count(),
        )
        .where(
            col(DisasterHouse.posyandu_id).in_(ids), col(DisasterHouse.planned_year) == month.year
        )
        .group_by(col(DisasterHouse.posyandu_id))
    )


def _relocation(ids: list[str], month: date) -> Any:
    end = month_end(month)
    return (
        select(
            col(RelocationHousehold.posyandu_id),
            literal(d.RELOCATION),
            _count_if(col(RelocationHousehold.facilitated_on) <= end),
            func.count(),
        )
        .where(
            col(RelocationHousehold.posyandu_id).in_(ids),
            col(RelocationHousehold.year) == month.year,
            col(RelocationHousehold.meets_criteria).is_(True),
        )
        .group_by(col(RelocationHousehold.posyandu_id))
    )


def _stunted(ids: list[str], month: date) -> Any:
    end = month_end(month)
    living = and_(
        col(HouseHousehold.household_ref) == col(StuntedHousehold.household_ref),
        col(HouseHousehold.moved_out_on).is_(None),
    )
    return (
        select(
            col(StuntedHousehold.posyandu_id),
            literal(d.STUNTED_IN_RTLH),
            _count_if(_at("rtlh_pupr", end).is_(True)),
            func.count(),
        )
        .select_from(StuntedHousehold)
        .outerjoin(HouseHousehold, living)
        .outerjoin(House, col(House.id) == col(HouseHousehold.house_id))
        .where(
            col(StuntedHousehold.posyandu_id).in_(ids),
            col(StuntedHousehold.first_detected_on) <= end,
        )
        .group_by(col(StuntedHousehold.posyandu_id))
    )
