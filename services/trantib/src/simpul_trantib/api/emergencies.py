"""DPMD's emergencies view, trantib's part: fires that missed the response time and every
disaster and damaging fire with its households (pseudonyms), for the aggregate readers within
their wilayah. The gateway adds housing's and social's follow-up of the same households."""

from __future__ import annotations

from fastapi import APIRouter

from simpul_platform.indicators import PeriodQuery, period_from_query
from simpul_platform.openapi import problems
from simpul_platform.uow import SessionDep
from simpul_platform.wilayah import RequiredWilayahQuery
from simpul_trantib.api.deps import AggregateReader, Now, SettingsDep
from simpul_trantib.ops import emergencies as ops
from simpul_trantib.schemas.emergencies import Emergencies

router = APIRouter(tags=["emergencies"])


@router.get(
    "/v1/emergencies",
    response_model=Emergencies,
    operation_id="getEmergencies",
    responses=problems(403, 422),
)
async def emergencies(
    session: SessionDep,
    principal: AggregateReader,
    settings: SettingsDep,
    now: Now,
    wilayah: RequiredWilayahQuery,
    period: PeriodQuery,
) -> Emergencies:
    """Fires reported in the period (local dates) that missed the response time, and the
    period's disasters and damaging fires with the households they struck in the wilayah."""
    scopes = principal.visible_scopes(wilayah)
    window = period_from_query(period)
    return await ops.emergencies(session, settings, wilayah, scopes, window, now)
