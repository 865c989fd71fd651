"""Target-group estimates imported per wilayah and year (BPS projections, Kemenkes estimates):
the SPM denominators where the regulation asks for an estimate (``ops.kept.estimates``).

An import is all or nothing: every row is checked (its wilayah code known to the posyandu
replica at its level or above a known desa, inside the caller's wilayah; its group one of
``ESTIMATE_GROUPS``; once per wilayah and group) and a file with any refused row stores none,
answering every refusal as ``body.rows[i].<field>``. Rows are upserted by (wilayah, year,
group), so importing a corrected file replaces the figures.

Levels never overlap: ``kept.estimates`` sums the wilayah asked for and everything below it,
so a kabupaten's estimate beside one of its kecamatan's, for the same group and year, would
be counted twice. A row whose wilayah contains, or lies in, another wilayah with an estimate
of that group and year (stored, or in the same import) is refused (``overlapping_levels``).
Imports of a year are serialised (an advisory lock) so two of them cannot each pass the check
against the other.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from pydantic import ValidationError
from sqlalchemy import ColumnElement, Table, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_health.domain.indicators import ESTIMATE_GROUPS
from simpul_health.models import TargetEstimate
from simpul_health.schemas.estimates import (
    MAX_ROWS,
    EstimateCsvRow,
    EstimateRowIn,
    EstimatesImportOut,
)
from simpul_platform import locks
from simpul_platform.auth import Principal
from simpul_platform.clock import now
from simpul_platform.csv_body import decode, malformed, records
from simpul_platform.errors import FieldError, InvalidInput, validation_errors
from simpul_platform.replica import posyandu_replica
from simpul_platform.uow import UnitOfWork
from simpul_platform.wilayah import level, parent, under

E: Table = TargetEstimate.__table__  # type: ignore[attr-defined]
LOCK_CLASS = 0x5445  # health's estimate-import locks (the second key: the year)
CHUNK = 1000  # rows per INSERT (7 parameters a row, under asyncpg's 32,767)
SHOWN_ERRORS = 200  # a problem lists at most this many refusals (``refused`` counts them all)
CSV_COLUMNS = ("wilayah_code", "target_group", "count")


def row_field(index: int) -> str:
    return f"body.rows[{index}]"


@dataclass(frozen=True)
class Import:
    """One import: who, for which year, from which source, and where a row's fields are."""

    uow: UnitOfWork
    principal: Principal
    year: int
    source: str
    where: Callable[[int], str] = row_field


async def import_estimates(
    ctx: Import, rows: Sequence[EstimateRowIn], refused: Sequence[FieldError] = ()
) -> EstimatesImportOut:
    """Check every row, then upsert them all (staged; the caller commits); 422 listing every
    refused row when any is (``refused``: what the caller found already, such as CSV cells)."""
    session = ctx.uow.session
    await locks.hold(session, LOCK_CLASS, [str(ctx.year)])
    codes = sorted({r.wilayah_code for r in rows})
    known = await _known(session, codes)
    stored = await _stored(session, ctx.year, codes)
    errors = [*refused, *_check(ctx, rows, known, stored)]
    if errors:
        raise InvalidInput(
            f"{len(errors)} refusal(s); nothing was imported.",
            errors=errors[:SHOWN_ERRORS],
            refused=len(errors),
        )
    await _upsert(session, ctx, rows)
    replaced = sum((r.wilayah_code, r.target_group) in stored for r in rows)
    return EstimatesImportOut(
        year=ctx.year,
        source=ctx.source,
        rows=len(rows),
        created=len(rows) - replaced,
        replaced=replaced,
    )


def _check(
    ctx: Import,
    rows: Sequence[EstimateRowIn],
    known: set[str],
    stored: set[tuple[str, str]],
) -> list[FieldError]:
    errors: list[FieldError] = []
    seen: dict[tuple[str, str], int] = {}
    for index, row in enumerate(rows):
        key = (row.wilayah_code, row.target_group)
        where = ctx.where(index)
        if row.target_group not in ESTIMATE_GROUPS:
            groups = ", ".join(ESTIMATE_GROUPS)
            errors.append(
                _error(where, "target_group", "unknown_target_group", f"One of {groups}.")
            )
        if not ctx.principal.can_see(row.wilayah_code):
            errors.append(_error(where, "wilayah_code", "outside_wilayah", "Outside your wilayah."))
        elif row.wilayah_code not in known:
            errors.append(
                _error(
                    where,
                    "wilayah_code",
                    "unknown_wilayah",
                    f"No posyandu of health is known in {row.wilayah_code}.",
                )
            )
        if key in seen:
            errors.append(
                _error(
                    where,
                    "wilayah_code",
                    "duplicate_row",
                    f"Row {seen[key]} has the same wilayah and group.",
                )
            )
        seen.setdefault(key, index)
    return errors + _overlaps(ctx, rows, stored)


