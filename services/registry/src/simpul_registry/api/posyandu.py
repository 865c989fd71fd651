"""Posyandu: create, read, update, list."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from sqlalchemy import ColumnElement, func
from sqlmodel import col, select

from simpul_platform import clock
from simpul_platform.auth import CurrentPrincipal
from simpul_platform.db import MAX_SQL_OFFSET
from simpul_platform.uow import SessionDep, UnitOfWorkDep
from simpul_platform.wilayah import WilayahQuery, under
from simpul_registry.api.deps import SettingsDep, Writer, load_visible
from simpul_registry.domain.fields import SpmField, decode_fields
from simpul_registry.domain.lifecycle import Status
from simpul_registry.models import Posyandu
from simpul_registry.ops import commit
from simpul_registry.ops.people import people_of, staffing
from simpul_registry.ops.posyandu import create_posyandu, update_posyandu
from simpul_registry.schemas import (
    FieldStaff,
    PosyanduIn,
    PosyanduOut,
    PosyanduPage,
    PosyanduPatch,
)

router = APIRouter(prefix="/v1/posyandu", tags=["posyandu"])


def to_out(p: Posyandu) -> PosyanduOut:
    data = p.model_dump()
    data["fields"] = decode_fields(p.fields)
    return PosyanduOut.model_validate(data)


@router.post("", status_code=201, response_model=PosyanduOut, operation_id="createPosyandu")
async def create(body: PosyanduIn, uow: UnitOfWorkDep, principal: Writer) -> Any:
    """Enter a new posyandu in the registry as a draft."""
    principal.require_wilayah(body.desa_code)
    posyandu = await create_posyandu(uow, body, principal.subject)
    await commit(uow)
    return to_out(posyandu)


@router.get("", response_model=PosyanduPage, operation_id="listPosyandu")
async def list_posyandu(
    session: SessionDep,
    principal: CurrentPrincipal,
    wilayah: WilayahQuery = None,
    status: Status | None = None,
    field: SpmField | None = None,
    q: str | None = Query(default=None, min_length=1, max_length=80, description="Name contains"),
    page: int = Query(default=1, ge=1, le=MAX_SQL_OFFSET // 500),
    page_size: int = Query(default=50, ge=1, le=500),
) -> Any:
    """Posyandu in the caller's wilayah, filtered and paginated (ordered by desa, then name)."""
    conditions: list[ColumnElement[bool]] = [
        under(col(Posyandu.desa_code), principal.visible_scopes(wilayah))]
    if status is not None:
        conditions.append(col(Posyandu.status) == status.value)
    if field is not None:
        conditions.append(col(Posyandu.fields).contains(f",{field.value},"))
    if q:
        conditions.append(col(Posyandu.name_key).contains(" ".join(q.lower().split())))
    total = (await session.exec(
        select(func.count()).select_from(Posyandu).where(*conditions))).one()
    rows = await session.exec(
        select(Posyandu).where(*conditions)
        .order_by(col(Posyandu.desa_code), col(Posyandu.name_key))
        .offset((page - 1) * page_size).limit(page_size)
    )
    return PosyanduPage(items=[to_out(p) for p in rows.all()], total=int(total), page=page,
                        page_size=page_size)


@router.get("/{posyandu_id}", response_model=PosyanduOut, operation_id="getPosyandu")
async def get_one(posyandu_id: str, session: SessionDep, principal: CurrentPrincipal) -> Any:
    """One posyandu."""
    return to_out(await load_visible(session, posyandu_id, principal))


@router.patch("/{posyandu_id}", response_model=PosyanduOut, operation_id="updatePosyandu")
async def update(
    posyandu_id: str, body: PosyanduPatch, uow: UnitOfWorkDep, principal: Writer
) -> Any:
    """Change a posyandu's name, place, address, coordinates or SPM fields."""
    posyandu = await load_visible(uow.session, posyandu_id, principal)
    if body.desa_code is not None:
        principal.require_wilayah(body.desa_code)
    await update_posyandu(uow, posyandu, body, principal.subject)
    await commit(uow)
    return to_out(posyandu)


@router.get("/{posyandu_id}/staffing", response_model=list[FieldStaff],
            operation_id="getPosyanduStaffing")
async def get_staffing(
    posyandu_id: str, session: SessionDep, principal: CurrentPrincipal, settings: SettingsDep
) -> Any:
    """Per SPM field run: ketua bidang, active kader, and the gaps (no ketua bidang, no kader)."""
    posyandu = await load_visible(session, posyandu_id, principal)
    people = await people_of(session, posyandu.id)
    return staffing(posyandu, people, clock.local_today(settings))
