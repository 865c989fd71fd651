"""What a caller may reach: the posyandu a write happens at, and a record in their wilayah."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy.engine import RowMapping
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.auth import Principal
from simpul_platform.errors import NotFound
from simpul_platform.replica import require_active_posyandu

M = TypeVar("M", bound=SQLModel)


async def posyandu_for_write(
    session: AsyncSession, posyandu_id: str, principal: Principal, field: str = "body.posyandu_id"
) -> RowMapping:
    """The active posyandu from the local replica (422 otherwise), inside the caller's wilayah."""
    row = await require_active_posyandu(session, posyandu_id, field=field)
    principal.require_wilayah(row["desa_code"])
    return row


async def get_in_wilayah(
    session: AsyncSession,
    model: type[M],
    key: str,
    principal: Principal,
    what: str,
    *,
    lock: bool = False,
) -> M:
    """The ``model`` row ``key`` (locked for update if asked) when its desa is in the caller's
    wilayah; 404 otherwise, so a record outside it is not told apart from a missing one."""
    row = await session.get(model, key, with_for_update=lock or None)
    if row is None or not principal.can_see(getattr(row, "desa_code")):  # noqa: B009
        raise NotFound(f"No {what} {key} in your wilayah.")
    return row
