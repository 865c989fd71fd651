"""Indicator counts, aggregated in SQL (GROUP BY / DISTINCT ON, no rows in Python).

Each filter is an equality on an indexed wilayah column (desa, kecamatan, kabupaten) or on
the posyandu, plus a date range. A kabupaten holds most of a health database (60,000 balita,
660,000 measurements a year), so its counts are written to read covering indexes from end
to end (index-only scans, hash joins, no per-child probes and no on-disk sort); a smaller
area probes the few children it has. Both shapes give the same answers. What a kabupaten's
count would scan is mostly kept on write instead (``tally``, ``kept``, ``balita_weighed``, and
each child's latest HAZ in ``latest_haz``); the scans stay callable for tests and checks.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, Table, and_, case, func, or_, select, true
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_health.domain.indicators import SPM
from simpul_health.domain.lifecycle import birth_date_bounds
from simpul_health.domain.pregnancy import ANC_STANDARD_VISITS
from simpul_health.models import BalitaWeighed, Measurement, Pregnancy, Screening, Target
from simpul_health.ops import balita_weighed, kept, latest_haz, tally
from simpul_platform.auth import NATIONWIDE, Principal
from simpul_platform.db import Database
from simpul_platform.errors import InvalidInput
from simpul_platform.indicators import Period
from simpul_platform.replica import require_known_posyandu

A = TypeVar("A")
B = TypeVar("B")
M: Table = Measurement.__table__  # type: ignore[attr-defined]
T: Table = Target.__table__  # type: ignore[attr-defined]
P: Table = Pregnancy.__table__  # type: ignore[attr-defined]
S: Table = Screening.__table__  # type: ignore[attr-defined]
W: Table = BalitaWeighed.__table__  # type: ignore[attr-defined]
L = latest_haz.L

# Per transaction (SET LOCAL). The hash tables and the sort of a kabupaten month (≈ 60,000
# children) need about 10 MB, and the default 4 MB would spill them to disk. asyncpg prepares
# statements, and after five runs PostgreSQL may settle on a generic plan that ignores the
# dates, while a month and a year want different plans, so each run is planned for its own
# values.
SETTINGS = {"work_mem": "32MB", "plan_cache_mode": "force_custom_plan"}
# For the SPM counts, parallel workers would each build the same hash tables again (three
# times the CPU for a little latency), which a small server answering several requests
# cannot afford.
# JIT is off too: a nested loop's estimated cost (immunisation coverage probes each of a
# kabupaten year's 13,000 children) crosses jit_above_cost, and compiling took 300 ms for
# a statement that runs in less.
SERIAL = {"max_parallel_workers_per_gather": "0", "jit": "off"}


@dataclass(frozen=True)
class Area:
    wilayah: str | None = None  # NATIONWIDE or None = everything
    posyandu_id: str | None = None

    def where(self, table: Table) -> ColumnElement[bool]:
        if self.posyandu_id:
            return table.c.posyandu_id == self.posyandu_id
        if not self.wilayah or self.wilayah == NATIONWIDE:
            return true()
        level = self.wilayah.count(".")
        if level == 0:
            return table.c.kabupaten_code.startswith(self.wilayah + ".")
        column = ("kabupaten_code", "kecamatan_code", "desa_code")[level - 1]
        return table.c[column] == self.wilayah

    @property
    def one_kabupaten(self) -> bool:
        return not self.posyandu_id and self.wilayah is not None and self.wilayah.count(".") == 1

    @property
    def wide(self) -> bool:
        """A kabupaten or more: all or most of a kabupaten's health database, so reading a
        period's rows once beats probing child by child."""
        return not self.posyandu_id and (not self.wilayah or self.wilayah.count(".") <= 1)


async def resolve_area(
    session: AsyncSession, principal: Principal, wilayah: str | None, posyandu_id: str | None
) -> Area:
    """What a caller asked to count: a posyandu, a wilayah, or (when the caller has just one)
    the caller's own wilayah; each inside the caller's scope."""
    if posyandu_id:
        row = await require_known_posyandu(session, posyandu_id, field="posyandu_id")
        principal.require_wilayah(row["desa_code"])
        return Area(posyandu_id=posyandu_id)
    if wilayah is None:
        if len(principal.wilayah) != 1:
            raise InvalidInput.field("wilayah", "required", "Name the wilayah to count.")
        wilayah = principal.wilayah[0]
    elif not principal.can_see(wilayah):
        principal.require_wilayah(wilayah)
    return Area(wilayah=wilayah)


def _sum(condition: ColumnElement[bool]) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _count_if(condition: ColumnElement[bool]) -> Any:
    return func.count().filter(condition)


async def _prepare(session: AsyncSession, *, serial: bool = False) -> bool:
    """Apply SETTINGS (and SERIAL) to this transaction; True on PostgreSQL."""
    if session.get_bind().dialect.name != "postgresql":
        return False
    settings = {**SETTINGS, **SERIAL} if serial else SETTINGS
    await session.execute(  # set_config(..., true) is SET LOCAL: it ends with the transaction
        select(*(func.set_config(name, value, True) for name, value in settings.items()))
    )
    return True


