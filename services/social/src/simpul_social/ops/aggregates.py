"""Indicators and the summary, aggregated in SQL (GROUP BY over indexed columns)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.indicators import IndicatorValue, Period, percent
from simpul_social.domain.ppks import CATEGORY_NAMES, PPKS_CATEGORIES
from simpul_social.models import (
    Distribution,
    Household,
    PpksCase,
    PriorityCase,
    Program,
    StuntingLead,
    StuntingReaction,
)
from simpul_social.ops.priority import in_wilayah
from simpul_social.schemas_summary import DesaPoverty, OpenCaseBrief, PriorityCaseSummary, Summary

PERMENSOS = "Permensos 9/2018 (SPM bidang sosial daerah kabupaten/kota), rehabilitasi sosial "
PRIORITY = (1, 4)


@dataclass(frozen=True)
class Scope:
    """Which rows an aggregate covers: desa codes under ``wilayah``, optionally one posyandu."""

    wilayah: Sequence[str]
    posyandu_id: str | None = None

    def where(self, table: Any) -> ColumnElement[bool]:
        clause = in_wilayah(table.desa_code, self.wilayah)
        if self.posyandu_id is not None:
            clause = and_(clause, table.posyandu_id == self.posyandu_id)
        return clause


def _within(column: Any, period: Period) -> ColumnElement[bool]:
    return col(column).between(period.start, period.end)


async def deciles(session: AsyncSession, scope: Scope) -> dict[int | None, int]:
    rows = await session.execute(
        select(col(Household.decile), func.count())
        .where(scope.where(Household))
        .group_by(col(Household.decile))
    )
    return {decile: int(n) for decile, n in rows.all()}


async def coverage(session: AsyncSession, scope: Scope, period: Period) -> list[IndicatorValue]:
    """Share of deciles 1–4 households that received each program in the period."""
    poor = and_(scope.where(Household), col(Household.decile).between(*PRIORITY))
    denominator = int(
        (
            await session.execute(select(func.count()).select_from(Household).where(poor))
        ).scalar_one()
    )
    received = and_(
        poor,
        col(Distribution.status) == "distributed",
        col(Distribution.period_start) <= period.end,
        col(Distribution.period_end) >= period.start,
    )
    joined = select(
        col(Distribution.program_code), func.count(func.distinct(col(Distribution.household_id)))
    )
    rows = await session.execute(
        joined.join(Household, col(Household.id) == col(Distribution.household_id))
        .where(received)
        .group_by(col(Distribution.program_code))
    )
    per_program = {code: int(n) for code, n in rows.all()}
    any_program = int(
        (
            await session.execute(
                select(func.count(func.distinct(col(Distribution.household_id))))
                .join(Household, col(Household.id) == col(Distribution.household_id))
                .where(received)
            )
        ).scalar_one()
    )
    programs = (
        await session.execute(
            select(col(Program.code), col(Program.name))
            .where(col(Program.active))
            .order_by(col(Program.code))
        )
    ).all()
    definition = "Deciles 1–4 households with a {what} distribution for a period overlapping {p} ÷ deciles 1–4 households"  # noqa: E501
    source = "DTSEN (Inpres 4/2025): bansos is mostly for deciles 1–4"
    values = [
        IndicatorValue.of(
            f"social.bansos.coverage.{code}",
            "social",
            f"Deciles 1–4 households receiving {name}",
            per_program.get(code, 0),
            denominator,
            definition.format(what=code, p=period.label),
            source,
        )
        for code, name in programs
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


async def ppks(session: AsyncSession, scope: Scope, period: Period) -> list[IndicatorValue]:
    """SPM sosial: PPKS identified in the period who were served outside institutions."""
    rows = await session.execute(
        select(col(PpksCase.category), func.count(), func.count(col(PpksCase.served_on)))
        .where(scope.where(PpksCase), _within(col(PpksCase.identified_on), period))
        .group_by(col(PpksCase.category))
    )
    counts = {category: (int(n), int(served)) for category, n, served in rows.all()}
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


async def priority_summary(
    session: AsyncSession, scope: Scope, period: Period, today: date
) -> PriorityCaseSummary:
    where = scope.where(PriorityCase)
    opened_in = _within(col(PriorityCase.detected_on), period)
    resolved_in = _within(col(PriorityCase.resolved_on), period)
    is_open = col(PriorityCase.status) == "open"
    overdue = and_(is_open, col(PriorityCase.due_on) < today)

    def count_if(condition: ColumnElement[bool]) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    row = (
        await session.execute(
            select(
                count_if(opened_in),
                count_if(resolved_in),
                count_if(
                    and_(resolved_in, col(PriorityCase.resolved_on) <= col(PriorityCase.due_on))
                ),
                count_if(is_open),
                count_if(overdue),
            ).where(where)
        )
    ).one()
    open_rows = (
        await session.execute(
            select(
                col(PriorityCase.id),
                col(PriorityCase.posyandu_id),
                col(PriorityCase.desa_code),
                col(PriorityCase.severity),
                col(PriorityCase.detected_on),
                col(PriorityCase.due_on),
            )
            .where(where, is_open)
            .order_by(col(PriorityCase.due_on))
            .limit(500)
        )
    ).all()
    briefs = [
        OpenCaseBrief(
            case_id=r[0],
            posyandu_id=r[1],
            desa_code=r[2],
            severity=r[3],
            detected_on=r[4],
            due_on=r[5],
            overdue=r[5] < today,
        )
        for r in open_rows
    ]
    opened, resolved, on_time, open_now, overdue_now = (int(v) for v in row)
    return PriorityCaseSummary(
        opened=opened,
        resolved=resolved,
        resolved_on_time=on_time,
        open=open_now,
        overdue=overdue_now,
        open_cases=briefs,
    )


def on_time_indicator(
    summary: PriorityCaseSummary, period: Period, due_days: int
) -> IndicatorValue:
    return IndicatorValue.of(
        "social.priority_case.resolved_on_time",
        "social",
        "Keluarga berisiko stunting cases followed up within the due date",
        summary.resolved_on_time,
        summary.opened,
        f"Priority cases resolved in {period.label} by their due date ({due_days} working days "
        f"after detection) ÷ priority cases opened in {period.label}",
        "Service path: OPD follows up within 5 working days (DOMAIN.md)",
    )


async def summary(session: AsyncSession, scope: Scope, period: Period, today: date) -> Summary:
    by_decile = await deciles(session, scope)
    total = sum(by_decile.values())
    assessed = total - by_decile.get(None, 0)
    poor = sum(n for d, n in by_decile.items() if d is not None and PRIORITY[0] <= d <= PRIORITY[1])
    decisions = await session.execute(
        select(col(StuntingReaction.decision), func.count())
        .where(scope.where(StuntingReaction), _within(col(StuntingReaction.detected_on), period))
        .group_by(col(StuntingReaction.decision))
    )
    leads = (
        await session.execute(
            select(func.count())
            .select_from(StuntingLead)
            .where(scope.where(StuntingLead), col(StuntingLead.status) == "open")
        )
    ).scalar_one()
    return Summary(
        wilayah=list(scope.wilayah),
        posyandu_id=scope.posyandu_id,
        period=period.label,
        as_of=today,
        households=total,
        households_assessed=assessed,
        households_by_decile={
            **{str(d): by_decile.get(d, 0) for d in range(1, 11)},
            "unassessed": by_decile.get(None, 0),
        },
        deciles_1_4=poor,
        deciles_1_4_percent=percent(poor, assessed),
        priority_cases=await priority_summary(session, scope, period, today),
        stunting_decisions={decision: int(n) for decision, n in decisions.all()},
        open_leads=int(leads),
    )


async def poverty_by_desa(session: AsyncSession, scope: Scope) -> list[DesaPoverty]:
    """Households, assessed households and deciles 1–4 per desa (priority loci), one query."""
    low, high = PRIORITY
    poor = and_(col(Household.decile) >= low, col(Household.decile) <= high)
    rows = await session.execute(
        select(
            col(Household.desa_code),
            func.count(),
            func.count(col(Household.decile)),
            func.coalesce(func.sum(case((poor, 1), else_=0)), 0),
        )
        .where(scope.where(Household))
        .group_by(col(Household.desa_code))
        .order_by(col(Household.desa_code))
    )
    return [
        DesaPoverty(
            desa_code=desa,
            households=int(total),
            households_assessed=int(assessed),
            deciles_1_4=int(deciles_1_4),
            share_deciles_1_4=percent(int(deciles_1_4), int(assessed)),
        )
        for desa, total, assessed, deciles_1_4 in rows.all()
    ]
