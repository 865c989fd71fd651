"""Priority cases (keluarga berisiko stunting), unmatched leads, and the decisions behind them."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from sqlmodel import col, select

from simpul_platform.clock import local_today
from simpul_platform.uow import SessionDep, UnitOfWorkDep
from simpul_platform.wilayah import WilayahQuery, under
from simpul_social.api.deps import Opd, Reader, SettingsDep, Writer
from simpul_social.models import StuntingReaction
from simpul_social.ops import priority as ops
from simpul_social.schemas.priority import (
    LeadOut,
    LeadResolveIn,
    PriorityCaseOut,
    ReactionOut,
    ResolveIn,
)

router = APIRouter(tags=["priority cases"])


@router.get(
    "/v1/priority-cases", response_model=list[PriorityCaseOut], operation_id="listPriorityCases"
)
async def list_cases(
    session: SessionDep,
    principal: Reader,
    settings: SettingsDep,
    status: Literal["open", "resolved"] | None = None,
    overdue: Annotated[bool, Query(description="only open cases past their due date")] = False,
    wilayah: WilayahQuery = None,
    posyandu_id: str | None = None,
) -> Any:
    """Priority cases by due date; ``overdue=true`` shows the ones past due."""
    today = local_today(settings)
    cases = await ops.list_cases(
        session,
        principal.visible_scopes(wilayah),
        status=status,
        overdue_on=today if overdue else None,
        posyandu_id=posyandu_id,
    )
    return [ops.to_out(case, today) for case in cases]


@router.get(
    "/v1/priority-cases/{case_id}", response_model=PriorityCaseOut, operation_id="getPriorityCase"
)
async def get(case_id: str, session: SessionDep, principal: Reader, settings: SettingsDep) -> Any:
    """One priority case."""
    return ops.to_out(await ops.get_case(session, case_id, principal), local_today(settings))


@router.post(
    "/v1/priority-cases/{case_id}/resolve",
    response_model=PriorityCaseOut,
    operation_id="resolvePriorityCase",
)
async def resolve(
    case_id: str, body: ResolveIn, uow: UnitOfWorkDep, principal: Opd, settings: SettingsDep
) -> Any:
    """Dinas Sosial resolves a case with its outcome (who and when are recorded)."""
    today = local_today(settings)
    case = await ops.get_case(uow.session, case_id, principal, lock=True)
    await ops.resolve(uow, case, body, principal.subject, today)
    await uow.commit()
    return ops.to_out(case, today)


@router.get("/v1/stunting-leads", response_model=list[LeadOut], operation_id="listStuntingLeads")
async def list_leads(
    session: SessionDep,
    principal: Reader,
    status: Literal["open", "found", "not_found"] | None = "open",
    wilayah: WilayahQuery = None,
) -> Any:
    """Stunted children whose household social could not place, for a kader to find."""
    return await ops.list_leads(session, principal.visible_scopes(wilayah), status)


@router.post(
    "/v1/stunting-leads/{lead_id}/resolve",
    response_model=LeadOut,
    operation_id="resolveStuntingLead",
)
async def resolve_lead(
    lead_id: str, body: LeadResolveIn, uow: UnitOfWorkDep, principal: Writer
) -> Any:
    """A kader reports whether the household was found (and registered)."""
    lead = await ops.resolve_lead(uow, lead_id, body, principal)
    await uow.commit()
    return lead


@router.get(
    "/v1/stunting-reactions", response_model=list[ReactionOut], operation_id="listStuntingReactions"
)
async def list_reactions(
    session: SessionDep,
    principal: Reader,
    wilayah: WilayahQuery = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> Any:
    """Every stunting episode social reacted to, with the decision and its reason."""
    query = (
        select(StuntingReaction)
        .where(under(StuntingReaction.desa_code, principal.visible_scopes(wilayah)))
        .order_by(col(StuntingReaction.detected_on).desc())
        .limit(limit)
    )
    return list((await session.exec(query)).all())
