"""Terduga TBC: registering a presumptive case, its examination, and its SPM counts.

Sensitive: no event is published, and only health roles read a case (``ops.programmes``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from simpul_health.domain.tb import check_result, examined_to_standard, presumptive_reasons
from simpul_health.models import TbPresumptive
from simpul_health.ops import area_codes, kept
from simpul_health.ops.access import target_at, visible, writable_posyandu
from simpul_health.ops.programmes import (
    none_awaiting,
    not_before_birth,
    relocked,
    serialised,
    staged,
)
from simpul_health.schemas.tb import TbExaminationIn, TbPresumptiveIn
from simpul_platform.auth import Principal
from simpul_platform.domain import RuleViolation, not_in_future
from simpul_platform.events import new_id
from simpul_platform.indicators import Period
from simpul_platform.uow import UnitOfWork

CODE = "terduga_tbc"
T = TbPresumptive


async def register(
    uow: UnitOfWork, principal: Principal, body: TbPresumptiveIn, today: date
) -> TbPresumptive:
    """Stage a presumptive case (none other of the person awaiting examination), recount."""
    target, posyandu = await target_at(
        uow.session, principal, body.target_id, body.posyandu_id, in_body=True
    )
    not_in_future(body.identified_on, today, "identified_on")
    not_before_birth(body.identified_on, target, "identified_on")
    symptoms, contact = presumptive_reasons(body.symptoms)
    await serialised(uow.session, posyandu["posyandu_id"])
    await none_awaiting(
        uow.session,
        T,
        target.id,
        T.examined_on,
        "This person is already presumptive, awaiting examination.",
    )
    now = datetime.now(UTC)
    p = TbPresumptive(
        id=new_id(),
        target_id=target.id,
        posyandu_id=posyandu["posyandu_id"],
        **area_codes(posyandu["desa_code"]),
        identified_on=body.identified_on,
        symptoms=",".join(symptoms),
        household_contact=contact,
        created_by=principal.subject,
        created_at=now,
        updated_by=principal.subject,
        updated_at=now,
    )
    uow.session.add(p)
    await staged(uow, "This presumptive case is already registered.")
    await kept.recount(uow.session, CODE, p.posyandu_id, [p.identified_on])
    return p


async def examine(
    uow: UnitOfWork, principal: Principal, presumptive_id: str, body: TbExaminationIn, today: date
) -> TbPresumptive:
    """Stage an examination (the latest one is kept; once examined to standard, the case
    stays so: a later x-ray does not undo a TCM) and recount the identification's day."""
    p = await visible(uow.session, principal, TbPresumptive, presumptive_id, "presumptive case")
    await writable_posyandu(uow.session, principal, p.posyandu_id)
    await relocked(uow.session, p)
    not_in_future(body.examined_on, today, "examined_on")
    if body.examined_on < p.identified_on:
        raise RuleViolation(
            "examined_on", "examined_before_identified", "The case was identified after this date."
        )
    if p.examined_on is not None and body.examined_on < p.examined_on:
        raise RuleViolation(
            "examined_on",
            "before_previous_examination",
            f"The case was examined on {p.examined_on.isoformat()}, after this date.",
        )
    check_result(body.examination, body.result)
    p.examined_on, p.examination, p.result = body.examined_on, body.examination, body.result
    p.examined_to_standard = p.examined_to_standard or examined_to_standard(
        body.examination, body.result
    )
    p.updated_by, p.updated_at = principal.subject, datetime.now(UTC)
    uow.session.add(p)
    await kept.recount(uow.session, CODE, p.posyandu_id, [p.identified_on])
    return p


def shaped(p: TbPresumptive) -> dict[str, Any]:
    return {**p.model_dump(), "symptoms": [s for s in p.symptoms.split(",") if s]}


def counter(posyandu_id: str, period: Period) -> Any:
    """(numerator, denominator) of one posyandu's period: presumptive cases identified in
    it, and those of them examined to standard (whenever)."""
    return select(func.count().filter(col(T.examined_to_standard)), func.count()).where(
        col(T.posyandu_id) == posyandu_id,
        col(T.identified_on) >= period.start,
        col(T.identified_on) <= period.end,
    )
