"""What every step of an infrastructure issue writes: the issue moved one step (a 409 naming
the current status and the allowed steps otherwise), the step kept in
``infrastructure_issue_history`` with its codes, and ``public_works.issue.status_changed.v1``
announcing it; and a step's date rules (not in the future, not before the step it follows)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.clock import now
from simpul_platform.domain import RuleViolation, not_in_future
from simpul_platform.uow import UnitOfWork
from simpul_public_works.domain.issues import IssueAction, OverdueThresholds, next_status
from simpul_public_works.events import IssueReported, IssueStatusChanged
from simpul_public_works.models import InfrastructureIssue, InfrastructureIssueHistory
from simpul_public_works.ops import tallies
from simpul_public_works.settings import PublicWorksSettings


def overdue_thresholds(settings: PublicWorksSettings) -> OverdueThresholds:
    return OverdueThresholds(
        reported_days=settings.issue_triage_days,
        triaged_days=settings.issue_triaged_days,
        forwarded_days=settings.issue_forwarded_days,
    )


def may(issue: InfrastructureIssue, action: IssueAction) -> None:
    """A wrong step is refused before its body is judged: the 409 names the allowed ones."""
    next_status(issue.status, issue.handled_by, action)


async def transition(
    uow: UnitOfWork,
    issue: InfrastructureIssue,
    action: IssueAction,
    on: date,
    actor: str,
    *,
    codes: Mapping[str, Any] | None = None,
    note: str | None = None,
) -> None:
    """Take ``action`` on the issue (its columns already set by the caller), keep the step,
    announce it."""
    previous = None if action == "report" else issue.status
    issue.status = next_status(previous, issue.handled_by, action)
    moment = now()
    issue.updated_by, issue.updated_at = actor, moment
    await history(uow, issue, action, previous, on, actor, codes=codes, note=note)
    if action == "report":
        uow.publish(reported(issue), subject=issue.id)
    else:
        uow.publish(status_changed(issue, action, previous, on), subject=issue.id)


async def history(
    uow: UnitOfWork,
    issue: InfrastructureIssue,
    action: str,
    previous: str | None,
    on: date,
    actor: str,
    *,
    codes: Mapping[str, Any] | None = None,
    note: str | None = None,
) -> None:
    uow.session.add(issue)
    # Counted from the step's date on (an unlinked duplicate: from its report, counted now).
    since = issue.reported_on if action == "unlink" else on
    await tallies.invalidate(uow.session, issue.posyandu_id, since)
    uow.session.add(
        InfrastructureIssueHistory(
            issue_id=issue.id,
            action=action,
            from_status=previous,
            to_status=issue.status,
            codes={k: v for k, v in (codes or {}).items() if v is not None},
            note=note,
            step_on=on,
            actor=actor,
            at=now(),
        )
    )


def reported(issue: InfrastructureIssue) -> IssueReported:
    return IssueReported(
        issue_id=issue.id,
        posyandu_id=issue.posyandu_id,
        desa_code=issue.desa_code,
        kind=issue.kind,
        severity=issue.severity,
        source=issue.source,
        latitude=issue.latitude,
        longitude=issue.longitude,
        duplicate_of=issue.duplicate_of,
        facility_id=issue.facility_id,
        referral_id=issue.referral_id,
        reported_on=issue.reported_on,
    )


def status_changed(
    issue: InfrastructureIssue, action: str, previous: str | None, on: date
) -> IssueStatusChanged:
    return IssueStatusChanged(
        issue_id=issue.id,
        posyandu_id=issue.posyandu_id,
        desa_code=issue.desa_code,
        kind=issue.kind,
        action=action,
        from_status=previous,
        to_status=issue.status,
        on=on,
        duplicate_of=issue.duplicate_of,
        facility_id=issue.facility_id,
        handled_by=issue.handled_by,
        budget_year=issue.budget_year,
        funding_source=issue.funding_source,
        decline_reason=issue.decline_reason,
    )


async def last_step_on(session: AsyncSession, issue_id: str) -> date | None:
    """The date of the issue's latest step (steps are dated in order)."""
    query = select(func.max(InfrastructureIssueHistory.step_on)).where(
        InfrastructureIssueHistory.issue_id == issue_id
    )
    return (await session.exec(query)).first()


async def step_date(
    session: AsyncSession, issue: InfrastructureIssue, given: date | None, today: date, field: str
) -> date:
    """A step's date: today when omitted, not in the future, not before the issue's last step."""
    on = given or today
    not_in_future(on, today, field)
    previous = await last_step_on(session, issue.id)
    if previous is not None and on < previous:
        raise RuleViolation(
            field, "before_previous_step", f"Not before the issue's last step, on {previous}."
        )
    return on
