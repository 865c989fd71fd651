"""A referral the target's own rule opens on another field's event (social's stunting
reaction): written already accepted with the case the rule opened, and resolved with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import RowMapping

from simpul_platform.events import new_id
from simpul_platform.referrals.catalogue import catalogue_for
from simpul_platform.referrals.events import ReferralAnswered
from simpul_platform.referrals.rows import Step, answered, new_row, step_row, take
from simpul_platform.referrals.tables import need_key, referral
from simpul_platform.uow import UnitOfWork


@dataclass(frozen=True)
class Automatic:
    """A referral the target's own rule opened on another field's event, already accepted with
    the case the rule opened: its row, its two steps and its accepted event."""

    row: dict[str, Any]
    steps: list[dict[str, Any]]
    event: ReferralAnswered


def automatic(
    *,
    field: str,
    source_field: str,
    reason_code: str,
    posyandu_id: str,
    desa_code: str,
    person_ref: str | None,
    household_ref: str | None,
    requested_on: date,
    accepted_on: date,
    due_on: date,
    case_ref: str,
    actor: str,
    moment: datetime,
) -> Automatic:
    """Rows for a bulk INSERT (the rule's batch path writes many at once): a referral from
    ``source_field`` to ``field``, requested on ``requested_on`` (the other field's event) and
    accepted by ``actor`` with the case it opened, due when the case is. One per case: the case
    is part of the need."""
    refs = (person_ref, household_ref)
    row = new_row(
        id=new_id(),
        direction="incoming",
        source_field=source_field,
        target_field=field,
        automatic=True,
        posyandu_id=posyandu_id,
        desa_code=desa_code,
        reason_code=catalogue_for(field).reason(reason_code).code,
        details={},
        refs=refs,
        need=f"{need_key(source_field, field, reason_code, *refs)}#{case_ref}",
        requested_on=requested_on,
        due_on=due_on,
        actor=actor,
        moment=moment,
    )
    row |= {
        "nik": None,
        "no_kk": None,
        "note": None,
        "status": "accepted",
        "accepted_on": accepted_on,
        "rejected_on": None,
        "resolved_on": None,
        "case_ref": case_ref,
        "rejection_code": None,
        "outcome_code": None,
    }
    steps = [
        step_row(
            row["id"], None, "requested", Step("request", actor, requested_on, reason_code), moment
        ),
        step_row(row["id"], "requested", "accepted", Step("accept", actor, accepted_on), moment),
    ]
    return Automatic(row, steps, answered(field, row))


async def resolve_linked(
    uow: UnitOfWork, field: str, case_ref: str, outcome_code: str, on: date, actor: str
) -> bool:
    """Resolve the open referral this field's case ``case_ref`` was opened for, if there is
    one (a case a user opened has none): the case's end is the referral's."""
    query = (
        select(referral)
        .where(
            referral.c.direction == "incoming",
            referral.c.case_ref == case_ref,
            referral.c.status.in_(("requested", "accepted")),
        )
        .with_for_update()
    )
    row = (await uow.session.execute(query)).mappings().first()
    if row is None:
        return False
    outcome = catalogue_for(field).outcome(outcome_code).code
    await take(uow, field, row, Step("resolve", actor, max(on, row["requested_on"]), outcome))
    return True


async def resolve_met(
    uow: UnitOfWork,
    field: str,
    *,
    person_ref: str,
    reason_code: str,
    outcome_code: str,
    on: date,
    actor: str,
) -> list[str]:
    """Resolve every open referral to ``field`` about ``person_ref`` for ``reason_code``: the
    need it names is met (a child enrolled in PAUD meets any ``paud_not_enrolled`` referral,
    typed by another field's kader or written by a rule). One still requested is accepted
    first, by the same actor, so its history shows who met it. Returns their ids."""
    outcome = catalogue_for(field).outcome(outcome_code).code
    query = (
        select(referral.c.id)
        .where(
            referral.c.direction == "incoming",
            referral.c.target_field == field,
            referral.c.reason_code == reason_code,
            referral.c.person_ref == person_ref,
            referral.c.status.in_(("requested", "accepted")),
        )
        .order_by(referral.c.id)
        .with_for_update()
    )
    ids = list((await uow.session.execute(query)).scalars())
    for referral_id in ids:
        row = await _incoming(uow, referral_id)
        if row["status"] == "requested":
            await take(uow, field, row, Step("accept", actor, max(on, row["requested_on"])))
            row = await _incoming(uow, referral_id)
        await take(uow, field, row, Step("resolve", actor, max(on, row["requested_on"]), outcome))
    return ids


async def _incoming(uow: UnitOfWork, referral_id: str) -> RowMapping:
    query = select(referral).where(referral.c.id == referral_id)
    return (await uow.session.execute(query)).mappings().one()
