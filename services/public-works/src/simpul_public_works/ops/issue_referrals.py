"""Incoming ``infrastructure_issue`` referrals (catalogue ``PUBLIC_WORKS``): an issue reported
with ``referral_id`` accepts the referral with the issue as its case (or gives it the issue,
when it was accepted without one); the issue's end resolves it (``issue_resolved`` when done,
``issue_declined`` when declined) through ``simpul_platform.referrals.automatic``."""

from __future__ import annotations

from datetime import date

from sqlalchemy.engine import RowMapping

from simpul_platform.auth import Principal
from simpul_platform.referrals import intake
from simpul_platform.referrals.automatic import resolve_linked
from simpul_platform.uow import UnitOfWork
from simpul_public_works.domain.issues import REFERRAL_OUTCOME, IssueStatus
from simpul_public_works.models import InfrastructureIssue

FIELD = "public_works"
INFRASTRUCTURE_ISSUE = "infrastructure_issue"


async def incoming(
    uow: UnitOfWork, principal: Principal, referral_id: str, desa_code: str, kind: str
) -> RowMapping:
    """The incoming referral an issue is reported for, locked: in the caller's wilayah (422
    ``unknown_referral`` otherwise, as for one that does not exist), an ``infrastructure_issue``
    one at the issue's desa and of its kind when it names one (422 ``referral_mismatch``), open
    and without an issue yet (409)."""
    expected = intake.Expected(
        INFRASTRUCTURE_ISSUE, desa_code, ("kind", kind, "body.kind"), record="issue"
    )
    return await intake.incoming(uow, principal, referral_id, expected)


async def link(
    uow: UnitOfWork, principal: Principal, row: RowMapping, issue_id: str, on: date
) -> None:
    """The referral becomes the issue's: accepted with it (if still requested, on the report
    date or the request's, whichever is later), or given it."""
    await intake.link(uow, FIELD, principal, row, issue_id, on)


async def resolve(uow: UnitOfWork, issue: InfrastructureIssue, on: date, actor: str) -> bool:
    """Resolve the referral the (now closed) issue was reported for, if any."""
    status: IssueStatus = issue.status  # type: ignore[assignment]
    return await resolve_linked(uow, FIELD, issue.id, REFERRAL_OUTCOME[status], on, actor)
