"""Bayi baru lahir: newborns and their neonatal visits KN1–KN3."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Query

from simpul_health.api.deps import HealthUser, SettingsDep
from simpul_health.ops import commit, newborns
from simpul_health.schemas.newborns import NeonatalVisitIn, NewbornIn, NewbornOut
from simpul_platform.db import MAX_SQL_OFFSET
from simpul_platform.uow import SessionDep, UnitOfWorkDep
from simpul_platform.wilayah import WilayahQuery

router = APIRouter(prefix="/v1/newborns", tags=["bayi baru lahir"])


@router.post("", status_code=201, response_model=NewbornOut, operation_id="registerNewborn")
async def register_newborn(
    body: NewbornIn, uow: UnitOfWorkDep, principal: HealthUser, settings: SettingsDep
) -> Any:
    """Record a newborn, from a delivered pregnancy or at a posyandu."""
    nb = await newborns.register(uow, principal, body, settings.zone)
    await commit(uow, newborns.DUPLICATE)
    return await newborns.with_visits(uow.session, nb)


@router.post(
    "/{newborn_id}/neonatal-visits",
    status_code=201,
    response_model=NewbornOut,
    operation_id="recordNeonatalVisit",
)
async def record_neonatal_visit(
    newborn_id: str,
    body: NeonatalVisitIn,
    uow: UnitOfWorkDep,
    principal: HealthUser,
    settings: SettingsDep,
) -> Any:
    """Record a neonatal visit; its window (KN1, KN2, KN3) follows the newborn's age."""
    nb = await newborns.record_visit(uow, principal, newborn_id, body, settings.zone)
    await uow.commit()
    return await newborns.with_visits(uow.session, nb)


@router.get("/{newborn_id}", response_model=NewbornOut, operation_id="getNewborn")
async def get_newborn(newborn_id: str, session: SessionDep, principal: HealthUser) -> Any:
    """Read one newborn with its neonatal visits."""
    nb = await newborns.visible_newborn(session, principal, newborn_id)
    return await newborns.with_visits(session, nb)


@router.get("", response_model=list[NewbornOut], operation_id="listNewborns")
async def list_newborns(
    session: SessionDep,
    principal: HealthUser,
    posyandu_id: str | None = None,
    wilayah: WilayahQuery = None,
    born_from: date | None = None,
    born_to: date | None = None,
    limit: int = Query(default=100, ge=1, le=1000),
    offset: int = Query(default=0, ge=0, le=MAX_SQL_OFFSET),
) -> Any:
    """Newborns of a posyandu or a wilayah inside the caller's scope, newest first."""
    found = await newborns.list_newborns(
        session,
        principal,
        posyandu_id=posyandu_id,
        wilayah=wilayah,
        born_from=born_from,
        born_to=born_to,
        limit=limit,
        offset=offset,
    )
    return [await newborns.with_visits(session, nb) for nb in found]
