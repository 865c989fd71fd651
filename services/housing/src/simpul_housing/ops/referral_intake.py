"""Incoming referrals that open a housing case: a ``disaster_damage`` referral opens a disaster
house, a ``relocation_needed`` one a relocated household. Opening the case accepts the
referral (if still requested) with the case as its ``case_ref``, or gives it the case (if
accepted without one); the case's end resolves it (``simpul_platform.referrals.automatic.
resolve_linked``) with the outcome ``OUTCOME`` gives.
"""

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

FIELD = "housing"
DISASTER_DAMAGE = "disaster_damage"
RELOCATION_NEEDED = "relocation_needed"
# How a case's end resolves the referral it was opened for (housing's outcome codes).
OUTCOME = {
    "completed": "rehabilitated",
    "housed": "relocation_facilitated",
    "not_eligible": "not_eligible",
}


async def open_referral(
    uow: UnitOfWork, principal: Principal, referral_id: str, reason: str
) -> RowMapping:
    """The incoming referral a case is opened for, locked: in the caller's wilayah (422
    ``unknown_referral`` otherwise, as for one that does not exist), for ``reason`` (422
    ``referral_mismatch``), about a household, open and without a case yet (409)."""
    row = await locked(uow.session, referral_id, "incoming")
    field = "body.referral_id"
    if row is None or not principal.can_see(row["desa_code"]):
        raise RuleViolation(field, "unknown_referral", "No incoming referral with this id.")
    if row["reason_code"] != reason or row["household_ref"] is None:
        raise RuleViolation(
            field, "referral_mismatch", f"Not a {reason} referral about a household."
        )
    if row["status"] not in ("requested", "accepted") or row["case_ref"] is not None:
        raise Conflict(
            f"Referral {row['id']} is {row['status']}"
            + (f" with case {row['case_ref']}." if row["case_ref"] else "."),
            current_status=row["status"],
        )
    return row


async def link(
    uow: UnitOfWork, principal: Principal, row: RowMapping, case_id: str, on: date
) -> None:
    """The referral becomes the case's: accepted with it (if still requested, on the case's
    opening date or the request's, whichever is later), or given it."""
    if row["status"] == "requested":
        day = max(on, row["requested_on"])
        await take(uow, FIELD, row, Step("accept", principal.subject, day), case_id)
        return
    await uow.session.execute(
        update(referral)
        .where(referral.c.id == row["id"])
        .values(case_ref=case_id, updated_at=now())
    )


async def resolve(uow: UnitOfWork, case_id: str, end: str, on: date, actor: str) -> bool:
    """Resolve the referral the case was opened for, if any, by how the case ended."""
    return await resolve_linked(uow, FIELD, case_id, OUTCOME[end], on, actor)
