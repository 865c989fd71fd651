"""ODGJ berat: registering a case in care, closing it, its services, and its SPM counts.

Sensitive: no event is published, and only health roles read a case (``ops.programmes``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import and_, func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_health.domain.indicators import SPM
from simpul_health.domain.mental_health import (
    SERVICES_PER_PERIOD,
    check_closing,
    check_service_day,
    service_to_standard,
    severe_diagnosis,
)
from simpul_health.models import MentalHealthCase, MentalHealthService
from simpul_health.ops import area_codes, kept
from simpul_health.ops.access import target_at, visible, writable_posyandu
from simpul_health.ops.programmes import (
    months_through,
    not_before_birth,
    relocked,
    serialised,
    staged,
)
from simpul_health.schemas.mental_health import (
    MentalHealthCaseIn,
    MentalHealthCasePatch,
    MentalHealthServiceIn,
)
from simpul_platform.auth import Principal
from simpul_platform.domain import RuleViolation, not_in_future
from simpul_platform.errors import Conflict
from simpul_platform.events import new_id
from simpul_platform.indicators import Period
from simpul_platform.uow import UnitOfWork

CODE = "odgj_berat"
C, S = MentalHealthCase, MentalHealthService
SERVICE_TWICE = "This case already has a service on that day."


async def register(
    uow: UnitOfWork, principal: Principal, body: MentalHealthCaseIn, today: date
) -> MentalHealthCase:
    """Stage a case (one active case per person) and recount the months it is active in."""
    target, posyandu = await target_at(
        uow.session, principal, body.target_id, body.posyandu_id, in_body=True
    )
    not_in_future(body.registered_on, today, "registered_on")
    not_before_birth(body.registered_on, target, "registered_on")
    diagnosis = severe_diagnosis(body.diagnosis)
    await serialised(uow.session, posyandu["posyandu_id"])
    active = (
        await uow.session.execute(
            select(col(C.id)).where(col(C.target_id) == target.id, col(C.status) == "active")
        )
    ).first()
    if active:
        raise Conflict("This person already has an active case.", case_id=active[0])
    now = datetime.now(UTC)
    case = MentalHealthCase(
        id=new_id(),
        target_id=target.id,
        posyandu_id=posyandu["posyandu_id"],
        **area_codes(posyandu["desa_code"]),
        diagnosis=diagnosis,
        registered_on=body.registered_on,
        restrained=body.restrained,
        status="active",
        created_by=principal.subject,
        created_at=now,
        updated_by=principal.subject,
        updated_at=now,
    )
    uow.session.add(case)
    await staged(uow, "This case is already registered.")
    await kept.recount(
        uow.session, CODE, case.posyandu_id, months_through(case.registered_on, today)
    )
    return case


async def update(
    uow: UnitOfWork,
    principal: Principal,
    case_id: str,
    body: MentalHealthCasePatch,
    today: date,
) -> MentalHealthCase:
    """Stage a change of the restrained flag, or the case's closing (status and date)."""
    case = await _writable(uow, principal, case_id)
    if body.restrained is not None:
        case.restrained = body.restrained
    if body.status is not None or body.closed_on is not None:
        await _close(uow, case, body, today)
    case.updated_by, case.updated_at = principal.subject, datetime.now(UTC)
    uow.session.add(case)
    return case


async def _close(
    uow: UnitOfWork, case: MentalHealthCase, body: MentalHealthCasePatch, today: date
) -> None:
    if body.status is None:
        raise RuleViolation("status", "status_required", "Closing needs a status.")
    if body.closed_on is None:
        raise RuleViolation("closed_on", "closed_on_required", "Closing needs a date.")
    not_in_future(body.closed_on, today, "closed_on")
    await relocked(uow.session, case)
    if case.status != "active":
        raise Conflict(f"The case is already closed ({case.status}).")
    last = (
        await uow.session.execute(
            select(func.max(col(S.served_on))).where(col(S.case_id) == case.id)
        )
    ).scalar_one()
    check_closing(case.registered_on, body.closed_on, last)
    case.status, case.closed_on = body.status, body.closed_on
    uow.session.add(case)
    # Inactive from the period after closed_on: recount every period from it to today's.
    await kept.recount(uow.session, CODE, case.posyandu_id, months_through(body.closed_on, today))


