"""Relocation by a Pemda programme as Perkim works it (``domain/relocation.py``): a programme,
the households it affects (by No. KK at a posyandu, or an incoming ``relocation_needed``
referral, accepted with the household as its case), each checked against the recipient
criteria (which were met kept with the step), facilitated (announced), housed. Each step locks
the household, is refused with a 409 naming the allowed ones when its status does not allow
it, and is kept in ``relocation_history``; the end (housed, or not eligible) resolves the
referral the household came from.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import func
from sqlalchemy.engine import RowMapping
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_housing.domain.disaster import not_before
from simpul_housing.domain.relocation import (
    RELOCATION,
    RelocationAction,
    check_action,
    check_criteria,
    unmet,
)
from simpul_housing.events import RelocationFacilitated
from simpul_housing.models import (
    HouseHousehold,
    RelocationHistory,
    RelocationHousehold,
    RelocationProgramme,
)
from simpul_housing.ops import referral_intake as intake
from simpul_housing.ops import tallies
from simpul_housing.ops.access import posyandu_for_write, visible_house
from simpul_housing.ops.disaster import under_code
from simpul_housing.ops.houses import house_of
from simpul_housing.schemas.relocation import (
    AffectedIn,
    CheckIn,
    FacilitateIn,
    HousedIn,
    ProgrammeIn,
)
from simpul_housing.settings import HousingSettings
from simpul_platform.auth import Principal
from simpul_platform.clock import now
from simpul_platform.domain import RuleViolation, not_in_future
from simpul_platform.errors import Conflict
from simpul_platform.events import new_id
from simpul_platform.pseudonym import household_ref
from simpul_platform.steps import advance, step_row
from simpul_platform.uow import UnitOfWork

# --- programmes ---------------------------------------------------------------------------


def create_programme(
    uow: UnitOfWork, principal: Principal, body: ProgrammeIn
) -> RelocationProgramme:
    """Stage a programme over an area inside the caller's wilayah (403 otherwise)."""
    principal.require_wilayah(body.wilayah_code)
    programme = RelocationProgramme(
        id=new_id(), **body.model_dump(), created_by=principal.subject, created_at=now()
    )
    uow.session.add(programme)
    return programme


async def counts(session: AsyncSession, programme_id: str) -> dict[str, int]:
    query = (
        select(RelocationHousehold.status, func.count())
        .where(RelocationHousehold.programme_id == programme_id)
        .group_by(col(RelocationHousehold.status))
    )
    return {status: n for status, n in (await session.exec(query)).all()}


# --- the affected households ----------------------------------------------------------------


async def register(
    uow: UnitOfWork,
    principal: Principal,
    programme: RelocationProgramme,
    body: AffectedIn,
    *,
    secret: str,
    today: date,
) -> RelocationHousehold:
    """A household the programme (locked by the caller) affects, once per programme (409),
    living in the area it affects (422)."""
    referral: RowMapping | None = None
    if body.referral_id is not None:
        referral = await intake.open_referral(
            uow, principal, body.referral_id, intake.RELOCATION_NEEDED
        )
    kk, ref, posyandu_id = await _household(uow.session, body, referral, secret)
    house = await house_of(uow.session, ref)
    posyandu = await posyandu_for_write(
        uow.session, house.posyandu_id if house else posyandu_id, principal
    )
    if not under_code(posyandu["desa_code"], programme.wilayah_code):
        raise RuleViolation(
            "body",
            "outside_programme_area",
            f"Desa {posyandu['desa_code']} is not in the programme's area "
            f"({programme.wilayah_code}).",
        )
    on = body.affected_on or (referral["requested_on"] if referral else today)
    not_in_future(on, today, "body.affected_on")
    await _refuse_second(uow.session, programme.id, ref)
    moment, actor = now(), principal.subject
    row = RelocationHousehold(
        id=new_id(),
        programme_id=programme.id,
        kk=kk,
        household_ref=ref,
        house_id=house.id if house else None,
        posyandu_id=posyandu["posyandu_id"],
        desa_code=posyandu["desa_code"],
        status=RELOCATION.next(None, "register"),
        year=programme.year,
        referral_id=body.referral_id,
        created_by=actor,
        created_at=moment,
        updated_by=actor,
        updated_at=moment,
    )
    uow.session.add(row)
    await uow.session.flush()  # the household before its history (a foreign key)
    source = "referral" if referral else "report"
    _log(uow, row, "register", None, {"source": source}, on, actor)
    if referral is not None:
        await intake.link(uow, principal, referral, row.id, on)
    return row


async def _household(
    session: AsyncSession, body: AffectedIn, referral: RowMapping | None, secret: str
) -> tuple[str, str, str]:
    """The household's No. KK, pseudonym and posyandu, from the body or the referral."""
    if referral is None:
        if body.kk is None or body.posyandu_id is None:
            missing = "kk" if body.kk is None else "posyandu_id"
            raise RuleViolation(
                f"body.{missing}", "household_required", "Name the household (kk, posyandu_id)."
            )
        return body.kk, household_ref(secret, body.kk), body.posyandu_id
    if body.posyandu_id is not None:
        raise RuleViolation("body.posyandu_id", "not_applicable", "A referral names its posyandu.")
    ref = referral["household_ref"]
    if body.kk is not None:
        if household_ref(secret, body.kk) != ref:
            raise RuleViolation(
                "body.kk", "referral_mismatch", "This KK is not the referral's household."
            )
        return body.kk, ref, referral["posyandu_id"]
    query = select(HouseHousehold.kk).where(
        HouseHousehold.household_ref == ref, col(HouseHousehold.moved_out_on).is_(None)
    )
    kk = (await session.exec(query)).first()
    if kk is None:
        raise RuleViolation(
            "body.kk", "kk_required", "Housing has not recorded this household: give its KK."
        )
    return kk, ref, referral["posyandu_id"]


