"""The referrals an ATS case works with: a case opened from an incoming ``ats_suspected``
referral (or ``disaster_displaced``: a school-age child of a household a disaster displaced,
referred by trantib as at risk of leaving school, worked exactly as a suspected ATS) links it
(accepting it if still requested) and, when the case ends, resolves it with
the outcome ``REFERRAL_OUTCOME`` gives; verifying an economic problem refers the child's
household to social (``bansos_need``) through the platform's referrals module, reusing an open
referral for the same need.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import update

from simpul_education.models import AtsCase, Child
from simpul_education.settings import EducationSettings
from simpul_platform.auth import Principal
from simpul_platform.clock import now
from simpul_platform.domain import RuleViolation
from simpul_platform.errors import Conflict
from simpul_platform.referrals import ops as referrals
from simpul_platform.referrals.rows import Step, locked, take
from simpul_platform.referrals.schemas import ReferralIn
from simpul_platform.referrals.tables import referral
from simpul_platform.uow import UnitOfWork

ATS_REFERRAL_REASON = "ats_suspected"
# The incoming reasons an ATS case is opened for: the same verification, the same outcomes.
ATS_REFERRAL_REASONS = (ATS_REFERRAL_REASON, "disaster_displaced")
SOCIAL_REASON = "bansos_need"
# How an ATS case's end resolves the referral it was opened for (education's outcome codes).
REFERRAL_OUTCOME = {
    "ppdb": "enrolled_school",
    "spnf_pkbm": "enrolled_kesetaraan",
    "over_age": "not_eligible",
    "pesantren": "not_eligible",
    "deceased": "not_eligible",
    "moved": "moved",
    "residu": "not_found",
}


def check_referral_given(source: str, referral_id: str | None) -> None:
    if source == "referral" and referral_id is None:
        raise RuleViolation(
            "body.referral_id", "referral_id_required", "A case from a referral names it."
        )
    if source != "referral" and referral_id is not None:
        raise RuleViolation(
            "body.referral_id",
            "referral_id_not_applicable",
            "Only a case whose source is a referral names one.",
        )


async def link_referral(uow: UnitOfWork, principal: Principal, child: Child, case: AtsCase) -> None:
    """The incoming ``ats_suspected`` (or ``disaster_displaced``) referral about this child
    becomes this case's: accepted with it as the case (if still requested), or given it (if
    accepted without a case)."""
    assert case.referral_id is not None
    row = await locked(uow.session, case.referral_id, "incoming")
    field = "body.referral_id"
    if row is None or not principal.can_see(row["desa_code"]):
        raise RuleViolation(field, "unknown_referral", "No incoming referral with this id.")
    if row["reason_code"] not in ATS_REFERRAL_REASONS or row["person_ref"] != child.person_ref:
        reasons = " or ".join(ATS_REFERRAL_REASONS)
        raise RuleViolation(
            field, "referral_mismatch", f"Not an {reasons} referral about this child."
        )
    if row["status"] not in ("requested", "accepted") or row["case_ref"] is not None:
        raise Conflict(
            f"Referral {row['id']} is {row['status']}"
            + (f" with case {row['case_ref']}." if row["case_ref"] else "."),
            current_status=row["status"],
        )
    if row["status"] == "requested":
        on = max(case.detected_on, row["requested_on"])
        await take(uow, "education", row, Step("accept", principal.subject, on), case.id)
    else:
        await uow.session.execute(
            update(referral)
            .where(referral.c.id == row["id"])
            .values(case_ref=case.id, updated_at=now())
        )


async def refer_to_social(
    uow: UnitOfWork,
    principal: Principal,
    settings: EducationSettings,
    child: Child,
    on: date,
) -> str:
    """A ``bansos_need`` referral about the child's household, through the platform's module
    (the KK stays here; the event carries its pseudonym)."""
    body = ReferralIn(
        target_field="social",
        posyandu_id=child.posyandu_id,
        reason_code=SOCIAL_REASON,
        no_kk=child.kk,  # bansos is the household's need: one referral per household
        details={"program": settings.ats_social_program},
        requested_on=on,
    )
    try:
        return await referrals.request(uow, settings, "education", body, principal)
    except Conflict as open_one:
        # The household's need is already with social (a sibling's case, a kader's referral).
        existing = open_one.extra.get("open_referral_id")
        if existing is None:
            raise
        return str(existing)
