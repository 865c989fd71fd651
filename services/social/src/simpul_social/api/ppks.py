"""PPKS cases for the SPM sosial indicators: identified → assessed → served → closed."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlmodel import col, select

from simpul_platform.uow import SessionDep, UnitOfWorkDep
from simpul_platform.wilayah import WilayahQuery, under
from simpul_social.api.deps import Reader, SettingsDep, Writer
from simpul_social.domain.ppks import PpksCategory, PpksStatus
from simpul_social.models import PpksCase
from simpul_social.ops import ppks as ops
from simpul_social.schemas.ppks import AssessIn, CloseIn, PpksCaseIn, PpksCaseOut, ServeIn

router = APIRouter(prefix="/v1/ppks-cases", tags=["ppks"])


@router.post("", status_code=201, response_model=PpksCaseOut, operation_id="identifyPpksCase")
async def identify(
    body: PpksCaseIn, uow: UnitOfWorkDep, principal: Writer, settings: SettingsDep
) -> Any:
    """Record a PPKS person identified in a posyandu's area."""
    case = await ops.identify(uow, settings, body, principal)
    await uow.commit()
    return case


@router.get("", response_model=list[PpksCaseOut], operation_id="listPpksCases")
async def list_cases(
    session: SessionDep,
    principal: Reader,
    category: PpksCategory | None = None,
    status: PpksStatus | None = None,
    wilayah: WilayahQuery = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> Any:
    """PPKS cases in the caller's wilayah."""
    query = select(PpksCase).where(under(PpksCase.desa_code, principal.visible_scopes(wilayah)))
    if category is not None:
        query = query.where(PpksCase.category == category)
    if status is not None:
        query = query.where(PpksCase.status == status)
    query = query.order_by(col(PpksCase.identified_on), col(PpksCase.id)).limit(limit)
    return list((await session.exec(query)).all())


@router.get("/{case_id}", response_model=PpksCaseOut, operation_id="getPpksCase")
async def get(case_id: str, session: SessionDep, principal: Reader) -> Any:
    """One PPKS case."""
    return await ops.get_case(session, case_id, principal)


@router.post("/{case_id}/assess", response_model=PpksCaseOut, operation_id="assessPpksCase")
async def assess(
    case_id: str, body: AssessIn, uow: UnitOfWorkDep, principal: Writer, settings: SettingsDep
) -> Any:
    """Record the assessment of needs."""
    case = await ops.get_case(uow.session, case_id, principal, lock=True)
    ops.assess(uow, settings, case, body, principal.subject)
    await uow.commit()
    return case


@router.post("/{case_id}/serve", response_model=PpksCaseOut, operation_id="servePpksCase")
async def serve(
    case_id: str, body: ServeIn, uow: UnitOfWorkDep, principal: Writer, settings: SettingsDep
) -> Any:
    """Record basic social rehabilitation given outside institutions."""
    case = await ops.get_case(uow.session, case_id, principal, lock=True)
    ops.serve(uow, settings, case, body, principal.subject)
    await uow.commit()
    return case


@router.post("/{case_id}/close", response_model=PpksCaseOut, operation_id="closePpksCase")
async def close(
    case_id: str, body: CloseIn, uow: UnitOfWorkDep, principal: Writer, settings: SettingsDep
) -> Any:
    """Close the case with its outcome."""
    case = await ops.get_case(uow.session, case_id, principal, lock=True)
    ops.close(uow, settings, case, body, principal.subject)
    await uow.commit()
    return case
