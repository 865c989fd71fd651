"""Indicators for a wilayah or posyandu and a period: stunting and SPM kesehatan."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_health.api.deps import AggregateReader, Today
from simpul_health.domain.indicators import CONTEXT, SPM, STUNTING
from simpul_health.ops.indicators import (
    Area,
    in_parallel,
    resolve_area,
    spm_counts,
    stunting_counts,
)
from simpul_health.ops.indicators import stunting_by_desa as rows_by_desa
from simpul_health.schemas.indicators import DesaStunting, HealthSummary, SpmOut, StuntingOut
from simpul_platform.auth import NATIONWIDE
from simpul_platform.coalesce import Coalescer
from simpul_platform.indicators import (
    IndicatorValue,
    Period,
    PeriodQuery,
    percent,
    period_from_query,
)
from simpul_platform.referrals.queries import resolved_in_time
from simpul_platform.uow import SessionDep
from simpul_platform.wilayah import WilayahQuery

router = APIRouter(prefix="/v1/indicators", tags=["indicators"])
aggregates = APIRouter(prefix="/v1", tags=["indicators"])


@dataclass(frozen=True)
class Counted:
    """What a request asks to count: an area inside the caller's scope, and a period."""

    area: Area
    period: Period


async def _counted(
    session: SessionDep,
    principal: AggregateReader,
    period: PeriodQuery,
    wilayah: WilayahQuery = None,
    posyandu_id: str | None = None,
) -> Counted:
    p = period_from_query(period)
    return Counted(await resolve_area(session, principal, wilayah, posyandu_id), p)


async def _counted_by_desa(
    session: SessionDep,
    principal: AggregateReader,
    period: PeriodQuery,
    wilayah: WilayahQuery = None,
) -> Counted:
    return await _counted(session, principal, period, wilayah, None)


# Authorised (aggregate readers), the area resolved in the caller's scope, the period parsed.
CountedDep = Annotated[Counted, Depends(_counted)]
CountedByDesaDep = Annotated[Counted, Depends(_counted_by_desa)]


async def _stunting(session: AsyncSession, area: Area, period: Period) -> StuntingOut:
    c = await stunting_counts(session, area, period)
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
        overweight_percent=percent(c["overweight"], c["measured"]),
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


async def _spm(session: AsyncSession, area: Area, period: Period) -> list[IndicatorValue]:
    counts = await spm_counts(session, area, period)
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
async def stunting(session: SessionDep, asked: CountedDep) -> Any:
    """Stunting, wasting and underweight prevalence among balita measured in the period."""
    return await _stunting(session, asked.area, asked.period)


@router.get("/spm", response_model=SpmOut, operation_id="spmHealthIndicators")
async def spm(session: SessionDep, asked: CountedDep) -> Any:
    """SPM kesehatan indicators this data can count, each numerator / denominator / percent."""
    area, label = asked.area, asked.period.label
    values = await _spm(session, area, asked.period)
    return SpmOut(
        wilayah=area.wilayah, posyandu_id=area.posyandu_id, period=label, indicators=values
    )


@aggregates.get("/indicators", response_model=list[IndicatorValue], operation_id="getIndicators")
async def indicators(request: Request, session: SessionDep, asked: CountedDep, today: Today) -> Any:
    """The twelve SPM kesehatan indicators in the shape every field service shares
    (scorecards), the growth indicators beside them as context, and referrals to health
    resolved within their due date."""
    area, period = asked.area, asked.period

    async def count() -> list[IndicatorValue]:
        referrals = await resolved_in_time(
            session, "health", [area.wilayah or NATIONWIDE], area.posyandu_id, period, today
        )
        spm_rows, growth = await in_parallel(
            request.app.state.db,
            lambda s: _spm(s, area, period),
            lambda s: stunting_counts(s, area, period),
        )
        return [*spm_rows, *_context(growth), referrals]

    # Identical questions asked at once (a meeting's laptops) are counted once, per app.
    return await _indicators_running.run((id(request.app), area, period.label, today), count)


_indicators_running: Coalescer[list[IndicatorValue]] = Coalescer()


def _context(c: dict[str, int]) -> list[IndicatorValue]:
    """The growth indicators read beside the SPM ones (kind "context": lower is better)."""
    found = {
        "stunting": c["stunted"] + c["severely_stunted"],
        "wasting": c["wasted"],
        "underweight": c["underweight"],
        "overweight": c["overweight"],
    }
    return [
        IndicatorValue.of(
            f"health.{code}",
            "health",
            d.name,
            found[code],
            c["measured"],
            d.text(),
            d.source,
            target_percent=d.target_percent,
            kind="context",
        )
        for code, d in CONTEXT.items()
    ]


@aggregates.get("/summary", response_model=HealthSummary, operation_id="getSummary")
async def summary(session: SessionDep, asked: CountedDep) -> Any:
    """Stunting and SPM kesehatan together, for a posyandu profile."""
    return HealthSummary(
        period=asked.period.label,
        stunting=await _stunting(session, asked.area, asked.period),
        indicators=await _spm(session, asked.area, asked.period),
    )


@aggregates.get(
    "/stunting/by-desa", response_model=list[DesaStunting], operation_id="stuntingByDesa"
)
async def stunting_by_desa(session: SessionDep, asked: CountedByDesaDep) -> Any:
    """Stunting prevalence per desa under a wilayah (priority loci), one query."""
    return [
        DesaStunting(
            desa_code=row["desa_code"],
            measured=row["measured"],
            stunted=row["stunted"] + row["severely_stunted"],
            severely_stunted=row["severely_stunted"],
            prevalence_percent=percent(row["stunted"] + row["severely_stunted"], row["measured"]),
        )
        for row in await rows_by_desa(session, asked.area, asked.period)
    ]
