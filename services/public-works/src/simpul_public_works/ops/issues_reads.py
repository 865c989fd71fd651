"""Reading infrastructure issues: one the caller may see (404 otherwise), with its steps and
its duplicates; lists by wilayah, posyandu, kind, status and overdue (the SQL form of
``domain.issues.is_overdue``, which the read's ``overdue`` is computed by)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, not_, or_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.auth import Principal
from simpul_platform.errors import NotFound
from simpul_platform.wilayah import under
from simpul_public_works.domain.issues import OverdueThresholds, allowed, due_on, is_overdue
from simpul_public_works.models import InfrastructureIssue, InfrastructureIssueHistory
from simpul_public_works.schemas.issues import IssueDetail, IssueOut, IssueStepOut

Issue = InfrastructureIssue


async def visible_issue(
    session: AsyncSession, principal: Principal, issue_id: str, *, lock: bool = False
) -> InfrastructureIssue:
    row = await session.get(Issue, issue_id, with_for_update=lock or None)
    if row is None or not principal.can_see(row.desa_code):
        raise NotFound(f"No infrastructure issue {issue_id} in your wilayah.")
    return row


def issue_out(row: InfrastructureIssue, on: date, thresholds: OverdueThresholds) -> IssueOut:
    return IssueOut.model_validate(_shown(row, on, thresholds))


def _shown(row: InfrastructureIssue, on: date, thresholds: OverdueThresholds) -> dict[str, Any]:
    return {
        **row.model_dump(),
        "due_on": due_on(row, thresholds),
        "overdue": is_overdue(row, on, thresholds),
    }


async def detail(
    session: AsyncSession, row: InfrastructureIssue, on: date, thresholds: OverdueThresholds
) -> IssueDetail:
    steps = select(InfrastructureIssueHistory).where(InfrastructureIssueHistory.issue_id == row.id)
    steps = steps.order_by(
        col(InfrastructureIssueHistory.step_on), col(InfrastructureIssueHistory.id)
    )
    copies = select(Issue.id).where(Issue.duplicate_of == row.id).order_by(col(Issue.id))
    own = [] if row.duplicate_of else [s.action for s in allowed(row.status, row.handled_by)]
    return IssueDetail.model_validate(
        {
            **_shown(row, on, thresholds),
            "history": [IssueStepOut.model_validate(h) for h in (await session.exec(steps)).all()],
            "duplicates": list((await session.exec(copies)).all()),
            "allowed": own,
        }
    )


def overdue_clause(on: date, thresholds: OverdueThresholds) -> ColumnElement[bool]:
    """``is_overdue`` as SQL: past the step's deadline by ``on``, not a duplicate."""
    return and_(
        col(Issue.duplicate_of).is_(None),
        or_(
            and_(
                col(Issue.status) == "reported",
                col(Issue.reported_on) < on - timedelta(days=thresholds.reported_days),
            ),
            and_(
                col(Issue.status) == "triaged",
                col(Issue.triaged_on) < on - timedelta(days=thresholds.triaged_days),
            ),
            and_(
                col(Issue.status) == "forwarded",
                col(Issue.forwarded_on) < on - timedelta(days=thresholds.forwarded_days),
            ),
            and_(col(Issue.status) == "scheduled", col(Issue.budget_year) < on.year),
        ),
    )


async def list_issues(
    session: AsyncSession,
    principal: Principal,
    *,
    wilayah: str | None,
    posyandu_id: str | None,
    kind: str | None,
    status: str | None,
    overdue: bool | None,
    facility_id: str | None,
    on: date,
    thresholds: OverdueThresholds,
    limit: int,
    offset: int,
) -> Sequence[InfrastructureIssue]:
    """Issues in the caller's scope, newest report first."""
    query = select(Issue).where(under(col(Issue.desa_code), principal.visible_scopes(wilayah)))
    if posyandu_id is not None:
        query = query.where(Issue.posyandu_id == posyandu_id)
    if kind is not None:
        query = query.where(Issue.kind == kind)
    if status is not None:
        query = query.where(Issue.status == status)
    if facility_id is not None:
        query = query.where(Issue.facility_id == facility_id)
    if overdue is not None:
        clause = overdue_clause(on, thresholds)
        query = query.where(clause if overdue else not_(clause))
    query = query.order_by(col(Issue.reported_on).desc(), col(Issue.id))
    return list((await session.exec(query.offset(offset).limit(limit))).all())
