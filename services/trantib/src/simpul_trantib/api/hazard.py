"""Hazard zones and risk outreach (SPM bencana: risk information for people in hazard zones).
BPBD maps the zones; BPBD, the trantib kader and Linmas record the outreach given at a
posyandu's desa, refused outside a zone for its hazard that year. Within the wilayah."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from simpul_platform.auth import AGGREGATE_READER_ROLES, Principal, require_roles
from simpul_platform.openapi import problems
from simpul_platform.uow import SessionDep, UnitOfWorkDep
from simpul_platform.wilayah import WilayahQuery
from simpul_trantib.api.deps import BPBD, DAMKAR, KADER, LINMAS, OPD, SATPOL_PP, Disaster, Today
from simpul_trantib.ops import commit
from simpul_trantib.ops import hazard as ops
from simpul_trantib.schemas.hazard import (
    HazardZoneIn,
    HazardZoneOut,
    RiskOutreachIn,
    RiskOutreachOut,
    RiskReachOut,
)

router = APIRouter(tags=["hazard zones and risk outreach"])
Outreacher = Annotated[Principal, Depends(require_roles(OPD, BPBD, KADER, LINMAS))]
ZoneReader = Annotated[
    Principal,
    Depends(require_roles(OPD, SATPOL_PP, DAMKAR, BPBD, KADER, LINMAS, *AGGREGATE_READER_ROLES)),
]
Year = Annotated[int | None, Query(ge=2000, le=2100)]
ZONE_TWICE = "This desa was made a zone for this hazard and year concurrently."


@router.post(
    "/v1/hazard-zones",
    status_code=201,
    response_model=HazardZoneOut,
    operation_id="addHazardZone",
    responses=problems(403, 409, 422),
)
async def add_hazard_zone(
    body: HazardZoneIn, uow: UnitOfWorkDep, principal: Disaster, today: Today
) -> Any:
    """Map a desa as a hazard zone for a year with its population (once per desa, hazard, year)."""
    zone = await ops.add_zone(uow, principal, body, today)
    await commit(uow, ZONE_TWICE)
    return zone


@router.get("/v1/hazard-zones", response_model=list[HazardZoneOut], operation_id="listHazardZones")
async def list_hazard_zones(
    session: SessionDep, principal: ZoneReader, wilayah: WilayahQuery = None, year: Year = None
) -> Any:
    """Hazard zones in the caller's wilayah, the latest year first."""
    return await ops.list_zones(session, principal, wilayah=wilayah, year=year)


@router.post(
    "/v1/risk-outreach",
    status_code=201,
    response_model=RiskOutreachOut,
    operation_id="recordRiskOutreach",
    responses=problems(403, 422),
)
async def record_risk_outreach(
    body: RiskOutreachIn, uow: UnitOfWorkDep, principal: Outreacher, today: Today
) -> Any:
    """Record risk information given at a posyandu's desa, a zone for the hazard that year."""
    outreach, zone = await ops.record_outreach(uow, principal, body, today)
    await uow.commit()
    return RiskOutreachOut.model_validate({**outreach.model_dump(), "zone_id": zone.id})


@router.get("/v1/risk-outreach", response_model=RiskReachOut, operation_id="getRiskOutreachReach")
async def risk_outreach_reach(
    session: SessionDep,
    principal: ZoneReader,
    today: Today,
    wilayah: WilayahQuery = None,
    year: Year = None,
) -> Any:
    """Each hazard zone of the year (this year when omitted) with the people its outreach
    reached and the reach, min(reached, population) ÷ population, and the whole's."""
    return await ops.reach_in(session, principal, wilayah=wilayah, year=year or today.year)
