"""The SPM scorecard of a kabupaten, kecamatan, desa or one posyandu: every field, every
indicator, with links one level down (kecamatan → desa → the desa's posyandu)."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Query, Request

from simpul_gateway.access import CrossFieldReader
from simpul_gateway.schemas import Scorecard, ScorecardRow, WilayahLink
from simpul_gateway.upstream import Answer, Status, Upstream
from simpul_gateway.upstreams import upstreams
from simpul_gateway.views.common import caller_token, resolve_period
from simpul_gateway.views.profile import POSYANDU_ID, require_identity
from simpul_platform.auth import Principal, covers
from simpul_platform.coalesce import Coalescer
from simpul_platform.errors import NotFound
from simpul_platform.indicators import SPM_FIELDS, IndicatorValue, OptionalPeriodQuery, SpmField
from simpul_platform.openapi import problems
from simpul_platform.wilayah import RequiredWilayahQuery, level

router = APIRouter(prefix="/v1", tags=["views"])
PosyanduIdQuery = Annotated[
    str | None,
    Query(
        **POSYANDU_ID,
        description="One posyandu of the wilayah (its desa or an ancestor): its scorecard",
    ),
]
DESA = 4  # wilayah.level of a desa: its children are its posyandu
POSYANDU_PAGE = 500  # the registry's largest page of posyandu


@router.get(
    "/scorecard",
    response_model=Scorecard,
    operation_id="getScorecard",
    responses=problems(404, 503),
)
async def scorecard(
    request: Request,
    principal: CrossFieldReader,
    wilayah: RequiredWilayahQuery,
    period: OptionalPeriodQuery = None,
    posyandu_id: PosyanduIdQuery = None,
) -> Scorecard:
    """Numerator, denominator, percent and target per SPM field and indicator, with links to
    the same scorecard one level down (a desa's: each of its posyandu); with ``posyandu_id``,
    that posyandu's (404 unless it lies in ``wilayah`` and the caller's)."""
    principal.require_wilayah(wilayah)
    chosen = resolve_period(period)
    if posyandu_id is not None:
        return await _of_posyandu(request, principal, wilayah, posyandu_id, chosen.label)
    token, ups = caller_token(request), upstreams(request)

    async def compose() -> Scorecard:
        place, children, *answers = await asyncio.gather(
            ups.registry.get(f"/v1/wilayah/{wilayah}", token),
            _posyandu_of(ups.registry, token, wilayah),
            *(ups.fields[field].indicators(token, wilayah, chosen.label) for field in SPM_FIELDS),
        )
        return Scorecard(
            wilayah=wilayah,
            name=place.data.get("name") if place.ok else None,
            period=chosen.label,
            rows=_all_rows(answers),
            children=[*_children(place, chosen.label), *_posyandu_links(children, chosen.label)],
        )

    # Every caller that got here may read all of ``wilayah`` (the services scope a cross-field
    # reader's question the same way), so callers asking at once share one fan-out.
    return await _composing.run((id(ups), wilayah, chosen.label), compose)


_composing: Coalescer[Scorecard] = Coalescer()


async def _of_posyandu(
    request: Request, principal: Principal, wilayah: str, posyandu_id: str, period: str
) -> Scorecard:
    """One posyandu's scorecard: each field asked for it, the registry for where it is. The
    calls go at once (the view waits for its slowest service once); a posyandu the caller may
    not see, or outside ``wilayah``, is not found, as the profile hides it."""
    token, ups = caller_token(request), upstreams(request)
    identity, *answers = await asyncio.gather(
        ups.registry.get(f"/v1/posyandu/{quote(posyandu_id, safe='')}", token),
        *(
            ups.fields[field].indicators(token, wilayah, period, posyandu_id)
            for field in SPM_FIELDS
        ),
    )
    require_identity(identity, posyandu_id)
    desa = str(identity.data["desa_code"])
    principal.require_wilayah(desa, hide=True)
    if not covers(wilayah, desa):
        raise NotFound(f"No posyandu {posyandu_id} in wilayah {wilayah}.")
    return Scorecard(
        wilayah=wilayah,
        name=identity.data.get("name"),
        period=period,
        rows=_all_rows(answers),
        children=[],
        posyandu_id=posyandu_id,
    )


def _all_rows(answers: list[Answer]) -> list[ScorecardRow]:
    return [
        row
        for field, answer in zip(SPM_FIELDS, answers, strict=True)
        for row in _rows(field, answer)
    ]


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


async def _posyandu_of(registry: Upstream, token: str, wilayah: str) -> Answer:
    """A desa's posyandu from the registry, every page (a desa has a few: one page in
    practice); nothing to ask above a desa, whose children are wilayah."""
    if level(wilayah) != DESA:
        return Answer(Status.OK, data=[])
    query: dict[str, Any] = {"wilayah": wilayah, "page_size": POSYANDU_PAGE}
    first = await registry.get("/v1/posyandu", token, query)
    if not first.ok:
        return first
    pages = -(-int(first.data["total"]) // POSYANDU_PAGE)
    rest = await asyncio.gather(
        *(registry.get("/v1/posyandu", token, {**query, "page": n}) for n in range(2, pages + 1))
    )
    failed = next((answer for answer in rest if not answer.ok), None)
    if failed is not None:  # a list missing a page would read as a desa with fewer posyandu
        return failed
    return Answer(Status.OK, data=[p for page in (first, *rest) for p in page.data["items"]])


def _posyandu_links(answer: Answer, period: str) -> list[WilayahLink]:
    """Each posyandu of the desa, a link to its own scorecard (the desa and the posyandu in
    the query, so the caller's wilayah rule is the desa's)."""
    if not answer.ok:
        return []
    return [
        WilayahLink(
            code=p["desa_code"],
            name=p["name"],
            posyandu_id=p["id"],
            href="/v1/scorecard?"
            + urlencode({"wilayah": p["desa_code"], "posyandu_id": p["id"], "period": period}),
        )
        for p in answer.data
    ]
