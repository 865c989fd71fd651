"""Incoming ``disturbance_report`` referrals (catalogue ``TRANTIB``): a report opened with
``referral_id`` accepts the referral with the report as its case (or gives it the report, when
it was accepted without one); the report's end resolves it (``handled`` when closed after
handling, ``not_found`` when rejected) through ``simpul_platform.referrals.automatic``."""

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
from simpul_trantib.domain.order import REFERRAL_OUTCOME, OrderAction

FIELD = "trantib"
DISTURBANCE_REPORT = "disturbance_report"
WHERE = "body.referral_id"


async def incoming(
    uow: UnitOfWork, principal: Principal, referral_id: str, desa_code: str, category: str
) -> RowMapping:
    """The incoming referral a report is opened for, locked: in the caller's wilayah (422
    ``unknown_referral`` otherwise, as for one that does not exist), a ``disturbance_report``
    one about the report's desa and of its category when it names one (422
    ``referral_mismatch``), open and without a report yet (409)."""
    row = await locked(uow.session, referral_id, "incoming")
    if row is None or not principal.can_see(row["desa_code"]):
        raise RuleViolation(WHERE, "unknown_referral", "No incoming referral with this id.")
    if row["reason_code"] != DISTURBANCE_REPORT:
        raise RuleViolation(WHERE, "referral_mismatch", f"Not a {DISTURBANCE_REPORT} referral.")
    if row["desa_code"] != desa_code:
        raise RuleViolation(
            WHERE,
            "referral_mismatch",
            f"The referral is about desa {row['desa_code']}, not the posyandu's {desa_code}.",
        )
    named = (row["details"] or {}).get("category")
    if named is not None and named != category:
        raise RuleViolation(
            "body.category", "referral_mismatch", f"The referral reports {named}, not {category}."
        )
    if row["status"] not in ("requested", "accepted") or row["case_ref"] is not None:
        raise Conflict(
            f"Referral {row['id']} is {row['status']}"
            + (f" with report {row['case_ref']}." if row["case_ref"] else "."),
            current_status=row["status"],
            case_ref=row["case_ref"],
        )
    return row


async def link(
    uow: UnitOfWork, principal: Principal, row: RowMapping, report_id: str, on: date
) -> None:
    """The referral becomes the report's: accepted with it (if still requested, on the report
    date or the request's, whichever is later), or given it."""
    if row["status"] == "requested":
        day = max(on, row["requested_on"])
        await take(uow, FIELD, row, Step("accept", principal.subject, day), report_id)
        return
    await uow.session.execute(
        update(referral)
        .where(referral.c.id == row["id"])
        .values(case_ref=report_id, updated_at=now())
    )


async def resolve(
    uow: UnitOfWork, report_id: str, action: OrderAction, on: date, actor: str
) -> bool:
    """Resolve the referral the report (now closed by ``action``) was opened for, if any."""
    return await resolve_linked(uow, FIELD, report_id, REFERRAL_OUTCOME[action], on, actor)
