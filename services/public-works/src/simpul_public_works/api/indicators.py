"""Aggregates for DPMD, the Tim Pembina and the gateway: SPM pekerjaan umum indicators,
referrals resolved in time, a summary of one posyandu or a wilayah, and figures by desa."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.auth import Principal
from simpul_platform.indicators import IndicatorValue, PeriodQuery, period_from_query
from simpul_platform.referrals.queries import resolved_in_time
from simpul_platform.replica import aggregate_scope
from simpul_platform.uow import SessionDep
from simpul_platform.wilayah import WilayahQuery
from simpul_public_works.api.deps import AggregateReader, SettingsDep, Today
from simpul_public_works.domain import indicators as definitions
from simpul_public_works.ops import aggregates
from simpul_public_works.ops.issues_rows import overdue_thresholds
from simpul_public_works.schemas.indicators import DesaRow, Summary

router = APIRouter(tags=["indicators"])


async def _scope(
    session: AsyncSession, principal: Principal, wilayah: str | None, posyandu_id: str | None
) -> aggregates.Scope:
    return aggregates.Scope(*await aggregate_scope(session, principal, wilayah, posyandu_id))


@router.get("/v1/indicators", response_model=list[IndicatorValue], operation_id="getIndicators")
async def indicators(
    session: SessionDep,
    principal: AggregateReader,
    settings: SettingsDep,
    today: Today,
    period: PeriodQuery,
    wilayah: WilayahQuery = None,
    posyandu_id: str | None = None,
) -> Any:
    """SPM pekerjaan umum (basic daily drinking water, domestic wastewater service; each
    household by its latest survey on or before the period's end, weighted by its occupants),
    survey coverage, BABS, safe water, layak sanitation, infrastructure issues overdue and done
    (yearly: a month or quarter counts its year to date), and referrals to public works
    resolved within their due date."""
    window = period_from_query(period)
    scope = await _scope(session, principal, wilayah, posyandu_id)
    month = definitions.end_month(window.end, today)
    values = await aggregates.indicators(session, scope, month, overdue_thresholds(settings))
    referrals = await resolved_in_time(
        session, "public_works", scope.wilayah, scope.posyandu_id, window, today
    )
    return [*values, referrals]


@router.get("/v1/summary", response_model=Summary, operation_id="getSummary")
async def summary(
    session: SessionDep,
    principal: AggregateReader,
    settings: SettingsDep,
    today: Today,
    period: PeriodQuery,
    wilayah: WilayahQuery = None,
    posyandu_id: str | None = None,
) -> Any:
    """Households known and surveyed with their water and sanitation by their latest survey,
    infrastructure issues open now, and public works' referrals, for one posyandu or a
    wilayah (current figures; the period is echoed)."""
    window = period_from_query(period)
    scope = await _scope(session, principal, wilayah, posyandu_id)
    return Summary(
        wilayah=list(scope.wilayah),
        posyandu_id=scope.posyandu_id,
        period=window.label,
        as_of=today,
        **await aggregates.household_figures(session, scope),
        issues=await aggregates.issue_figures(session, scope, today, overdue_thresholds(settings)),
        referrals=await aggregates.referrals(session, scope, today),
    )


@router.get("/v1/summary/by-desa", response_model=list[DesaRow], operation_id="summaryByDesa")
async def summary_by_desa(
    session: SessionDep,
    principal: AggregateReader,
    settings: SettingsDep,
    today: Today,
    period: PeriodQuery,
    wilayah: WilayahQuery = None,
) -> Any:
    """Households and issues per desa at the period's end (as /v1/indicators counts them):
    known, surveyed, population surveyed and served, households without basic water, BABS,
    without layak sanitation, issues open, overdue and done in the year."""
    window = period_from_query(period)
    scope = await _scope(session, principal, wilayah, None)
    month = definitions.end_month(window.end, today)
    return await aggregates.by_desa(session, scope, month, overdue_thresholds(settings))
