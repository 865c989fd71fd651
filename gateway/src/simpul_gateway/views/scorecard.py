"""The SPM scorecard of a kabupaten, kecamatan or desa: every field, every indicator."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request

from simpul_gateway.access import CrossFieldReader
from simpul_gateway.schemas import Scorecard, ScorecardRow, WilayahLink
from simpul_gateway.upstream import Answer
from simpul_gateway.upstreams import upstreams
from simpul_gateway.views.common import caller_token, resolve_period
from simpul_platform.indicators import SPM_FIELDS, IndicatorValue, OptionalPeriodQuery, SpmField
from simpul_platform.wilayah import RequiredWilayahQuery

router = APIRouter(prefix="/v1", tags=["views"])


@router.get("/scorecard", response_model=Scorecard, operation_id="getScorecard")
async def scorecard(
    request: Request,
    principal: CrossFieldReader,
    wilayah: RequiredWilayahQuery,
    period: OptionalPeriodQuery = None,
) -> Scorecard:
    """Numerator, denominator, percent and target per SPM field and indicator, with links to
    the same scorecard for each child wilayah."""
    principal.require_wilayah(wilayah)
    chosen = resolve_period(period)
    token, ups = caller_token(request), upstreams(request)
    place, *answers = await asyncio.gather(
        ups.registry.get(f"/v1/wilayah/{wilayah}", token),
        *(ups.fields[field].indicators(token, wilayah, chosen.label) for field in SPM_FIELDS),
    )
    rows = [
        row
        for field, answer in zip(SPM_FIELDS, answers, strict=True)
        for row in _rows(field, answer)
    ]
    return Scorecard(
        wilayah=wilayah,
        name=place.data.get("name") if place.ok else None,
        period=chosen.label,
        rows=rows,
        children=_children(place, chosen.label),
    )


def _rows(field: SpmField, answer: Answer) -> list[ScorecardRow]:
    if not answer.ok:
        return [ScorecardRow(field=field, status=answer.status, detail=answer.detail)]
    values = [IndicatorValue.model_validate(item) for item in answer.data]
    if not values:
        return [ScorecardRow(field=field, status=answer.status, detail="no indicators reported")]
    return [ScorecardRow(field=field, status=answer.status, indicator=value) for value in values]


def _children(place: Answer, period: str) -> list[WilayahLink]:
    if not place.ok:
        return []
    return [
        WilayahLink(
            code=child["code"],
            name=child["name"],
            href=f"/v1/scorecard?wilayah={child['code']}&period={period}",
        )
        for child in place.data.get("children", [])
    ]
