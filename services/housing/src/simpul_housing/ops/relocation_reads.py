"""Reading relocation: programmes over areas overlapping the caller's wilayah, the households
they affect in it (by programme, status, wilayah), a household's steps, and its output (the
No. KK masked, the steps its status allows)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_housing.domain.relocation import RELOCATION
from simpul_housing.models import RelocationHousehold, RelocationProgramme
from simpul_housing.ops.relocation import history
from simpul_housing.schemas.disaster import StepOut
from simpul_housing.schemas.relocation import RelocationDetail, RelocationOut
from simpul_platform.auth import Principal
from simpul_platform.errors import NotFound
from simpul_platform.pseudonym import mask_nik
from simpul_platform.wilayah import overlapping, under


def to_out(row: RelocationHousehold) -> RelocationOut:
    return RelocationOut.model_validate(
        {
            **row.model_dump(exclude={"kk"}),
            "kk_masked": mask_nik(row.kk),
            "allowed_actions": RELOCATION.allowed_actions(row.status),  # type: ignore[arg-type]
        }
    )


async def detail(session: AsyncSession, row: RelocationHousehold) -> RelocationDetail:
    steps = [StepOut.model_validate(h) for h in await history(session, row.id)]
    return RelocationDetail.model_validate({**to_out(row).model_dump(), "history": steps})


async def visible_programme(
    session: AsyncSession, principal: Principal, programme_id: str, *, lock: bool = False
) -> RelocationProgramme:
    """A programme over an area overlapping the caller's wilayah; 404 otherwise."""
    row = await session.get(RelocationProgramme, programme_id, with_for_update=lock or None)
    if row is None or not principal.overlaps(row.wilayah_code):
        raise NotFound(f"No relocation programme {programme_id} in your wilayah.")
    return row


async def list_programmes(
    session: AsyncSession,
    principal: Principal,
    *,
    wilayah: str | None,
    year: int | None,
    limit: int,
    offset: int,
) -> Sequence[RelocationProgramme]:
    scopes = principal.visible_scopes(wilayah)
    area = col(RelocationProgramme.wilayah_code)
    query = select(RelocationProgramme).where(overlapping(area, scopes))
    if year is not None:
        query = query.where(RelocationProgramme.year == year)
    query = query.order_by(col(RelocationProgramme.year).desc(), col(RelocationProgramme.id))
    return list((await session.exec(query.offset(offset).limit(limit))).all())


async def visible_household(
    session: AsyncSession, principal: Principal, relocation_id: str, *, lock: bool = False
) -> RelocationHousehold:
    """A relocated household in the caller's wilayah; 404 otherwise."""
    row = await session.get(RelocationHousehold, relocation_id, with_for_update=lock or None)
    if row is None or not principal.can_see(row.desa_code):
        raise NotFound(f"No relocated household {relocation_id} in your wilayah.")
    return row


async def list_households(
    session: AsyncSession,
    principal: Principal,
    *,
    wilayah: str | None,
    programme_id: str | None,
    status: str | None,
    limit: int,
    offset: int,
) -> Sequence[RelocationHousehold]:
    scopes = principal.visible_scopes(wilayah)
    query = select(RelocationHousehold).where(under(col(RelocationHousehold.desa_code), scopes))
    if programme_id is not None:
        query = query.where(RelocationHousehold.programme_id == programme_id)
    if status is not None:
        query = query.where(RelocationHousehold.status == status)
    query = query.order_by(col(RelocationHousehold.created_at), col(RelocationHousehold.id))
    return list((await session.exec(query.offset(offset).limit(limit))).all())