async def in_parallel(
    db: Database,
    first: Callable[[AsyncSession], Awaitable[A]],
    second: Callable[[AsyncSession], Awaitable[B]],
) -> tuple[A, B]:
    """Two independent counts at once, each in a session (a connection) of its own: a
    kabupaten's year is some 185 ms of SPM counts and 165 ms of growth counts, which one
    connection would run one after the other."""

    async def run_first() -> A:
        async with db.sessions() as session:
            return await first(session)

    async def run_second() -> B:
        async with db.sessions() as session:
            return await second(session)

    return await asyncio.gather(run_first(), run_second())


async def stunting_counts(session: AsyncSession, area: Area, period: Period) -> dict[str, int]:
    """Each child counted once, by its latest length-measured visit in the period."""
    rows = await _stunting_rows(session, area, period, by_desa=False)
    return rows[0]


async def stunting_by_desa(
    session: AsyncSession, area: Area, period: Period
) -> list[dict[str, Any]]:
    """The same counts per desa (for ranking priority loci), one query."""
    return await _stunting_rows(session, area, period, by_desa=True)


async def stunting_scanned(
    session: AsyncSession, area: Area, period: Period, *, by_desa: bool = False
) -> list[dict[str, Any]]:
    """``stunting_counts`` (one row) or ``stunting_by_desa`` counted from the measurements
    (for tests and checks: the scan that keeping each child's latest replaces)."""
    return await _stunting_rows(session, area, period, by_desa=by_desa, scan=True)


def _latest_measurements(area: Area, period: Period, *, postgres: bool) -> Any:
    """Each child's latest measurement with a HAZ in the period, among the area's rows
    (``latest_haz.each_childs_latest``). The DISTINCT ON reads ix_measurements_kab_latest in
    order for a kabupaten's year (the scan ``latest_haz`` replaces for a kabupaten or wider);
    a shorter period sorts its rows."""
    where = (
        area.where(M),
        M.c.measured_on.between(period.start, period.end),
        M.c.haz.is_not(None),
    )
    return latest_haz.each_childs_latest(M, where, postgres=postgres)


async def _stunting_rows(
    session: AsyncSession, area: Area, period: Period, *, by_desa: bool, scan: bool = False
) -> list[dict[str, Any]]:
    # A kabupaten or wider reads the rows ``latest_haz`` keeps per kabupaten (one index's
    # rows of the period: parallel workers would cost more to start than they save); a
    # smaller area counts from its measurements.
    kept = not scan and area.wide and latest_haz.keeps(period)
    postgres = await _prepare(session, serial=kept)
    if kept:
        where = area.where(L)
        latest = latest_haz.latest(
            where, period, one_kabupaten=area.one_kabupaten, postgres=postgres
        )
    else:
        latest = _latest_measurements(area, period, postgres=postgres)
    counts = [
        func.count().label("measured"),
        _sum(and_(latest.c.haz >= -3, latest.c.haz < -2)).label("stunted"),
        _sum(latest.c.haz < -3).label("severely_stunted"),
        _sum(latest.c.whz < -2).label("wasted"),
        _sum(latest.c.waz < -2).label("underweight"),
        _sum(latest.c.whz > 2).label("overweight"),
    ]
    if not by_desa:
        row = (await session.execute(select(*counts))).mappings().one()
        return [{k: int(v) for k, v in row.items()}]
    query = (
        select(latest.c.desa_code, *counts)
        .group_by(latest.c.desa_code)
        .order_by(latest.c.desa_code)
    )
    return [
        {k: (v if k == "desa_code" else int(v)) for k, v in row.items()}
        for row in (await session.execute(query)).mappings()
    ]


def _age_between(period: Period, min_years: int, max_years: int | None) -> ColumnElement[bool]:
    born_after, born_by = birth_date_bounds(period.end, min_years, max_years)
    condition = T.c.birth_date <= born_by
    return and_(condition, T.c.birth_date > born_after) if born_after else condition


def _balita(area: Area, period: Period) -> Any:
    """Balita at period end, and those weighed ``required_weighings`` times in the period.

    The numerator is kept on write per registering posyandu and desa (``balita_weighed``,
    see ``ops.balita_weighed``): a sum of a few hundred rows for a kabupaten. A weighing
    counts wherever the child was weighed; the child counts where it is registered.
    """
    numerator = select(func.coalesce(func.sum(W.c.children), 0)).where(
        area.where(W), W.c.period == period.label
    )
    children = and_(area.where(T), balita_weighed.balita_at_end(period))
    return select(
        numerator.scalar_subquery().label("balita_num"),
        select(func.count()).where(children).scalar_subquery().label("balita_den"),
    ).subquery()


def balita_scanned(area: Area, period: Period) -> Select[Any]:
    """The balita numerator counted from the measurements, as ``balita_weighed`` keeps it
    (for tests and checks: a scan of the period's measurements)."""
    children = and_(area.where(T), balita_weighed.balita_at_end(period))
    return select(func.count()).where(children, T.c.id.in_(balita_weighed.weighed_enough(period)))


