"""Housing aid on an RTLH case: "already aided" read from the history (recorded aid of the
household or the house, and the aid its surveys declare), and the assignment that records a
``housing_aid`` row and announces ``housing.aid.assigned.v1``.

Two assignments for one household (two cases, or another route that records aid) must not
both pass the check: the writer holds a transaction-scoped advisory lock per household and
per house (PostgreSQL) from before it reads the history until it commits, so the second one
reads the first one's aid. SQLite serialises writers by itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict
from datetime import date

from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_housing.domain.rtlh import (
    PreviousAid,
    blocking_aid,
    check_aid_year,
    check_amount,
)
from simpul_housing.events import AidAssigned
from simpul_housing.models import HousingAid, RtlhCase
from simpul_housing.ops.rtlh_reads import aid_rows, declared_aid
from simpul_housing.ops.rtlh_referrals import end_case
from simpul_housing.ops.rtlh_rows import may, step_date, transition
from simpul_housing.schemas.rtlh import AssignIn, RejectIn
from simpul_housing.settings import HousingSettings
from simpul_platform import locks
from simpul_platform.auth import Principal
from simpul_platform.clock import now
from simpul_platform.domain import RuleViolation
from simpul_platform.errors import Conflict, FieldError
from simpul_platform.events import new_id
from simpul_platform.uow import UnitOfWork

LOCK_CLASS = 0x4A1D  # the first key of housing's aid locks (the second: the household's or house's)


async def lock_aid(session: AsyncSession, names: Iterable[str]) -> None:
    """Hold the aid locks of these households and houses until the transaction ends, taken in
    key order (no two writers wait on each other crosswise)."""
    await locks.hold(session, LOCK_CLASS, names)


async def aid_history(
    session: AsyncSession, household_ref: str, house_id: str
) -> list[PreviousAid]:
    """Aid the household (anywhere) or the house (any household) received, recorded or
    declared by one of the house's surveys."""
    recorded = [
        PreviousAid(year=a.year, program=a.program, aid_id=a.id, case_id=a.case_id)
        for a in await aid_rows(session, [household_ref], house_id)
    ]
    declared = [
        PreviousAid(year=a.previous_aid_year, program=None, assessment_id=a.id)
        for a in await declared_aid(session, house_id)
        if a.previous_aid_year is not None
    ]
    return recorded + declared


async def previous_aid(
    session: AsyncSession, settings: HousingSettings, case: RtlhCase, year: int
) -> PreviousAid | None:
    """The aid inside ``aid_repeat_years`` of ``year`` that bars the case's household, if any."""
    history = await aid_history(session, case.household_ref, case.house_id)
    return blocking_aid(history, year, settings.aid_repeat_years)


def already_aided(aid: PreviousAid, window_years: int, *, field: str, hint: str) -> Conflict:
    """The 409 naming the previous aid."""
    message = f"Already aided: {aid.describe()}, within {window_years} years. {hint}"
    return Conflict(
        message,
        errors=[FieldError(field=field, rule="already_aided", message=message)],
        previous_aid={k: v for k, v in asdict(aid).items() if v is not None},
    )


async def assign(
    uow: UnitOfWork,
    principal: Principal,
    settings: HousingSettings,
    case: RtlhCase,
    body: AssignIn,
    today: date,
) -> HousingAid:
    """The aid for the case's household: a plausible amount for the programme, a year next to
    the assignment's, and no aid of the household or the house within ``aid_repeat_years``
    (409 naming it) — checked under the household's and house's locks."""
    may(case, "assign")
    on = await step_date(uow.session, case, body.assigned_on, today, "body.assigned_on")
    check_amount(body.program, body.amount, settings.aid_amount_range)
    check_aid_year(body.year, on)
    await lock_aid(uow.session, [f"household:{case.household_ref}", f"house:{case.house_id}"])
    blocking = await previous_aid(uow.session, settings, case, body.year)
    if blocking is not None:
        raise already_aided(
            blocking,
            settings.aid_repeat_years,
            field="body.year",
            hint="Reject the case with the reason already_aided.",
        )
    actor = principal.subject
    aid = HousingAid(
        id=new_id(),
        house_id=case.house_id,
        household_ref=case.household_ref,
        program=body.program,
        amount=body.amount,
        year=body.year,
        source="rtlh_case",
        case_id=case.id,
        recorded_by=actor,
        recorded_at=now(),
    )
    uow.session.add(aid)
    case.aid_program, case.aid_amount, case.aid_year = body.program, body.amount, body.year
    case.assigned_on = on
    codes = {"program": body.program, "amount": body.amount, "year": body.year, "aid_id": aid.id}
    transition(uow, case, "assign", on, actor, codes=codes)
    uow.publish(
        AidAssigned(
            aid_id=aid.id,
            case_id=case.id,
            house_id=case.house_id,
            household_ref=case.household_ref,
            posyandu_id=case.posyandu_id,
            desa_code=case.desa_code,
            program=body.program,
            amount=body.amount,
            year=body.year,
            assigned_on=on,
        ),
        subject=case.id,
    )
    return aid


async def reject(
    uow: UnitOfWork,
    principal: Principal,
    settings: HousingSettings,
    case: RtlhCase,
    body: RejectIn,
    today: date,
) -> None:
    """Not to be aided; ``already_aided`` only when the history shows the aid."""
    may(case, "reject")
    on = await step_date(uow.session, case, body.rejected_on, today, "body.rejected_on")
    aid_codes: dict[str, object] = {}
    if body.reason == "already_aided":
        blocking = await previous_aid(uow.session, settings, case, on.year)
        if blocking is None:
            raise RuleViolation(
                "body.reason",
                "no_previous_aid",
                f"Neither the household nor the house has aid on record within "
                f"{settings.aid_repeat_years} years of {on.year}.",
            )
        aid_codes = {"previous_aid_year": blocking.year, "previous_aid_id": blocking.aid_id}
    await end_case(uow, principal, case, body.reason, on, body.note, aid_codes)
