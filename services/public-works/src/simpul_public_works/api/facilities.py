"""Public facilities at a desa (SPAM units, public taps, communal MCK and IPAL, wells, embung):
recorded by public-works roles, read with their status history by them and the desa. Their
status changes only through the issues reported about them."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from simpul_platform.db import MAX_SQL_OFFSET
from simpul_platform.openapi import problems
from simpul_platform.uow import SessionDep, UnitOfWorkDep
from simpul_platform.wilayah import WilayahQuery
from simpul_public_works.api.deps import Today, VillageReader, Writer
from simpul_public_works.domain.facilities import FacilityKind, FacilityStatus
from simpul_public_works.ops import facilities as ops
from simpul_public_works.schemas.facilities import FacilityDetail, FacilityIn, FacilityOut

router = APIRouter(tags=["public facilities"])
FACILITIES = "/v1/facilities"


@router.post(
    FACILITIES,
    status_code=201,
    response_model=FacilityDetail,
    operation_id="recordPublicFacility",
    responses=problems(403, 422),
)
async def record_facility(
    body: FacilityIn, uow: UnitOfWorkDep, principal: Writer, today: Today
) -> Any:
    """Record a public facility at a posyandu's desa (functioning unless said otherwise)."""
    row = await ops.record_facility(uow, principal, body, today)
    await uow.commit()
    return await ops.detail(uow.session, row)


@router.get(FACILITIES, response_model=list[FacilityOut], operation_id="listPublicFacilities")
async def list_facilities(
    session: SessionDep,
    principal: VillageReader,
    wilayah: WilayahQuery = None,
    posyandu_id: Annotated[str | None, Query(max_length=36)] = None,
    kind: FacilityKind | None = None,
    status: FacilityStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[int, Query(ge=0, le=MAX_SQL_OFFSET)] = 0,
) -> Any:
    """Facilities in the caller's wilayah, optionally one posyandu's, of a kind or a status."""
    found = await ops.list_facilities(
        session,
        principal,
        wilayah=wilayah,
        posyandu_id=posyandu_id,
        kind=kind,
        status=status,
        limit=limit,
        offset=offset,
    )
    return [FacilityOut.model_validate(row) for row in found]


@router.get(
    FACILITIES + "/{facility_id}",
    response_model=FacilityDetail,
    operation_id="getPublicFacility",
    responses=problems(404),
)
async def get_facility(facility_id: str, session: SessionDep, principal: VillageReader) -> Any:
    """One facility with every status change and the issue that made it."""
    return await ops.detail(session, await ops.visible_facility(session, principal, facility_id))
