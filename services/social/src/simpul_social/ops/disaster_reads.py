"""Reading disaster protection cases: a page of them in the caller's wilayah, one with its
steps, and the brief the gateway's emergencies view reads for some disasters and fires."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select as sa_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.auth import Principal
from simpul_platform.wilayah import under
from simpul_social.domain.disaster import DISASTER_PROTECTION, protected
from simpul_social.models import DisasterProtectionCase, DisasterProtectionHistory
from simpul_social.schemas.disaster import (
    DisasterCaseDetail,
    DisasterCaseOut,
    SourceCaseBrief,
    StepOut,
)

Case = DisasterProtectionCase
MAX_SOURCES = 200  # ids a brief may ask for at once (the gateway asks per page of events)


def to_out(case: Case) -> DisasterCaseOut:
    return DisasterCaseOut.model_validate(
        {
            **case.model_dump(),
            "protected": protected(case.emergency_served_on),
            "allowed_actions": DISASTER_PROTECTION.allowed_actions(case.status),  # type: ignore[arg-type]
        }
    )


async def detail(session: AsyncSession, case: Case) -> DisasterCaseDetail:
    query = (
        select(DisasterProtectionHistory)
        .where(DisasterProtectionHistory.case_id == case.id)
        .order_by(col(DisasterProtectionHistory.id))
    )
    steps = [StepOut.model_validate(h) for h in (await session.exec(query)).all()]
    return DisasterCaseDetail.model_validate({**to_out(case).model_dump(), "history": steps})


async def list_cases(
    session: AsyncSession,
    principal: Principal,
    *,
    wilayah: str | None,
    status: str | None,
    source_event_id: str | None,
    limit: int,
    offset: int,
) -> Sequence[Case]:
    """Cases in the caller's scope (403 for a wilayah outside it), by opening date."""
    query = select(Case).where(under(col(Case.desa_code), principal.visible_scopes(wilayah)))
    if status is not None:
        query = query.where(Case.status == status)
    if source_event_id is not None:
        query = query.where(Case.source_event_id == source_event_id)
    query = query.order_by(col(Case.opened_on), col(Case.id)).offset(offset).limit(limit)
    return list((await session.exec(query)).all())


async def by_source(
    session: AsyncSession, principal: Principal, source_event_ids: Sequence[str]
) -> list[SourceCaseBrief]:
    """The cases of these disasters and fires in the caller's wilayah: household, desa,
    status and whether it is protected."""
    query = (
        sa_select(
            col(Case.source_event_id),
            col(Case.household_ref),
            col(Case.desa_code),
            col(Case.status),
            col(Case.emergency_served_on),
        )
        .where(
            col(Case.source_event_id).in_(sorted(set(source_event_ids))),
            under(col(Case.desa_code), principal.wilayah),
        )
        .order_by(col(Case.source_event_id), col(Case.household_ref))
    )
    return [
        SourceCaseBrief(
            source_event_id=source,
            household_ref=ref,
            desa_code=desa,
            status=status,
            protected=protected(served),
        )
        for source, ref, desa, status, served in (await session.execute(query)).all()
    ]
