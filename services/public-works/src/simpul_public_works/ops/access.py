"""What a caller may reach: the posyandu a write happens at, and a household in their wilayah."""

from __future__ import annotations

from sqlalchemy.engine import RowMapping
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.auth import Principal
from simpul_platform.errors import NotFound
from simpul_platform.replica import require_active_posyandu
from simpul_public_works.models import Household


async def posyandu_for_write(
    session: AsyncSession, posyandu_id: str, principal: Principal, field: str = "body.posyandu_id"
) -> RowMapping:
    """The active posyandu from the local replica (422 otherwise), inside the caller's wilayah
    (403 otherwise)."""
    row = await require_active_posyandu(session, posyandu_id, field=field)
    principal.require_wilayah(row["desa_code"])
    return row


async def visible_household(
    session: AsyncSession, principal: Principal, household_id: str
) -> Household:
    """A household the caller may see; 404 otherwise (its existence is itself personal)."""
    household = await session.get(Household, household_id)
    if household is None or not principal.can_see(household.desa_code):
        raise NotFound(f"No household {household_id} in your wilayah.")
    return household