def _overlaps(
    ctx: Import, rows: Sequence[EstimateRowIn], stored: set[tuple[str, str]]
) -> list[FieldError]:
    """Rows whose wilayah contains or lies in another with an estimate of the same group and
    year, stored or imported now (``kept.estimates`` would count them twice)."""
    after: dict[str, set[str]] = {}
    for code, group in stored:
        after.setdefault(group, set()).add(code)
    for row in rows:
        after.setdefault(row.target_group, set()).add(row.wilayah_code)
    below: dict[str, dict[str, str]] = {}  # group → an ancestor → one code beneath it
    for group, codes in after.items():
        for code in sorted(codes):
            for up in _ancestors(code):
                below.setdefault(group, {}).setdefault(up, code)
    errors = []
    for index, row in enumerate(rows):
        codes = after[row.target_group]
        other = next((up for up in _ancestors(row.wilayah_code) if up in codes), None)
        other = other or below.get(row.target_group, {}).get(row.wilayah_code)
        if other is not None:
            errors.append(
                _error(
                    ctx.where(index),
                    "wilayah_code",
                    "overlapping_levels",
                    f"{other} has an estimate of {row.target_group} for {ctx.year} too, and one "
                    f"contains the other: an area's estimate sums everything below it, so "
                    f"estimate one level only.",
                )
            )
    return errors


def _ancestors(code: str) -> Iterable[str]:
    up = parent(code)
    while up is not None:
        yield up
        up = parent(up)


def _error(where: str, name: str, rule: str, message: str) -> FieldError:
    return FieldError(field=f"{where}.{name}", rule=rule, message=message)


async def _known(session: AsyncSession, codes: Sequence[str]) -> set[str]:
    """Which of ``codes`` are, or lie above, the desa of a posyandu the replica knows."""
    r = posyandu_replica
    by_level: dict[int, list[str]] = {}
    for code in codes:
        by_level.setdefault(level(code), []).append(code)
    conditions: list[ColumnElement[bool]] = [
        r.c[column].in_(by_level[n])
        for n, column in ((4, "desa_code"), (3, "kecamatan_code"), (2, "kabupaten_code"))
        if by_level.get(n)
    ]
    if by_level.get(1):
        conditions.append(under(r.c.kabupaten_code, by_level[1]))
    if not conditions:
        return set()
    query = select(r.c.desa_code, r.c.kecamatan_code, r.c.kabupaten_code).where(or_(*conditions))
    found: set[str] = set()
    for desa, kecamatan, kabupaten in await session.execute(query.distinct()):
        found.update((desa, kecamatan, kabupaten, kabupaten.split(".")[0]))
    return found.intersection(codes)


async def _stored(session: AsyncSession, year: int, codes: Sequence[str]) -> set[tuple[str, str]]:
    """The (wilayah, group) estimates of the year stored in the provinsi the import touches."""
    provinsi = sorted({code.split(".")[0] for code in codes})
    query = select(E.c.wilayah_code, E.c.target_group).where(
        E.c.year == year, under(E.c.wilayah_code, provinsi)
    )
    return {(code, group) for code, group in await session.execute(query)}


async def _upsert(session: AsyncSession, ctx: Import, rows: Sequence[EstimateRowIn]) -> None:
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    stamp = now()
    values = [
        {
            "wilayah_code": r.wilayah_code,
            "year": ctx.year,
            "target_group": r.target_group,
            "count": r.count,
            "source": ctx.source,
            "imported_by": ctx.principal.subject,
            "imported_at": stamp,
        }
        for r in rows
    ]
    for start in range(0, len(values), CHUNK):
        statement = dialect.insert(E).values(values[start : start + CHUNK])
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=["wilayah_code", "year", "target_group"],
                set_={
                    name: statement.excluded[name]
                    for name in ("count", "source", "imported_by", "imported_at")
                },
            )
        )


async def listed(
    session: AsyncSession,
    principal: Principal,
    *,
    year: int | None,
    wilayah: str | None,
    limit: int,
    offset: int,
) -> list[TargetEstimate]:
    """The estimates in the wilayah asked for (else the caller's), by year, wilayah, group."""
    query = select(TargetEstimate).where(under(E.c.wilayah_code, principal.visible_scopes(wilayah)))
    if year is not None:
        query = query.where(E.c.year == year)
    query = query.order_by(E.c.year, E.c.wilayah_code, E.c.target_group)
    return list((await session.execute(query.limit(limit).offset(offset))).scalars().all())


# --- CSV ------------------------------------------------------------------------------------


def parse_csv(raw: bytes) -> tuple[list[EstimateRowIn], list[int], list[FieldError]]:
    """The rows of a CSV body (header ``wilayah_code,target_group,count`` in any order), each
    row's place among the file's records (``body.rows[i]`` names the i-th record after the
    header, its line in the message), and the cells the rows' schema refused; 422 when the
    body is not a readable CSV, lacks a column or has over ``MAX_ROWS`` rows."""
    found = records(decode(raw))
    _, first = next(found, (1, []))
    header = [name.strip().lower() for name in first]
    for column in CSV_COLUMNS:
        if column not in header:
            raise malformed("csv_missing_column", f"The header lacks {column}.", 1, column)
    rows: list[EstimateRowIn] = []
    places: list[int] = []
    errors: list[FieldError] = []
    for place, (line, cells) in enumerate(found):
        if place >= MAX_ROWS:
            raise InvalidInput.field("body", "too_many_rows", f"At most {MAX_ROWS} rows.")
        values = {k: v.strip() for k, v in zip(header, cells, strict=False) if k in CSV_COLUMNS}
        try:
            rows.append(EstimateCsvRow.model_validate(values))
            places.append(place)
        except ValidationError as exc:
            errors.extend(
                FieldError(
                    field=f"body.rows[{place}].{e.field}",
                    rule=e.rule,
                    message=f"Line {line}: {e.message}",
                )
                for e in validation_errors(exc.errors())
            )
    return rows, places, errors
