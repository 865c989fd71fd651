"""Aggregates for DPMD, the Tim Pembina and the gateway: SPM perumahan indicators, referrals
resolved in time, a summary of one posyandu or a wilayah, and houses' figures by desa."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_housing.api.deps import AggregateReader, Today
from simpul_housing.domain import indicators as definitions
from simpul_housing.ops import aggregates
from simpul_housing.schemas.indicators import DesaRow, Summary
from simpul_platform.auth import Principal
from simpul_platform.indicators import IndicatorValue, PeriodQuery, period_from_query
from simpul_platform.referrals.queries import resolved_in_time
from simpul_platform.replica import aggregate_scope
from simpul_platform.uow import SessionDep
from simpul_platform.wilayah import WilayahQuery

router = APIRouter(tags=["indicators"])


async def _scope(
    session: AsyncSession, principal: Principal, wilayah: str | None, posyandu_id: str | None
) -> aggregates.Scope:
    return aggregates.Scope(*await aggregate_scope(session, principal, wilayah, posyandu_id))


@router.get("/v1/indicators", response_model=list[IndicatorValue], operation_id="getIndicators")
async def indicators(
    session: SessionDep,
    principal: AggregateReader,
    today: Today,
    period: PeriodQuery,
    wilayah: WilayahQuery = None,
    posyandu_id: str | None = None,
) -> Any:
    """SPM perumahan (disaster victims' housing, relocated households' housing; yearly, a month
    or quarter counting its year to date), livable houses under each rule set, stunted
    children's households in RTLH, and referrals to housing resolved within their due date."""
    window = period_from_query(period)
    scope = await _scope(session, principal, wilayah, posyandu_id)
    month = definitions.end_month(window.end, today)
    values = await aggregates.indicators(session, scope, month)
    referrals = await resolved_in_time(
        session, "housing", scope.wilayah, scope.posyandu_id, window, today
    )
    return [*values, referrals]


@router.get("/v1/summary", response_model=Summary, operation_id="getSummary")
async def summary(
    session: SessionDep,
    principal: AggregateReader,
    today: Today,
    period: PeriodQuery,
    wilayah: WilayahQuery = None,
    posyandu_id: str | None = None,
) -> Any:
    """Houses and their classification by their latest survey, RTLH cases and disaster-damaged
    houses open now, and housing's referrals, for one posyandu or a wilayah (current figures;
    the period is echoed)."""
    window = period_from_query(period)
    scope = await _scope(session, principal, wilayah, posyandu_id)
    return Summary(
        wilayah=list(scope.wilayah),
        posyandu_id=scope.posyandu_id,
        period=window.label,
        as_of=today,
        **await aggregates.house_figures(session, scope),
        rtlh_cases=await aggregates.rtlh_cases(session, scope),
        disaster_houses_open=await aggregates.disaster_open(session, scope),
        referrals=await aggregates.referrals(session, scope, today),
    )


@router.get("/v1/summary/by-desa", response_model=list[DesaRow], operation_id="summaryByDesa")
async def summary_by_desa(
    session: SessionDep,
    principal: AggregateReader,
    today: Today,
    period: PeriodQuery,
    wilayah: WilayahQuery = None,
) -> Any:
    """Houses per desa at the period's end (as /v1/indicators counts them): surveyed, RTLH
    under each rule set, RTLH handled in the year, disaster units planned and completed,
    stunted children's households and those in RTLH."""
    window = period_from_query(period)
    scope = await _scope(session, principal, wilayah, None)
    return await aggregates.by_desa(session, scope, definitions.end_month(window.end, today))
