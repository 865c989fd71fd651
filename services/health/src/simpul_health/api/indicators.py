"""Indicators for a wilayah or posyandu and a period: stunting and SPM kesehatan."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from simpul_health import queries
from simpul_health.api.deps import AggregateReader
from simpul_health.domain.indicators import SPM, STUNTING
from simpul_health.schemas import DesaStunting, HealthSummary, SpmOut, StuntingOut
from simpul_platform.auth import Principal
from simpul_platform.errors import InvalidInput
from simpul_platform.indicators import IndicatorValue, Period, percent, period_from_query
from simpul_platform.replica import get_posyandu
from simpul_platform.uow import SessionDep

router = APIRouter(prefix="/v1/indicators", tags=["indicators"])
WILAYAH = Query(
    default=None,
    pattern=r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$",
    examples=["64.02"],
    description="kabupaten, kecamatan or desa code",
)
PERIOD = Query(examples=["2025-Q3"], description="YYYY, YYYY-Qn or YYYY-MM")


async def _area(
    session: Any, principal: Principal, wilayah: str | None, posyandu_id: str | None
) -> queries.Area:
    if posyandu_id:
        row = await get_posyandu(session, posyandu_id)
        if row is None:
            raise InvalidInput.field("posyandu_id", "unknown_posyandu", "Unknown posyandu.")
        principal.require_wilayah(row["desa_code"])
        return queries.Area(posyandu_id=posyandu_id)
    if wilayah is None:
        if len(principal.wilayah) != 1:
            raise InvalidInput.field("wilayah", "required", "Name the wilayah to count.")
        wilayah = principal.wilayah[0]
    elif not principal.can_see(wilayah):
        principal.require_wilayah(wilayah)
    return queries.Area(wilayah=wilayah)


async def _stunting(session: Any, area: queries.Area, period: Period) -> StuntingOut:
    c = await queries.stunting_counts(session, area, period)
    stunted_total = c["stunted"] + c["severely_stunted"]
    return StuntingOut(
        wilayah=area.wilayah,
        posyandu_id=area.posyandu_id,
        period=period.label,
        **c,
        stunting_percent=percent(stunted_total, c["measured"]),
        severely_stunted_percent=percent(c["severely_stunted"], c["measured"]),
        wasted_percent=percent(c["wasted"], c["measured"]),
        underweight_percent=percent(c["underweight"], c["measured"]),
        definition=IndicatorValue.of(
            STUNTING.code,
            "health",
            STUNTING.name,
            stunted_total,
            c["measured"],
            STUNTING.text(),
            STUNTING.source,
            target_percent=0.0,
        ),
    )


async def _spm(session: Any, area: queries.Area, period: Period) -> list[IndicatorValue]:
    counts = await queries.spm_counts(session, area, period)
    return [
        IndicatorValue.of(
            f"health.{code}",
            "health",
            SPM[code].name,
            numerator,
            denominator,
            SPM[code].text(),
            SPM[code].source,
        )
        for code, (numerator, denominator) in counts.items()
    ]


@router.get("/stunting", response_model=StuntingOut, operation_id="stuntingPrevalence")
async def stunting(
    session: SessionDep,
    principal: AggregateReader,
    period: str = PERIOD,
    wilayah: str | None = WILAYAH,
    posyandu_id: str | None = None,
) -> Any:
    """Stunting, wasting and underweight prevalence among balita measured in the period."""
    p = period_from_query(period)
    return await _stunting(session, await _area(session, principal, wilayah, posyandu_id), p)


@router.get("/spm", response_model=SpmOut, operation_id="spmHealthIndicators")
async def spm(
    session: SessionDep,
    principal: AggregateReader,
    period: str = PERIOD,
    wilayah: str | None = WILAYAH,
    posyandu_id: str | None = None,
) -> Any:
    """SPM kesehatan indicators this data can count, each numerator / denominator / percent."""
    p = period_from_query(period)
    area = await _area(session, principal, wilayah, posyandu_id)
    values = await _spm(session, area, p)
    return SpmOut(
        wilayah=area.wilayah, posyandu_id=area.posyandu_id, period=p.label, indicators=values
    )


aggregates = APIRouter(prefix="/v1", tags=["indicators"])


@aggregates.get("/indicators", response_model=list[IndicatorValue], operation_id="getIndicators")
async def indicators(
    session: SessionDep,
    principal: AggregateReader,
    period: str = PERIOD,
    wilayah: str | None = WILAYAH,
    posyandu_id: str | None = None,
) -> Any:
    """The SPM kesehatan indicators in the shape every field service shares (scorecards)."""
    p = period_from_query(period)
    return await _spm(session, await _area(session, principal, wilayah, posyandu_id), p)


@aggregates.get("/summary", response_model=HealthSummary, operation_id="getSummary")
async def summary(
    session: SessionDep,
    principal: AggregateReader,
    period: str = PERIOD,
    wilayah: str | None = WILAYAH,
    posyandu_id: str | None = None,
) -> Any:
    """Stunting and SPM kesehatan together, for a posyandu profile."""
    p = period_from_query(period)
    area = await _area(session, principal, wilayah, posyandu_id)
    return HealthSummary(
        period=p.label,
        stunting=await _stunting(session, area, p),
        indicators=await _spm(session, area, p),
    )


@aggregates.get(
    "/stunting/by-desa", response_model=list[DesaStunting], operation_id="stuntingByDesa"
)
async def stunting_by_desa(
    session: SessionDep,
    principal: AggregateReader,
    period: str = PERIOD,
    wilayah: str | None = WILAYAH,
) -> Any:
    """Stunting prevalence per desa under a wilayah (priority loci), one query."""
    p = period_from_query(period)
    area = await _area(session, principal, wilayah, None)
    return [
        DesaStunting(
            desa_code=row["desa_code"],
            measured=row["measured"],
            stunted=row["stunted"] + row["severely_stunted"],
            severely_stunted=row["severely_stunted"],
            prevalence_percent=percent(row["stunted"] + row["severely_stunted"], row["measured"]),
        )
        for row in await queries.stunting_by_desa(session, area, p)
    ]