async def record_service(
    uow: UnitOfWork, principal: Principal, case_id: str, body: MentalHealthServiceIn, today: date
) -> MentalHealthCase:
    """Stage one service of a case (one a day) with its judgement, and recount its day."""
    case = await _writable(uow, principal, case_id)
    not_in_future(body.served_on, today, "served_on")
    await relocked(uow.session, case)
    check_service_day(body.served_on, case.registered_on, case.closed_on)
    twin = (
        await uow.session.execute(
            select(col(S.id)).where(col(S.case_id) == case.id, col(S.served_on) == body.served_on)
        )
    ).first()
    if twin:
        raise Conflict(SERVICE_TWICE, service_id=twin[0])
    uow.session.add(
        MentalHealthService(
            id=new_id(),
            case_id=case.id,
            posyandu_id=case.posyandu_id,
            **body.model_dump(),
            to_standard=service_to_standard(body.mental_status_exam, body.adherence_education),
            created_by=principal.subject,
            created_at=datetime.now(UTC),
        )
    )
    await staged(uow, SERVICE_TWICE)
    await kept.recount(uow.session, CODE, case.posyandu_id, [body.served_on])
    return case


async def _writable(uow: UnitOfWork, principal: Principal, case_id: str) -> MentalHealthCase:
    case = await visible(uow.session, principal, MentalHealthCase, case_id, "case")
    await writable_posyandu(uow.session, principal, case.posyandu_id)
    return case


async def with_services(session: AsyncSession, cases: Sequence[MentalHealthCase]) -> list[Any]:
    """The cases with their services, oldest service first (one query for all)."""
    ids = [c.id for c in cases]
    rows = (
        (await session.execute(select(S).where(col(S.case_id).in_(ids)).order_by(col(S.served_on))))
        .scalars()
        .all()
        if ids
        else []
    )
    by_case: dict[str, list[dict[str, Any]]] = {i: [] for i in ids}
    for s in rows:
        by_case[s.case_id].append(s.model_dump())
    return [{**c.model_dump(), "services": by_case[c.id]} for c in cases]


# --------------------------------------------------------------------------- counts


def active_in(period: Period) -> Any:
    """In care at some point in the period: registered by its end, not closed before it."""
    return and_(
        col(C.registered_on) <= period.end,
        or_(col(C.closed_on).is_(None), col(C.closed_on) >= period.start),
    )


def counter(posyandu_id: str, period: Period) -> Any:
    """(numerator, denominator) of one posyandu's period: its cases active in the period,
    and those of them with at least SERVICES_PER_PERIOD services to standard in it."""
    served = (
        select(func.count())
        .where(
            col(S.case_id) == col(C.id),
            col(S.to_standard),
            col(S.served_on) >= period.start,
            col(S.served_on) <= period.end,
        )
        .scalar_subquery()
    )
    return select(func.count().filter(served >= SERVICES_PER_PERIOD), func.count()).where(
        col(C.posyandu_id) == posyandu_id, active_in(period)
    )


async def active_cases(
    session: AsyncSession, period: Period, *, wilayah: str | None, posyandu_id: str | None
) -> dict[str, int]:
    """The denominator read when asked: the area's cases active in the period. A case stays
    in care month after month without a write, so a month nobody served it in has no kept
    row, yet the case belongs to its denominator. Where an imported estimate exists nothing
    is returned, and the estimate ``kept.spm_counts`` put in stays."""
    from simpul_health.ops.indicators import Area  # indicators reads kept, which reads this

    group = SPM[CODE].estimate_group
    if (
        not posyandu_id
        and group
        and await kept.estimates(session, period, [group], wilayah=wilayah)
    ):
        return {}
    table = C.__table__  # type: ignore[attr-defined]
    query = select(func.count()).where(
        Area(wilayah=wilayah, posyandu_id=posyandu_id).where(table), active_in(period)
    )
    return {CODE: int((await session.execute(query)).scalar_one())}
