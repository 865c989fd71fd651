"""Incoming ``infrastructure_issue`` referrals (catalogue ``PUBLIC_WORKS``): an issue reported
with ``referral_id`` accepts the referral with the issue as its case (or gives it the issue,
when it was accepted without one); the issue's end resolves it (``issue_resolved`` when done,
``issue_declined`` when declined) through ``simpul_platform.referrals.automatic``."""

from __future__ import annotations

from datetime import date

from sqlalchemy import update
from sqlalchemy.engine import RowMapping

from simpul_platform.auth import Principal
from simpul_platform.clock import now
from simpul_platform.domain import RuleViolation
from simpul_platform.errors import Conflict
from simpul_platform.referrals.automatic import resolve_linked
from simpul_platform.referrals.rows import Step, locked, take
from simpul_platform.referrals.tables import referral
from simpul_platform.uow import UnitOfWork
from simpul_public_works.domain.issues import REFERRAL_OUTCOME, IssueStatus
from simpul_public_works.models import InfrastructureIssue

FIELD = "public_works"
INFRASTRUCTURE_ISSUE = "infrastructure_issue"
WHERE = "body.referral_id"


async def incoming(
    uow: UnitOfWork, principal: Principal, referral_id: str, desa_code: str, kind: str
) -> RowMapping:
    """The incoming referral an issue is reported for, locked: in the caller's wilayah (422
    ``unknown_referral`` otherwise, as for one that does not exist), an ``infrastructure_issue``
    one at the issue's desa and of its kind when it names one (422 ``referral_mismatch``), open
    and without an issue yet (409)."""
    row = await locked(uow.session, referral_id, "incoming")
    if row is None or not principal.can_see(row["desa_code"]):
        raise RuleViolation(WHERE, "unknown_referral", "No incoming referral with this id.")
    if row["reason_code"] != INFRASTRUCTURE_ISSUE:
        raise RuleViolation(WHERE, "referral_mismatch", f"Not an {INFRASTRUCTURE_ISSUE} referral.")
    if row["desa_code"] != desa_code:
        raise RuleViolation(
            WHERE,
            "referral_mismatch",
            f"The referral is about desa {row['desa_code']}, not the posyandu's {desa_code}.",
        )
    named = (row["details"] or {}).get("kind")
    if named is not None and named != kind:
        raise RuleViolation(
            "body.kind", "referral_mismatch", f"The referral reports {named}, not {kind}."
        )
    if row["status"] not in ("requested", "accepted") or row["case_ref"] is not None:
        raise Conflict(
            f"Referral {row['id']} is {row['status']}"
            + (f" with issue {row['case_ref']}." if row["case_ref"] else "."),
            current_status=row["status"],
            case_ref=row["case_ref"],
        )
    return row


async def link(
    uow: UnitOfWork, principal: Principal, row: RowMapping, issue_id: str, on: date
) -> None:
    """The referral becomes the issue's: accepted with it (if still requested, on the report
    date or the request's, whichever is later), or given it."""
    if row["status"] == "requested":
        day = max(on, row["requested_on"])
        await take(uow, FIELD, row, Step("accept", principal.subject, day), issue_id)
        return
    await uow.session.execute(
        update(referral)
        .where(referral.c.id == row["id"])
        .values(case_ref=issue_id, updated_at=now())
    )


async def resolve(uow: UnitOfWork, issue: InfrastructureIssue, on: date, actor: str) -> bool:
    """Resolve the referral the (now closed) issue was reported for, if any."""
    status: IssueStatus = issue.status  # type: ignore[assignment]
    return await resolve_linked(uow, FIELD, issue.id, REFERRAL_OUTCOME[status], on, actor)
