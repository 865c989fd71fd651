"""What a caller may reach: the posyandu a write happens at, and a house in their wilayah."""

from __future__ import annotations

from sqlalchemy.engine import RowMapping
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_housing.models import House
from simpul_platform.auth import Principal
from simpul_platform.errors import NotFound
from simpul_platform.replica import require_active_posyandu


async def posyandu_for_write(
    session: AsyncSession, posyandu_id: str, principal: Principal, field: str = "body.posyandu_id"
) -> RowMapping:
    """The active posyandu from the local replica (422 otherwise), inside the caller's wilayah
    (403 otherwise)."""
    row = await require_active_posyandu(session, posyandu_id, field=field)
    principal.require_wilayah(row["desa_code"])
    return row


async def visible_house(
    session: AsyncSession, principal: Principal, house_id: str, *, lock: bool = False
) -> House:
    """A house the caller may see; 404 otherwise (a house outside the caller's wilayah is not
    found either: its address and households are personal data)."""
    house = await session.get(House, house_id, with_for_update=lock or None)
    if house is None or not principal.can_see(house.desa_code):
        raise NotFound(f"No house {house_id} in your wilayah.")
    return house
