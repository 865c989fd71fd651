"""Education's children as health knows them (``school_age_children``), from education's
events on ``simpul.education.v1`` (never from its database), and the usia pendidikan dasar
counts over them.

The numerator is kept per education's posyandu of the child (``spm_kept``), so it is recounted
when a screening is written (the child's posyandu, found by its pseudonym) and when a child
appears or its posyandu or age changes (the periods of its screenings, old and new posyandu).
The denominator is the children of the area in the age group at the period's end, counted at
read time: age, not a write, brings a child in or out of it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Table, and_, exists, func, literal, or_, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_health.domain.school import age_window, birth_month_of
from simpul_health.events import EducationChildRegistered, EducationChildStatusChanged
from simpul_health.models import SchoolAgeChild, SchoolScreening
from simpul_health.ops import area_codes, kept
from simpul_platform.consumer import Received
from simpul_platform.events import Envelope
from simpul_platform.indicators import Period
from simpul_platform.replica import posyandu_replica

CODE = "usia_pendidikan_dasar"
C: Table = SchoolAgeChild.__table__  # type: ignore[attr-defined]
S: Table = SchoolScreening.__table__  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- counting


def in_age_group(end: date) -> ColumnElement[bool]:
    """Children aged 7–15 at ``end``: by birth month when known, else by birth year (born
    1 July assumed). Plain comparisons, so PostgreSQL and SQLite agree."""
    w = age_window(end)
    return or_(
        and_(C.c.birth_month.is_not(None), C.c.birth_month > w.born_after),
        and_(C.c.birth_month.is_(None), C.c.birth_year >= w.first_year),
    ) & or_(
        and_(C.c.birth_month.is_not(None), C.c.birth_month <= w.born_by),
        and_(C.c.birth_month.is_(None), C.c.birth_year <= w.last_year),
    )


def count_screened(posyandu_id: str, period: Period) -> Any:
    """The kept numerator: the posyandu's children of the age group at the period's end with
    a to-standard school screening in the period (by pseudonym, wherever screened). The
    denominator is read at read time (``denominators``), so the kept one stays 0."""
    screened = exists().where(
        S.c.person_ref == C.c.person_ref,
        S.c.to_standard.is_(True),
        S.c.screened_on >= period.start,
        S.c.screened_on <= period.end,
    )
    return select(func.count(), literal(0)).where(
        C.c.posyandu_id == posyandu_id, in_age_group(period.end), screened
    )


async def denominators(
    session: AsyncSession, period: Period, *, wilayah: str | None, posyandu_id: str | None
) -> dict[str, int]:
    """The area's children known to education in the age group at the period's end."""
    from simpul_health.ops.indicators import Area  # indicators reads kept, which reads this

    query = select(func.count()).where(
        Area(wilayah=wilayah, posyandu_id=posyandu_id).where(C), in_age_group(period.end)
    )
    return {CODE: int((await session.execute(query)).scalar_one())}


async def recount_people(session: AsyncSession, changes: dict[str, set[date]]) -> None:
    """Recount the posyandu education places each person (pseudonym) at, for the periods of
    the given days; a person education does not know has nothing to count."""
    done: set[str] = set()
    while changes:
        # Read again once the posyandu's locks are held: a child education moved meanwhile
        # (its event's handler committed before the locks were ours) is counted where it is now.
        rows = await session.execute(
            select(C.c.person_ref, C.c.posyandu_id).where(C.c.person_ref.in_(sorted(changes)))
        )
        by_posyandu: dict[str, set[date]] = defaultdict(set)
        for person, posyandu_id in rows:
            if posyandu_id not in done:
                by_posyandu[posyandu_id] |= changes[person]
        if not by_posyandu:
            return
        await _recount(session, by_posyandu)
        done |= set(by_posyandu)


async def _recount(session: AsyncSession, by_posyandu: dict[str, set[date]]) -> None:
    """Recount the posyandu health's replica knows (the kept row copies its wilayah); one it
    does not know yet is counted by ``kept.rebuild``."""
    wanted = {p: days for p, days in by_posyandu.items() if days}
    if not wanted:
        return
    r = posyandu_replica
    known = set(
        (
            await session.execute(select(r.c.posyandu_id).where(r.c.posyandu_id.in_(wanted)))
        ).scalars()
    )
    await kept.recount_many(session, {CODE: {p: d for p, d in wanted.items() if p in known}})


async def _screening_days(session: AsyncSession, people: set[str]) -> dict[str, set[date]]:
    days: dict[str, set[date]] = defaultdict(set)
    rows = await session.execute(
        select(S.c.person_ref, S.c.screened_on).where(S.c.person_ref.in_(sorted(people)))
    )
    for person, day in rows:
        days[person].add(day)
    return days


# --------------------------------------------------------------------------- education's events


def _registered(child: EducationChildRegistered, event: Envelope) -> Change:
    values = {
        "person_ref": child.person_ref,
        "posyandu_id": child.posyandu_id,
        **area_codes(child.desa_code),
        "birth_year": child.birth_year,
    }
    return Change(child.child_id, values, event)


def _status_changed(change: EducationChildStatusChanged, event: Envelope) -> Change:
    birth_month = birth_month_of(change.age_months, change.on)
    values = {
        "person_ref": change.person_ref,
        "posyandu_id": change.posyandu_id,
        **area_codes(change.desa_code),
        "status": change.status,
        "birth_month": birth_month,
    }
    return Change(change.child_id, values, event, birth_month.year)


async def on_registered(
    session: AsyncSession, child: EducationChildRegistered, event: Envelope
) -> None:
    """A child education registered: inserted, or its place and birth year updated when this
    event is newer than what the row holds."""
    await apply(session, [_registered(child, event)])


async def on_status_changed(
    session: AsyncSession, change: EducationChildStatusChanged, event: Envelope
) -> None:
    """A child's status on a date: its place now, its status and its birth month (from its age
    in months on that date)."""
    await apply(session, [_status_changed(change, event)])


async def on_children(
    session: AsyncSession,
    run: Sequence[Received[EducationChildRegistered | EducationChildStatusChanged]],
) -> None:
    """A consumer chunk's run of both event types (education announces a child's registration
    and its first status one after the other), applied as one."""
    await apply(
        session,
        [
            _registered(view, event)
            if isinstance(view, EducationChildRegistered)
            else _status_changed(view, event)
            for view, event in run
        ],
    )


class Change(NamedTuple):
    """One event's values for a child's row (``birth_year`` only where the event implies it)."""

    child_id: str
    values: dict[str, Any]
    event: Envelope
    birth_year: int | None = None


async def apply(session: AsyncSession, changes: Sequence[Change]) -> None:
    """Apply each event's values to its child's row unless the row already holds a newer event
    (education's events may arrive out of order; the inbox drops a redelivered one), in order,
    then recount what the changes moved: the children's screenings at their old and new
    posyandu. One event's changes or a consumer chunk's run of them: the rows are read and
    locked in one statement (in key order) and the recounts made once, after the last change,
    which is what recounting after each change leaves."""
    ids = sorted({change.child_id for change in changes})
    query = (
        select(SchoolAgeChild)
        .where(col(SchoolAgeChild.child_id).in_(ids))
        .order_by(col(SchoolAgeChild.child_id))
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    rows = {row.child_id: row for row in (await session.execute(query)).scalars()}
    changed: dict[str, SchoolAgeChild] = {}
    moved: set[tuple[str, str]] = set()  # (person, posyandu) whose counts move
    for child_id, values, event, birth_year in changes:
        row = rows.get(child_id)
        if row is not None and _aware(event.time) < _aware(row.as_of):
            continue
        before = None if row is None else (row.posyandu_id, row.birth_year, row.birth_month)
        stamp: dict[str, Any] = {"as_of": event.time, "last_event_id": event.id}
        if row is None:
            row = rows[child_id] = SchoolAgeChild(
                child_id=child_id, **{"birth_year": birth_year, **values}, **stamp
            )
        else:
            row.sqlmodel_update({**values, **stamp})
        changed[child_id] = row
        after = (row.posyandu_id, row.birth_year, row.birth_month)
        if before != after:
            moved |= {(row.person_ref, after[0])} | (
                {(row.person_ref, before[0])} if before else set()
            )
    session.add_all(changed.values())
    if not moved:
        return
    await session.flush()
    days = await _screening_days(session, {person for person, _ in moved})
    by_posyandu: dict[str, set[date]] = defaultdict(set)
    for person, posyandu_id in moved:
        by_posyandu[posyandu_id] |= days.get(person, set())
    await _recount(session, by_posyandu)


def _aware(moment: datetime) -> datetime:
    """SQLite returns naive datetimes (stored as UTC): compare them as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
