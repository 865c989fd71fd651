"""Staffing per kecamatan and desa (the registry's): kader active per field, fields run without a
ketua bidang or kader, and empty pengurus posts."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from simpul_gateway.access import CrossFieldReader
from simpul_gateway.upstream import Status
from simpul_gateway.upstreams import upstreams
from simpul_gateway.views.common import caller_token
from simpul_gateway.views.profile import UpstreamUnavailable
from simpul_platform.errors import Forbidden, NotFound
from simpul_platform.openapi import problems
from simpul_platform.wilayah import RequiredWilayahQuery

router = APIRouter(prefix="/v1", tags=["views"])


@router.get(
    "/staffing",
    response_model=dict[str, Any],
    operation_id="getStaffing",
    responses=problems(404),
)
async def staffing(
    request: Request, principal: CrossFieldReader, wilayah: RequiredWilayahQuery
) -> dict[str, Any]:
    """Kader active per field, fields without a ketua bidang or kader, and empty pengurus posts,
    for the wilayah and each kecamatan and desa in it (the registry's answer, as it is)."""
    principal.require_wilayah(wilayah)
    answer = await upstreams(request).registry.get(
        "/v1/staffing", caller_token(request), {"wilayah": wilayah}
    )
    if answer.status is Status.NOT_FOUND:
        raise NotFound(f"No wilayah {wilayah}.")
    if answer.status is Status.FORBIDDEN:  # the registry's own check; the same rule as ours
        raise Forbidden(f"Wilayah {wilayah} is outside your scope.")
    if not answer.ok:
        raise UpstreamUnavailable(f"The registry did not answer: {answer.detail}")
    result: dict[str, Any] = answer.data
    return result
