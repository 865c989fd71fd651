"""The steps of an infrastructure issue after its report, one operation each: the route locks
the issue, the operation checks the step (409 naming the current status and the allowed steps;
a duplicate takes none of its own), dates it (422 naming the field and rule), sets its columns
and takes it (``issues_rows.transition``). Its end — done or declined — closes its open
duplicates with it, repairs the facility it names (done) and resolves the referrals it was
reported for, all in the same transaction."""

from __future__ import annotations

from datetime import date

from sqlmodel import col, select

from simpul_platform.auth import Principal
from simpul_platform.errors import Conflict
from simpul_platform.uow import UnitOfWork
from simpul_public_works.domain.issues import OPEN_STATUSES, IssueAction, check_budget_year
from simpul_public_works.models import InfrastructureIssue
from simpul_public_works.ops import issue_referrals
from simpul_public_works.ops.facilities import repaired_by
from simpul_public_works.ops.issues_rows import may, step_date, transition
from simpul_public_works.schemas.issues import (
    CompleteIn,
    DeclineIn,
    ForwardIn,
    ScheduleIn,
    TriageIn,
)
from simpul_public_works.settings import PublicWorksSettings


def _own(issue: InfrastructureIssue, action: IssueAction) -> None:
    """A duplicate follows its primary; otherwise the step must be open from its status."""
    if issue.duplicate_of is not None:
        raise Conflict(
            f"Issue {issue.id} is a duplicate of {issue.duplicate_of} and follows it; unlink it "
            "to work it on its own.",
            current_status=issue.status,
            duplicate_of=issue.duplicate_of,
            allowed=[],
        )
    may(issue, action)


async def triage(
    uow: UnitOfWork, principal: Principal, issue: InfrastructureIssue, body: TriageIn, today: date
) -> None:
    """The desa decides who handles it: its APBDes, or the kabupaten (then forwarded)."""
    _own(issue, "triage")
    on = await step_date(uow.session, issue, body.triaged_on, today, "body.triaged_on")
    issue.triaged_on, issue.handled_by = on, body.handled_by
    codes = {"handled_by": body.handled_by}
    await transition(uow, issue, "triage", on, principal.subject, codes=codes, note=body.note)


async def forward(
    uow: UnitOfWork, principal: Principal, issue: InfrastructureIssue, body: ForwardIn, today: date
) -> None:
    """A kabupaten issue goes to the OPD."""
    _own(issue, "forward")
    on = await step_date(uow.session, issue, body.forwarded_on, today, "body.forwarded_on")
    issue.forwarded_on = on
    await transition(uow, issue, "forward", on, principal.subject, note=body.note)


async def schedule(
    uow: UnitOfWork,
    principal: Principal,
    issue: InfrastructureIssue,
    body: ScheduleIn,
    today: date,
) -> None:
    """The works are budgeted: a year (this one or one of the next two) and a source."""
    _own(issue, "schedule")
    on = await step_date(uow.session, issue, body.scheduled_on, today, "body.scheduled_on")
    check_budget_year(body.budget_year, on)
    issue.scheduled_on, issue.budget_year = on, body.budget_year
    issue.funding_source = body.funding_source
    codes = {"budget_year": body.budget_year, "funding_source": body.funding_source}
    await transition(uow, issue, "schedule", on, principal.subject, codes=codes, note=body.note)


async def complete(
    uow: UnitOfWork,
    principal: Principal,
    settings: PublicWorksSettings,
    issue: InfrastructureIssue,
    body: CompleteIn,
    today: date,
) -> None:
    """The works are done: the issue, its open duplicates, its facility, its referrals."""
    _own(issue, "complete")
    on = await step_date(uow.session, issue, body.done_on, today, "body.done_on")
    issue.done_on = issue.closed_on = on
    await transition(uow, issue, "complete", on, principal.subject, note=body.note)
    await _close(uow, principal, settings, issue, on)


async def decline(
    uow: UnitOfWork,
    principal: Principal,
    settings: PublicWorksSettings,
    issue: InfrastructureIssue,
    body: DeclineIn,
    today: date,
) -> None:
    """Not to be handled, for a reason: the issue, its open duplicates, its referrals."""
    _own(issue, "decline")
    on = await step_date(uow.session, issue, body.declined_on, today, "body.declined_on")
    issue.declined_on = issue.closed_on = on
    issue.decline_reason = body.reason
    codes = {"reason": body.reason}
    await transition(uow, issue, "decline", on, principal.subject, codes=codes, note=body.note)
    await _close(uow, principal, settings, issue, on)


async def _close(
    uow: UnitOfWork,
    principal: Principal,
    settings: PublicWorksSettings,
    primary: InfrastructureIssue,
    on: date,
) -> None:
    actor = principal.subject
    closed = [primary, *await _close_duplicates(uow, primary, on, actor)]
    await uow.session.flush()  # every closed issue, before the facility's open issues are read
    for issue in closed:
        day = issue.closed_on or on
        if issue.status == "done":
            await repaired_by(uow, settings, issue, day, actor)
        await issue_referrals.resolve(uow, issue, day, actor)


async def _close_duplicates(
    uow: UnitOfWork, primary: InfrastructureIssue, on: date, actor: str
) -> list[InfrastructureIssue]:
    """The primary's open duplicates, closed as it was (on its date, or their report's when
    that is later), each step in their history and announced."""
    query = (
        select(InfrastructureIssue)
        .where(
            InfrastructureIssue.duplicate_of == primary.id,
            col(InfrastructureIssue.status).in_(OPEN_STATUSES),
        )
        .order_by(col(InfrastructureIssue.id))
        .with_for_update()
    )
    duplicates = list((await uow.session.exec(query)).all())
    done = primary.status == "done"
    action: IssueAction = "resolve_with_primary" if done else "decline_with_primary"
    for duplicate in duplicates:
        day = max(on, duplicate.reported_on)
        duplicate.closed_on = day
        if done:
            duplicate.done_on = day
        else:
            duplicate.declined_on, duplicate.decline_reason = day, primary.decline_reason
        codes = {"primary_id": primary.id, "reason": duplicate.decline_reason}
        await transition(uow, duplicate, action, day, actor, codes=codes)
    return duplicates
