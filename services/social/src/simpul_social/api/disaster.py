"""Disaster social protection (SPM sosial, Permensos 9/2018): the cases trantib's disasters and
fires opened, one POST per step. A step the case's status does not allow is a 409 naming the
allowed ones. Dinas Sosial and the social kader work the cases within their wilayah; the
aggregate readers (DPMD, the gateway) read the brief of some disasters' and fires' cases."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import StringConstraints

from simpul_platform.clock import local_today
from simpul_platform.db import MAX_SQL_OFFSET
from simpul_platform.openapi import problems
from simpul_platform.uow import SessionDep, UnitOfWork, UnitOfWorkDep
from simpul_platform.wilayah import WilayahQuery
from simpul_social.api.deps import AggregateReader, Reader, SettingsDep, Writer
from simpul_social.domain.disaster import ProtectionStatus
from simpul_social.models import DisasterProtectionCase
from simpul_social.ops import disaster_protection as ops
from simpul_social.ops import disaster_reads as reads
from simpul_social.schemas.disaster import (
    CloseIn,
    DeclineIn,
    DisasterCaseDetail,
    DisasterCaseOut,
    ServeEmergencyIn,
    ServeRecoveryIn,
    SourceCaseBrief,
)

router = APIRouter(prefix="/v1/disaster-protection", tags=["disaster protection"])
Limit = Annotated[int, Query(ge=1, le=1000)]
Offset = Annotated[int, Query(ge=0, le=MAX_SQL_OFFSET)]
SourceId = Annotated[str | None, Query(min_length=1, max_length=64)]
SourceIds = Annotated[
    list[Annotated[str, StringConstraints(min_length=1, max_length=64)]],
    Query(min_length=1, max_length=reads.MAX_SOURCES, description="disaster or fire ids (≤ 200)"),
]


@router.get("", response_model=list[DisasterCaseOut], operation_id="listDisasterProtectionCases")
async def list_cases(
    session: SessionDep,
    principal: Reader,
    wilayah: WilayahQuery = None,
    status: ProtectionStatus | None = None,
    source_event_id: SourceId = None,
    limit: Limit = 200,
    offset: Offset = 0,
) -> Any:
    """Disaster protection cases in the caller's wilayah, by opening date."""
    rows = await reads.list_cases(
        session,
        principal,
        wilayah=wilayah,
        status=status,
        source_event_id=source_event_id,
        limit=limit,
        offset=offset,
    )
    return [reads.to_out(r) for r in rows]


@router.get(
    "/by-source",
    response_model=list[SourceCaseBrief],
    operation_id="disasterProtectionBySource",
)
async def by_source(
    session: SessionDep, principal: AggregateReader, source_event_id: SourceIds
) -> Any:
    """The cases of these disasters and fires in the caller's wilayah, protected or not."""
    return await reads.by_source(session, principal, source_event_id)


@router.get("/{case_id}", response_model=DisasterCaseDetail, operation_id="getDisasterProtection")
async def get_case(case_id: str, session: SessionDep, principal: Reader) -> Any:
    """One case with every step taken."""
    return await reads.detail(session, await ops.get_case(session, case_id, principal))


async def _done(uow: UnitOfWork, case: DisasterProtectionCase) -> DisasterCaseDetail:
    """Commit the step, then answer with the case and its history."""
    await uow.commit()
    return await reads.detail(uow.session, case)


@router.post(
    "/{case_id}/serve-emergency",
    response_model=DisasterCaseDetail,
    operation_id="serveDisasterEmergency",
    responses=problems(409),
)
async def serve_emergency(
    case_id: str,
    body: ServeEmergencyIn,
    uow: UnitOfWorkDep,
    principal: Writer,
    settings: SettingsDep,
) -> Any:
    """Emergency services given: permakanan, sandang, penampungan, health referral, support."""
    case = await ops.get_case(uow.session, case_id, principal, lock=True)
    ops.serve_emergency(uow, case, body, principal.subject, local_today(settings))
    return await _done(uow, case)


@router.post(
    "/{case_id}/serve-recovery",
    response_model=DisasterCaseDetail,
    operation_id="serveDisasterRecovery",
    responses=problems(409),
)
async def serve_recovery(
    case_id: str,
    body: ServeRecoveryIn,
    uow: UnitOfWorkDep,
    principal: Writer,
    settings: SettingsDep,
) -> Any:
    """Services after the emergency given: jaminan hidup, economic help, support, referral."""
    case = await ops.get_case(uow.session, case_id, principal, lock=True)
    ops.serve_recovery(uow, case, body, principal.subject, local_today(settings))
    return await _done(uow, case)


@router.post(
    "/{case_id}/close",
    response_model=DisasterCaseDetail,
    operation_id="closeDisasterProtection",
    responses=problems(409),
)
async def close(
    case_id: str, body: CloseIn, uow: UnitOfWorkDep, principal: Writer, settings: SettingsDep
) -> Any:
    """Close a served case: the household's needs were met."""
    case = await ops.get_case(uow.session, case_id, principal, lock=True)
    ops.close(uow, case, body, principal.subject, local_today(settings))
    return await _done(uow, case)


@router.post(
    "/{case_id}/decline",
    response_model=DisasterCaseDetail,
    operation_id="declineDisasterProtection",
    responses=problems(409),
)
async def decline(
    case_id: str, body: DeclineIn, uow: UnitOfWorkDep, principal: Writer, settings: SettingsDep
) -> Any:
    """Close a case the household refused, or could not be found or moved away for."""
    case = await ops.get_case(uow.session, case_id, principal, lock=True)
    ops.decline(uow, case, body, principal.subject, local_today(settings))
    return await _done(uow, case)
