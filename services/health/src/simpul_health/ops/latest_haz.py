"""Each child's latest HAZ per (period, kabupaten, child), kept on write (``latest_haz``).

The stunting counts take each child's latest measurement with a HAZ in the period, among the
area's measurements. For a kabupaten that is a DISTINCT ON over a year's ~600,000 rows; kept
here, it is a read of the kabupaten's ~60,000 rows of the period. A period is only ever a
month, a quarter or a year, so each measurement with a HAZ is offered to its three periods'
rows of its own kabupaten: an upsert that replaces a row only with a later measurement.
Measurements are never updated or deleted and (target, day) is unique, so whatever order
they arrive in, each row ends holding the latest: a maximum, which needs no lock. Two
transactions offering the same row wait for each other (the upsert locks the row, or the
second waits for the first's insert of it), and the loser's WHERE is re-checked against the
winner's committed row; rows are written in key order, so two batches cannot deadlock.

A child's latest in a province is the latest of its latests in the province's kabupaten, so a
province or the nation still counts each child once from these rows (``ops.indicators``).
Smaller areas keep counting from the measurements: a child's latest in its kabupaten may have
been taken in another kecamatan than its latest in this one.

``record`` runs in the measurement's transaction, after its rows are inserted; ``rebuild``
recounts everything from the measurements (after a bulk load that bypasses the write path;
the migration backfills the same way).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pydantic_core import to_json
from sqlalchemy import (
    ColumnElement,
    String,
    Table,
    cast,
    delete,
    extract,
    func,
    insert,
    literal,
    select,
    text,
)
from sqlalchemy.dialects import sqlite
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.sql.expression import UnaryExpression
from sqlalchemy.sql.operators import custom_op
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_health.domain.indicators import periods_of
from simpul_health.models import LatestHaz, Measurement
from simpul_health.ops.balita_weighed import periods_of_years
from simpul_platform.batches.rows import column_type
from simpul_platform.db import Database
from simpul_platform.indicators import Period

L: Table = LatestHaz.__table__  # type: ignore[attr-defined]
M: Table = Measurement.__table__  # type: ignore[attr-defined]
KEY = ("period", "kabupaten_code", "target_id")
KEPT = ("measured_on", "desa_code", "haz", "whz", "waz")
_REPLACE = f"SET {', '.join(f'{c} = excluded.{c}' for c in KEPT)} "
_LATER = "WHERE excluded.measured_on > latest_haz.measured_on"


# On PostgreSQL the batch's rows go as one JSON array of records: compiled once whatever the
# batch's size (a VALUES list of 3,000 rows is 24,000 bound parameters compiled anew each
# time, half a second), and encoded at once, where asyncpg checked each element of an array
# per column through the ABCs (a tenth of a bulk upload's CPU). The rows come out in the
# array's (key) order.
_RECORD = ", ".join(f"{c} {column_type(L, c)}" for c in (*KEY, *KEPT))
FROM_JSON = text(
    f"INSERT INTO latest_haz ({', '.join((*KEY, *KEPT))}) "
    f"SELECT * FROM json_to_recordset(CAST(:rows AS json)) AS r({_RECORD}) "
    f"ON CONFLICT ({', '.join(KEY)}) DO UPDATE {_REPLACE}{_LATER}"
)
_one = sqlite.insert(L)
ONE_ROW = _one.on_conflict_do_update(
    index_elements=list(KEY),
    set_={c: _one.excluded[c] for c in KEPT},
    where=_one.excluded.measured_on > L.c.measured_on,
)


def latest_rows(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The rows to offer for these measurements: per (period, kabupaten, child) the latest
    with a HAZ among them, in key order. One statement cannot touch a row twice, so a batch's
    own duplicates are settled here."""
    rows = [r for r in rows if r["haz"] is not None]
    labels = {d: [p.label for p in periods_of(d)] for d in {r["measured_on"] for r in rows}}
    latest: dict[tuple[str, str, str], Mapping[str, Any]] = {}
    for row in rows:
        for label in labels[row["measured_on"]]:
            key = (label, row["kabupaten_code"], row["target_id"])
            kept = latest.get(key)
            if kept is None or row["measured_on"] > kept["measured_on"]:
                latest[key] = row
    return [
        {"period": p, "kabupaten_code": k, "target_id": t, **{c: row[c] for c in KEPT}}
        for (p, k, t), row in sorted(latest.items())
    ]


