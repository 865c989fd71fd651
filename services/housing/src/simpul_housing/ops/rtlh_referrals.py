"""The referrals an RTLH case works with: an incoming ``rtlh_suspected`` referral (subject: a
household) becomes the case of the house its household lives in — a new case, or the house's
open one — accepted with it (or given it, when accepted without a case); when the case ends,
every referral linked to it is resolved with the outcome its end means
(``domain.rtlh.REFERRAL_OUTCOME``).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, update
from sqlalchemy.engine import RowMapping

from simpul_housing.domain.rtlh import REFERRAL_OUTCOME, RejectionReason
from simpul_housing.models import RtlhCase
from simpul_housing.ops.rtlh_rows import transition
from simpul_platform.auth import Principal
from simpul_platform.clock import now
from simpul_platform.domain import RuleViolation
from simpul_platform.errors import Conflict
from simpul_platform.referrals.rows import Step, locked, take
from simpul_platform.referrals.tables import referral
from simpul_platform.uow import UnitOfWork

RTLH_REASON = "rtlh_suspected"
FIELD = "housing"
OPEN = ("requested", "accepted")


def check_referral_given(source: str, referral_id: str | None, house_id: str | None) -> None:
    where = "body.referral_id"
    if source == "referral" and referral_id is None:
        raise RuleViolation(where, "referral_id_required", "A case from a referral names it.")
    if source != "referral" and referral_id is not None:
        raise RuleViolation(
            where, "referral_id_not_applicable", "Only a case whose source is a referral names one."
        )
    if source != "referral" and house_id is None:
        raise RuleViolation("body.house_id", "house_required", "Name the house reported.")


async def incoming(uow: UnitOfWork, principal: Principal, referral_id: str) -> RowMapping:
    """The incoming ``rtlh_suspected`` referral (locked), still open and without a case."""
    row = await locked(uow.session, referral_id, "incoming")
    where = "body.referral_id"
    if row is None or not principal.can_see(row["desa_code"]):
        raise RuleViolation(where, "unknown_referral", "No incoming referral with this id.")
    if row["reason_code"] != RTLH_REASON or row["household_ref"] is None:
        raise RuleViolation(
            where, "referral_mismatch", f"Not an {RTLH_REASON} referral about a household."
        )
    if row["status"] not in OPEN or row["case_ref"] is not None:
        raise Conflict(
            f"Referral {row['id']} is {row['status']}"
            + (f" with case {row['case_ref']}." if row["case_ref"] else "."),
            current_status=row["status"],
            case_ref=row["case_ref"],
        )
    return row


def no_house(row: RowMapping) -> RuleViolation:
    """The referral's household has no house housing knows: the kader records it first."""
    return RuleViolation(
        "body.referral_id",
        "house_unknown",
        f"Housing knows no house of referral {row['id']}'s household: record the house with the "
        "household's No. KK (POST /v1/houses), then open the case from the referral again. The "
        "referral stays open until then.",
    )


async def link(
    uow: UnitOfWork, principal: Principal, row: RowMapping, case: RtlhCase, on: date
) -> None:
    """The referral becomes the case's: accepted with it (if still requested), or given it."""
    if row["status"] == "requested":
        step = Step("accept", principal.subject, max(on, row["requested_on"]))
        await take(uow, FIELD, row, step, case.id)
        return
    await uow.session.execute(
        update(referral)
        .where(referral.c.id == row["id"])
        .values(case_ref=case.id, updated_at=now())
    )


async def resolve_linked(
    uow: UnitOfWork, case: RtlhCase, end: str, on: date, actor: str
) -> list[str]:
    """Resolve every open referral linked to the case (several kader may have referred one
    house) with the outcome of its end (``rlh`` or a rejection reason). Returns their ids."""
    outcome = REFERRAL_OUTCOME[end]
    query = (
        select(referral)
        .where(
            referral.c.direction == "incoming",
            referral.c.case_ref == case.id,
            referral.c.status.in_(OPEN),
        )
        .order_by(referral.c.id)
        .with_for_update()
    )
    rows = list((await uow.session.execute(query)).mappings())
    for row in rows:
        await take(uow, FIELD, row, Step("resolve", actor, max(on, row["requested_on"]), outcome))
    return [r["id"] for r in rows]


async def end_case(
    uow: UnitOfWork,
    principal: Principal,
    case: RtlhCase,
    reason: RejectionReason,
    on: date,
    note: str | None,
    extra: dict[str, object] | None = None,
) -> None:
    """The case rejected for ``reason`` (the user's, or ``not_rtlh`` from a livable survey);
    the referrals linked to it resolved with the outcome that reason means."""
    case.rejection_reason, case.closed_on = reason, on
    codes = {"reason": reason, **(extra or {})}
    transition(uow, case, "reject", on, principal.subject, codes=codes, note=note)
    await resolve_linked(uow, case, reason, on, principal.subject)
