"""Indicator counts kept per posyandu and month, so a kabupaten's indicators are an index read.

``education_tally`` holds, per (posyandu, month, code), a count's numerator and denominator
at the month's end (``domain.indicators``). Rows are made lazily and dropped on write:

- **Writes invalidate.** Every write that changes what a posyandu's months count calls
  ``invalidate(session, posyandu_id, since)`` in its own transaction: a child registered
  (``since`` = its birth date: it counts from its birth month), a status dated ``d``
  (``since`` = ``d``), a household's decile changing (all months: the decile is the latest
  known one). That deletes the posyandu's rows of the months from ``since`` on.
- **Reads fill.** A read for a scope and month sums the scope's rows
  (``ix_education_tally_month_desa``: about 827 × 7 rows for a kabupaten) and counts how many
  posyandu they are of. When the replica has more posyandu in scope, the ones without rows
  for the month (under the current ``Definitions.basis``) are counted first, in one statement
  per chunk of posyandu, stored, and the sum read again. A month's counts depend on the data
  only (ages at a month's end, statuses on or before it), never on the day they are read, so
  rows stay right until a write drops them.

**Why not a running count updated on each write?** A status dated in the past (a backfill)
changes every month after it, and a month's age groups move with every birthday; keeping
incremental counts right under both needs per-month arithmetic on every write. Dropping the
rows is one indexed DELETE, and the next read counts a posyandu's month again in milliseconds.

**No stale row, under concurrency (PostgreSQL).** A writer and a filler of the same posyandu
are serialised by a transaction-scoped advisory lock on the posyandu
(``pg_advisory_xact_lock(LOCK_CLASS, hash)``). The writer takes it in ``invalidate``, before
its DELETE, and holds it until it commits; the filler takes the locks of a chunk's posyandu (in
sorted order, so two fillers cannot deadlock) before it counts. So either the filler counts
after the writer committed (READ COMMITTED: its statement sees the write), or the writer's
DELETE runs after the filler committed and removes what it stored. A writer touching several
posyandu calls ``invalidate_many`` once, up front (sorted order again). SQLite (the quick
start) has one writer at a time and needs no lock.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Table,
    and_,
    case,
    delete,
    func,
    insert,
    literal,
    select,
    text,
    true,
)
from sqlalchemy.sql import Select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_education.domain.indicators import (
    CHILDREN,
    Count,
    Definitions,
    Tallies,
    born_between,
    month_end,
    month_of,
)
from simpul_education.models import Child, ChildStatus, EducationTally, HouseholdDecile
from simpul_platform.replica import posyandu_replica
from simpul_platform.wilayah import under

LOCK_CLASS = 0x5ED0  # the first key of this service's tally locks (the second: the posyandu's)
CHUNK = 200  # posyandu counted in one transaction: bounds the locks one holds and their time
TALLY: Table = EducationTally.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Scope:
    """Wilayah prefixes, or one posyandu (whose desa is then the one prefix)."""

    wilayah: Sequence[str]
    posyandu_id: str | None = None


# --------------------------------------------------------------------------- writers


def lock_key(posyandu_id: str) -> int:
    """A posyandu's advisory-lock key (signed 32 bits; a collision only serialises more)."""
    digest = hashlib.blake2b(posyandu_id.encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big", signed=True)


async def lock(
    session: AsyncSession, posyandu_ids: Iterable[str], *, counting: bool = False
) -> None:
    """Hold the tally locks of ``posyandu_ids`` until the transaction ends, taken in key order
    (PostgreSQL; nothing elsewhere). ``counting``: also turn JIT compilation off for the
    transaction (the counting statement's estimate passes its threshold, and compiling costs
    more than the statement's run)."""
    keys = sorted({lock_key(p) for p in posyandu_ids})
    if not keys or (await session.connection()).dialect.name != "postgresql":
        return
    if counting:
        await session.execute(text("SET LOCAL jit = off"))
    await session.execute(
        text(
            "SELECT count(pg_advisory_xact_lock(:class, k)) FROM "
            "(SELECT k FROM unnest(CAST(:keys AS integer[])) AS k ORDER BY k) AS ordered"
        ),
        {"class": LOCK_CLASS, "keys": keys},
    )


async def invalidate(session: AsyncSession, posyandu_id: str, since: date) -> None:
    """Drop the posyandu's counts of the months from ``since``'s on, in the caller's
    transaction (call it in every write that changes what they count)."""
    await invalidate_many(session, [posyandu_id], since)


async def invalidate_many(session: AsyncSession, posyandu_ids: Iterable[str], since: date) -> None:
    """``invalidate`` for several posyandu at once (one lock statement, one DELETE)."""
    ids = sorted(set(posyandu_ids))
    if not ids:
        return
    await lock(session, ids)
    await session.execute(
        delete(TALLY).where(TALLY.c.posyandu_id.in_(ids), TALLY.c.month >= month_of(since))
    )


# --------------------------------------------------------------------------- readers


async def read(
    session: AsyncSession, defs: Definitions, scope: Scope, month: date, *, by_desa: bool = False
) -> dict[str, Tallies]:
    """The scope's counts at ``month``'s end, by desa (``by_desa``) or under the one key ""
    otherwise. When fewer posyandu have counts kept than the replica has in scope, the missing
    ones are counted first (``fill``: committed in their own transactions)."""
    expected = await _posyandu_in_scope(session, scope)
    sums, counted = await _sums(session, defs, scope, month, by_desa)
    if counted < expected:
        await fill(session, defs, scope, month)
        sums, _ = await _sums(session, defs, scope, month, by_desa)
    return sums


async def _posyandu_in_scope(session: AsyncSession, scope: Scope) -> int:
    query = select(func.count()).where(*_in_scope(posyandu_replica.c, scope))
    return int((await session.execute(query)).scalar_one())


async def _sums(
    session: AsyncSession, defs: Definitions, scope: Scope, month: date, by_desa: bool
) -> tuple[dict[str, Tallies], int]:
    """(the kept counts summed, how many posyandu they are of)."""
    keys = [TALLY.c.desa_code, TALLY.c.code] if by_desa else [TALLY.c.code]
    query = (
        select(*keys, func.sum(TALLY.c.numerator), func.sum(TALLY.c.denominator), func.count())
        .where(*_in_scope(TALLY.c, scope), TALLY.c.month == month, TALLY.c.basis == defs.basis)
        .group_by(*keys)
    )
    out: dict[str, Tallies] = {}
    posyandu = 0
    for row in await session.execute(query):
        desa, (code, numerator, denominator, rows) = (row[0], row[1:]) if by_desa else ("", row)
        out.setdefault(desa, {})[code] = (int(numerator), int(denominator))
        posyandu += rows if code == CHILDREN else 0
    return out, posyandu


def _in_scope(columns: Any, scope: Scope) -> list[ColumnElement[bool]]:
    conditions = [under(columns.desa_code, scope.wilayah)]
    if scope.posyandu_id is not None:
        conditions.append(columns.posyandu_id == scope.posyandu_id)
    return conditions


async def missing(
    session: AsyncSession, defs: Definitions, scope: Scope, month: date
) -> list[tuple[str, str]]:
    """(posyandu id, desa) of the replica's posyandu in scope with no counts for ``month``."""
    kept = select(literal(1)).where(
        TALLY.c.posyandu_id == posyandu_replica.c.posyandu_id,
        TALLY.c.month == month,
        TALLY.c.code == CHILDREN,
        TALLY.c.basis == defs.basis,
    )
    query = (
        select(posyandu_replica.c.posyandu_id, posyandu_replica.c.desa_code)
        .where(*_in_scope(posyandu_replica.c, scope), ~kept.exists())
        .order_by(posyandu_replica.c.posyandu_id)
    )
    return [(p, d) for p, d in await session.execute(query)]


async def fill(session: AsyncSession, defs: Definitions, scope: Scope, month: date) -> int:
    """Count and keep the scope's missing posyandu for ``month``, ``CHUNK`` posyandu a
    transaction (each one committed); how many posyandu were counted."""
    todo = await missing(session, defs, scope, month)
    if not todo:
        return 0
    await session.commit()  # the check's snapshot ends here; each chunk locks, then counts
    for start in range(0, len(todo), CHUNK):
        chunk = dict(todo[start : start + CHUNK])
        await lock(session, chunk, counting=True)
        counted = await count(session, defs, list(chunk), month)
        await session.execute(
            delete(TALLY).where(TALLY.c.posyandu_id.in_(list(chunk)), TALLY.c.month == month)
        )
        rows = [
            {
                "posyandu_id": posyandu_id,
                "month": month,
                "code": c.code,
                "basis": defs.basis,
                "desa_code": desa,
                "numerator": counted.get(posyandu_id, {}).get(c.code, (0, 0))[0],
                "denominator": counted.get(posyandu_id, {}).get(c.code, (0, 0))[1],
            }
            for posyandu_id, desa in chunk.items()
            for c in defs.counts
        ]
        await session.execute(insert(TALLY), rows)
        await session.commit()
    return len(todo)


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
