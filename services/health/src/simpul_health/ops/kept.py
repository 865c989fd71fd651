"""The counts of the SPM services beyond the first six, kept per (code, posyandu, period) on
write (``spm_kept``), and read for an area with the imported estimates that replace recorded
denominators.

Each kept code has a counting statement (``simpul_health.ops.kept_codes.COUNTERS``): for one
posyandu and one period (a month, quarter or year), one row of (numerator, denominator) from
the records. Their counts are of distinct people, so a quarter is not the sum of its months:
each of the three periods a day falls in is counted directly.

**On write**: every write that changes what a code counts calls ``recount`` in its own
transaction, after its rows are staged, with the posyandu and the days whose periods it
changes (a date that moved: both days). That takes the posyandu's advisory lock, then counts
each period again and stores it. Two writers of one posyandu are serialised by the lock,
held until commit, and the second one's count (a statement begun after the first one
committed, READ COMMITTED) sees both writes; so the last count stored is always right, whatever
order concurrent writes commit in. SQLite (the quick start) has one writer at a time.

**On read**: a wilayah's counts are a sum of its posyandu's rows of the period (an index on
the wilayah code, the period and the code). ``rebuild`` counts everything again (after a bulk
load that bypassed the write path).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import date
from typing import Any

from sqlalchemy import Table, delete, func, literal, or_, select, union_all
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_health.domain.indicators import SPM, periods_of
from simpul_health.models import SpmKept, TargetEstimate
from simpul_health.ops import area_codes
from simpul_platform import locks
from simpul_platform.auth import NATIONWIDE
from simpul_platform.indicators import Period
from simpul_platform.replica import posyandu_replica

K: Table = SpmKept.__table__  # type: ignore[attr-defined]
E: Table = TargetEstimate.__table__  # type: ignore[attr-defined]
LOCK_CLASS = 0x4B50  # the first key of health's kept-count locks (the second: the posyandu's)
KEY = ("code", "posyandu_id", "period")
DEFERRED = "simpul_health.kept.deferred"  # the session's pending recounts (``deferred``)

# (posyandu id, period) → a statement answering one row (numerator, denominator)
Counter = Callable[[str, Period], Any]
Changes = Mapping[str, Mapping[str, Iterable[date]]]  # code → posyandu id → days changed


async def recount(session: AsyncSession, code: str, posyandu_id: str, days: Iterable[date]) -> None:
    """Count ``code`` again for the posyandu's periods containing ``days``, in the caller's
    transaction (call it in every write that changes what the code counts)."""
    await recount_many(session, {code: {posyandu_id: days}})


@asynccontextmanager
async def deferred(session: AsyncSession) -> AsyncIterator[None]:
    """The recounts asked for inside made once, on leaving (a loader writing many records of a
    posyandu in one transaction: each period counted once, not once per record). Nothing
    inside may read the kept counts; on an error nothing is counted."""
    pending: dict[str, dict[str, set[date]]] = {}
    session.info[DEFERRED] = pending
    try:
        yield
    finally:
        del session.info[DEFERRED]
    await recount_many(session, pending)


async def recount_many(session: AsyncSession, changes: Changes) -> None:
    """``recount`` for several codes and posyandu: every posyandu's lock first, in one order."""
    pending = session.info.get(DEFERRED)
    if pending is not None:  # inside ``deferred``
        for code, by_posyandu in changes.items():
            for posyandu_id, days in by_posyandu.items():
                pending.setdefault(code, {}).setdefault(posyandu_id, set()).update(days)
        return
    posyandu = sorted({p for by_posyandu in changes.values() for p in by_posyandu})
    if not posyandu:
        return
    await locks.hold(session, LOCK_CLASS, posyandu)
    desa = await _desa_of(session, posyandu)
    wanted: list[tuple[str, str, Period]] = []
    for code, by_posyandu in sorted(changes.items()):
        for posyandu_id, days in sorted(by_posyandu.items()):
            periods = {p.label: p for day in set(days) for p in periods_of(day)}
            wanted.extend((code, posyandu_id, periods[label]) for label in sorted(periods))
    rows = [
        {
            "code": code,
            "posyandu_id": posyandu_id,
            "period": period.label,
            **area_codes(desa[posyandu_id]),
            "numerator": numerator,
            "denominator": denominator,
        }
        for (code, posyandu_id, period), (numerator, denominator) in zip(
            wanted, await count_many(session, wanted), strict=True
        )
    ]
    await _store(session, rows)


async def count(
    session: AsyncSession, code: str, posyandu_id: str, period: Period
) -> tuple[int, int]:
    """One code's (numerator, denominator) for a posyandu and period, from the records."""
    from simpul_health.ops.kept_codes import COUNTERS  # the codes' modules import this one

    row = (await session.execute(COUNTERS[code](posyandu_id, period))).one()
    return int(row[0] or 0), int(row[1] or 0)


# Counting statements per round trip (SQLite allows 500 in one compound SELECT).
COUNT_BATCH = 50


