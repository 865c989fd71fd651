"""Finding a posyandu by name: a DPMD coordinator knows "Posyandu Mawar in Tenggarong", not its
id. The registry's list (``GET /v1/posyandu``: the caller's wilayah rule, the name filter, the
paging) answers; the gateway keeps only who and where each posyandu is, and adds the names of
its desa and kecamatan from the registry's wilayah table."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ValidationError

from simpul_gateway.access import CrossFieldReader
from simpul_gateway.schemas import PosyanduMatch, PosyanduSearch
from simpul_gateway.upstream import Answer, Status, Upstream
from simpul_gateway.upstreams import upstreams
from simpul_gateway.views.common import caller_token
from simpul_gateway.views.profile import UpstreamUnavailable
from simpul_platform.errors import Forbidden, NotFound
from simpul_platform.openapi import problems
from simpul_platform.wilayah import WilayahQuery

router = APIRouter(prefix="/v1", tags=["views"])
MAX_QUERY = 80  # the registry's longest name filter
MAX_PAGE_SIZE = 100
NameQuery = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=MAX_QUERY,
        description="Part of the name (case and spacing ignored); every posyandu if omitted",
        examples=["mawar"],
    ),
]
PageQuery = Annotated[int, Query(ge=1, le=10_000)]
PageSizeQuery = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)]


class _Found(BaseModel):
    """A registry posyandu as this view reads it: the rest of the registry's answer (address,
    coordinates, documents, who wrote it) is ignored and never passed on."""

    id: str
    name: str
    desa_code: str
    kecamatan_code: str
    status: str
    registration_number: str | None = None


class _Page(BaseModel):
    items: list[_Found]
    total: int
    page: int
    page_size: int


class _Region(BaseModel):
    code: str
    name: str


class _Wilayah(_Region):
    children: list[_Region] = []


@router.get(
    "/posyandu",
    response_model=PosyanduSearch,
    operation_id="searchPosyandu",
    responses=problems(404),
)
async def posyandu_search(
    request: Request,
    principal: CrossFieldReader,
    wilayah: WilayahQuery = None,
    q: NameQuery = None,
    page: PageQuery = 1,
    page_size: PageSizeQuery = 20,
) -> PosyanduSearch:
    """Posyandu whose name contains ``q`` in the wilayah (all of the caller's if omitted), a
    page at a time: id, name, desa, kecamatan and registration status."""
    if wilayah is not None:
        principal.require_wilayah(wilayah)
    token, registry = caller_token(request), upstreams(request).registry
    params: dict[str, Any] = {"page": page, "page_size": page_size}
    params.update({k: v for k, v in (("wilayah", wilayah), ("q", q)) if v is not None})
    place, found = await asyncio.gather(
        _place(registry, token, wilayah), registry.get("/v1/posyandu", token, params)
    )
    if place.status is Status.NOT_FOUND:
        raise NotFound(f"No wilayah {wilayah}.")
    listing = _listing(found, wilayah)
    names = await _names(registry, token, {item.kecamatan_code for item in listing.items})
    return PosyanduSearch(
        wilayah=wilayah,
        wilayah_name=place.data.get("name") if place.ok else None,
        q=q,
        items=[
            PosyanduMatch(
                **item.model_dump(),
                desa_name=names.get(item.desa_code),
                kecamatan_name=names.get(item.kecamatan_code),
            )
            for item in listing.items
        ],
        total=listing.total,
        page=listing.page,
        page_size=listing.page_size,
    )


async def _place(registry: Upstream, token: str, wilayah: str | None) -> Answer:
    """The wilayah asked for, from the registry's table (a code it does not know is a 404 of
    this view, as the registry's list would answer it empty). No wilayah: nothing to check."""
    if wilayah is None:
        return Answer(Status.OK, data={})
    return await registry.get(f"/v1/wilayah/{wilayah}", token)


def _listing(found: Answer, wilayah: str | None) -> _Page:
    if found.status is Status.FORBIDDEN:  # the registry's own check; the same rule as ours
        raise Forbidden(f"Wilayah {wilayah} is outside your scope.")
    if not found.ok:
        raise UpstreamUnavailable(f"The registry did not answer: {found.detail}")
    try:
        return _Page.model_validate(found.data)
    except ValidationError as exc:
        raise UpstreamUnavailable(
            f"The registry answered its posyandu in a shape the gateway cannot read ({exc})"[:300]
        ) from exc


async def _names(registry: Upstream, token: str, kecamatan: set[str]) -> dict[str, str]:
    """The names of these kecamatan and of their desa, by code. Only labels: a kecamatan the
    registry does not answer leaves its names out (null in the answer), never the posyandu."""
    codes = sorted(kecamatan)
    answers = await asyncio.gather(*(registry.get(f"/v1/wilayah/{c}", token) for c in codes))
    names: dict[str, str] = {}
    for answer in answers:
        if not answer.ok:
            continue
        try:
            place = _Wilayah.model_validate(answer.data)
        except ValidationError:
            continue
        names[place.code] = place.name
        names.update((desa.code, desa.name) for desa in place.children)
    return names
