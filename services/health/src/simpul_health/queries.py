"""Indicator counts, aggregated in SQL (GROUP BY / window functions, no rows in Python).

Each filter is an equality on an indexed wilayah column (desa, kecamatan, kabupaten) or on
the posyandu, plus a date range, so a kabupaten of 60,000 balita stays an index range scan.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Table, and_, case, exists, func, or_, select, true
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_health.domain.indicators import required_weighings
from simpul_health.domain.lifecycle import birth_date_bounds
from simpul_health.domain.pregnancy import ANC_STANDARD_VISITS
from simpul_health.models import Measurement, Pregnancy, Screening, Target
from simpul_platform.indicators import Period

M: Table = Measurement.__table__  # type: ignore[attr-defined]
T: Table = Target.__table__  # type: ignore[attr-defined]
P: Table = Pregnancy.__table__  # type: ignore[attr-defined]
S: Table = Screening.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Area:
    wilayah: str | None = None  # "*" or None = everything
    posyandu_id: str | None = None

    def where(self, table: Table) -> ColumnElement[bool]:
        if self.posyandu_id:
            return table.c.posyandu_id == self.posyandu_id
        if not self.wilayah or self.wilayah == "*":
            return true()
        level = self.wilayah.count(".")
        if level == 0:
            return table.c.kabupaten_code.startswith(self.wilayah + ".")
        column = ("kabupaten_code", "kecamatan_code", "desa_code")[level - 1]
        return table.c[column] == self.wilayah


def _sum(condition: ColumnElement[bool]) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


async def stunting_counts(session: AsyncSession, area: Area, period: Period) -> dict[str, int]:
    """Each child counted once, by its latest length-measured visit in the period."""
    rows = await _stunting_rows(session, area, period, by_desa=False)
    return rows[0]


async def stunting_by_desa(
    session: AsyncSession, area: Area, period: Period
) -> list[dict[str, Any]]:
    """The same counts per desa (for ranking priority loci), one query."""
    return await _stunting_rows(session, area, period, by_desa=True)


async def _stunting_rows(
    session: AsyncSession, area: Area, period: Period, *, by_desa: bool
) -> list[dict[str, Any]]:
    ranked = (
        select(
            M.c.desa_code,
            M.c.haz,
            M.c.whz,
            M.c.waz,
            func.row_number()
            .over(partition_by=M.c.target_id, order_by=M.c.measured_on.desc())
            .label("rn"),
        )
        .where(
            area.where(M), M.c.measured_on.between(period.start, period.end), M.c.haz.is_not(None)
        )
        .subquery()
    )
    counts = [
        func.count().label("measured"),
        _sum(and_(ranked.c.haz >= -3, ranked.c.haz < -2)).label("stunted"),
        _sum(ranked.c.haz < -3).label("severely_stunted"),
        _sum(ranked.c.whz < -2).label("wasted"),
        _sum(ranked.c.waz < -2).label("underweight"),
    ]
    if not by_desa:
        row = (await session.execute(select(*counts).where(ranked.c.rn == 1))).mappings().one()
        return [{k: int(v) for k, v in row.items()}]
    query = (
        select(ranked.c.desa_code, *counts)
        .where(ranked.c.rn == 1)
        .group_by(ranked.c.desa_code)
        .order_by(ranked.c.desa_code)
    )
    return [
        {k: (v if k == "desa_code" else int(v)) for k, v in row.items()}
        for row in (await session.execute(query)).mappings()
    ]


def _age_between(period: Period, min_years: int, max_years: int | None) -> ColumnElement[bool]:
    born_after, born_by = birth_date_bounds(period.end, min_years, max_years)
    condition = T.c.birth_date <= born_by
    return and_(condition, T.c.birth_date > born_after) if born_after else condition


async def _pair(session: AsyncSession, query: Any) -> tuple[int, int]:
    row = (await session.execute(query)).one()
    return int(row[0] or 0), int(row[1] or 0)


async def spm_counts(
    session: AsyncSession, area: Area, period: Period
) -> dict[str, tuple[int, int]]:
    """(numerator, denominator) per SPM code; definitions in domain.indicators.SPM."""
    in_period = M.c.measured_on.between(period.start, period.end)
    weighings = (
        select(M.c.target_id, func.count().label("n")).where(in_period).group_by(M.c.target_id)
    ).subquery()
    balita_born_after = _months_before(period.end, 60)
    balita = (
        select(_sum(func.coalesce(weighings.c.n, 0) >= required_weighings(period)), func.count())
        .select_from(T.outerjoin(weighings, weighings.c.target_id == T.c.id))
        .where(area.where(T), T.c.birth_date > balita_born_after, T.c.birth_date <= period.end)
    )
    anc = select(_sum(P.c.anc_visits >= ANC_STANDARD_VISITS), func.count()).where(
        area.where(P),
        or_(
            P.c.delivered_on.between(period.start, period.end),
            and_(P.c.status == "ongoing", P.c.estimated_delivery.between(period.start, period.end)),
        ),
    )

    def screened(extra: ColumnElement[bool] | None = None) -> Any:
        condition = and_(S.c.target_id == T.c.id, S.c.screened_on.between(period.start, period.end))
        return exists().where(condition if extra is None else and_(condition, extra))

    def group(min_years: int, max_years: int | None) -> Any:
        return select(_sum(screened()), func.count()).where(
            area.where(T), _age_between(period, min_years, max_years)
        )

    def disease(flag: str, measured: ColumnElement[bool]) -> Any:
        ever = exists().where(
            S.c.target_id == T.c.id, S.c[flag].is_(True), S.c.screened_on <= period.end
        )
        return select(_sum(screened(measured)), func.count()).where(
            area.where(T), _age_between(period, 15, None), ever
        )

    return {
        "balita": await _pair(session, balita),
        "ibu_hamil": await _pair(session, anc),
        "usia_produktif": await _pair(session, group(15, 60)),
        "usia_lanjut": await _pair(session, group(60, None)),
        "hipertensi": await _pair(session, disease("hypertension", S.c.systolic.is_not(None))),
        "diabetes": await _pair(session, disease("diabetes", S.c.glucose_mg_dl.is_not(None))),
    }


def _months_before(day: date, months: int) -> date:
    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    import calendar

    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))
