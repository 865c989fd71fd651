"""Aggregates for DPMD and the gateway: SPM sosial indicators, bansos coverage, the summary."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from simpul_platform.auth import Principal
from simpul_platform.clock import local_today
from simpul_platform.indicators import IndicatorValue, PeriodQuery, period_from_query
from simpul_platform.referrals.queries import resolved_in_time
from simpul_platform.replica import aggregate_scope
from simpul_platform.uow import SessionDep
from simpul_platform.wilayah import WilayahQuery
from simpul_social.api.deps import AggregateReader, SettingsDep
from simpul_social.ops import aggregates
from simpul_social.ops import summary as summaries
from simpul_social.schemas.indicators import DesaPoverty, Summary

router = APIRouter(tags=["indicators"])


async def _scope(
    session: Any, principal: Principal, wilayah: str | None, posyandu_id: str | None
) -> aggregates.Scope:
    return aggregates.Scope(*await aggregate_scope(session, principal, wilayah, posyandu_id))


@router.get("/v1/indicators", response_model=list[IndicatorValue], operation_id="getIndicators")
async def indicators(
    session: SessionDep,
    principal: AggregateReader,
    settings: SettingsDep,
    period: PeriodQuery,
    wilayah: WilayahQuery = None,
    posyandu_id: str | None = None,
) -> Any:
    """SPM sosial (PPKS served ÷ identified per group), bansos coverage, priority follow-up,
    and referrals to social resolved within their due date."""
    window = period_from_query(period)
    scope = await _scope(session, principal, wilayah, posyandu_id)
    due_days = settings.priority_due_working_days
    values = await aggregates.indicators(session, scope, window, due_days)
    today = local_today(settings)
    referrals = await resolved_in_time(
        session, "social", scope.wilayah, scope.posyandu_id, window, today
    )
    return [*values, referrals]


@router.get("/v1/summary", response_model=Summary, operation_id="getSummary")
async def summary(
    session: SessionDep,
    principal: AggregateReader,
    settings: SettingsDep,
    period: PeriodQuery,
    wilayah: WilayahQuery = None,
    posyandu_id: str | None = None,
) -> Any:
    """Households per decile, deciles 1–4, priority cases (open with due dates), decisions."""
    window = period_from_query(period)
    scope = await _scope(session, principal, wilayah, posyandu_id)
    return await summaries.summary(session, scope, window, local_today(settings))


@router.get("/v1/summary/by-desa", response_model=list[DesaPoverty], operation_id="povertyByDesa")
async def poverty_by_desa(
    session: SessionDep,
    principal: AggregateReader,
    period: PeriodQuery,
    wilayah: WilayahQuery = None,
) -> Any:
    """Share of households in deciles 1–4 per desa under a wilayah (DTSEN as of now; the
    period is accepted for symmetry with the other views)."""
    period_from_query(period)
    scope = await _scope(session, principal, wilayah, None)
    return await summaries.poverty_by_desa(session, scope)
