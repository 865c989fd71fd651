"""Reading and rewriting a service's declared pseudonym columns.

Rows are read whole per column and rewritten by primary key in one executemany: every table
has a primary key, many reference columns have no index, and a maintenance window's tables
(tens or hundreds of thousands of rows) fit in memory comfortably.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Column, Table, and_, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from simpul_platform.db import Database
from simpul_platform.outbox import outbox_table
from simpul_platform.pseudonym import PseudonymColumn, PseudonymDeclaration, RefsWithin, pseudonym
from simpul_platform.rekey.maps import MapError, Pair, RefMap, rewrite_within

_NEW = "rekey_new"  # bind names must differ from the tables' column names


@dataclass
class ExportResult:
    pairs: set[Pair] = field(default_factory=set)
    # Rows whose stored reference is not the current secret's HMAC of their identifier, by
    # "table.column": the current secret is not the one they were made with, or the identifier
    # is no NIK / No. KK. A map made from them would be wrong, so nothing is written.
    mismatched: Counter[str] = field(default_factory=Counter)


@dataclass
class ColumnReport:
    """What applying the maps did (or, in a dry run, would do) to one declared column."""

    name: str  # "table.column"
    rows_changed: int = 0
    unmapped: set[str] = field(default_factory=set)  # references no map knows
    unmapped_rows: int = 0


async def export_pairs(
    db: Database,
    tables: Mapping[str, Table],
    declarations: Sequence[PseudonymDeclaration],
    old_secret: str,
    new_secret: str,
) -> ExportResult:
    """``kind, old_ref, new_ref`` of every row that holds its identifier."""
    result = ExportResult()
    async with db.sessions() as session:
        for declared in declarations:
            if isinstance(declared, PseudonymColumn) and declared.identifier is not None:
                await _export_column(session, tables, declared, old_secret, new_secret, result)
    return result


async def _export_column(
    session: AsyncSession,
    tables: Mapping[str, Table],
    declared: PseudonymColumn,
    old_secret: str,
    new_secret: str,
    result: ExportResult,
) -> None:
    table = tables[declared.table]
    ref, identifier = table.c[declared.column], table.c[declared.identifier or ""]
    rows = await session.execute(
        select(ref, identifier).where(ref.is_not(None), identifier.is_not(None)).distinct()
    )
    for stored, value in rows:
        old, new = _refs(declared, value, old_secret), _refs(declared, value, new_secret)
        if old is None or new is None or old != stored:
            result.mismatched[f"{declared.table}.{declared.column}"] += 1
            continue
        result.pairs.add(Pair(declared.kind, old, new))


def _refs(declared: PseudonymColumn, identifier: str, secret: str) -> str | None:
    try:
        return pseudonym(secret, declared.kind, identifier)
    except ValueError:  # not 16 digits
        return None


async def pending_outbox_rows(db: Database) -> int:
    """Events written but not yet sent: they carry old references in their data."""
    async with db.sessions() as session:
        count = await session.execute(
            select(func.count()).select_from(outbox_table).where(outbox_table.c.sent_at.is_(None))
        )
        return int(count.scalar_one())


@dataclass
class ApplyResult:
    reports: list[ColumnReport]
    committed: bool

    @property
    def unmapped(self) -> bool:
        return any(report.unmapped for report in self.reports)


async def apply_maps(
    db: Database,
    tables: Mapping[str, Table],
    declarations: Sequence[PseudonymDeclaration],
    refs: RefMap,
    new_secret: str,
    *,
    dry_run: bool = False,
    allow_unmapped: bool = False,
) -> ApplyResult:
    """Rewrite every declared column in one transaction. It is committed unless this is a dry
    run or references no map knows were found (and not allowed): all or nothing."""
    async with db.sessions() as session:
        try:
            reports = [
                await _apply_column(session, tables[d.table], d, refs, new_secret)
                for d in declarations
            ]
        except BaseException:
            await session.rollback()
            raise
        result = ApplyResult(reports, committed=False)
        if not dry_run and (allow_unmapped or not result.unmapped):
            await session.commit()
            result.committed = True
        else:
            await session.rollback()
    return result


async def _apply_column(
    session: AsyncSession,
    table: Table,
    declared: PseudonymDeclaration,
    refs: RefMap,
    new_secret: str,
) -> ColumnReport:
    report = ColumnReport(f"{declared.table}.{declared.column}")
    keys = list(table.primary_key.columns)
    column = table.c[declared.column]
    extra = _identifier_column(table, declared)
    selected = [*keys, column] + ([extra] if extra is not None else [])
    rows = await session.execute(select(*selected).where(column.is_not(None)))
    changes: list[dict[str, Any]] = []
    for row in rows:
        key, stored = row[: len(keys)], row[len(keys)]
        identifier = row[len(keys) + 1] if extra is not None else None
        new = _new_value(declared, stored, identifier, refs, new_secret, report)
        if new != stored:
            changes.append({**_key_params(keys, key), _NEW: new})
    if changes:
        await session.execute(_update_by_key(table, keys, column), changes)
    report.rows_changed = len(changes)
    return report


def _identifier_column(table: Table, declared: PseudonymDeclaration) -> Column[Any] | None:
    if isinstance(declared, PseudonymColumn) and declared.identifier is not None:
        return table.c[declared.identifier]
    return None


def _new_value(
    declared: PseudonymDeclaration,
    stored: str,
    identifier: str | None,
    refs: RefMap,
    new_secret: str,
    report: ColumnReport,
) -> str:
    """What ``stored`` becomes: recomputed from the identifier where the row keeps it, else
    looked up in the maps; unchanged (and reported) when no map knows it."""
    if isinstance(declared, RefsWithin):
        rewritten, unmapped = rewrite_within(stored, refs)
        _note_unmapped(report, unmapped)
        return rewritten
    if identifier is not None:
        recomputed = _refs(declared, identifier, new_secret)
        if recomputed is not None:
            _check_agrees(declared, stored, recomputed, refs)
            return recomputed
    resolved = refs.resolve(declared.kind, stored)
    if resolved is None:
        _note_unmapped(report, [stored])
        return stored
    return resolved


def _check_agrees(declared: PseudonymColumn, stored: str, recomputed: str, refs: RefMap) -> None:
    mapped = refs.resolve(declared.kind, stored)
    if mapped is not None and mapped != recomputed:
        raise MapError(
            f"{declared.table}.{declared.column}: the maps and --new-secret-env give different "
            "new references; export and apply must use the same new secret"
        )


def _note_unmapped(report: ColumnReport, unmapped: list[str]) -> None:
    if unmapped:
        report.unmapped.update(unmapped)
        report.unmapped_rows += 1


def _key_params(keys: list[Column[Any]], values: Sequence[Any]) -> dict[str, Any]:
    return {f"rekey_key_{column.name}": value for column, value in zip(keys, values, strict=True)}


def _update_by_key(table: Table, keys: list[Column[Any]], column: Column[Any]) -> Any:
    match = and_(*(key == bindparam(f"rekey_key_{key.name}") for key in keys))
    return update(table).where(match).values({column.name: bindparam(_NEW)})
