"""Staffing for a whole wilayah, counted in SQL: one statement for the counts per desa (summed
to kecamatan and total here), two for a page of the posyandu with gaps.

Active means holding the role today: started on or before today, not ended before it. Inactive
(deactivated) posyandu are left out unless ``status`` asks for them: they run no fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Subquery, and_, case, func, or_, select
from sqlalchemy.engine import RowMapping
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.wilayah import under
from simpul_registry.domain.fields import Role
from simpul_registry.domain.lifecycle import Status
from simpul_registry.domain.staffing import (
    FIELDS,
    REQUIRED_PENGURUS,
    PosyanduGaps,
    Tally,
    gaps,
)
from simpul_registry.models import Person, Posyandu


def _count(condition: ColumnElement[bool]) -> Any:
    return func.count(case((condition, 1)))


def per_posyandu(code: str, today: date, status: Status | None) -> Subquery:
    """One row per posyandu under ``code``: its active kader and ketua bidang per field and its
    active holders of each required post (a LEFT JOIN keeps a posyandu nobody serves)."""
    role, field = col(Person.role), col(Person.field)
    active = and_(
        col(Person.posyandu_id) == col(Posyandu.id),
        col(Person.start_date) <= today,
        or_(col(Person.end_date).is_(None), col(Person.end_date) >= today),
    )
    kader = [_count(and_(role == Role.kader.value, field == f)).label(f"kader_{f}") for f in FIELDS]
    heads = [
        _count(and_(role == Role.ketua_bidang.value, field == f)).label(f"head_{f}") for f in FIELDS
    ]
    posts = [_count(role == r.value).label(f"post_{r.value}") for r in REQUIRED_PENGURUS]
    wanted = (
        col(Posyandu.status) == status.value
        if status is not None
        else col(Posyandu.status) != Status.inactive.value
    )
    keys = (
        col(Posyandu.id),
        col(Posyandu.name),
        col(Posyandu.name_key),
        col(Posyandu.desa_code),
        col(Posyandu.kecamatan_code),
        col(Posyandu.status),
        col(Posyandu.fields),
    )
    return (
        select(*keys, *kader, *heads, *posts)
        .select_from(Posyandu)
        .outerjoin(Person, active)
        .where(under(col(Posyandu.desa_code), [code]), wanted)
        .group_by(*keys)
        .subquery("per_posyandu")
    )


def _runs(p: Subquery, f: str) -> ColumnElement[bool]:
    return p.c.fields.contains(f",{f},")


async def desa_tallies(
    session: AsyncSession, code: str, today: date, status: Status | None
) -> dict[tuple[str, str], Tally]:
    """(kecamatan, desa) → its counts, for every desa under ``code`` with a posyandu."""
    p = per_posyandu(code, today, status)
    columns: list[Any] = [func.count().label("posyandu")]
    for f in FIELDS:
        runs = _runs(p, f)
        columns += [
            func.coalesce(func.sum(p.c[f"kader_{f}"]), 0).label(f"kader_{f}"),
            _count(runs).label(f"running_{f}"),
            _count(and_(runs, p.c[f"head_{f}"] == 0)).label(f"nohead_{f}"),
            _count(and_(runs, p.c[f"kader_{f}"] == 0)).label(f"nokader_{f}"),
        ]
    columns += [
        _count(p.c[f"post_{r.value}"] == 0).label(f"missing_{r.value}") for r in REQUIRED_PENGURUS
    ]
    query = select(p.c.kecamatan_code, p.c.desa_code, *columns).group_by(
        p.c.kecamatan_code, p.c.desa_code
    )
    rows = (await session.execute(query)).mappings().all()
    return {(row["kecamatan_code"], row["desa_code"]): _tally(row) for row in rows}


def _tally(row: RowMapping) -> Tally:
    return Tally(
        posyandu=int(row["posyandu"]),
        kader_active={f: int(row[f"kader_{f}"]) for f in FIELDS},
        running={f: int(row[f"running_{f}"]) for f in FIELDS},
        without_ketua_bidang={f: int(row[f"nohead_{f}"]) for f in FIELDS},
        without_kader={f: int(row[f"nokader_{f}"]) for f in FIELDS},
        missing_pengurus={r.value: int(row[f"missing_{r.value}"]) for r in REQUIRED_PENGURUS},
    )


@dataclass(frozen=True)
class GapRow:
    posyandu_id: str
    name: str
    desa_code: str
    kecamatan_code: str
    status: str
    fields: list[str]
    kader_active: dict[str, int]
    gaps: PosyanduGaps


def _has_gap(p: Subquery, field: str | None) -> ColumnElement[bool]:
    """A post empty, or a field run without ketua bidang or without kader (only ``field``'s
    when given)."""

    def field_gap(f: str) -> ColumnElement[bool]:
        return and_(_runs(p, f), or_(p.c[f"head_{f}"] == 0, p.c[f"kader_{f}"] == 0))

    if field is not None:
        return field_gap(field)
    return or_(
        *(p.c[f"post_{r.value}"] == 0 for r in REQUIRED_PENGURUS), *(field_gap(f) for f in FIELDS)
    )


async def gap_page(
    session: AsyncSession,
    code: str,
    today: date,
    status: Status | None,
    field: str | None,
    page: int,
    page_size: int,
) -> tuple[int, list[GapRow]]:
    """How many posyandu under ``code`` have a gap, and one page of them by desa and name."""
    p = per_posyandu(code, today, status)
    condition = _has_gap(p, field)
    total = (await session.execute(select(func.count()).select_from(p).where(condition))).one()
    rows = (
        (
            await session.execute(
                select(p)
                .where(condition)
                .order_by(p.c.desa_code, p.c.name_key, p.c.id)
                .offset((page - 1) * page_size)
                .limit(page_size)
            )
        )
        .mappings()
        .all()
    )
    return int(total[0]), [_gap_row(row) for row in rows]


def _gap_row(row: RowMapping) -> GapRow:
    runs = [f for f in FIELDS if f",{f}," in row["fields"]]
    kader = {f: int(row[f"kader_{f}"]) for f in FIELDS}
    heads = {f: int(row[f"head_{f}"]) for f in FIELDS}
    posts = {r.value: int(row[f"post_{r.value}"]) for r in REQUIRED_PENGURUS}
    return GapRow(
        posyandu_id=row["id"],
        name=row["name"],
        desa_code=row["desa_code"],
        kecamatan_code=row["kecamatan_code"],
        status=row["status"],
        fields=runs,
        kader_active=kader,
        gaps=gaps(runs, posts, heads, kader),
    )
