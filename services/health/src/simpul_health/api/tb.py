"""Terduga TBC: presumptive TB cases and their examination. Health roles only, within their
wilayah; nothing of it goes on Kafka."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from sqlmodel import col

from simpul_health.api.deps import HealthUser, Today
from simpul_health.models import TbPresumptive
from simpul_health.ops import tb
from simpul_health.ops.access import visible
from simpul_health.ops.programmes import listed
from simpul_health.schemas.tb import TbExaminationIn, TbPresumptiveIn, TbPresumptiveOut
from simpul_platform.db import MAX_SQL_OFFSET
from simpul_platform.uow import SessionDep, UnitOfWorkDep
from simpul_platform.wilayah import WilayahQuery

router = APIRouter(prefix="/v1/tb/presumptives", tags=["terduga TBC"])


@router.post(
    "", status_code=201, response_model=TbPresumptiveOut, operation_id="registerTbPresumptive"
)
async def register_presumptive(
    body: TbPresumptiveIn, uow: UnitOfWorkDep, principal: HealthUser, today: Today
) -> Any:
    """Register a presumptive TB case with its symptoms (or household contact)."""
    p = await tb.register(uow, principal, body, today)
    await uow.commit()
    return tb.shaped(p)


@router.post(
    "/{presumptive_id}/examination",
    response_model=TbPresumptiveOut,
    operation_id="recordTbExamination",
)
async def record_examination(
    presumptive_id: str,
    body: TbExaminationIn,
    uow: UnitOfWorkDep,
    principal: HealthUser,
    today: Today,
) -> Any:
    """Record the case's examination (TCM, microscopy, x-ray or clinical) and its result."""
    p = await tb.examine(uow, principal, presumptive_id, body, today)
    await uow.commit()
    return tb.shaped(p)


@router.get("/{presumptive_id}", response_model=TbPresumptiveOut, operation_id="getTbPresumptive")
async def get_presumptive(presumptive_id: str, session: SessionDep, principal: HealthUser) -> Any:
    """Read one presumptive TB case."""
    p = await visible(session, principal, TbPresumptive, presumptive_id, "presumptive case")
    return tb.shaped(p)


@router.get("", response_model=list[TbPresumptiveOut], operation_id="listTbPresumptives")
async def list_presumptives(
    session: SessionDep,
    principal: HealthUser,
    posyandu_id: str | None = None,
    wilayah: WilayahQuery = None,
    examined: bool | None = None,
    limit: int = Query(default=100, ge=1, le=1000),
    offset: int = Query(default=0, ge=0, le=MAX_SQL_OFFSET),
) -> Any:
    """Presumptive cases of a posyandu or a wilayah in the caller's scope, newest first."""
    on = col(TbPresumptive.examined_on)
    where = () if examined is None else (on.is_not(None) if examined else on.is_(None),)
    found = await listed(
        session,
        principal,
        TbPresumptive,
        posyandu_id=posyandu_id,
        wilayah=wilayah,
        order=col(TbPresumptive.identified_on),
        limit=limit,
        offset=offset,
        where=where,
    )
    return [tb.shaped(p) for p in found]