async def record(session: AsyncSession, rows: Sequence[Mapping[str, Any]]) -> None:
    """Offer these new measurement rows (already inserted) to their periods' rows: one
    statement on PostgreSQL; elsewhere (SQLite, one writer at a time) one upsert a row."""
    values = latest_rows(rows)
    if not values:
        return
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(FROM_JSON, {"rows": to_json(values).decode()})
    else:
        await session.execute(ONE_ROW, values)


def keeps(period: Period) -> bool:
    """Whether rows are kept for this period: a month, a quarter or a year."""
    try:
        return Period.parse(period.label) == period
    except ValueError:
        return False


def latest(
    where: ColumnElement[bool], period: Period, *, one_kabupaten: bool, postgres: bool
) -> Any:
    """Each child's latest measurement with a HAZ in the period among an area's rows, from
    the kept rows of its kabupaten (``where`` selects them): a kabupaten's rows are that
    already; a wider area keeps the latest of a child's rows in its kabupaten, reading
    ix_latest_haz_period_target in order."""
    conditions = (L.c.period == period.label, where)
    if one_kabupaten:
        return select(L.c.desa_code, L.c.haz, L.c.whz, L.c.waz).where(*conditions).subquery()
    return each_childs_latest(L, conditions, postgres=postgres)


def each_childs_latest(
    table: Table, conditions: Sequence[ColumnElement[bool]], *, postgres: bool
) -> Any:
    """Of ``table``'s rows meeting ``conditions``, each child's (``target_id``) latest by
    ``measured_on``: its desa and z-scores. (target_id, measured_on) is unique in the
    measurements, so "latest" has no ties. On PostgreSQL a DISTINCT ON in byte order
    (``USING ~<~``, the order of the indexes' pattern ops: ids are only compared for
    equality, and a byte sort is about twice as fast as a locale-aware one); elsewhere
    (SQLite) a window."""
    columns = (table.c.desa_code, table.c.haz, table.c.whz, table.c.waz)
    if postgres:
        in_byte_order: UnaryExpression[str] = UnaryExpression(
            table.c.target_id, modifier=custom_op("USING ~<~")
        )
        return (
            select(*columns)
            .where(*conditions)
            .ext(distinct_on(table.c.target_id))
            .order_by(in_byte_order, table.c.measured_on.desc())
            .subquery()
        )
    ranked = (
        select(
            *columns,
            func.row_number()
            .over(partition_by=table.c.target_id, order_by=table.c.measured_on.desc())
            .label("rn"),
        )
        .where(*conditions)
        .subquery()
    )
    return select(*(ranked.c[c.name] for c in columns)).where(ranked.c.rn == 1).subquery()


def recount(period: Period) -> Any:
    """INSERT … SELECT of one period's rows from the measurements (the scan that keeping them
    on write replaces): a window, which PostgreSQL and SQLite both run."""
    ranked = (
        select(
            M.c.kabupaten_code,
            M.c.target_id,
            *(M.c[c] for c in KEPT),
            func.row_number()
            .over(
                partition_by=(M.c.kabupaten_code, M.c.target_id),
                order_by=M.c.measured_on.desc(),
            )
            .label("rn"),
        )
        .where(M.c.measured_on.between(period.start, period.end), M.c.haz.is_not(None))
        .subquery()
    )
    latest = select(
        cast(literal(period.label), String(7)),
        ranked.c.kabupaten_code,
        ranked.c.target_id,
        *(ranked.c[c] for c in KEPT),
    ).where(ranked.c.rn == 1)
    return insert(L).from_select([*KEY, *KEPT], latest)


async def rebuild(session: AsyncSession) -> None:
    """Recount ``latest_haz`` from scratch in the caller's transaction."""
    years = await session.execute(select(extract("year", M.c.measured_on)).distinct())
    await session.execute(delete(L))
    for period in periods_of_years(int(y) for (y,) in years.all()):
        await session.execute(recount(period))


async def rebuild_database(url: str) -> None:
    """``rebuild`` in a connection of its own: after a bulk load (a benchmark's COPY) that
    bypassed the write path."""
    db = Database(url, 1)
    try:
        async with db.transaction() as session:
            await rebuild(session)
    finally:
        await db.dispose()
