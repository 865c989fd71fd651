"""Indicator counts kept per posyandu and month, so a kabupaten's indicators are an index read.

A field service keeps, in its own table on ``TallyColumns`` (``posyandu_id``, ``month``,
``code``, ``basis``, ``desa_code``, ``numerator``, ``denominator``; primary key the first
three; the service names the table and its index on ``month``, ``desa_code``), each count's
numerator and denominator at a month's end. Rows are made lazily and dropped on write:

- **Writes invalidate.** Every write that changes what a posyandu's months count calls
  ``invalidate_many(session, kept, posyandu_ids, since)`` in its own transaction, ``since``
  being the first day whose counts it changes. That deletes the posyandu's rows of the months
  from ``since``'s on.
- **Reads fill.** A read for a scope and month sums the scope's rows (an index on ``month``,
  ``desa_code``: about 827 posyandu × the codes for a kabupaten) and counts how many posyandu
  they are of (by the ``marker`` code every counted posyandu-month has). When the replica has
  more posyandu in scope, the ones without rows for the month (under the current ``basis``)
  are counted first by the service's ``Counting.count``, one call per chunk of posyandu,
  stored, and the sum read again. A month's counts must depend on the data only, never on the
  day they are read, so rows stay right until a write drops them.

**Why not a running count updated on each write?** A fact dated in the past (a backfill)
changes every month after it; keeping incremental counts right needs per-month arithmetic on
every write. Dropping the rows is one indexed DELETE, and the next read counts a posyandu's
month again in milliseconds.

**No stale row, under concurrency (PostgreSQL).** A writer and a filler of the same posyandu
are serialised by a transaction-scoped advisory lock on the posyandu
(``pg_advisory_xact_lock(lock_class, hash)``). The writer takes it in ``invalidate_many``,
before its DELETE, and holds it until it commits; the filler takes the locks of a chunk's
posyandu (in sorted order, so two fillers cannot deadlock) before it counts. So either the
filler counts after the writer committed (READ COMMITTED: its statement sees the write), or
the writer's DELETE runs after the filler committed and removes what it stored. A writer
touching several posyandu invalidates them in one call, up front (sorted order again). SQLite
(the quick start) has one writer at a time and needs no lock.
"""

from __future__ import annotations

import calendar
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Table, delete, func, insert, literal, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Field, SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.locks import lock_key
from simpul_platform.replica import posyandu_replica
from simpul_platform.wilayah import under

KEY = ("posyandu_id", "month", "code")
KEPT_VALUES = ("basis", "desa_code", "numerator", "denominator")
UPSERTS: dict[str, Callable[[Table], Any]] = {"postgresql": pg_insert, "sqlite": sqlite_insert}
CHUNK = 200  # posyandu counted in one transaction: bounds the locks one holds and their time
ALL_MONTHS = date(1900, 1, 1)  # ``since`` for a write that changes every month's counts

Tallies = dict[str, tuple[int, int]]  # code → (numerator, denominator)
# (session, posyandu ids, month) → each posyandu's counts at the month's end (absent: all 0)
CountFn = Callable[[AsyncSession, Sequence[str], date], Awaitable[dict[str, Tallies]]]


class TallyColumns(SQLModel):
    """One count of one posyandu at one month's end: kept so a wilayah's indicators are a sum
    of rows. Deleted by every write that changes what the posyandu's months from then on
    count (``invalidate_many``), made again on read."""

    posyandu_id: str = Field(primary_key=True, max_length=36)
    month: date = Field(primary_key=True)  # the month's first day; counted at its end
    code: str = Field(primary_key=True, max_length=40)
    basis: str = Field(max_length=12)  # the definitions counted under (Counting.basis)
    desa_code: str = Field(max_length=13)  # the posyandu's, from the replica
    numerator: int
    denominator: int


DEFERRED = "simpul_platform.tallies.deferred"  # a session's pending invalidations


@dataclass(frozen=True)
class Kept:
    """A service's tally table: where its counts are kept and the first key of its locks."""

    table: Table
    lock_class: int
    marker: str  # the code every counted posyandu-month has a row of


@dataclass(frozen=True)
class Counting:
    """What is kept: the codes, a tag of their definitions (rows made under other definitions
    are not read but counted again) and the function that counts them."""

    basis: str
    codes: tuple[str, ...]
    count: CountFn


@dataclass(frozen=True)
class Scope:
    """Wilayah prefixes, or one posyandu (whose desa is then the one prefix)."""

    wilayah: Sequence[str]
    posyandu_id: str | None = None


def month_of(day: date) -> date:
    """The month ``day`` falls in, as its first day."""
    return day.replace(day=1)