def _pregnancies(area: Area, period: Period) -> Any:
    return (
        select(
            _sum(P.c.anc_visits >= ANC_STANDARD_VISITS).label("ibu_hamil_num"),
            func.count().label("ibu_hamil_den"),
        )
        .where(
            area.where(P),
            or_(
                P.c.delivered_on.between(period.start, period.end),
                and_(
                    P.c.status == "ongoing",
                    P.c.estimated_delivery.between(period.start, period.end),
                ),
            ),
        )
        .subquery()
    )


def _screened(area: Area, period: Period) -> Any:
    """The four screening indicators over the area's adults (15+), one scan of them.

    One pass over the screenings up to the period end keeps, per person, whether they were
    screened in the period (with blood pressure, with glucose) and were ever found
    hypertensive or diabetic; only rows in the period or with a finding matter. Screenings
    are matched by person wherever they took place, as weighings are.
    """
    adults = and_(
        area.where(T), _age_between(period, SPM["usia_produktif"].parameters["min_age"], None)
    )
    in_period = S.c.screened_on >= period.start  # the rows below all end by period.end

    def any_row(condition: ColumnElement[bool], label: str) -> Any:
        return func.max(case((condition, 1), else_=0)).label(label)  # SQLite has no bool_or

    flags = select(
        S.c.target_id,
        any_row(in_period, "screened"),
        any_row(and_(in_period, S.c.systolic.is_not(None)), "blood_pressure"),
        any_row(and_(in_period, S.c.glucose_mg_dl.is_not(None)), "glucose"),
        any_row(S.c.hypertension.is_(True), "hypertension"),
        any_row(S.c.diabetes.is_(True), "diabetes"),
    ).where(
        S.c.screened_on <= period.end,
        or_(in_period, S.c.hypertension.is_(True), S.c.diabetes.is_(True)),
    )
    if not area.wide:  # the area's adults' screenings only, not everybody's
        flags = flags.where(S.c.target_id.in_(select(T.c.id).where(adults)))
    f = flags.group_by(S.c.target_id).subquery()
    ages, old = SPM["usia_produktif"].parameters, SPM["usia_lanjut"].parameters
    productive = _age_between(period, ages["min_age"], ages["max_age"] + 1)
    elderly = _age_between(period, old["min_age"], None)
    screened, hyper, diab = f.c.screened == 1, f.c.hypertension == 1, f.c.diabetes == 1
    return (
        select(
            _count_if(and_(productive, screened)).label("usia_produktif_num"),
            _count_if(productive).label("usia_produktif_den"),
            _count_if(and_(elderly, screened)).label("usia_lanjut_num"),
            _count_if(elderly).label("usia_lanjut_den"),
            _count_if(and_(hyper, f.c.blood_pressure == 1)).label("hipertensi_num"),
            _count_if(hyper).label("hipertensi_den"),
            _count_if(and_(diab, f.c.glucose == 1)).label("diabetes_num"),
            _count_if(diab).label("diabetes_den"),
        )
        .select_from(T.outerjoin(f, f.c.target_id == T.c.id))
        .where(adults)
        .subquery()
    )


SPM_CODES = ("balita", "ibu_hamil", "usia_produktif", "usia_lanjut", "hipertensi", "diabetes")


def _spm_query(area: Area, period: Period) -> Select[Any]:
    """The first six SPM counts in one statement, from the records: three one-row aggregates
    (what ``ops.tally`` keeps, but the balita numerator, is counted here again)."""
    balita, anc, screened = (
        _balita(area, period),
        _pregnancies(area, period),
        _screened(area, period),
    )
    return select(balita, anc, screened).select_from(
        balita.join(anc, true()).join(screened, true())
    )


async def spm_scanned(
    session: AsyncSession, area: Area, period: Period
) -> dict[str, tuple[int, int]]:
    """The first six SPM codes' (numerator, denominator) counted from the records (for tests
    and checks: the scans that keeping them replaces)."""
    await _prepare(session, serial=True)
    row = (await session.execute(_spm_query(area, period))).mappings().one()
    return {code: (int(row[f"{code}_num"]), int(row[f"{code}_den"])) for code in SPM_CODES}


async def spm_counts(
    session: AsyncSession, area: Area, period: Period
) -> dict[str, tuple[int, int]]:
    """(numerator, denominator) per SPM code, in the regulation's order; definitions in
    domain.indicators.SPM. The people's counts are kept per month (``ops.tally``; read first,
    as counting a posyandu not kept yet commits), the balita weighed per period
    (``ops.balita_weighed``), the other codes per period (``ops.kept``)."""
    counted = await tally.read(session, period, wilayah=area.wilayah, posyandu_id=area.posyandu_id)
    await _prepare(session, serial=True)
    numerator = select(func.coalesce(func.sum(W.c.children), 0)).where(
        area.where(W), W.c.period == period.label
    )
    counted["balita"] = (int((await session.execute(numerator)).scalar_one()), counted["balita"][1])
    counted |= await kept.spm_counts(
        session, period, wilayah=area.wilayah, posyandu_id=area.posyandu_id
    )
    return {code: counted.get(code, (0, 0)) for code in SPM}
