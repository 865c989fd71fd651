"""Siskamling patrol logs, recorded by the field's roles, kader and Linmas at a posyandu's
desa within their wilayah; listed by wilayah and dates."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from simpul_platform.db import MAX_SQL_OFFSET
from simpul_platform.openapi import problems
from simpul_platform.uow import SessionDep, UnitOfWorkDep
from simpul_platform.wilayah import WilayahQuery
from simpul_trantib.api.deps import Reader, Recorder, SettingsDep, Today
from simpul_trantib.ops import commit
from simpul_trantib.ops import siskamling as ops
from simpul_trantib.schemas import DayQuery
from simpul_trantib.schemas.linmas import PatrolIn, PatrolOut

router = APIRouter(tags=["siskamling"])
PATROLS = "/v1/siskamling-patrols"


@router.post(
    PATROLS,
    status_code=201,
    response_model=PatrolOut,
    operation_id="recordSiskamlingPatrol",
    responses=problems(403, 409, 422),
)
async def record(
    body: PatrolIn, uow: UnitOfWorkDep, principal: Recorder, settings: SettingsDep, today: Today
) -> Any:
    """Record a patrol from a poskamling (one per date and shift)."""
    patrol = await ops.record(uow, principal, settings, body, today)
    await commit(uow, ops.SAME_SHIFT)
    return patrol


@router.get(PATROLS, response_model=list[PatrolOut], operation_id="listSiskamlingPatrols")
async def list_patrols(
    session: SessionDep,
    principal: Reader,
    wilayah: WilayahQuery = None,
    posyandu_id: Annotated[str | None, Query(max_length=36)] = None,
    since: Annotated[DayQuery | None, Query(alias="from", description="on or after")] = None,
    until: Annotated[DayQuery | None, Query(alias="to", description="on or before")] = None,
    incident: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[int, Query(ge=0, le=MAX_SQL_OFFSET)] = 0,
) -> Any:
    """Patrols in the caller's wilayah, newest first."""
    return await ops.list_patrols(
        session,
        principal,
        wilayah=wilayah,
        posyandu_id=posyandu_id,
        since=since,
        until=until,
        incident=incident,
        limit=limit,
        offset=offset,
    )
