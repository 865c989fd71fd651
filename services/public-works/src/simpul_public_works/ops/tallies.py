"""Public works' indicator counts kept per posyandu and month (``simpul_platform.tallies``:
rows dropped by writes under an advisory lock, filled lazily on read; its docstring says why
that is right under concurrency). What is counted: ``domain.indicators``.

**What invalidates** (``invalidate(session, posyandu_id, since)`` in the write's transaction):
a survey recorded, alone or in a batch (the household's posyandu, the survey date; a household
recorded by its first survey is known from then on too); a household made known by another
field (its posyandu, ``known_on``); an infrastructure issue reported, stepped, linked as a
duplicate or unlinked (its posyandu, the earliest date the change is dated: ``reported_on``
for a report or a duplicate link, the step's date for a step — triage, forwarding,
scheduling, done, declined).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from typing import Any

from sqlalchemy import ColumnElement, Table, and_, case, func, literal, or_, select, union
from sqlalchemy import union_all as union_all_
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform import tallies as kept_counts
from simpul_platform.tallies import Scope, Tallies, month_end
from simpul_public_works.domain import indicators as d
from simpul_public_works.domain.issues import OverdueThresholds
from simpul_public_works.models import (
    Household,
    InfrastructureIssue,
    KnownHousehold,
    PublicWorksTally,
    WashSurvey,
)

__all__ = ["Scope", "count", "invalidate", "invalidate_many", "read"]

LOCK_CLASS = 0x50E6  # the first key of this service's tally locks (the second: the posyandu's)
TALLY: Table = PublicWorksTally.__table__  # type: ignore[attr-defined]
KEPT = kept_counts.Kept(TALLY, LOCK_CLASS, d.HOUSEHOLDS)
LATEST = ("occupants", "water_level", "sanitation_level", "basic_water", "wastewater_service")
NEVER = date(1900, 1, 1)


async def invalidate(session: AsyncSession, posyandu_id: str, since: date) -> None:
    """Drop the posyandu's counts of the months from ``since``'s on, in the caller's
    transaction (call it in every write that changes what they count)."""
    await kept_counts.invalidate_many(session, KEPT, [posyandu_id], since)


async def invalidate_many(session: AsyncSession, posyandu_ids: Iterable[str], since: date) -> None:
    """``invalidate`` for several posyandu at once (one lock statement, one DELETE)."""
    await kept_counts.invalidate_many(session, KEPT, posyandu_ids, since)


async def read(
    session: AsyncSession,
    scope: Scope,
    month: date,
    rules: OverdueThresholds,
    *,
    by_desa: bool = False,
) -> dict[str, Tallies]:
    """The scope's counts at ``month``'s end, by desa (``by_desa``) or under the one key "";
    posyandu not counted yet are counted first."""
    counting = kept_counts.Counting(d.basis(rules), d.CODES, partial(count, rules=rules))
    return await kept_counts.read(session, KEPT, counting, scope, month, by_desa=by_desa)


# --------------------------------------------------------------------------- the count


async def count(
    session: AsyncSession, posyandu_ids: Sequence[str], month: date, *, rules: OverdueThresholds
) -> dict[str, Tallies]:
    """Every count of ``posyandu_ids`` at ``month``'s end (by posyandu; absent: none), in one
    statement (one round trip: a filler holds its chunk's locks while it counts)."""
    out: dict[str, Tallies] = {}
    statement = counting_statement(list(posyandu_ids), month, rules)
    for posyandu_id, code, numerator, denominator in await session.execute(statement):
        out.setdefault(posyandu_id, {})[code] = (int(numerator or 0), int(denominator or 0))
    return out


def counting_statement(ids: list[str], month: date, rules: OverdueThresholds) -> Any:
    """Rows (posyandu id, code, numerator, denominator): one per posyandu and count that has
    anything to count, each table read once."""
    end = month_end(month)
    households = _households(ids, end).cte("households")
    known = _known(households, ids, end).cte("known")
    surveyed = _surveyed(households).cte("surveyed")
    issues = _issues(ids, end, rules).cte("issues")
    k, s, i = known.c, surveyed.c, issues.c
    coverage = select(k.posyandu_id, literal(d.COVERAGE), func.coalesce(s.surveyed, 0), k.known)
    return union_all_(
        select(k.posyandu_id, literal(d.HOUSEHOLDS), k.known, k.known),
        coverage.select_from(known.outerjoin(surveyed, s.posyandu_id == k.posyandu_id)),
        select(s.posyandu_id, literal(d.BASIC_WATER), s.basic_people, s.people),
        select(s.posyandu_id, literal(d.WASTEWATER), s.wastewater_people, s.people),
        select(s.posyandu_id, literal(d.BABS), s.babs, s.surveyed),
        select(s.posyandu_id, literal(d.SAFE_WATER), s.safe, s.surveyed),
        select(s.posyandu_id, literal(d.SANITATION_LAYAK), s.layak, s.surveyed),
        select(s.posyandu_id, literal(d.BASIC_WATER_HOUSEHOLDS), s.basic, s.surveyed),
        select(i.posyandu_id, literal(d.ISSUES_OPEN), i.open, i.open),
        select(i.posyandu_id, literal(d.ISSUES_OVERDUE), i.overdue, i.open),
        select(i.posyandu_id, literal(d.ISSUES_DONE), i.done, i.done + i.open),
    )


def _as_of(name: str, end: date) -> Any:
    """One column of a household's survey in force at ``end``: the household's own copy when
    its latest survey is by then (the usual case, and always for the current month);
    otherwise its history (PostgreSQL evaluates the subquery only for those)."""
    then = (
        select(getattr(WashSurvey, name))
        .where(
            col(WashSurvey.household_id) == col(Household.id), col(WashSurvey.surveyed_on) <= end
        )
        .order_by(
            col(WashSurvey.surveyed_on).desc(),
            (col(WashSurvey.source) == "kader").desc(),  # d.precedence
            col(WashSurvey.recorded_at).desc(),
        )
        .limit(1)
        .scalar_subquery()
    )
    return case((col(Household.surveyed_on) <= end, getattr(Household, name)), else_=then)


def _households(ids: list[str], end: date) -> Any:
    return (
        select(
            col(Household.posyandu_id).label("posyandu_id"),
            col(Household.household_ref).label("household_ref"),
            col(Household.created_at).label("created_at"),
            *(_as_of(name, end).label(name) for name in LATEST),
        )
        .where(col(Household.posyandu_id).in_(ids))
        .offset(0)  # a fence: each survey looked up once per household
    )


def _count_if(condition: ColumnElement[bool], value: Any = 1) -> Any:
    return func.coalesce(func.sum(case((condition, value), else_=0)), 0)


def _known(households: Any, ids: list[str], end: date) -> Any:
    """Households known by ``end``, each pseudonym once per posyandu: this service's (recorded
    by then, or with a survey by then) and those other fields made known."""
    h = households.c
    next_day = datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC)
    mine = select(h.posyandu_id, h.household_ref).where(
        or_(h.created_at < next_day, h.occupants.is_not(None))
    )
    theirs = select(col(KnownHousehold.posyandu_id), col(KnownHousehold.household_ref)).where(
        col(KnownHousehold.posyandu_id).in_(ids), col(KnownHousehold.known_on) <= end
    )
    refs = union(mine, theirs).subquery("refs")
    return select(refs.c.posyandu_id, func.count().label("known")).group_by(refs.c.posyandu_id)