def month_end(month: date) -> date:
    """The last day of ``month``: the day a month's counts are taken at."""
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def end_month(period_end: date, today: date) -> date:
    """The month whose end a period is counted at: its last month, or the current one while
    the period has not ended."""
    return min(month_of(period_end), month_of(today))


def added(parts: Iterable[Tallies]) -> Tallies:
    """The sum of several tallies (posyandu or desa into a wilayah)."""
    out: Tallies = {}
    for part in parts:
        for code, (n, d) in part.items():
            before = out.get(code, (0, 0))
            out[code] = (before[0] + n, before[1] + d)
    return out


# --------------------------------------------------------------------------- writers


async def lock(
    session: AsyncSession, lock_class: int, posyandu_ids: Iterable[str], *, counting: bool = False
) -> None:
    """Hold the tally locks of ``posyandu_ids`` until the transaction ends, taken in key order
    (PostgreSQL; nothing elsewhere). ``counting``: also turn JIT compilation off for the
    transaction (counting statements' estimates pass its threshold, and compiling costs more
    than the statements' run), and let its commit return before the WAL is flushed: the rows
    it stores are kept counts a read makes again, so a crash that loses them loses nothing,
    and a reader right after a write no longer waits on the disk."""
    keys = sorted({lock_key(p) for p in posyandu_ids})
    if not keys or (await session.connection()).dialect.name != "postgresql":
        return
    # One round trip: set_config(name, value, true) is SET LOCAL; a writer keeps the settings.
    jit, flush = (
        ("'off'", "'off'")
        if counting
        else ("current_setting('jit')", "current_setting('synchronous_commit')")
    )
    await session.execute(
        text(
            f"SELECT set_config('jit', {jit}, true), "
            f"set_config('synchronous_commit', {flush}, true), "
            "count(pg_advisory_xact_lock(:class, k)) "
            "FROM (SELECT k FROM unnest(CAST(:keys AS integer[])) AS k ORDER BY k) AS ordered"
        ),
        {"class": lock_class, "keys": keys},
    )


@asynccontextmanager
async def deferred(session: AsyncSession) -> AsyncIterator[None]:
    """The invalidations asked for inside made on leaving: per tally table and posyandu once,
    from the earliest month asked (a loader writing many records of a posyandu in one
    transaction). Nothing inside may read the tallies; on an error nothing is dropped."""
    pending: dict[tuple[int, str], tuple[Kept, date]] = {}
    session.info[DEFERRED] = pending
    try:
        yield
    finally:
        del session.info[DEFERRED]
    grouped: dict[tuple[int, date], tuple[Kept, list[str]]] = {}
    for (_, posyandu_id), (kept, since) in sorted(pending.items()):
        grouped.setdefault((id(kept), month_of(since)), (kept, []))[1].append(posyandu_id)
    for (_, month), (kept, ids) in grouped.items():
        await invalidate_many(session, kept, ids, month)


async def invalidate_many(
    session: AsyncSession, kept: Kept, posyandu_ids: Iterable[str], since: date
) -> None:
    """Drop the posyandu's counts of the months from ``since``'s on, in the caller's
    transaction (one lock statement, one DELETE); inside ``deferred``, on leaving it."""
    ids = sorted(set(posyandu_ids))
    if not ids:
        return
    pending = session.info.get(DEFERRED)
    if pending is not None:
        for posyandu_id in ids:
            _, before = pending.get((id(kept), posyandu_id), (kept, since))
            pending[(id(kept), posyandu_id)] = (kept, min(before, since))
        return
    table = kept.table
    await lock(session, kept.lock_class, ids)
    await session.execute(
        delete(table).where(table.c.posyandu_id.in_(ids), table.c.month >= month_of(since))
    )


# --------------------------------------------------------------------------- readers


async def read(
    session: AsyncSession,
    kept: Kept,
    counting: Counting,
    scope: Scope,
    month: date,
    *,
    by_desa: bool = False,
) -> dict[str, Tallies]:
    """The scope's counts at ``month``'s end, by desa (``by_desa``) or under the one key ""
    otherwise. When fewer posyandu have counts kept than the replica has in scope, the missing
    ones are counted first (``fill``: committed in their own transactions)."""
    sums, counted, expected = await _sums(session, kept, counting, scope, month, by_desa)
    if counted < expected:
        await fill(session, kept, counting, scope, month)
        sums, _, _ = await _sums(session, kept, counting, scope, month, by_desa)
    return sums


async def _posyandu_in_scope(session: AsyncSession, scope: Scope) -> int:
    query = select(func.count()).where(*in_scope(posyandu_replica.c, scope))
    return int((await session.execute(query)).scalar_one())


