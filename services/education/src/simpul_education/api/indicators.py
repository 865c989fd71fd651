"""Aggregates for DPMD and the gateway: SPM pendidikan indicators, referrals resolved in
time, a summary by status, and children's figures by desa."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_education.api.deps import AggregateReader, SettingsDep, Today
from simpul_education.domain import indicators as definitions
from simpul_education.ops import aggregates, ats_aggregates
from simpul_education.schemas.indicators import DesaRow, Summary
from simpul_education.settings import EducationSettings
from simpul_platform.auth import Principal
from simpul_platform.indicators import IndicatorValue, PeriodQuery, period_from_query
from simpul_platform.referrals.queries import resolved_in_time
from simpul_platform.replica import aggregate_scope
from simpul_platform.uow import SessionDep
from simpul_platform.wilayah import WilayahQuery

router = APIRouter(tags=["indicators"])


def counts_of(settings: EducationSettings) -> definitions.Definitions:
    """The counts kept per posyandu and month, with the settings' kesetaraan status sets."""
    return definitions.definitions(settings.kesetaraan_numerator, settings.kesetaraan_denominator)


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
    """SPM pendidikan (PAUD 5–6, dasar 7–15, kesetaraan 7–18, PAUD equity; ages and statuses
    at the end of the period's last month, or of the current month) and referrals to
    education resolved within their due date."""
    window = period_from_query(period)
    scope = await _scope(session, principal, wilayah, posyandu_id)
    month = definitions.end_month(window.end, today)
    values = await aggregates.indicators(session, counts_of(settings), scope, month)
    referrals = await resolved_in_time(
        session, "education", scope.wilayah, scope.posyandu_id, window, today
    )
    ats = await ats_aggregates.ats_indicators(session, scope, window, today)
    return [*values, referrals, *ats]


@router.get("/v1/summary", response_model=Summary, operation_id="getSummary")
async def summary(
    session: SessionDep,
    principal: AggregateReader,
    today: Today,
    period: PeriodQuery,
    wilayah: WilayahQuery = None,
    posyandu_id: str | None = None,
) -> Any:
    """Children by education status as of the period's end, for one posyandu or a wilayah,
    and the ATS cases open now (one posyandu's: listed, the longest waiting first)."""
    window = period_from_query(period)
    scope = await _scope(session, principal, wilayah, posyandu_id)
    as_of: date = min(window.end, today)
    counts = await aggregates.by_status(session, scope, as_of)
    return Summary(
        wilayah=list(scope.wilayah),
        posyandu_id=scope.posyandu_id,
        period=window.label,
        as_of=as_of,
        children=sum(counts.values()),
        by_status=counts,
        ats_cases=await ats_aggregates.open_ats_summary(session, scope, today),
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
    """Children 0–18 per desa at the period's end (as /v1/indicators counts them): by age
    group, in PAUD, in basic education, out of school; and open ATS cases."""
    window = period_from_query(period)
    scope = await _scope(session, principal, wilayah, None)
    month = definitions.end_month(window.end, today)
    as_of = min(definitions.month_end(month), today)
    ats_open = await ats_aggregates.open_ats_by_desa(session, scope, as_of)
    return await aggregates.by_desa(session, counts_of(settings), scope, month, ats_open)
