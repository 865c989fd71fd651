"""A batch's reads and writes: one statement per kind of row for the whole batch.

Reads lock what the items change (in id order, so two batches of one row decide one after the
other); writes are one COPY per table on PostgreSQL (``db.bulk_insert``) and one UPDATE from
arrays for the rows the batch changes (``ArrayUpdate``), both compiled once whatever the
batch's size. Other databases get an ordinary executemany.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

from pydantic_core import to_json
from sqlalchemy import JSON, Table, bindparam, func, select, text, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import RowMapping
from sqlalchemy.sql.elements import TextClause
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.db import bulk_insert
from simpul_platform.errors import FieldError, ProblemError
from simpul_platform.replica import posyandu_replica, require_active_posyandu

# --- reads ----------------------------------------------------------------------------------


async def posyandu_rows(
    session: AsyncSession, ids: Collection[str]
) -> dict[str, RowMapping | FieldError]:
    """The replica's rows; one the replica has not heard of is confirmed with the registry as
    the single routes do (its refusal is the items' error, ``Batch.require_posyandu``)."""
    if not ids:
        return {}
    query = select(posyandu_replica).where(posyandu_replica.c.posyandu_id.in_(ids))
    found: dict[str, RowMapping | FieldError] = {
        row["posyandu_id"]: row for row in (await session.execute(query)).mappings()
    }
    for missing in sorted(set(ids) - found.keys()):
        try:
            found[missing] = await require_active_posyandu(session, missing)
        except ProblemError as problem:
            first = problem.errors[0] if problem.errors else None
            rule = first.rule if first else problem.slug
            found[missing] = FieldError(field="", rule=rule, message=str(problem))
    return found


async def locked_rows(
    session: AsyncSession, table: Table, column: str, values: Iterable[str]
) -> dict[str, RowMapping]:
    """The rows whose ``column`` is one of ``values``, by that value, locked until commit in id
    order (NO KEY: other tables' foreign-key checks on them go on)."""
    wanted = sorted(set(values))
    if not wanted:
        return {}
    query = (
        select(table)
        .where(table.c[column].in_(wanted))
        .order_by(table.c.id)
        .with_for_update(key_share=True)
    )
    return {row[column]: row for row in (await session.execute(query)).mappings()}


async def rows_of_days(
    session: AsyncSession,
    table: Table,
    owner: str,
    owners: Collection[str],
    days: Collection[date],
    *,
    day: str = "surveyed_on",
) -> dict[tuple[str, date], list[RowMapping]]:
    """The owners' rows of ``days``, by (owner, day), in the order recorded (what an item
    found ``unchanged`` compares itself with)."""
    if not owners:
        return {}
    query = (
        select(table)
        .where(table.c[owner].in_(list(owners)), table.c[day].in_(list(days)))
        .order_by(table.c.recorded_at, table.c.id)
    )
    found: dict[tuple[str, date], list[RowMapping]] = {}
    for row in (await session.execute(query)).mappings():
        found.setdefault((row[owner], row[day]), []).append(row)
    return found


def same_fields(
    recorded: Mapping[Any, Any],  # a row as read (RowMapping) or as written
    given: Mapping[str, Any],
    names: Iterable[str],
    *,
    unordered: Collection[str] = (),
) -> bool:
    """Every field of ``names`` as recorded (the lists of ``unordered`` in any order)."""
    for name in names:
        mine, theirs = given[name], recorded[name]
        if name in unordered:
            mine, theirs = sorted(mine), sorted(theirs)
        if mine != theirs:
            return False
    return True


# --- writes ---------------------------------------------------------------------------------


async def insert_rows(session: AsyncSession, table: Table, rows: list[dict[str, Any]]) -> None:
    """``db.bulk_insert``, its JSON columns given as COPY takes them (their text: an INSERT's
    bind processing makes it itself)."""
    await bulk_insert(session, table, await _copy_ready(session, table, rows))


async def _copy_ready(
    session: AsyncSession, table: Table, rows: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    if not rows:
        return rows
    dialect = (await session.connection()).dialect
    if dialect.name != "postgresql" or dialect.driver != "asyncpg":
        return rows
    # None is SQL NULL where the column says so, JSON null otherwise (as an INSERT has it).
    null = {
        c.name: None if c.type.none_as_null else "null"
        for c in table.columns
        if isinstance(c.type, JSON) and c.name in rows[0]
    }
    if not null:
        return rows
    return [{**row, **{n: _json(row[n], null[n]) for n in null}} for row in rows]


def _json(value: Any, null: str | None) -> str | None:
    return null if value is None else to_json(value).decode()


def column_type(table: Table, column: str) -> str:
    """The column's PostgreSQL type without a length (an explicit cast to VARCHAR(n) would cut
    a longer value where the column refuses it): for a record definition of a batch's rows."""
    dialect = postgresql.dialect()  # type: ignore[no-untyped-call]
    return re.sub(r"\(.*\)", "", table.c[column].type.compile(dialect=dialect))


def array_type(table: Table, column: str) -> str:
    """The column's PostgreSQL type as an array, without a length: the cast of a parameter
    holding one array per column, for statements that unnest a batch's rows side by side."""
    return column_type(table, column) + "[]"


@dataclass(frozen=True)
class ArrayUpdate:
    """Rows of ``table`` given new ``columns``: on PostgreSQL one UPDATE from arrays unnested
    side by side, compiled once whatever the batch's size (a VALUES list of 1,000 rows is
    thousands of bound parameters compiled anew each time: half a second).

    Each change is a dict: the row's id under ``key``, a value per column, and the ``common``
    columns (one value for the whole batch, taken from the first change). ``keep`` columns are
    set only where the row has none yet."""

    table: Table
    key: str
    columns: tuple[str, ...]
    keep: tuple[str, ...] = ()
    common: tuple[str, ...] = ("updated_by", "updated_at")

    @cached_property
    def from_arrays(self) -> TextClause:
        name = self.table.name
        given = [*self.keep, *self.columns]
        sets = [f"{c} = COALESCE({name}.{c}, given.{c})" for c in self.keep]
        sets += [f"{c} = given.{c}" for c in self.columns]
        sets += [f"{c} = :{c}" for c in self.common]
        arrays = [f"CAST(:{c} AS {self._array_type(c)})" for c in ["id", *given]]
        sql = (
            f"UPDATE {name} SET {', '.join(sets)} "
            f"FROM unnest({', '.join(arrays)}) AS given(row_id, {', '.join(given)}) "
            f"WHERE {name}.id = given.row_id"
        )
        typed = [bindparam(c, type_=self.table.c[c].type) for c in self.common]
        return text(sql).bindparams(*typed)

    def _array_type(self, column: str) -> str:
        return array_type(self.table, column)

    async def run(self, session: AsyncSession, changes: Sequence[Mapping[str, Any]]) -> None:
        if not changes:
            return
        common = {c: changes[0][c] for c in self.common}
        if (await session.connection()).dialect.name == "postgresql":
            arrays = {c: [r[c] for r in changes] for c in (*self.keep, *self.columns)}
            arrays["id"] = [r[self.key] for r in changes]
            await session.execute(self.from_arrays, {**arrays, **common})
            return
        # Bound names other than the columns' own (those are reserved for the SET clause).
        table = self.table
        values: dict[str, Any] = {c: bindparam(f"new_{c}") for c in self.columns}
        values |= {c: func.coalesce(table.c[c], bindparam(f"new_{c}")) for c in self.keep}
        statement = (
            update(table).where(table.c.id == bindparam("row_id")).values({**values, **common})
        )
        names = (*self.keep, *self.columns)
        rows = [{"row_id": r[self.key], **{f"new_{n}": r[n] for n in names}} for r in changes]
        await session.execute(statement, rows)
