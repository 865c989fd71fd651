"""Priority cases and leads as Dinas Sosial works them: list, resolve, find."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.auth import Principal
from simpul_platform.clock import now
from simpul_platform.domain import not_in_future
from simpul_platform.errors import Conflict
from simpul_platform.referrals.automatic import resolve_linked
from simpul_platform.uow import UnitOfWork
from simpul_platform.wilayah import under
from simpul_social.domain.dates import not_before
from simpul_social.events import PriorityCaseResolved
from simpul_social.models import PriorityCase, StuntingLead
from simpul_social.ops.access import get_in_wilayah
from simpul_social.ops.households import get_visible
from simpul_social.schemas.priority import LeadResolveIn, PriorityCaseOut, ResolveIn


def to_out(case: PriorityCase, today: date) -> PriorityCaseOut:
    out = PriorityCaseOut.model_validate(case)
    out.overdue = case.status == "open" and case.due_on < today
    return out


async def list_cases(
    session: AsyncSession,
    scopes: Sequence[str],
    *,
    status: str | None,
    overdue_on: date | None,
    posyandu_id: str | None,
) -> Sequence[PriorityCase]:
    query = select(PriorityCase).where(under(PriorityCase.desa_code, scopes))
    if status is not None:
        query = query.where(PriorityCase.status == status)
    if overdue_on is not None:
        query = query.where(PriorityCase.status == "open", col(PriorityCase.due_on) < overdue_on)
    if posyandu_id is not None:
        query = query.where(PriorityCase.posyandu_id == posyandu_id)
    query = query.order_by(col(PriorityCase.due_on), col(PriorityCase.id)).limit(1000)
    return list((await session.exec(query)).all())


async def get_case(
    session: AsyncSession, case_id: str, principal: Principal, lock: bool = False
) -> PriorityCase:
    return await get_in_wilayah(
        session, PriorityCase, case_id, principal, "priority case", lock=lock
    )


# A priority case's outcome as the referral it answers ends (the referral catalogue's codes).
REFERRAL_OUTCOME = {
    "enrolled_in_bansos": "bansos_granted",
    "referred_to_program": "referred_to_program",
    "support_provided": "support_provided",
    "not_eligible": "not_eligible",
    "household_moved": "household_moved",
    "declined": "declined",
}


async def resolve(
    uow: UnitOfWork, case: PriorityCase, body: ResolveIn, actor: str, today: date
) -> None:
    """Resolve the case, and with it the referral its opening accepted."""
    if case.status != "open":
        raise Conflict(
            f"Priority case {case.id} is already {case.status}.", current_status=case.status
        )
    resolved_on = body.resolved_on or today
    not_in_future(resolved_on, today, "body.resolved_on")
    not_before(resolved_on, case.detected_on, "body.resolved_on", "detection on")
    case.status = "resolved"
    case.outcome = body.outcome
    case.resolution_note = body.note
    case.resolved_on = resolved_on
    case.resolved_by = actor
    case.resolved_at = now()
    case.updated_at = now()
    uow.session.add(case)
    uow.publish(
        PriorityCaseResolved(
            case_id=case.id,
            stunting_episode_id=case.stunting_episode_id,
            household_ref=case.household_ref,
            posyandu_id=case.posyandu_id,
            desa_code=case.desa_code,
            outcome=body.outcome,
            resolved_on=resolved_on,
            on_time=resolved_on <= case.due_on,
        ),
        subject=case.id,
    )
    outcome = REFERRAL_OUTCOME[body.outcome]
    await resolve_linked(uow, "social", case.id, outcome, resolved_on, actor)


async def list_leads(
    session: AsyncSession, scopes: Sequence[str], status: str | None
) -> Sequence[StuntingLead]:
    query = select(StuntingLead).where(under(StuntingLead.desa_code, scopes))
    if status is not None:
        query = query.where(StuntingLead.status == status)
    query = query.order_by(col(StuntingLead.detected_on), col(StuntingLead.id)).limit(1000)
    return list((await session.exec(query)).all())


async def resolve_lead(
    uow: UnitOfWork, lead_id: str, body: LeadResolveIn, principal: Principal
) -> StuntingLead:
    lead = await get_in_wilayah(uow.session, StuntingLead, lead_id, principal, "lead", lock=True)
    if lead.status != "open":
        raise Conflict(f"Lead {lead_id} is already {lead.status}.", current_status=lead.status)
    if body.outcome == "found" and body.household_id is not None:
        household = await get_visible(
            uow.session, body.household_id, principal, field="body.household_id"
        )
        lead.household_id = household.id
    lead.status = body.outcome
    lead.note = body.note
    lead.resolved_by = principal.subject
    lead.resolved_at = now()
    uow.session.add(lead)
    return lead
