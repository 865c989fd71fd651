"""Risiko HIV: registering a person at risk, the test, and the SPM counts.

Sensitive: no event is published; only health roles read a record, and only the Dinas
Kesehatan reads its risk group, test and result (``shaped``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import col, select

from simpul_health.domain.hiv import SENSITIVE_READERS, check_risk_group, tested_to_standard
from simpul_health.models import HivRiskPerson, Pregnancy, Target
from simpul_health.ops import area_codes, kept
from simpul_health.ops.access import target_at, visible, writable_posyandu
from simpul_health.ops.programmes import (
    none_awaiting,
    not_before_birth,
    relocked,
    serialised,
    staged,
)
from simpul_health.schemas.hiv import HivAtRiskIn, HivTestIn
from simpul_platform.auth import Principal
from simpul_platform.domain import RuleViolation, not_in_future
from simpul_platform.events import new_id
from simpul_platform.indicators import Period
from simpul_platform.uow import UnitOfWork

CODE = "risiko_hiv"
H = HivRiskPerson


async def register(
    uow: UnitOfWork, principal: Principal, body: HivAtRiskIn, today: date
) -> HivRiskPerson:
    """Stage a person at risk (none other of theirs awaiting a test), recount the day."""
    target, posyandu = await target_at(
        uow.session, principal, body.target_id, body.posyandu_id, in_body=True
    )
    not_in_future(body.identified_on, today, "identified_on")
    not_before_birth(body.identified_on, target, "identified_on")
    check_risk_group(body.risk_group, target.sex)
    if body.risk_group == "pregnant":
        await _pregnant_on(uow, target, body.identified_on)
    await serialised(uow.session, posyandu["posyandu_id"])
    await none_awaiting(
        uow.session,
        H,
        target.id,
        H.tested_on,
        "This person is already registered, awaiting a test.",
    )
    now = datetime.now(UTC)
    h = HivRiskPerson(
        id=new_id(),
        target_id=target.id,
        posyandu_id=posyandu["posyandu_id"],
        **area_codes(posyandu["desa_code"]),
        risk_group=body.risk_group,
        identified_on=body.identified_on,
        created_by=principal.subject,
        created_at=now,
        updated_by=principal.subject,
        updated_at=now,
    )
    uow.session.add(h)
    await staged(uow, "This person at risk is already registered.")
    await kept.recount(uow.session, CODE, h.posyandu_id, [h.identified_on])
    return h


async def _pregnant_on(uow: UnitOfWork, target: Target, day: date) -> None:
    """The group "pregnant" needs a pregnancy of hers recorded here covering ``day``: begun
    by then (HPHT), and ongoing or ended on or after it."""
    found = (
        await uow.session.execute(
            select(col(Pregnancy.id)).where(
                col(Pregnancy.target_id) == target.id,
                col(Pregnancy.last_menstrual_period) <= day,
                or_(
                    col(Pregnancy.status) == "ongoing",
                    col(Pregnancy.delivered_on) >= day,
                ),
            )
        )
    ).first()
    if found is None:
        raise RuleViolation(
            "risk_group",
            "no_pregnancy",
            "Register her pregnancy first: none of hers covers the date identified.",
        )


async def record_test(
    uow: UnitOfWork, principal: Principal, record_id: str, body: HivTestIn, today: date
) -> HivRiskPerson:
    """Stage a test (the latest is kept; a retest after an indeterminate one is allowed, and
    once tested to standard the person stays so) and recount the identification's day."""
    h = await visible(uow.session, principal, HivRiskPerson, record_id, "person at risk")
    await writable_posyandu(uow.session, principal, h.posyandu_id)
    await relocked(uow.session, h)
    not_in_future(body.tested_on, today, "tested_on")
    if body.tested_on < h.identified_on:
        raise RuleViolation(
            "tested_on", "tested_before_identified", "The person was identified after this date."
        )
    if h.tested_on is not None and body.tested_on < h.tested_on:
        raise RuleViolation(
            "tested_on",
            "before_previous_test",
            f"The person was tested on {h.tested_on.isoformat()}, after this date.",
        )
    h.tested_on, h.test, h.result = body.tested_on, body.test, body.result
    h.tested_to_standard = h.tested_to_standard or tested_to_standard(body.test, body.result)
    h.updated_by, h.updated_at = principal.subject, datetime.now(UTC)
    uow.session.add(h)
    await kept.recount(uow.session, CODE, h.posyandu_id, [h.identified_on])
    return h


def shaped(h: HivRiskPerson, reader: Principal) -> dict[str, Any]:
    """The record as ``reader`` may see it: the group, test and result for the Dinas
    Kesehatan; for a kader only that a test was done, and when."""
    row = {**h.model_dump(), "tested": h.tested_on is not None}
    if not reader.has_any_role(*SENSITIVE_READERS):
        row |= {"risk_group": None, "test": None, "result": None}
    return row


def counter(posyandu_id: str, period: Period) -> Any:
    """(numerator, denominator) of one posyandu's period: people at risk identified in it,
    and those of them tested to standard (whenever)."""
    return select(func.count().filter(col(H.tested_to_standard)), func.count()).where(
        col(H.posyandu_id) == posyandu_id,
        col(H.identified_on) >= period.start,
        col(H.identified_on) <= period.end,
    )
