"""The SPM balita numerator per (posyandu, desa, period), kept on write (``balita_weighed``).

"Balita of the area weighed at least ``required_weighings(period)`` times in the period" counts
distinct children, so a quarter's count is not the sum of its months'. But a period is only
ever a month, a quarter or a year, so each of a measurement's three periods is counted
directly: a child adds one to its registering posyandu's row of a period at the insert that
brings its weighings in that period up to the required number, if it is a balita at the
period's end. Measurements are never updated or deleted (a re-weighing the same day is a
duplicate or refused, a late one is a new row of its own day), so that happens once per child
and period, whatever order the measurements arrive in. A kabupaten's scorecard then sums
~800 rows instead of matching a period's ~55,000 measurements to its children.

``record`` runs in the measurement's transaction, after its rows are inserted, with the
children locked (``lock_children``); ``rebuild`` recounts everything from the measurements
(after a bulk load that bypasses the write path; the migration backfills the same way).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import (
    String,
    Table,
    and_,
    cast,
    delete,
    extract,
    func,
    insert,
    literal,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_health.domain.indicators import (
    is_balita_of,
    months_before,
    periods_of,
    required_weighings,
)
from simpul_health.models import BalitaWeighed, Measurement, Target
from simpul_platform.db import Database
from simpul_platform.indicators import Period

W: Table = BalitaWeighed.__table__  # type: ignore[attr-defined]
M: Table = Measurement.__table__  # type: ignore[attr-defined]
T: Table = Target.__table__  # type: ignore[attr-defined]
KEY = ("posyandu_id", "desa_code", "period")
CODES = ("posyandu_id", "desa_code", "kecamatan_code", "kabupaten_code")


async def lock_children(session: AsyncSession, target_ids: Iterable[str]) -> None:
    """Hold the children's rows until commit, so that two transactions weighing the same
    child never both count it as reaching a period's standard (each would see only its own
    new row). Its own statement, before anything is read: under READ COMMITTED a later
    statement then sees what a transaction we waited for committed. In id order, so that two
    batches cannot deadlock. NO KEY: the foreign-key checks of other writes (screenings,
    immunisations) take KEY SHARE and go on. SQLite renders no FOR clause and needs none:
    its transactions are serializable (one writer at a time, and a transaction whose
    snapshot went stale cannot start writing)."""
    ids = sorted(set(target_ids))
    if ids:
        query = select(T.c.id).where(T.c.id.in_(ids)).order_by(T.c.id)
        await session.execute(query.with_for_update(key_share=True))


async def record(
    session: AsyncSession,
    rows: Sequence[Mapping[str, Any]],
    children: Mapping[str, Mapping[Any, Any]],
) -> None:
    """Count the children these new measurement rows (already inserted) bring up to a
    period's standard. ``children``: each target's birth_date and registration codes."""
    if not rows:
        return
    # Keyed by label: a str hashes once, a Period (a dataclass) on every lookup.
    periods = {p.label: p for day in {r["measured_on"] for r in rows} for p in periods_of(day)}
    added = Counter((r["target_id"], p.label) for r in rows for p in periods_of(r["measured_on"]))
    total = await _weighings(session, {t for t, _ in added}, periods)
    increments: Counter[tuple[str, ...]] = Counter()
    for (target_id, label), new in added.items():
        child, period = children[target_id], periods[label]
        required = required_weighings(period)
        reached = total[target_id, label] >= required > total[target_id, label] - new
        if reached and is_balita_of(child["birth_date"], period):
            increments[(*(child[c] for c in CODES), label)] += 1
    await _add(session, increments)


async def _weighings(
    session: AsyncSession, target_ids: set[str], periods: Mapping[str, Period]
) -> dict[tuple[str, str], int]:
    """Each child's weighings (its new rows included) in each of the periods, counted by the
    database in one pass over the children's rows (a batch touches a month, a quarter and a
    year or a few; the children have up to a year each).

    On PostgreSQL the children are a joined ``unnest`` of one array, not ``IN (...)``: the
    planner may read the periods' rows by ``ix_measurements_on_target`` (when statistics say
    the table is small: the first bulk loads into a new database), and then an ``IN`` of a
    thousand parameters is tested against every row one parameter at a time (1.5 s a batch
    at 55,000 rows), where a join hashes or probes the children."""
    labels = sorted(periods)
    in_each = [
        func.count().filter(M.c.measured_on.between(periods[x].start, periods[x].end))
        for x in labels
    ]
    first, last = min(p.start for p in periods.values()), max(p.end for p in periods.values())
    query = select(M.c.target_id, *in_each).where(M.c.measured_on.between(first, last))
    if session.get_bind().dialect.name == "postgresql":
        children = func.unnest(cast(sorted(target_ids), postgresql.ARRAY(String)))
        child = children.table_valued("id").render_derived(name="child")
        query = query.select_from(child.join(M, M.c.target_id == child.c.id))
    else:
        query = query.where(M.c.target_id.in_(target_ids))
    total: dict[tuple[str, str], int] = {}
    for target_id, *counts in (await session.execute(query.group_by(M.c.target_id))).all():
        total.update(zip(((target_id, x) for x in labels), counts, strict=True))
    return total


async def _add(session: AsyncSession, increments: Counter[tuple[str, ...]]) -> None:
    """Upsert ``children = children + n``, in key order: concurrent batches then lock shared
    rows in one order and cannot deadlock."""
    if not increments:
        return
    values = [
        {"posyandu_id": p, "desa_code": d, "kecamatan_code": k, "kabupaten_code": b,
         "period": label, "children": n}
        for (p, d, k, b, label), n in sorted(increments.items())
    ]  # fmt: skip
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(W).values(values)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=list(KEY),
            set_={"children": W.c.children + statement.excluded.children},
        )
    )


def weighed_enough(period: Period) -> Any:
    """The children weighed at least ``required_weighings(period)`` times in the period."""
    return (
        select(M.c.target_id)
        .where(M.c.measured_on.between(period.start, period.end))
        .group_by(M.c.target_id)
        .having(func.count() >= required_weighings(period))
    )


def balita_at_end(period: Period) -> Any:
    """Targets aged 0–59 months at the period's end (``is_balita_of`` in SQL)."""
    return and_(T.c.birth_date > months_before(period.end, 60), T.c.birth_date <= period.end)


