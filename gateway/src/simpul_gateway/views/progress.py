"""Registration progress per kecamatan (or desa) against the DPMD's target."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from simpul_gateway.access import CrossFieldReader
from simpul_gateway.upstream import Status
from simpul_gateway.upstreams import upstreams
from simpul_gateway.views.common import caller_token
from simpul_gateway.views.profile import UpstreamUnavailable
from simpul_platform.errors import NotFound
from simpul_platform.openapi import problems
from simpul_platform.wilayah import RequiredWilayahQuery

router = APIRouter(prefix="/v1", tags=["views"])


@router.get(
    "/registration-progress",
    response_model=dict[str, Any],
    operation_id="getRegistrationProgress",
    responses=problems(404),
)
async def registration_progress(
    request: Request, principal: CrossFieldReader, wilayah: RequiredWilayahQuery
) -> dict[str, Any]:
    """Counts per registration status and the share registered against the target, for the
    wilayah and each of its children (kecamatan of a kabupaten, desa of a kecamatan)."""
    principal.require_wilayah(wilayah)
    answer = await upstreams(request).registry.get(f"/v1/progress/{wilayah}", caller_token(request))
    if answer.status is Status.NOT_FOUND:
        raise NotFound(f"No wilayah {wilayah}.")
    if not answer.ok:
        raise UpstreamUnavailable(f"The registry did not answer: {answer.detail}")
    result: dict[str, Any] = answer.data
    return result
