"""DPMD's emergencies view: which fires missed the response time, and which victims of each
disaster or fire still lack a habitable house or social protection, in one call.

Trantib is asked first (its emergencies name the households); housing and social are then
asked about those emergencies together. A service that does not answer is shown in its
section and its counts are null; the view still answers.
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request

from simpul_gateway.access import CrossFieldReader
from simpul_gateway.emergencies import EmergencyView, asked_ids, compose
from simpul_gateway.upstreams import upstreams
from simpul_gateway.views.common import caller_token, resolve_period
from simpul_platform.indicators import OptionalPeriodQuery
from simpul_platform.openapi import problems
from simpul_platform.wilayah import RequiredWilayahQuery

router = APIRouter(prefix="/v1", tags=["views"])


@router.get(
    "/emergencies",
    response_model=EmergencyView,
    operation_id="getEmergencies",
    responses=problems(403),
)
async def emergencies(
    request: Request,
    principal: CrossFieldReader,
    wilayah: RequiredWilayahQuery,
    period: OptionalPeriodQuery = None,
) -> EmergencyView:
    """Fires that missed the response time (with their times and post), and per disaster and
    damaging fire the households affected, damaged, without a habitable house (awaiting a
    housing case among them) and without social protection, per desa."""
    principal.require_wilayah(wilayah)
    chosen = resolve_period(period)
    token, ups = caller_token(request), upstreams(request)
    trantib = await ups.trantib.emergencies(token, wilayah, chosen.label)
    ids = asked_ids(trantib)
    housing, social = await asyncio.gather(
        ups.housing.disaster_houses(token, wilayah, ids),
        ups.social.disaster_protection(token, wilayah, ids),
    )
    return compose(wilayah, chosen.label, trantib, housing, social)
