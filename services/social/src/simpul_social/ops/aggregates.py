"""Indicators: bansos coverage summed from the counts kept per posyandu and month
(``ops.tallies``), the rest aggregated in SQL per request (GROUP BY over covering indexes).

``coverage`` counts coverage from the rows per request: the reference the kept counts are
tested against. A kabupaten holds most of a social database (Kutai Kartanegara: 180,000
households, 350,000 bansos distributions a year), so its counts read covering indexes from
end to end (index-only scans, hash joins); a smaller area probes the households it has. Both
shapes give the same answers. Counted per request, the parts are rows of one shape, (kind,
key, name, a, b), put together with UNION ALL: /v1/indicators reads the kept coverage, then
one such statement for the rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, literal, null, select, union_all
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.auth import NATIONWIDE
from simpul_platform.indicators import IndicatorValue, Period
from simpul_platform.wilayah import level, under
from simpul_social.domain.ppks import CATEGORY_NAMES, PPKS_CATEGORIES
from simpul_social.models import (
    DisasterProtectionCase,
    Distribution,
    Household,
    PpksCase,
    PriorityCase,
    Program,
)
from simpul_social.ops import tallies
from simpul_social.ops.tallies import PRIORITY

__all__ = ["PRIORITY", "Scope", "coverage", "indicators", "kept_coverage", "ppks", "tune"]

PERMENSOS = "Permensos 9/2018 (SPM bidang sosial daerah kabupaten/kota), rehabilitasi sosial "

# Per transaction (SET LOCAL), on PostgreSQL, for a wide scope (a kabupaten or more). asyncpg
# prepares statements, and after five runs PostgreSQL may settle on a generic plan that sees
# neither the wilayah nor the dates: for a kabupaten it then probed 51,000 households one by
# one (1–3 s instead of 0.15 s). Its (household, program) pairs need about 6 MB of hash
# table, which the default 4 MB would spill to disk. A narrow scope keeps the defaults: its
# generic plan probes, as its custom plans do, and planning the indicators' statement anew
# (about 7 ms) would cost more than running it.
SETTINGS = {"plan_cache_mode": "force_custom_plan", "work_mem": "32MB"}

Part = Select[*tuple[Any, ...]]  # a SELECT of (kind, key, name, a, b) rows
Rows = Sequence[Any]  # their results


async def tune(session: AsyncSession, scope: Scope) -> None:
    """Apply SETTINGS to this transaction for a wide scope (PostgreSQL only). The endpoints'
    functions below (indicators, summary, poverty_by_desa) call it; call it before the
    others."""
    if scope.wide and session.get_bind().dialect.name == "postgresql":
        await session.execute(  # set_config(..., true) is SET LOCAL: it ends with the transaction
            select(*(func.set_config(name, value, True) for name, value in SETTINGS.items()))
        )


@dataclass(frozen=True)
class Scope:
    """Which rows an aggregate covers: desa codes under ``wilayah``, optionally one posyandu."""

    wilayah: Sequence[str]
    posyandu_id: str | None = None

    def where(self, table: Any) -> ColumnElement[bool]:
        clause = under(table.desa_code, self.wilayah)
        if self.posyandu_id is not None:
            clause = and_(clause, table.posyandu_id == self.posyandu_id)
        return clause

    @property
    def wide(self) -> bool:
        """A kabupaten or more: most of the database, so reading a period's distributions
        once beats probing household by household."""
        return self.posyandu_id is None and any(
            code == NATIONWIDE or level(code) <= 2 for code in self.wilayah
        )


def within_period(column: Any, period: Period) -> ColumnElement[bool]:
    return col(column).between(period.start, period.end)


def _poor(scope: Scope) -> ColumnElement[bool]:
    return and_(scope.where(Household), col(Household.decile).between(*PRIORITY))


def _received(period: Period) -> tuple[ColumnElement[bool], ...]:
    return (
        col(Distribution.status) == "distributed",
        col(Distribution.period_start) <= period.end,
        col(Distribution.period_end) >= period.start,
    )


def _pairs(scope: Scope, period: Period) -> Any:
    """Each (household, program) once where a deciles 1–4 household of the scope had a
    distribution of the program for a period overlapping ``period``.

    Wide: the period's distributions reduced to pairs first (from the covering
    ix_distribution_period_end or ix_distribution_household_program, as the planner
    finds cheaper), then joined to the scope's poor households. Narrow: the scope's poor
    households first (ix_household_desa_decile), each probing its own distributions.
    """
    household_id, program_code = col(Distribution.household_id), col(Distribution.program_code)
    if scope.wide:
        received = (
            select(household_id, program_code)
            .where(*_received(period))
            .group_by(household_id, program_code)
            .subquery()
        )
        pairs = (
            select(received.c.household_id, received.c.program_code)
            .join(Household, col(Household.id) == received.c.household_id)
            .where(_poor(scope))
        )
    else:
        pairs = (
            select(household_id, program_code)
            .join(Household, col(Household.id) == household_id)
            .where(_poor(scope), *_received(period))
            .group_by(household_id, program_code)
        )
    return pairs.cte("pairs")


def _coverage_rows(scope: Scope, period: Period) -> list[Part]:
    """("program", code, name, households, -) for each active program, ("any", ...) and
    ("poor", ...): the deciles 1–4 households, the denominator."""
    pairs = _pairs(scope, period)
    per_program = (
        select(pairs.c.program_code, func.count().label("n"))
        .group_by(pairs.c.program_code)
        .subquery()
    )
    programs: Part = (
        select(
            literal("program"),
            col(Program.code),
            col(Program.name),
            func.coalesce(per_program.c.n, 0),
            null(),
        )
        .outerjoin(per_program, per_program.c.program_code == col(Program.code))
        .where(col(Program.active))
    )
    # DISTINCT in a subquery is hashed; count(DISTINCT ...) would sort.
    households = select(pairs.c.household_id).distinct().subquery()
    any_program = select(literal("any"), null(), null(), func.count(), null()).select_from(
        households
    )
    poor = select(literal("poor"), null(), null(), func.count(), null()).where(_poor(scope))
    return [programs, any_program, poor]


def _ppks_rows(scope: Scope, period: Period) -> list[Part]:
    """("ppks", category, -, identified, served) for PPKS identified in the period."""
    category = col(PpksCase.category)
    counts = select(
        literal("ppks"), category, null(), func.count(), func.count(col(PpksCase.served_on))
    )
    where = (scope.where(PpksCase), within_period(col(PpksCase.identified_on), period))
    return [counts.where(*where).group_by(category)]


def _disaster_rows(scope: Scope, period: Period) -> list[Part]:
    """("disaster", -, -, cases opened, protected) for disaster protection cases opened in the
    period (one per household and disaster or fire)."""
    case = DisasterProtectionCase
    counts = select(
        literal("disaster"), null(), null(), func.count(), func.count(col(case.emergency_served_on))
    )
    return [counts.where(scope.where(case), within_period(col(case.opened_on), period))]


def _disaster_value(rows: Rows, period: Period) -> IndicatorValue:
    opened, protected = next((int(a), int(b)) for kind, _, _, a, b in rows if kind == "disaster")
    return IndicatorValue.of(
        "social.spm.korban_bencana",
        "social",
        "Disaster victims given social protection during and after the emergency",
        protected,
        opened,
        f"Households struck by a disaster or fire whose case opened in {period.label} and who "
        f"received emergency social protection ÷ households with a case opened in "
        f"{period.label} (a household once per disaster or fire)",
        "Permensos 9/2018 (SPM bidang sosial daerah kabupaten/kota), perlindungan dan jaminan "
        "sosial pada saat dan setelah tanggap darurat bencana, jenis pelayanan dasar no. 5",
    )


async def disaster_protection(
    session: AsyncSession, scope: Scope, period: Period
) -> IndicatorValue:
    """SPM sosial: victim households of the period's cases that were protected."""
    return _disaster_value(await _rows(session, _disaster_rows(scope, period)), period)