def _surveyed(households: Any) -> Any:
    h = households.c
    surveyed = h.occupants.is_not(None)
    return (
        select(
            h.posyandu_id,
            _count_if(surveyed).label("surveyed"),
            _count_if(surveyed, h.occupants).label("people"),
            _count_if(h.basic_water.is_(True), h.occupants).label("basic_people"),
            _count_if(h.wastewater_service.in_(d.WASTEWATER_SERVICES), h.occupants).label(
                "wastewater_people"
            ),
            _count_if(h.basic_water.is_(True)).label("basic"),
            _count_if(h.sanitation_level == "babs").label("babs"),
            _count_if(h.water_level == "aman").label("safe"),
            _count_if(h.sanitation_level.in_(d.LAYAK_SANITATION)).label("layak"),
        )
        .where(surveyed)
        .group_by(h.posyandu_id)
    )


def _by(column: Any, end: date) -> ColumnElement[bool]:
    return and_(column.is_not(None), column <= end)


def open_at(end: date) -> ColumnElement[bool]:
    """An issue open at ``end``: reported by then, neither done nor declined by then."""
    i = InfrastructureIssue
    return and_(
        col(i.reported_on) <= end,
        ~_by(col(i.done_on), end),
        ~_by(col(i.declined_on), end),
    )


def overdue_at(end: date, rules: OverdueThresholds) -> ColumnElement[bool]:
    """An open issue late at its step on ``end`` (``domain.indicators.overdue_on``: only the
    steps taken by then count)."""
    i = InfrastructureIssue
    late = case(
        (
            _by(col(i.scheduled_on), end),
            and_(col(i.budget_year).is_not(None), col(i.budget_year) < end.year),
        ),
        (
            _by(col(i.forwarded_on), end),
            col(i.forwarded_on) < end - timedelta(days=rules.forwarded_days),
        ),
        (
            _by(col(i.triaged_on), end),
            col(i.triaged_on) < end - timedelta(days=rules.triaged_days),
        ),
        else_=col(i.reported_on) < end - timedelta(days=rules.reported_days),
    )
    return and_(open_at(end), late)


def _issues(ids: list[str], end: date, rules: OverdueThresholds) -> Any:
    i = InfrastructureIssue
    first = date(end.year, 1, 1)
    done = and_(col(i.done_on) >= first, col(i.done_on) <= end)
    return (
        select(
            col(i.posyandu_id).label("posyandu_id"),
            _count_if(open_at(end)).label("open"),
            _count_if(overdue_at(end, rules)).label("overdue"),
            _count_if(done).label("done"),
        )
        .where(
            col(i.posyandu_id).in_(ids),
            col(i.duplicate_of).is_(None),
            or_(col(i.reported_on) <= end, done),
        )
        .group_by(col(i.posyandu_id))
    )
