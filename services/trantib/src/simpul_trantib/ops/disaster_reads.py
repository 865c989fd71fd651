"""Reading disasters: one the caller may see, a page of them (by wilayah, year, kind), a disaster
with its history and its households counted, and its households with their No. KK masked.

A disaster is visible to a caller whose wilayah overlaps the area it struck: the area lies in
the caller's wilayah, or contains part of it (a flood over a kecamatan is seen by its desa's
kader, who record its households, as well as by the kabupaten's BPBD).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.auth import Principal
from simpul_platform.errors import NotFound
from simpul_platform.pseudonym import mask_nik
from simpul_platform.wilayah import overlapping, under
from simpul_trantib.domain.disaster import DISASTER
from simpul_trantib.models import Disaster, DisasterHousehold, DisplacedChild
from simpul_trantib.ops.disasters import history
from simpul_trantib.schemas.disaster import (
    DisasterDetail,
    DisasterOut,
    HouseholdCounts,
    HouseholdOut,
    StepOut,
)


async def visible_disaster(
    session: AsyncSession, principal: Principal, disaster_id: str, *, lock: bool = False
) -> Disaster:
    """A disaster over an area overlapping the caller's wilayah; 404 otherwise."""
    disaster = await session.get(Disaster, disaster_id, with_for_update=lock or None)
    if disaster is None or not principal.overlaps(disaster.wilayah_code):
        raise NotFound(f"No disaster {disaster_id} in your wilayah.")
    return disaster


async def list_disasters(
    session: AsyncSession,
    principal: Principal,
    *,
    wilayah: str | None,
    year: int | None,
    kind: str | None,
    limit: int,
    offset: int,
) -> Sequence[Disaster]:
    """Disasters over areas overlapping the caller's scope, the latest first."""
    scopes = principal.visible_scopes(wilayah)
    area = col(Disaster.wilayah_code)
    query = select(Disaster).where(overlapping(area, scopes))
    if kind is not None:
        query = query.where(Disaster.kind == kind)
    if year is not None:
        query = query.where(
            col(Disaster.occurred_on) >= date(year, 1, 1),
            col(Disaster.occurred_on) <= date(year, 12, 31),
        )
    query = query.order_by(col(Disaster.occurred_on).desc(), col(Disaster.id))
    return list((await session.exec(query.offset(offset).limit(limit))).all())


def to_out(disaster: Disaster) -> DisasterOut:
    return DisasterOut.model_validate(disaster)


async def detail(session: AsyncSession, disaster: Disaster) -> DisasterDetail:
    steps = [StepOut.model_validate(h) for h in await history(session, disaster.id)]
    return DisasterDetail.model_validate(
        {
            **to_out(disaster).model_dump(),
            "allowed_actions": DISASTER.allowed_actions(disaster.status),  # type: ignore[arg-type]
            "history": steps,
            "households": await household_counts(session, disaster.id),
        }
    )


async def household_counts(session: AsyncSession, disaster_id: str) -> HouseholdCounts:
    """The disaster's households per damage class, displaced and evacuated, and its displaced
    school-age children referred to education."""
    query = (
        select(
            DisasterHousehold.damage,
            func.count(),
            func.count().filter(col(DisasterHousehold.displaced)),
            func.count().filter(col(DisasterHousehold.evacuated)),
        )
        .where(DisasterHousehold.disaster_id == disaster_id)
        .group_by(col(DisasterHousehold.damage))
    )
    by_damage: dict[str, int] = {}
    displaced = evacuated = 0
    for damage, n, moved, rescued in (await session.exec(query)).all():
        by_damage[damage] = n
        displaced += moved
        evacuated += rescued
    children = select(func.count()).where(DisplacedChild.disaster_id == disaster_id)
    return HouseholdCounts(
        total=sum(by_damage.values()),
        by_damage=by_damage,
        displaced=displaced,
        evacuated=evacuated,
        children_referred=(await session.exec(children)).one(),
    )


async def list_households(
    session: AsyncSession,
    principal: Principal,
    disaster: Disaster,
    *,
    desa: str | None,
    damage: str | None,
    limit: int,
    offset: int,
) -> list[HouseholdOut]:
    """The disaster's households in the caller's wilayah (a desa kader sees their desa's), by
    desa, their No. KK masked."""
    scopes = principal.visible_scopes(desa)
    query = select(DisasterHousehold).where(
        DisasterHousehold.disaster_id == disaster.id,
        under(col(DisasterHousehold.desa_code), scopes),
    )
    if damage is not None:
        query = query.where(DisasterHousehold.damage == damage)
    query = query.order_by(col(DisasterHousehold.desa_code), col(DisasterHousehold.id))
    rows = (await session.exec(query.offset(offset).limit(limit))).all()
    return [
        HouseholdOut.model_validate({**row.model_dump(), "kk_masked": mask_nik(row.kk)})
        for row in rows
    ]
