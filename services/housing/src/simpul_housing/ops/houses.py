"""Houses at a posyandu's desa and the households (by No. KK) living in them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_housing.domain.houses import check_coordinates, check_households
from simpul_housing.models import House, HouseHousehold
from simpul_housing.ops import tallies
from simpul_housing.ops.access import posyandu_for_write
from simpul_housing.schemas.houses import HouseIn
from simpul_platform.auth import Principal
from simpul_platform.clock import now
from simpul_platform.errors import Conflict
from simpul_platform.events import new_id
from simpul_platform.pseudonym import household_ref
from simpul_platform.uow import UnitOfWork
from simpul_platform.wilayah import under

HOUSEHOLD_ELSEWHERE = "A household in this house already lives in another (recorded concurrently)."


async def create_house(
    uow: UnitOfWork, principal: Principal, body: HouseIn, *, secret: str
) -> tuple[House, list[HouseHousehold]]:
    """Stage a house at the desa of a posyandu the caller may write to, with its households;
    the No. KK stays here, its keyed pseudonym (``secret``) goes on the row."""
    check_coordinates(body.latitude, body.longitude)
    check_households(
        [h.kk for h in body.households], body.occupants, [h.members for h in body.households]
    )
    posyandu = await posyandu_for_write(uow.session, body.posyandu_id, principal)
    refs = [household_ref(secret, h.kk) for h in body.households]
    await _not_living_elsewhere(uow.session, refs)
    actor, moment = principal.subject, now()
    house = House(
        id=new_id(),
        **body.model_dump(exclude={"households"}),
        desa_code=posyandu["desa_code"],
        created_by=actor,
        created_at=moment,
        updated_by=actor,
        updated_at=moment,
    )
    households = [
        HouseHousehold(
            id=new_id(),
            house_id=house.id,
            household_ref=ref,
            **given.model_dump(),
            recorded_by=actor,
            recorded_at=moment,
        )
        for given, ref in zip(body.households, refs, strict=True)
    ]
    await tallies.invalidate(uow.session, house.posyandu_id, moment.date())  # counted by UTC day
    uow.session.add(house)
    await uow.session.flush()  # the house before its households (their foreign key)
    uow.session.add_all(households)
    return house, households


async def _not_living_elsewhere(session: AsyncSession, refs: Sequence[str]) -> None:
    if not refs:
        return
    query = select(HouseHousehold).where(
        col(HouseHousehold.household_ref).in_(refs), col(HouseHousehold.moved_out_on).is_(None)
    )
    current = (await session.exec(query)).first()
    if current is not None:
        index = list(refs).index(current.household_ref)
        raise Conflict(
            f"The household body.households[{index}] already lives in house {current.house_id}.",
            house_id=current.house_id,
        )


async def households(session: AsyncSession, house_id: str) -> Sequence[HouseHousehold]:
    """The households living in a house now, in the order recorded (then by KK)."""
    query = (
        select(HouseHousehold)
        .where(HouseHousehold.house_id == house_id, col(HouseHousehold.moved_out_on).is_(None))
        .order_by(col(HouseHousehold.recorded_at), col(HouseHousehold.kk))
    )
    return list((await session.exec(query)).all())


async def house_of(session: AsyncSession, household: str) -> House | None:
    """The house a household (by pseudonym) lives in now, if housing knows it."""
    query = (
        select(House)
        .join(HouseHousehold, col(HouseHousehold.house_id) == col(House.id))
        .where(
            HouseHousehold.household_ref == household, col(HouseHousehold.moved_out_on).is_(None)
        )
    )
    return (await session.exec(query)).first()


async def houses_of(session: AsyncSession, households: Sequence[str]) -> dict[str, House]:
    """``house_of`` for many households at once: by household, the ones housing knows."""
    query = (
        select(HouseHousehold.household_ref, House)
        .join(HouseHousehold, col(HouseHousehold.house_id) == col(House.id))
        .where(
            col(HouseHousehold.household_ref).in_(sorted(set(households))),
            col(HouseHousehold.moved_out_on).is_(None),
        )
    )
    return {ref: house for ref, house in (await session.exec(query)).all()}


async def list_houses(
    session: AsyncSession,
    principal: Principal,
    *,
    wilayah: str | None,
    posyandu_id: str | None,
    rtlh_pupr: bool | None,
    rtlh_rutilahu: bool | None,
    limit: int,
    offset: int,
) -> Sequence[House]:
    """Houses inside the caller's scope, optionally one posyandu's or by classification."""
    query = select(House).where(under(col(House.desa_code), principal.visible_scopes(wilayah)))
    if posyandu_id is not None:
        query = query.where(House.posyandu_id == posyandu_id)
    if rtlh_pupr is not None:
        query = query.where(House.rtlh_pupr == rtlh_pupr)
    if rtlh_rutilahu is not None:
        query = query.where(House.rtlh_rutilahu == rtlh_rutilahu)
    query = query.order_by(col(House.desa_code), col(House.rw), col(House.rt), col(House.id))
    return list((await session.exec(query.offset(offset).limit(limit))).all())
