"""A record a field opens for an incoming referral (an RTLH case, an infrastructure issue, a
public-order report, an APAR): the referral named in the body found and checked against the
record, then linked to it as its case. Its end resolves the referral through
``automatic.resolve_linked``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import update
from sqlalchemy.engine import RowMapping

from simpul_platform.auth import Principal
from simpul_platform.clock import now
from simpul_platform.domain import RuleViolation
from simpul_platform.errors import Conflict
from simpul_platform.referrals.rows import Step, locked, take
from simpul_platform.referrals.tables import referral
from simpul_platform.uow import UnitOfWork

WHERE = "body.referral_id"


@dataclass(frozen=True)
class Expected:
    """What the referral must be for the record: its reason; the record's desa, when the
    referral must be about it; a detail the referral may name, with the record's value and the
    body field that gave it (``("kind", "drainase", "body.kind")``); a household subject."""

    reason: str
    desa_code: str | None = None
    detail: tuple[str, str, str] | None = None
    household: bool = False
    record: str = "case"  # how a 409 names the record it already has


async def incoming(
    uow: UnitOfWork, principal: Principal, referral_id: str, expected: Expected
) -> RowMapping:
    """The incoming referral, locked: in the caller's wilayah (422 ``unknown_referral``
    otherwise, as for one that does not exist), matching ``expected`` (422
    ``referral_mismatch``), open and without a record yet (409)."""
    row = await locked(uow.session, referral_id, "incoming")
    if row is None or not principal.can_see(row["desa_code"]):
        raise RuleViolation(WHERE, "unknown_referral", "No incoming referral with this id.")
    _matches(row, expected)
    if row["status"] not in ("requested", "accepted") or row["case_ref"] is not None:
        raise Conflict(
            f"Referral {row['id']} is {row['status']}"
            + (f" with {expected.record} {row['case_ref']}." if row["case_ref"] else "."),
            current_status=row["status"],
            case_ref=row["case_ref"],
        )
    return row


def _matches(row: RowMapping, expected: Expected) -> None:
    if row["reason_code"] != expected.reason or (
        expected.household and row["household_ref"] is None
    ):
        about = " about a household" if expected.household else ""
        raise RuleViolation(WHERE, "referral_mismatch", f"Not a {expected.reason} referral{about}.")
    if expected.desa_code is not None and row["desa_code"] != expected.desa_code:
        raise RuleViolation(
            WHERE,
            "referral_mismatch",
            f"The referral is about desa {row['desa_code']}, not the posyandu's "
            f"{expected.desa_code}.",
        )
    if expected.detail is not None:
        name, value, field = expected.detail
        named = (row["details"] or {}).get(name)
        if named is not None and named != value:
            raise RuleViolation(
                field, "referral_mismatch", f"The referral names {named}, not {value}."
            )


async def link(
    uow: UnitOfWork, field: str, principal: Principal, row: RowMapping, record_id: str, on: date
) -> None:
    """The referral becomes the record's: accepted with it (if still requested, on ``on`` or
    the request's date, whichever is later), or given it."""
    if row["status"] == "requested":
        day = max(on, row["requested_on"])
        await take(uow, field, row, Step("accept", principal.subject, day), record_id)
        return
    await uow.session.execute(
        update(referral)
        .where(referral.c.id == row["id"])
        .values(case_ref=record_id, updated_at=now())
    )
