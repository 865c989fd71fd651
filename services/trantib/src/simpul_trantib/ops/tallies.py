"""Trantib's indicator counts kept per posyandu and month (``simpul_platform.tallies``: rows
dropped by writes under an advisory lock, filled lazily on read; its docstring says why that
is right under concurrency). What is counted: ``domain.indicators``.

**What invalidates** (``invalidate(session, posyandu_id, since)`` in the write's transaction):
every write that changes what a kept count reads, with the record's posyandu and the earliest
day the change is dated (before and after the change, when a date moves):

- a fire reported, or its report time, arrival, response or inside-WMK flag changed: the
  report's *local* date (the deployment's time zone; an earlier day, such as its UTC date in
  a zone east of UTC, is as good);
- a public-order report opened (``reported_on``), closed (``closed_on``), or its affected
  citizens or those served changed once closed (``closed_on``).

Desa points, disasters, hazard zones and outreach are read from their own tables
(``ops.indicator_reads``): their writes need not invalidate (doing so is harmless).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from functools import cache, partial
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Date, Table, and_, bindparam, case, func, literal, or_, select
from sqlalchemy import union_all as union_all_
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform import tallies as kept_counts
from simpul_platform.tallies import Scope, Tallies
from simpul_trantib.domain import indicators as d
from simpul_trantib.models import FireIncident, OrderReport, TrantibTally

__all__ = ["Scope", "count", "invalidate", "invalidate_many", "read"]

LOCK_CLASS = 0x7A7B  # the first key of this service's tally locks (the second: the posyandu's)
TALLY: Table = TrantibTally.__table__  # type: ignore[attr-defined]
KEPT = kept_counts.Kept(TALLY, LOCK_CLASS, d.MARKER)


async def invalidate(session: AsyncSession, posyandu_id: str, since: date) -> None:
    """Drop the posyandu's counts of the months from ``since``'s on, in the caller's
    transaction (call it in every write that changes what they count)."""
    await kept_counts.invalidate_many(session, KEPT, [posyandu_id], since)


async def invalidate_many(session: AsyncSession, posyandu_ids: Iterable[str], since: date) -> None:
    """``invalidate`` for several posyandu at once (one lock statement, one DELETE)."""
    await kept_counts.invalidate_many(session, KEPT, posyandu_ids, since)


async def read(
    session: AsyncSession, scope: Scope, month: date, zone: ZoneInfo, *, by_desa: bool = False
) -> dict[str, Tallies]:
    """The scope's kept counts of ``month`` (each code the month's own and its year to date),
    by desa (``by_desa``) or under the one key ""; posyandu not counted yet are counted first."""
    counting = kept_counts.Counting(d.basis(zone.key), d.CODES, partial(count, zone=zone))
    return await kept_counts.read(session, KEPT, counting, scope, month, by_desa=by_desa)


# --------------------------------------------------------------------------- the count


async def count(
    session: AsyncSession, posyandu_ids: Sequence[str], month: date, *, zone: ZoneInfo
) -> dict[str, Tallies]:
    """Every count of ``posyandu_ids`` for ``month`` (by posyandu; absent: none), in one
    statement (a filler holds its chunk's locks while it counts)."""
    ids = list(posyandu_ids)
    out: dict[str, Tallies] = {p: {d.MARKER: (1, 1)} for p in ids}
    rows = await session.execute(counting_statement(), parameters(ids, month, zone))
    for posyandu_id, code, numerator, denominator in rows:
        out[posyandu_id][code] = (int(numerator or 0), int(denominator or 0))
    return out


def parameters(ids: list[str], month: date, zone: ZoneInfo) -> dict[str, Any]:
    """The counting statement's values: the posyandu, the month's and its year's days, and
    the instants they begin and end in the deployment's time zone."""
    (first, end), (january, _) = d.windows(month)
    return {
        "ids": ids,
        "first": first,
        "january": january,
        "end": end,
        "month_from": local_start(first, zone),
        "year_from": local_start(january, zone),
        "until": local_start(end + timedelta(days=1), zone),
    }


@cache
def counting_statement() -> Any:
    """Rows (posyandu id, code, numerator, denominator), each table read once; built once
    (its values are bound, ``parameters``): building it cost more than running it for a
    posyandu."""
    fires = _fires().cte("fires")
    reports = _reports().cte("reports")
    f, r = fires.c, reports.c
    rows = []
    for suffix in ("", d.YTD):
        rows += [
            select(f.posyandu_id, literal(d.FIRES + suffix), f["met" + suffix], f["all" + suffix]),
            select(
                f.posyandu_id,
                literal(d.FIRES_WMK + suffix),
                f["wmk_met" + suffix],
                f["wmk" + suffix],
            ),
            select(
                r.posyandu_id,
                literal(d.ORDER_CITIZENS + suffix),
                r["served" + suffix],
                r["affected" + suffix],
            ),
            select(
                r.posyandu_id,
                literal(d.ORDER_REPORTS + suffix),
                r["closed" + suffix],
                r["opened" + suffix],
            ),
        ]
    return union_all_(*rows)


def _count_if(condition: ColumnElement[bool], value: Any = 1) -> Any:
    return func.coalesce(func.sum(case((condition, value), else_=0)), 0)


def local_start(day: date, zone: ZoneInfo) -> datetime:
    """The instant a local day begins (midnight in the deployment's time zone)."""
    return datetime.combine(day, time.min, tzinfo=zone)


def _fires() -> Any:
    """Per posyandu: fires reported in the month and in the year to date (by the report's
    local date), met, inside a WMK, met inside."""
    f = FireIncident
    at = col(f.report_received_at)
    in_month = at >= bindparam("month_from")
    met = col(f.response_met).is_(True)
    wmk = col(f.inside_wmk).is_(True)
    return (
        select(
            col(f.posyandu_id).label("posyandu_id"),
            _count_if(in_month).label("all"),
            _count_if(and_(in_month, met)).label("met"),
            _count_if(and_(in_month, wmk)).label("wmk"),
            _count_if(and_(in_month, wmk, met)).label("wmk_met"),
            func.count().label("all" + d.YTD),
            _count_if(met).label("met" + d.YTD),
            _count_if(wmk).label("wmk" + d.YTD),
            _count_if(and_(wmk, met)).label("wmk_met" + d.YTD),
        )
        .where(
            col(f.posyandu_id).in_(bindparam("ids", expanding=True)),
            at >= bindparam("year_from"),
            at < bindparam("until"),
        )
        .group_by(col(f.posyandu_id))
    )


def _reports() -> Any:
    """Per posyandu: public-order reports closed in the month and in the year to date (their
    affected citizens and those served, at most the affected), and those opened."""
    r = OrderReport
    end, january = bindparam("end", type_=Date), bindparam("january", type_=Date)
    closed_on, reported_on = col(r.closed_on), col(r.reported_on)
    affected = func.coalesce(col(r.affected_citizens), 0)
    given = func.coalesce(col(r.citizens_served), 0)
    served = case((given < affected, given), else_=affected)  # least() is not SQLite's
    columns: list[Any] = [col(r.posyandu_id).label("posyandu_id")]
    for suffix, start in (("", bindparam("first", type_=Date)), (d.YTD, january)):
        closed = closed_on.between(start, end)
        columns += [
            _count_if(closed).label("closed" + suffix),
            _count_if(closed, served).label("served" + suffix),
            _count_if(closed, affected).label("affected" + suffix),
            _count_if(reported_on.between(start, end)).label("opened" + suffix),
        ]
    return (
        select(*columns)
        .where(
            col(r.posyandu_id).in_(bindparam("ids", expanding=True)),
            or_(closed_on.between(january, end), reported_on.between(january, end)),
        )
        .group_by(col(r.posyandu_id))
    )
