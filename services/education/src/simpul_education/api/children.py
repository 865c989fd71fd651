"""Children and youth 0–18 known to the field, and their education statuses. NIK and No. KK
stay in this service; reads show the NIK masked. A status ``out_of_school`` given to a child
7–18 with no open ATS case opens one (``ops.ats_detection``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_education.api.deps import Reader, SettingsDep, Today, Writer
from simpul_education.domain.status import Status
from simpul_education.models import Child
from simpul_education.ops import ats_detection, commit
from simpul_education.ops import children as ops
from simpul_education.ops.access import visible_child
from simpul_education.schemas.children import (
    ChildDetail,
    ChildIn,
    ChildOut,
    StatusIn,
    StatusOut,
    StatusRecorded,
)
from simpul_platform.db import MAX_SQL_OFFSET
from simpul_platform.pseudonym import mask_nik
from simpul_platform.uow import SessionDep, UnitOfWorkDep
from simpul_platform.wilayah import WilayahQuery

router = APIRouter(prefix="/v1/children", tags=["children"])


def child_out(child: Child) -> ChildOut:
    return ChildOut.model_validate(
        {**child.model_dump(exclude={"nik", "kk"}), "nik_masked": mask_nik(child.nik)}
    )


async def detail(session: AsyncSession, child: Child) -> ChildDetail:
    rows = await ops.history(session, child.id)
    return ChildDetail.model_validate(
        {
            **child_out(child).model_dump(),
            "history": [StatusOut.model_validate(r) for r in rows],
        }
    )


@router.post("", status_code=201, response_model=ChildDetail, operation_id="createChild")
async def create_child(
    body: ChildIn, uow: UnitOfWorkDep, principal: Writer, settings: SettingsDep, today: Today
) -> Any:
    """Register a child or youth (0–18) at a posyandu, by NIK and No. KK."""
    child = await ops.create_child(
        uow, principal, body, secret=settings.pseudonym_secret, today=today
    )
    await commit(uow, ops.DUPLICATE_NIK)
    return await detail(uow.session, child)


@router.get("", response_model=list[ChildOut], operation_id="listChildren")
async def list_children(
    session: SessionDep,
    principal: Reader,
    wilayah: WilayahQuery = None,
    posyandu_id: Annotated[str | None, Query(max_length=36)] = None,
    status: Status | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[int, Query(ge=0, le=MAX_SQL_OFFSET)] = 0,
) -> Any:
    """Children in the caller's wilayah, optionally one posyandu's or one current status's."""
    found = await ops.list_children(
        session,
        principal,
        wilayah=wilayah,
        posyandu_id=posyandu_id,
        status=status,
        limit=limit,
        offset=offset,
    )
    return [child_out(c) for c in found]


@router.get("/{child_id}", response_model=ChildDetail, operation_id="getChild")
async def get_child(child_id: str, session: SessionDep, principal: Reader) -> Any:
    """One child with the NIK masked and the status history."""
    return await detail(session, await visible_child(session, principal, child_id))


@router.post(
    "/{child_id}/status",
    status_code=201,
    response_model=StatusRecorded,
    operation_id="recordChildStatus",
)
async def record_status(
    child_id: str,
    body: StatusIn,
    uow: UnitOfWorkDep,
    principal: Writer,
    settings: SettingsDep,
    today: Today,
) -> Any:
    """Record an education status (date and source); the latest by date is the current one.
    ``out_of_school`` for a child 7–18 on that date with no open ATS case opens one, detected
    on that date (``ats_case_id``)."""
    child = await visible_child(uow.session, principal, child_id, lock=True)
    _, case_id = await ats_detection.record_status(
        uow, principal, settings, child, body, today=today
    )
    await uow.commit()
    shown = await detail(uow.session, child)
    return StatusRecorded.model_validate({**shown.model_dump(), "ats_case_id": case_id})
