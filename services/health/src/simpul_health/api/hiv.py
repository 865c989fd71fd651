"""Risiko HIV: people at risk and their HIV test. Health roles only, within their wilayah;
the risk group, test and result for the Dinas Kesehatan only; nothing of it on Kafka."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from sqlmodel import col

from simpul_health.api.deps import HealthUser, Today
from simpul_health.models import HivRiskPerson
from simpul_health.ops import hiv
from simpul_health.ops.access import visible
from simpul_health.ops.programmes import listed
from simpul_health.schemas.hiv import HivAtRiskIn, HivAtRiskOut, HivTestIn
from simpul_platform.db import MAX_SQL_OFFSET
from simpul_platform.uow import SessionDep, UnitOfWorkDep
from simpul_platform.wilayah import WilayahQuery

router = APIRouter(prefix="/v1/hiv/at-risk", tags=["risiko HIV"])


@router.post("", status_code=201, response_model=HivAtRiskOut, operation_id="registerHivAtRisk")
async def register_at_risk(
    body: HivAtRiskIn, uow: UnitOfWorkDep, principal: HealthUser, today: Today
) -> Any:
    """Register a person at risk of HIV with the risk group."""
    h = await hiv.register(uow, principal, body, today)
    await uow.commit()
    return hiv.shaped(h, principal)


@router.post("/{record_id}/test", response_model=HivAtRiskOut, operation_id="recordHivTest")
async def record_test(
    record_id: str, body: HivTestIn, uow: UnitOfWorkDep, principal: HealthUser, today: Today
) -> Any:
    """Record the person's HIV test (rapid, national algorithm; or ELISA) and its result."""
    h = await hiv.record_test(uow, principal, record_id, body, today)
    await uow.commit()
    return hiv.shaped(h, principal)


@router.get("/{record_id}", response_model=HivAtRiskOut, operation_id="getHivAtRisk")
async def get_at_risk(record_id: str, session: SessionDep, principal: HealthUser) -> Any:
    """Read one person at risk (group and result for the Dinas Kesehatan only)."""
    h = await visible(session, principal, HivRiskPerson, record_id, "person at risk")
    return hiv.shaped(h, principal)


@router.get("", response_model=list[HivAtRiskOut], operation_id="listHivAtRisk")
async def list_at_risk(
    session: SessionDep,
    principal: HealthUser,
    posyandu_id: str | None = None,
    wilayah: WilayahQuery = None,
    tested: bool | None = None,
    limit: int = Query(default=100, ge=1, le=1000),
    offset: int = Query(default=0, ge=0, le=MAX_SQL_OFFSET),
) -> Any:
    """People at risk of a posyandu or a wilayah in the caller's scope, newest first."""
    on = col(HivRiskPerson.tested_on)
    where = () if tested is None else (on.is_not(None) if tested else on.is_(None),)
    found = await listed(
        session,
        principal,
        HivRiskPerson,
        posyandu_id=posyandu_id,
        wilayah=wilayah,
        order=col(HivRiskPerson.identified_on),
        limit=limit,
        offset=offset,
        where=where,
    )
    return [hiv.shaped(h, principal) for h in found]
