"""Targets (sasaran): people served at a posyandu. NIK and No. KK stay in this service."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from simpul_health.api.deps import HealthUser, SettingsDep, Today
from simpul_health.ops import commit, targets
from simpul_health.ops.access import visible_target
from simpul_health.schemas.targets import TargetIn, TargetOut
from simpul_platform.db import MAX_SQL_OFFSET
from simpul_platform.uow import SessionDep, UnitOfWorkDep
from simpul_platform.wilayah import WilayahQuery

router = APIRouter(prefix="/v1/targets", tags=["targets"])


@router.post("", status_code=201, response_model=TargetOut, operation_id="createTarget")
async def create_target(
    body: TargetIn, uow: UnitOfWorkDep, principal: HealthUser, settings: SettingsDep, today: Today
) -> Any:
    """Register a person (sasaran) at a posyandu."""
    target = await targets.create_target(
        uow, principal, body, secret=settings.pseudonym_secret, today=today
    )
    await commit(uow, targets.DUPLICATE_NIK)
    return await targets.with_life_cycle(uow.session, target, today)


@router.get("/{target_id}", response_model=TargetOut, operation_id="getTarget")
async def get_target(
    target_id: str, session: SessionDep, principal: HealthUser, today: Today
) -> Any:
    """Read one target with its current life-cycle group."""
    target = await visible_target(session, principal, target_id)
    return await targets.with_life_cycle(session, target, today)


@router.get("", response_model=list[TargetOut], operation_id="listTargets")
async def list_targets(
    session: SessionDep,
    principal: HealthUser,
    today: Today,
    posyandu_id: str | None = None,
    wilayah: WilayahQuery = None,
    limit: int = Query(default=100, ge=1, le=1000),
    offset: int = Query(default=0, ge=0, le=MAX_SQL_OFFSET),
) -> Any:
    """Targets of a posyandu or a wilayah inside the caller's scope."""
    found = await targets.list_targets(
        session, principal, posyandu_id=posyandu_id, wilayah=wilayah, limit=limit, offset=offset
    )
    return [await targets.with_life_cycle(session, t, today) for t in found]
