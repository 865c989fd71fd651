"""Incoming referrals that open a housing case: a ``disaster_damage`` referral opens a disaster
house, a ``relocation_needed`` one a relocated household. Opening the case accepts the
referral (if still requested) with the case as its ``case_ref``, or gives it the case (if
accepted without one); the case's end resolves it (``simpul_platform.referrals.automatic.
resolve_linked``) with the outcome ``OUTCOME`` gives.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.engine import RowMapping

from simpul_platform.auth import Principal
from simpul_platform.referrals import intake
from simpul_platform.referrals.automatic import resolve_linked
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
    return await intake.incoming(
        uow, principal, referral_id, intake.Expected(reason, household=True)
    )


async def link(
    uow: UnitOfWork, principal: Principal, row: RowMapping, case_id: str, on: date
) -> None:
    """The referral becomes the case's: accepted with it (if still requested, on the case's
    opening date or the request's, whichever is later), or given it."""
    await intake.link(uow, FIELD, principal, row, case_id, on)


async def resolve(uow: UnitOfWork, case_id: str, end: str, on: date, actor: str) -> bool:
    """Resolve the referral the case was opened for, if any, by how the case ended."""
    return await resolve_linked(uow, FIELD, case_id, OUTCOME[end], on, actor)
