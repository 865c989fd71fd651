"""Deteksi dini notes: written by Linmas members, trantib kader and Satpol PP at a posyandu's
desa, read within the wilayah, and escalated by Satpol PP into a public-order report (once)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from simpul_platform.auth import Principal, require_roles
from simpul_platform.db import MAX_SQL_OFFSET
from simpul_platform.openapi import links, problems
from simpul_platform.uow import SessionDep, UnitOfWorkDep
from simpul_platform.wilayah import WilayahQuery
from simpul_trantib.api.deps import (
    KADER,
    LINMAS,
    OPD,
    SATPOL_PP,
    PublicOrder,
    Reader,
    SettingsDep,
    Today,
)
from simpul_trantib.domain.order import Category, Level
from simpul_trantib.ops import early_detection as ops
from simpul_trantib.ops import order_reads as reads
from simpul_trantib.schemas.order import (
    EarlyDetectionIn,
    EarlyDetectionOut,
    EscalateIn,
    OrderReportDetail,
)

router = APIRouter(tags=["deteksi dini"])
NOTES = "/v1/early-detection-notes"

# Early detection is Satlinmas' and the kader's, with Satpol PP (Damkar and BPBD do not write it).
Watcher = Annotated[Principal, Depends(require_roles(OPD, SATPOL_PP, KADER, LINMAS))]


@router.post(
    NOTES,
    status_code=201,
    response_model=EarlyDetectionOut,
    operation_id="recordEarlyDetectionNote",
    responses=problems(403, 422),
)
async def record_note(
    body: EarlyDetectionIn, uow: UnitOfWorkDep, principal: Watcher, today: Today
) -> Any:
    """Note something that may become a public-order disturbance, with its level."""
    note = await ops.record(uow, principal, body, today)
    await uow.commit()
    return EarlyDetectionOut.model_validate(note)


@router.get(NOTES, response_model=list[EarlyDetectionOut], operation_id="listEarlyDetectionNotes")
async def list_notes(
    session: SessionDep,
    principal: Reader,
    wilayah: WilayahQuery = None,
    posyandu_id: Annotated[str | None, Query(max_length=36)] = None,
    level: Level | None = None,
    category: Category | None = None,
    escalated: Annotated[
        bool | None, Query(description="escalated into a report (true) or not (false)")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[int, Query(ge=0, le=MAX_SQL_OFFSET)] = 0,
) -> Any:
    """Notes in the caller's wilayah, newest observation first."""
    found = await ops.list_notes(
        session,
        principal,
        wilayah=wilayah,
        posyandu_id=posyandu_id,
        level=level,
        category=category,
        escalated=escalated,
        limit=limit,
        offset=offset,
    )
    return [EarlyDetectionOut.model_validate(row) for row in found]


@router.post(
    NOTES + "/{note_id}/escalate",
    status_code=201,
    response_model=OrderReportDetail,
    operation_id="escalateEarlyDetectionNote",
    responses=problems(403, 404, 409, 422)
    | links("getOrderReport", report_id="$response.body#/id"),
)
async def escalate(
    note_id: str,
    body: EscalateIn,
    uow: UnitOfWorkDep,
    principal: PublicOrder,
    settings: SettingsDep,
    today: Today,
) -> Any:
    """Open the public-order report the note calls for (source deteksi_dini); a note already
    escalated is a 409 naming its report."""
    report = await ops.escalate(uow, principal, settings, note_id, body, today)
    await uow.commit()
    return await reads.detail(uow.session, report)