def _case_rows(scope: Scope, period: Period) -> list[Part]:
    """("cases", -, -, opened, resolved on time) in the period."""
    resolved_on = col(PriorityCase.resolved_on)
    on_time = and_(within_period(resolved_on, period), resolved_on <= col(PriorityCase.due_on))
    opened = count_if(within_period(col(PriorityCase.detected_on), period))
    counts = select(literal("cases"), null(), null(), opened, count_if(on_time))
    return [counts.where(scope.where(PriorityCase))]


async def _rows(session: AsyncSession, parts: list[Part]) -> Rows:
    """One statement; ordered by kind and key (so programs come in code order)."""
    union = union_all(*parts).subquery()
    kind, key = list(union.c)[:2]
    statement = select(union).order_by(kind, key)
    return (await session.execute(statement)).all()


def _coverage_values(rows: Rows, period: Period) -> list[IndicatorValue]:
    programs = [(code, name, int(n)) for kind, code, name, n, _ in rows if kind == "program"]
    any_program = next(int(n) for kind, _, _, n, _ in rows if kind == "any")
    denominator = next(int(n) for kind, _, _, n, _ in rows if kind == "poor")
    definition = "Deciles 1–4 households with a {what} distribution for a period overlapping {p} ÷ deciles 1–4 households"  # noqa: E501
    source = "DTSEN (Inpres 4/2025): bansos is mostly for deciles 1–4"
    values = [
        IndicatorValue.of(
            f"social.bansos.coverage.{code}",
            "social",
            f"Deciles 1–4 households receiving {name}",
            n,
            denominator,
            definition.format(what=code, p=period.label),
            source,
        )
        for code, name, n in programs
    ]
    values.append(
        IndicatorValue.of(
            "social.bansos.coverage.any",
            "social",
            "Deciles 1–4 households receiving any bansos",
            any_program,
            denominator,
            definition.format(what="any program", p=period.label),
            source,
        )
    )
    return values


