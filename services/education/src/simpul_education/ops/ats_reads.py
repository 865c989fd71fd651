"""Reading ATS cases: the ones a caller may see (one, or a page of them by detection date,
with the overdue filter), a case's history of steps, its output with the steps it allows and
whether its verification is overdue. Also the two reads the workflow and the imports share: a
child's open case, and the child's latest schooling status (which decides BPB and the last
jenjang a DO/LTM case keeps).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_education.domain.ats import ATS, UNVERIFIED
from simpul_education.domain.ats import is_overdue as overdue
from simpul_education.models import ATS_OPEN, AtsCase, AtsCaseHistory, Child, ChildStatus
from simpul_education.schemas.ats import AtsCaseOut
from simpul_platform.auth import Principal
from simpul_platform.errors import NotFound
from simpul_platform.wilayah import under

# Statuses that mean the child was at school (or its kesetaraan): BPB no longer fits. PAUD is
# not school (BPB: belum pernah bersekolah, Regsosek 412 code 1).
SCHOOLING = ("sd", "smp", "sma", "smk", "paket_a", "paket_b", "paket_c")


def is_overdue(case: AtsCase, today: date) -> bool:
    """Not verified (nor ended) by its verification due date."""
    return overdue(case.status, case.verify_due_on, today)


async def to_out(session: AsyncSession, case: AtsCase, today: date) -> AtsCaseOut:
    return _out(case, (await child_of(session, case)).person_ref, today)


async def child_of(session: AsyncSession, case: AtsCase) -> Child:
    """The case's child."""
    child = await session.get(Child, case.child_id)
    assert child is not None  # a foreign key
    return child


def _out(case: AtsCase, person_ref: str, today: date) -> AtsCaseOut:
    return AtsCaseOut.model_validate(
        {
            **case.model_dump(),
            "person_ref": person_ref,
            "overdue": is_overdue(case, today),
            "allowed_actions": ATS.allowed_actions(case.status),  # type: ignore[arg-type]
        }
    )


async def history(session: AsyncSession, case_id: str) -> Sequence[AtsCaseHistory]:
    query = (
        select(AtsCaseHistory)
        .where(AtsCaseHistory.case_id == case_id)
        .order_by(col(AtsCaseHistory.id))
    )
    return list((await session.exec(query)).all())


async def visible_case(
    session: AsyncSession, principal: Principal, case_id: str, *, lock: bool = False
) -> AtsCase:
    """A case the caller may see; 404 otherwise (as for its child)."""
    case = await session.get(AtsCase, case_id, with_for_update=lock or None)
    if case is None or not principal.can_see(case.desa_code):
        raise NotFound(f"No ATS case {case_id} in your wilayah.")
    return case


async def list_cases(
    session: AsyncSession,
    principal: Principal,
    *,
    wilayah: str | None,
    posyandu_id: str | None,
    status: str | None,
    overdue_on: date | None,
    limit: int,
    offset: int,
    today: date,
) -> list[AtsCaseOut]:
    """Cases in the caller's scope by detection date; ``overdue_on``: only those not verified
    by their due date before that day."""
    query = (
        select(AtsCase, col(Child.person_ref))
        .join(Child, col(Child.id) == col(AtsCase.child_id))
        .where(under(col(AtsCase.desa_code), principal.visible_scopes(wilayah)))
    )
    if posyandu_id is not None:
        query = query.where(AtsCase.posyandu_id == posyandu_id)
    if status is not None:
        query = query.where(AtsCase.status == status)
    if overdue_on is not None:
        query = query.where(
            col(AtsCase.status).in_(UNVERIFIED),
            col(AtsCase.verify_due_on) < overdue_on,
        )
    query = query.order_by(col(AtsCase.detected_on), col(AtsCase.id)).offset(offset).limit(limit)
    return [_out(case, ref, today) for case, ref in (await session.exec(query)).all()]


async def open_case_of(session: AsyncSession, child_id: str) -> str | None:
    query = select(AtsCase.id).where(
        AtsCase.child_id == child_id, col(AtsCase.status).in_(ATS_OPEN)
    )
    return (await session.exec(query)).first()


async def last_schooling(session: AsyncSession, child_id: str) -> ChildStatus | None:
    """The child's latest schooling status (formal or kesetaraan), if any."""
    query = (
        select(ChildStatus)
        .where(ChildStatus.child_id == child_id, col(ChildStatus.status).in_(SCHOOLING))
        .order_by(
            col(ChildStatus.on).desc(), col(ChildStatus.recorded_at).desc(), col(ChildStatus.id)
        )
        .limit(1)
    )
    return (await session.exec(query)).first()
