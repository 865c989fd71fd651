"""What a caller may reach: the posyandu a write happens at, and a child in their wilayah."""

from __future__ import annotations

from sqlalchemy.engine import RowMapping
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_education.models import Child
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


async def visible_child(
    session: AsyncSession, principal: Principal, child_id: str, *, lock: bool = False
) -> Child:
    """A child the caller may see; 404 otherwise (a child's existence is itself sensitive, so
    one outside the caller's wilayah is not found either)."""
    child = await session.get(Child, child_id, with_for_update=lock or None)
    if child is None or not principal.can_see(child.desa_code):
        raise NotFound(f"No child {child_id} in your wilayah.")
    return child