async def count_many(
    session: AsyncSession, wanted: Sequence[tuple[str, str, Period]]
) -> list[tuple[int, int]]:
    """``count`` for each (code, posyandu id, period), in its order: the counting statements
    sent ``COUNT_BATCH`` at a time as one UNION ALL (a write recounts some eighteen periods;
    one round trip each was most of what recounting cost)."""
    from simpul_health.ops.kept_codes import COUNTERS

    counted: list[tuple[int, int]] = []
    for start in range(0, len(wanted), COUNT_BATCH):
        part = wanted[start : start + COUNT_BATCH]
        selects = []
        for index, (code, posyandu_id, period) in enumerate(part):
            numerator, denominator = list(COUNTERS[code](posyandu_id, period).subquery().c)[:2]
            selects.append(select(literal(index), numerator, denominator))
        found = {
            index: (int(n or 0), int(d or 0))
            for index, n, d in await session.execute(union_all(*selects))
        }
        counted.extend(found[index] for index in range(len(part)))
    return counted


async def _desa_of(session: AsyncSession, posyandu_ids: list[str]) -> dict[str, str]:
    r = posyandu_replica
    rows = await session.execute(
        select(r.c.posyandu_id, r.c.desa_code).where(r.c.posyandu_id.in_(posyandu_ids))
    )
    return {posyandu_id: desa for posyandu_id, desa in rows}


# Rows per INSERT: a statement takes at most 32,767 bound values (asyncpg's and PostgreSQL's
# limit), and a row binds 8; a kabupaten's rebuild stores some 80,000 rows.
STORE_BATCH = 4000


async def _store(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    for start in range(0, len(rows), STORE_BATCH):
        statement = dialect.insert(K).values(rows[start : start + STORE_BATCH])
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=list(KEY),
                set_={
                    "numerator": statement.excluded.numerator,
                    "denominator": statement.excluded.denominator,
                },
            )
        )


# --------------------------------------------------------------------------- reads


def _in_area(table: Table, wilayah: str | None, posyandu_id: str | None) -> Any:
    from simpul_health.ops.indicators import Area  # indicators reads this module

    return Area(wilayah=wilayah, posyandu_id=posyandu_id).where(table)


async def read(
    session: AsyncSession,
    period: Period,
    codes: Iterable[str],
    *,
    wilayah: str | None = None,
    posyandu_id: str | None = None,
) -> dict[str, tuple[int, int]]:
    """The area's kept (numerator, recorded denominator) per code for the period."""
    wanted = sorted(set(codes))
    query = (
        select(K.c.code, func.sum(K.c.numerator), func.sum(K.c.denominator))
        .where(_in_area(K, wilayah, posyandu_id), K.c.period == period.label, K.c.code.in_(wanted))
        .group_by(K.c.code)
    )
    found = {code: (int(n or 0), int(d or 0)) for code, n, d in await session.execute(query)}
    return {code: found.get(code, (0, 0)) for code in wanted}


async def estimates(
    session: AsyncSession, period: Period, groups: Iterable[str], *, wilayah: str | None
) -> dict[str, int]:
    """Each group's imported estimate for the wilayah and the period's year: the wilayah's
    own, or the sum of the wilayah below it that have one (an import never overlaps levels).
    A posyandu has no estimate of its own; a group without one is absent (its recorded count
    stands)."""
    if wilayah is None:
        return {}
    below = (
        E.c.wilayah_code.is_not(None)
        if wilayah == NATIONWIDE
        else or_(E.c.wilayah_code == wilayah, E.c.wilayah_code.startswith(wilayah + "."))
    )
    query = (
        select(E.c.target_group, func.sum(E.c.count))
        .where(below, E.c.year == period.start.year, E.c.target_group.in_(sorted(set(groups))))
        .group_by(E.c.target_group)
    )
    return {group: int(total) for group, total in await session.execute(query) if total is not None}


def prorated(yearly: int, period: Period) -> int:
    """A year's estimate for the months of ``period``, rounded half up: for a group that is a
    year's flow (deliveries, newborns, presumptive cases), not a standing number of people."""
    return (yearly * period.months * 2 + 12) // 24


async def spm_counts(
    session: AsyncSession, period: Period, *, wilayah: str | None, posyandu_id: str | None
) -> dict[str, tuple[int, int]]:
    """(numerator, denominator) of every kept code, with an estimate where there is one."""
    from simpul_health.ops.kept_codes import COUNTERS, read_time_denominators

    counts = await read(session, period, COUNTERS, wilayah=wilayah, posyandu_id=posyandu_id)
    groups = {g: c for c in counts if (g := SPM[c].estimate_group)}
    found = await estimates(session, period, groups, wilayah=None if posyandu_id else wilayah)
    for group, yearly in found.items():
        code = groups[group]
        # ODGJ berat are a standing number of people (a prevalence), whatever the period;
        # births and presumptive cases are a year's flow, so a month expects a twelfth.
        prorate = SPM[code].parameters.get("estimate_prorated", True)
        counts[code] = (counts[code][0], prorated(yearly, period) if prorate else yearly)
    for code, denominator in (
        await read_time_denominators(session, period, wilayah=wilayah, posyandu_id=posyandu_id)
    ).items():
        counts[code] = (counts[code][0], denominator)
    return counts


async def rebuild(session: AsyncSession, days: Iterable[date]) -> None:
    """Count every kept code again, for the periods of ``days``, for every posyandu with a
    record, in the caller's transaction (after a bulk load that bypassed the write path)."""
    from simpul_health.ops.kept_codes import COUNTERS, posyandu_with_records

    await session.execute(delete(K))
    posyandu, every_day = await posyandu_with_records(session), sorted(set(days))
    await recount_many(session, {code: dict.fromkeys(posyandu, every_day) for code in COUNTERS})