async def _sums(
    session: AsyncSession,
    kept: Kept,
    counting: Counting,
    scope: Scope,
    month: date,
    by_desa: bool,
) -> tuple[dict[str, Tallies], int, int]:
    """(the kept counts summed, how many posyandu they are of, how many posyandu the replica
    has in scope): one statement when anything is kept (the replica's count rides along)."""
    table = kept.table
    keys = [table.c.desa_code, table.c.code] if by_desa else [table.c.code]
    in_replica = select(func.count()).where(*in_scope(posyandu_replica.c, scope))
    query = (
        select(
            *keys,
            func.sum(table.c.numerator),
            func.sum(table.c.denominator),
            func.count(),
            in_replica.scalar_subquery(),
        )
        .where(*in_scope(table.c, scope), table.c.month == month, table.c.basis == counting.basis)
        .group_by(*keys)
    )
    out: dict[str, Tallies] = {}
    posyandu, expected = 0, None
    for row in await session.execute(query):
        desa, rest = (row[0], row[1:]) if by_desa else ("", row)
        code, numerator, denominator, rows, expected = rest
        out.setdefault(desa, {})[code] = (int(numerator), int(denominator))
        posyandu += rows if code == kept.marker else 0
    if expected is None:  # nothing kept in scope: the replica is asked alone
        expected = await _posyandu_in_scope(session, scope)
    return out, posyandu, int(expected)


def in_scope(columns: Any, scope: Scope) -> list[ColumnElement[bool]]:
    """A scope's conditions over columns named ``desa_code`` and ``posyandu_id``."""
    conditions = [under(columns.desa_code, scope.wilayah)]
    if scope.posyandu_id is not None:
        conditions.append(columns.posyandu_id == scope.posyandu_id)
    return conditions


async def missing(
    session: AsyncSession, kept: Kept, counting: Counting, scope: Scope, month: date
) -> list[tuple[str, str]]:
    """(posyandu id, desa) of the replica's posyandu in scope with no counts for ``month``."""
    table = kept.table
    present = select(literal(1)).where(
        table.c.posyandu_id == posyandu_replica.c.posyandu_id,
        table.c.month == month,
        table.c.code == kept.marker,
        table.c.basis == counting.basis,
    )
    query = (
        select(posyandu_replica.c.posyandu_id, posyandu_replica.c.desa_code)
        .where(*in_scope(posyandu_replica.c, scope), ~present.exists())
        .order_by(posyandu_replica.c.posyandu_id)
    )
    return [(p, d) for p, d in await session.execute(query)]


async def fill(
    session: AsyncSession, kept: Kept, counting: Counting, scope: Scope, month: date
) -> int:
    """Count and keep the scope's missing posyandu for ``month``, ``CHUNK`` posyandu a
    transaction (each one committed); how many posyandu were counted."""
    todo = await missing(session, kept, counting, scope, month)
    if not todo:
        return 0
    # No commit between the check and the first chunk: under READ COMMITTED each statement
    # reads what was committed before it, so the count after the locks sees every write
    # that invalidated before them.
    dialect = (await session.connection()).dialect.name
    for start in range(0, len(todo), CHUNK):
        chunk = dict(todo[start : start + CHUNK])
        await lock(session, kept.lock_class, chunk, counting=True)
        counted = await counting.count(session, list(chunk), month)
        rows = [
            {
                "posyandu_id": posyandu_id,
                "month": month,
                "code": code,
                "basis": counting.basis,
                "desa_code": desa,
                "numerator": counted.get(posyandu_id, {}).get(code, (0, 0))[0],
                "denominator": counted.get(posyandu_id, {}).get(code, (0, 0))[1],
            }
            for posyandu_id, desa in chunk.items()
            for code in counting.codes
        ]
        await _store(session, dialect, kept.table, list(chunk), month, rows)
        await session.commit()
    return len(todo)


async def _store(
    session: AsyncSession,
    dialect: str,
    table: Table,
    posyandu_ids: list[str],
    month: date,
    rows: list[dict[str, Any]],
) -> None:
    """The chunk's rows of ``month``, replacing any kept under other definitions: one upsert
    (PostgreSQL, SQLite), or a delete and an insert elsewhere. A code other definitions had
    and these lack stays behind, under its basis, which no read asks for."""
    if dialect not in UPSERTS:
        await session.execute(
            delete(table).where(table.c.posyandu_id.in_(posyandu_ids), table.c.month == month)
        )
        await session.execute(insert(table), rows)
        return
    statement = UPSERTS[dialect](table)
    replaced = {name: statement.excluded[name] for name in KEPT_VALUES}
    await session.execute(statement.on_conflict_do_update(index_elements=KEY, set_=replaced), rows)