async def _refuse_second(session: AsyncSession, programme_id: str, ref: str) -> None:
    query = select(RelocationHousehold.id).where(
        RelocationHousehold.programme_id == programme_id,
        RelocationHousehold.household_ref == ref,
    )
    first = (await session.exec(query)).first()
    if first is not None:
        raise Conflict(
            f"This household is already affected by the programme as {first}.",
            relocation_id=first,
        )


# --- steps --------------------------------------------------------------------------------


async def check(
    uow: UnitOfWork,
    principal: Principal,
    row: RelocationHousehold,
    body: CheckIn,
    settings: HousingSettings,
    today: date,
) -> None:
    """The recipient criteria answered: eligible when all are met, else not eligible (the
    end: the referral it came from is resolved ``not_eligible``)."""
    criteria = settings.relocation_criteria
    meets = check_criteria(body.criteria, criteria)
    action = check_action(meets)
    _may(row, action)
    on = await _step_date(uow.session, row, body.checked_on, today, "body.checked_on")
    previous = _advance(row, action, principal.subject)
    row.meets_criteria = meets
    await tallies.invalidate(uow.session, row.posyandu_id, date(row.year, 1, 1))  # SPM 2's
    answers = {name: body.criteria[name] for name in criteria}
    codes = {"criteria": answers, "unmet": unmet(body.criteria, criteria)}
    _log(uow, row, action, previous, codes, on, principal.subject)
    if not meets:
        await intake.resolve(uow, row.id, "not_eligible", on, principal.subject)


async def facilitate(
    uow: UnitOfWork,
    principal: Principal,
    programme: RelocationProgramme,
    row: RelocationHousehold,
    body: FacilitateIn,
    today: date,
) -> None:
    """An eligible household facilitated to a livable house (the SPM numerator)."""
    _may(row, "facilitate")
    on = await _step_date(uow.session, row, body.facilitated_on, today, "body.facilitated_on")
    previous = _advance(row, "facilitate", principal.subject)
    row.facilitated_on = on
    await tallies.invalidate(uow.session, row.posyandu_id, min(date(row.year, 1, 1), on))
    _log(uow, row, "facilitate", previous, {}, on, principal.subject)
    uow.publish(
        RelocationFacilitated(
            relocation_id=row.id,
            programme_id=programme.id,
            programme_reason=programme.reason,
            year=row.year,
            household_ref=row.household_ref,
            posyandu_id=row.posyandu_id,
            desa_code=row.desa_code,
            facilitated_on=on,
        ),
        subject=row.id,
    )


async def house(
    uow: UnitOfWork, principal: Principal, row: RelocationHousehold, body: HousedIn, today: date
) -> None:
    """Living in the new home (a house housing recorded, when named): the referral the
    household came from is resolved."""
    _may(row, "house")
    on = await _step_date(uow.session, row, body.housed_on, today, "body.housed_on")
    if body.house_id is not None:
        await visible_house(uow.session, principal, body.house_id)
    previous = _advance(row, "house", principal.subject)
    row.housed_on = on
    if body.house_id is not None:
        row.house_id = body.house_id
    _log(uow, row, "house", previous, {"house_id": body.house_id}, on, principal.subject)
    await intake.resolve(uow, row.id, "housed", on, principal.subject)


# --- shared -------------------------------------------------------------------------------


def _may(row: RelocationHousehold, action: RelocationAction) -> None:
    RELOCATION.step(row.status, action)  # type: ignore[arg-type]


def _advance(row: RelocationHousehold, action: RelocationAction, actor: str) -> str:
    return advance(RELOCATION, row, action, actor)


def _log(
    uow: UnitOfWork,
    row: RelocationHousehold,
    action: str,
    previous: str | None,
    codes: dict[str, Any],
    on: date,
    actor: str,
) -> None:
    uow.session.add(row)
    step = step_row("relocation_id", row.id, action, previous, row.status, codes, on, actor)
    uow.session.add(RelocationHistory(**step))


async def _step_date(
    session: AsyncSession, row: RelocationHousehold, given: date | None, today: date, field: str
) -> date:
    """Today when omitted, not in the future, not before the household's last step."""
    on = given or today
    not_in_future(on, today, field)
    not_before(on, await _last_step_on(session, row.id), field, "the previous step")
    return on


async def _last_step_on(session: AsyncSession, relocation_id: str) -> date | None:
    query = select(func.max(RelocationHistory.step_on)).where(
        RelocationHistory.relocation_id == relocation_id
    )
    return (await session.exec(query)).first()


async def history(session: AsyncSession, relocation_id: str) -> Sequence[RelocationHistory]:
    query = (
        select(RelocationHistory)
        .where(RelocationHistory.relocation_id == relocation_id)
        .order_by(col(RelocationHistory.id))
    )
    return list((await session.exec(query)).all())