def recount(period: Period) -> Any:
    """INSERT … SELECT of one period's rows, counted from the measurements (the scan that
    keeping the counts on write replaces)."""
    codes = [T.c[c] for c in CODES]
    counted = (
        select(*codes, cast(literal(period.label), String(7)), func.count())
        .where(balita_at_end(period), T.c.id.in_(weighed_enough(period)))
        .group_by(*codes)
    )
    return insert(W).from_select([*CODES, "period", "children"], counted)


def periods_of_years(years: Iterable[int]) -> list[Period]:
    """Every month, quarter and year label of the given years."""
    labels = [
        label
        for year in sorted(years)
        for label in (
            *(f"{year:04d}-{m:02d}" for m in range(1, 13)),
            *(f"{year:04d}-Q{q}" for q in range(1, 5)),
            f"{year:04d}",
        )
    ]
    return [Period.parse(label) for label in labels]


async def rebuild_database(url: str) -> None:
    """``rebuild`` in a connection of its own: after a bulk load (a benchmark's COPY) that
    bypassed the write path."""
    db = Database(url, 1)
    try:
        async with db.transaction() as session:
            await rebuild(session)
    finally:
        await db.dispose()


async def rebuild(session: AsyncSession) -> None:
    """Recount ``balita_weighed`` from scratch in the caller's transaction."""
    years = await session.execute(select(extract("year", M.c.measured_on)).distinct())
    await session.execute(delete(W))
    for period in periods_of_years(int(y) for (y,) in years.all()):
        await session.execute(recount(period))
