"""Indicators for a wilayah or posyandu and a period: stunting and SPM kesehatan."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from simpul_health import queries
from simpul_health.api.deps import AggregateReader, invalid
from simpul_health.domain import RuleViolation
from simpul_health.domain.indicators import SPM, STUNTING, Period, parse_period, percent
from simpul_health.schemas import IndicatorValue, SpmOut, StuntingOut
from simpul_platform.auth import Principal
from simpul_platform.errors import InvalidInput
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


def _period(text: str) -> Period:
    try:
        return parse_period(text)
    except RuleViolation as violation:
        raise invalid(violation) from violation


@router.get("/stunting", response_model=StuntingOut, operation_id="stuntingPrevalence")
async def stunting(
    session: SessionDep,
    principal: AggregateReader,
    period: str = PERIOD,
    wilayah: str | None = WILAYAH,
    posyandu_id: str | None = None,
) -> Any:
    """Stunting, wasting and underweight prevalence among balita measured in the period."""
    p = _period(period)
    area = await _area(session, principal, wilayah, posyandu_id)
    c = await queries.stunting_counts(session, area, p)
    stunted_total = c["stunted"] + c["severely_stunted"]
    return StuntingOut(
        wilayah=area.wilayah,
        posyandu_id=area.posyandu_id,
        period=p.label,
        **c,
        stunting_percent=percent(stunted_total, c["measured"]),
        severely_stunted_percent=percent(c["severely_stunted"], c["measured"]),
        wasted_percent=percent(c["wasted"], c["measured"]),
        underweight_percent=percent(c["underweight"], c["measured"]),
        definition=IndicatorValue(
            code=STUNTING.code,
            name=STUNTING.name,
            numerator=stunted_total,
            denominator=c["measured"],
            percent=percent(stunted_total, c["measured"]),
            numerator_definition=STUNTING.numerator,
            denominator_definition=STUNTING.denominator,
            source=STUNTING.source,
        ),
    )


@router.get("/spm", response_model=SpmOut, operation_id="spmHealthIndicators")
async def spm(
    session: SessionDep,
    principal: AggregateReader,
    period: str = PERIOD,
    wilayah: str | None = WILAYAH,
    posyandu_id: str | None = None,
) -> Any:
    """SPM kesehatan indicators this data can count, each numerator / denominator / percent."""
    p = _period(period)
    area = await _area(session, principal, wilayah, posyandu_id)
    counts = await queries.spm_counts(session, area, p)
    values = []
    for code, (numerator, denominator) in counts.items():
        d = SPM[code]
        values.append(
            IndicatorValue(
                code=code,
                name=d.name,
                numerator=numerator,
                denominator=denominator,
                percent=percent(numerator, denominator),
                numerator_definition=d.numerator,
                denominator_definition=d.denominator,
                source=d.source,
            )
        )
    return SpmOut(
        wilayah=area.wilayah, posyandu_id=area.posyandu_id, period=p.label, indicators=values
    )
