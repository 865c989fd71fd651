"""The summary and the per-desa poverty counts, aggregated in SQL (see aggregates for the
scope, the per-transaction tuning and the indicators)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, case, func, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.indicators import Period, percent
from simpul_social.models import Household, PriorityCase, StuntingLead, StuntingReaction
from simpul_social.ops.aggregates import PRIORITY, Scope, count_if, tune, within_period
from simpul_social.schemas.indicators import (
    DesaPoverty,
    OpenCaseBrief,
    PriorityCaseSummary,
    Summary,
)


async def deciles(session: AsyncSession, scope: Scope) -> dict[int | None, int]:
    rows = await session.execute(
        select(col(Household.decile), func.count())
        .where(scope.where(Household))
        .group_by(col(Household.decile))
    )
    return {decile: int(n) for decile, n in rows.all()}


async def priority_counts(
    session: AsyncSession, scope: Scope, period: Period, today: date
) -> PriorityCaseSummary:
    """Cases opened, resolved (and on time) in the period, open and overdue now; no list."""
    opened_in = within_period(col(PriorityCase.detected_on), period)
    resolved_in = within_period(col(PriorityCase.resolved_on), period)
    is_open = col(PriorityCase.status) == "open"
    overdue = and_(is_open, col(PriorityCase.due_on) < today)
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
            ).where(scope.where(PriorityCase))
        )
    ).one()
    opened, resolved, on_time, open_now, overdue_now = (int(v) for v in row)
    return PriorityCaseSummary(
        opened=opened,
        resolved=resolved,
        resolved_on_time=on_time,
        open=open_now,
        overdue=overdue_now,
    )


async def priority_summary(
    session: AsyncSession, scope: Scope, period: Period, today: date
) -> PriorityCaseSummary:
    """The counts and the first 500 open cases by due date (the id breaks ties, as in
    ``priority.list_cases``, so the same cases are listed each time)."""
    counts = await priority_counts(session, scope, period, today)
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
            .where(scope.where(PriorityCase), col(PriorityCase.status) == "open")
            .order_by(col(PriorityCase.due_on), col(PriorityCase.id))
            .limit(500)
        )
    ).all()
    counts.open_cases = [
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
    return counts


async def summary(session: AsyncSession, scope: Scope, period: Period, today: date) -> Summary:
    await tune(session, scope)
    by_decile = await deciles(session, scope)
    total = sum(by_decile.values())
    assessed = total - by_decile.get(None, 0)
    poor = sum(n for d, n in by_decile.items() if d is not None and PRIORITY[0] <= d <= PRIORITY[1])
    decisions = await session.execute(
        select(col(StuntingReaction.decision), func.count())
        .where(
            scope.where(StuntingReaction), within_period(col(StuntingReaction.detected_on), period)
        )
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
    await tune(session, scope)
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