def _ppks_values(rows: Rows, period: Period) -> list[IndicatorValue]:
    counts = {key: (int(a), int(b)) for kind, key, _, a, b in rows if kind == "ppks"}
    values = []
    for number, category in enumerate(PPKS_CATEGORIES, start=1):
        identified, served = counts.get(category, (0, 0))
        name = CATEGORY_NAMES[category]
        values.append(
            IndicatorValue.of(
                f"social.spm.{category}",
                "social",
                f"{name} given basic social rehabilitation outside institutions",
                served,
                identified,
                f"{name} identified in {period.label} and served (rehabilitation outside "
                f"institutions) ÷ identified in {period.label}",
                PERMENSOS + f"jenis pelayanan dasar no. {number}; PP 2/2018",
            )
        )
    return values


async def coverage(session: AsyncSession, scope: Scope, period: Period) -> list[IndicatorValue]:
    """Share of deciles 1–4 households that received each program in the period."""
    return _coverage_values(await _rows(session, _coverage_rows(scope, period)), period)


async def kept_coverage(
    session: AsyncSession, scope: Scope, period: Period
) -> list[IndicatorValue]:
    """``coverage``, summed from the counts kept per posyandu and month (``ops.tallies``)."""
    active = select(col(Program.code), col(Program.name)).where(col(Program.active))
    names = {code: name for code, name in await session.execute(active.order_by(col(Program.code)))}
    kept = tallies.Scope(scope.wilayah, scope.posyandu_id)
    counted = await tallies.read(session, list(names), kept, period)
    rows: list[Any] = [("program", c, names[c], n, None) for c, n in counted.programs.items()]
    rows.append(("any", None, None, counted.any_program, None))
    rows.append(("poor", None, None, counted.poor, None))
    return _coverage_values(rows, period)


async def ppks(session: AsyncSession, scope: Scope, period: Period) -> list[IndicatorValue]:
    """SPM sosial: PPKS identified in the period who were served outside institutions."""
    return _ppks_values(await _rows(session, _ppks_rows(scope, period)), period)


def count_if(condition: ColumnElement[bool]) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def on_time_indicator(on_time: int, opened: int, period: Period, due_days: int) -> IndicatorValue:
    return IndicatorValue.of(
        "social.priority_case.resolved_on_time",
        "social",
        "Keluarga berisiko stunting cases followed up within the due date",
        on_time,
        opened,
        f"Priority cases resolved in {period.label} by their due date ({due_days} working days "
        f"after detection) ÷ priority cases opened in {period.label}",
        "Service path: OPD follows up within 5 working days (DOMAIN.md)",
    )


async def indicators(
    session: AsyncSession, scope: Scope, period: Period, due_days: int
) -> list[IndicatorValue]:
    """What /v1/indicators answers (SPM sosial, bansos coverage, priority follow-up): the
    kept coverage, then one statement."""
    covered = await kept_coverage(session, scope, period)  # first: filling commits
    await tune(session, scope)
    parts = _ppks_rows(scope, period) + _disaster_rows(scope, period) + _case_rows(scope, period)
    rows = await _rows(session, parts)
    opened, on_time = next((int(a), int(b)) for kind, _, _, a, b in rows if kind == "cases")
    return [
        *_ppks_values(rows, period),
        _disaster_value(rows, period),
        *covered,
        on_time_indicator(on_time, opened, period, due_days),
    ]
