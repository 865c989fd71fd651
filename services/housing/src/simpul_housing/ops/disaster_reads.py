"""Reading disaster houses: one the caller may see, a page of them (by disaster, status, class,
wilayah, posyandu), a house's steps, its output with the steps and handlings it allows, and
the houses of disasters another service announced (by that service's ids)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select as sa_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_housing.domain.disaster import DISASTER_HOUSE, handlings_for
from simpul_housing.models import (
    DisasterEvent,
    DisasterHouse,
    DisasterHouseHistory,
    HouseHousehold,
)
from simpul_housing.schemas.disaster import DisasterHouseDetail, DisasterHouseOut, StepOut
from simpul_platform.auth import Principal
from simpul_platform.errors import NotFound
from simpul_platform.wilayah import under


def to_out(house: DisasterHouse) -> DisasterHouseOut:
    fits = house.status == "fixed" and house.damage is not None
    return DisasterHouseOut.model_validate(
        {
            **house.model_dump(),
            "allowed_actions": DISASTER_HOUSE.allowed_actions(house.status),  # type: ignore[arg-type]
            "allowed_handlings": handlings_for(house.damage) if fits and house.damage else [],
        }
    )


async def detail(session: AsyncSession, house: DisasterHouse) -> DisasterHouseDetail:
    steps = [StepOut.model_validate(h) for h in await history(session, house.id)]
    return DisasterHouseDetail.model_validate({**to_out(house).model_dump(), "history": steps})


async def history(session: AsyncSession, house_id: str) -> Sequence[DisasterHouseHistory]:
    query = (
        select(DisasterHouseHistory)
        .where(DisasterHouseHistory.disaster_house_id == house_id)
        .order_by(col(DisasterHouseHistory.id))
    )
    return list((await session.exec(query)).all())


async def visible_house(
    session: AsyncSession, principal: Principal, house_id: str, *, lock: bool = False
) -> DisasterHouse:
    """A disaster house in the caller's wilayah; 404 otherwise (it names a household)."""
    house = await session.get(DisasterHouse, house_id, with_for_update=lock or None)
    if house is None or not principal.can_see(house.desa_code):
        raise NotFound(f"No disaster house {house_id} in your wilayah.")
    return house


async def list_houses(
    session: AsyncSession,
    principal: Principal,
    *,
    wilayah: str | None,
    event_id: str | None,
    posyandu_id: str | None,
    status: str | None,
    damage: str | None,
    limit: int,
    offset: int,
) -> Sequence[DisasterHouse]:
    """Disaster houses in the caller's scope, by report date."""
    scopes = principal.visible_scopes(wilayah)
    query = select(DisasterHouse).where(under(col(DisasterHouse.desa_code), scopes))
    if event_id is not None:
        query = query.where(DisasterHouse.event_id == event_id)
    if posyandu_id is not None:
        query = query.where(DisasterHouse.posyandu_id == posyandu_id)
    if status is not None:
        query = query.where(DisasterHouse.status == status)
    if damage is not None:
        query = query.where(DisasterHouse.damage == damage)
    query = query.order_by(col(DisasterHouse.reported_on), col(DisasterHouse.id))
    return list((await session.exec(query.offset(offset).limit(limit))).all())


async def by_source(
    session: AsyncSession, principal: Principal, source_event_ids: Sequence[str]
) -> list[dict[str, Any]]:
    """The disaster houses in the caller's wilayah of the disasters another service announced
    under these ids (trantib's fire incident or disaster), with where each stands: a house is
    habitable again once its handling is ``completed``. A house is one case for every household
    living in it: each of them is listed with the house's standing (another service names them
    one by one)."""
    ids = sorted(set(source_event_ids))
    scope = under(col(DisasterHouse.desa_code), principal.visible_scopes(None))
    columns = (
        col(DisasterEvent.source_event_id),
        col(DisasterHouse.desa_code),
        col(DisasterHouse.damage),
        col(DisasterHouse.status),
        col(DisasterHouse.completed_on),
    )
    reported = (
        sa_select(col(DisasterHouse.household_ref), *columns)
        .join(DisasterEvent, col(DisasterEvent.id) == col(DisasterHouse.event_id))
        .where(col(DisasterEvent.source_event_id).in_(ids), scope)
    )
    living_there = (
        sa_select(col(HouseHousehold.household_ref), *columns)
        .join(DisasterEvent, col(DisasterEvent.id) == col(DisasterHouse.event_id))
        .join(HouseHousehold, col(HouseHousehold.house_id) == col(DisasterHouse.house_id))
        .where(
            col(DisasterEvent.source_event_id).in_(ids),
            scope,
            col(HouseHousehold.moved_out_on).is_(None),
            col(HouseHousehold.household_ref) != col(DisasterHouse.household_ref),
        )
    )
    rows = [dict(row._mapping) for row in (await session.execute(reported.union(living_there)))]
    return sorted(rows, key=lambda r: (r["source_event_id"], r["desa_code"], r["household_ref"]))
