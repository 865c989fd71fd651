"""Houses and the households living in them. The No. KK stays in this service; reads show it
masked, and only to housing roles."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Query

from simpul_housing.api.deps import Reader, SettingsDep, Writer
from simpul_housing.models import House, HouseHousehold
from simpul_housing.ops import commit
from simpul_housing.ops import houses as ops
from simpul_housing.ops.access import visible_house
from simpul_housing.schemas.houses import HouseDetail, HouseholdOut, HouseIn, HouseOut
from simpul_platform.db import MAX_SQL_OFFSET
from simpul_platform.pseudonym import mask_nik
from simpul_platform.uow import SessionDep, UnitOfWorkDep
from simpul_platform.wilayah import WilayahQuery

router = APIRouter(prefix="/v1/houses", tags=["houses"])


def household_out(row: HouseHousehold) -> HouseholdOut:
    return HouseholdOut.model_validate(
        {**row.model_dump(exclude={"kk"}), "kk_masked": mask_nik(row.kk)}
    )


def house_detail(house: House, living: Sequence[HouseHousehold]) -> HouseDetail:
    return HouseDetail.model_validate(
        {**house.model_dump(), "households": [household_out(h) for h in living]}
    )


@router.post("", status_code=201, response_model=HouseDetail, operation_id="createHouse")
async def create_house(
    body: HouseIn, uow: UnitOfWorkDep, principal: Writer, settings: SettingsDep
) -> Any:
    """Record a house at the desa of a posyandu, with the households (No. KK) living there."""
    house, living = await ops.create_house(uow, principal, body, secret=settings.pseudonym_secret)
    await commit(uow, ops.HOUSEHOLD_ELSEWHERE)
    return house_detail(house, living)


@router.get("", response_model=list[HouseOut], operation_id="listHouses")
async def list_houses(
    session: SessionDep,
    principal: Reader,
    wilayah: WilayahQuery = None,
    posyandu_id: Annotated[str | None, Query(max_length=36)] = None,
    rtlh_pupr: bool | None = None,
    rtlh_rutilahu: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[int, Query(ge=0, le=MAX_SQL_OFFSET)] = 0,
) -> Any:
    """Houses in the caller's wilayah, optionally one posyandu's, or RTLH (true) / RLH (false)
    under a rule set by their latest survey."""
    return await ops.list_houses(
        session,
        principal,
        wilayah=wilayah,
        posyandu_id=posyandu_id,
        rtlh_pupr=rtlh_pupr,
        rtlh_rutilahu=rtlh_rutilahu,
        limit=limit,
        offset=offset,
    )


@router.get("/{house_id}", response_model=HouseDetail, operation_id="getHouse")
async def get_house(house_id: str, session: SessionDep, principal: Reader) -> Any:
    """One house with the households living there (No. KK masked)."""
    house = await visible_house(session, principal, house_id)
    return house_detail(house, await ops.households(session, house.id))
