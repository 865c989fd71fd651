"""A disaster's damaged houses as Perkim and the kader work them (``domain/disaster.py``):
reported (a recorded house, a household by No. KK at a posyandu, or a ``disaster_damage``
referral), assessed, fixed by the event's SK Bupati, handled in a way the class allows,
completed. Each step locks the house, is refused with a 409 naming the allowed ones when its
status does not allow it, is kept in ``disaster_house_history``; assessing, fixing and
completing are announced with the household's pseudonym only. Completion records the aid in
``housing_aid`` (source ``disaster``), the history RTLH's "already aided" reads, and resolves
the referral the house was opened for.

``open_disaster_house`` is the opening every caller's path shares and takes no caller. Trantib's
fires and disaster assessments (``ops.trantib_damage``) open a whole assessment's houses at once
by the same rules (in the area struck, not before it, once per household and house), in the
event ``disaster_events.event_from_source`` finds, skipping what is there instead of a 409.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.engine import RowMapping
from sqlmodel import col, select

from simpul_housing.domain.disaster import (
    DISASTER_HOUSE,
    DisasterAction,
    assess_action,
    check_handling,
    check_planned_year,
    fixed_on,
    not_before,
)
from simpul_housing.events import DisasterHouseAssessed, DisasterHouseCompleted
from simpul_housing.models import DisasterEvent, DisasterHouse, DisasterHouseHistory, HousingAid
from simpul_housing.ops import referral_intake as intake
from simpul_housing.ops import tallies
from simpul_housing.ops.disaster_household import Household, household_of
from simpul_housing.ops.rtlh_aid import lock_aid
from simpul_housing.schemas.disaster import AssessIn, CompleteIn, DisasterHouseIn, HandleIn, SkIn
from simpul_platform.auth import Principal
from simpul_platform.clock import now
from simpul_platform.domain import RuleViolation, not_in_future
from simpul_platform.errors import Conflict
from simpul_platform.events import new_id
from simpul_platform.steps import advance, step_row
from simpul_platform.uow import UnitOfWork

# --- opening ------------------------------------------------------------------------------


async def report_house(
    uow: UnitOfWork,
    principal: Principal,
    event: DisasterEvent,
    body: DisasterHouseIn,
    *,
    secret: str,
    today: date,
) -> DisasterHouse:
    """A damaged house of a disaster (locked by the caller) reported by a user, or opened from
    an incoming referral (accepting it)."""
    referral: RowMapping | None = None
    if body.referral_id is not None:
        referral = await intake.open_referral(
            uow, principal, body.referral_id, intake.DISASTER_DAMAGE
        )
    household = await household_of(uow.session, principal, body, referral, secret=secret)
    reported_on = body.reported_on or (referral["requested_on"] if referral else today)
    not_in_future(reported_on, today, "body.reported_on", "The report date")
    house = await open_disaster_house(
        uow,
        event,
        household,
        reported_on=reported_on,
        source="referral" if referral else "report",
        actor=principal.subject,
        referral_id=body.referral_id,
        codes={"reported_damage": referral["details"].get("damage")} if referral else {},
    )
    if referral is not None:
        await intake.link(uow, principal, referral, house.id, reported_on)
    return house


async def open_disaster_house(
    uow: UnitOfWork,
    event: DisasterEvent,
    household: Household,
    *,
    reported_on: date,
    source: str,
    actor: str,
    referral_id: str | None = None,
    codes: dict[str, Any] | None = None,
) -> DisasterHouse:
    """Stage a reported house of ``event`` (locked by the caller, or new) for ``household`` at
    its posyandu: in the area the disaster struck (422), reported on or after it (422), once
    per household and per house in one disaster (409 naming the first)."""
    if not under_code(household.desa_code, event.wilayah_code):
        raise RuleViolation(
            "body",
            "outside_disaster_area",
            f"Desa {household.desa_code} is not in the area the disaster struck "
            f"({event.wilayah_code}).",
        )
    not_before(reported_on, event.occurred_on, "body.reported_on", "the disaster")
    await _refuse_second(uow, event.id, household)
    moment = now()
    house = DisasterHouse(
        id=new_id(),
        event_id=event.id,
        house_id=household.house_id,
        household_ref=household.household_ref,
        posyandu_id=household.posyandu_id,
        desa_code=household.desa_code,
        status=DISASTER_HOUSE.next(None, "report"),
        source=source,
        referral_id=referral_id,
        reported_on=reported_on,
        created_by=actor,
        created_at=moment,
        updated_by=actor,
        updated_at=moment,
    )
    uow.session.add(house)
    await uow.session.flush()  # the house before its history (a foreign key)
    _log(uow, house, "report", None, {"source": source, **(codes or {})}, reported_on, actor)
    return house


def under_code(code: str, area: str) -> bool:
    return code == area or code.startswith(area + ".")


async def _refuse_second(uow: UnitOfWork, event_id: str, household: Household) -> None:
    same = col(DisasterHouse.household_ref) == household.household_ref
    if household.house_id is not None:
        same = same | (col(DisasterHouse.house_id) == household.house_id)
    query = select(DisasterHouse.id).where(DisasterHouse.event_id == event_id, same)
    first = (await uow.session.exec(query)).first()
    if first is not None:
        raise Conflict(
            f"This household's house is already reported in this disaster as {first}.",
            disaster_house_id=first,
        )


# --- the SK -------------------------------------------------------------------------------


async def set_sk(
    uow: UnitOfWork, principal: Principal, event: DisasterEvent, body: SkIn, today: date
) -> list[DisasterHouse]:
    """The SK Bupati, once per disaster (409 naming it otherwise), fixing every house assessed
    with a class by its date; houses still undetermined, or not assessed yet, wait (a later
    ``fix`` joins a house to it once its class is known). The event must be locked and within
    the caller's wilayah. Returns the houses fixed."""
    principal.require_wilayah(event.wilayah_code)
    if event.sk_number is not None:
        raise Conflict(
            f"Disaster {event.id} already has its SK Bupati, {event.sk_number}.",
            sk_number=event.sk_number,
        )
    not_in_future(body.sk_date, today, "body.sk_date", "The SK date")
    not_before(body.sk_date, event.occurred_on, "body.sk_date", "the disaster")
    check_planned_year(body.planned_year, body.sk_date)
    event.sk_number, event.sk_date, event.planned_year = (
        body.sk_number,
        body.sk_date,
        body.planned_year,
    )
    event.updated_by, event.updated_at = principal.subject, now()
    uow.session.add(event)
    query = (
        select(DisasterHouse)
        .where(
            DisasterHouse.event_id == event.id,
            DisasterHouse.status == "assessed",
            col(DisasterHouse.assessed_on) <= body.sk_date,
        )
        .order_by(col(DisasterHouse.id))
        .with_for_update()
    )
    houses = list((await uow.session.exec(query)).all())
    for house in houses:
        _fix(uow, principal, event, house)
    # Each fixed house is a unit of year t's denominator at its posyandu.
    await tallies.invalidate_many(
        uow.session, {h.posyandu_id for h in houses}, date(body.planned_year, 1, 1)
    )
    return houses


async def fix(
    uow: UnitOfWork, principal: Principal, event: DisasterEvent, house: DisasterHouse
) -> None:
    """Join a house assessed after the SK (or determined since) to the disaster's SK."""
    _may(house, "fix")
    if event.sk_number is None:
        raise Conflict(
            f"Disaster {event.id} has no SK Bupati yet: set it on the disaster first.",
            current_status=house.status,
            disaster_id=event.id,
        )
    _fix(uow, principal, event, house)
    assert event.planned_year is not None
    await tallies.invalidate(uow.session, house.posyandu_id, date(event.planned_year, 1, 1))


def _fix(uow: UnitOfWork, principal: Principal, event: DisasterEvent, house: DisasterHouse) -> None:
    assert event.sk_date is not None and house.assessed_on is not None and house.damage
    previous = _advance(house, "fix", principal.subject)
    house.planned_year = event.planned_year
    on = fixed_on(event.sk_date, house.assessed_on)
    codes = {"sk_number": event.sk_number, "planned_year": event.planned_year}
    _log(uow, house, "fix", previous, codes, on, principal.subject)
    uow.publish(_assessed(event, house, fixed=on), subject=house.id)


# --- steps --------------------------------------------------------------------------------


async def assess(
    uow: UnitOfWork,
    principal: Principal,
    event: DisasterEvent,
    house: DisasterHouse,
    body: AssessIn,
    today: date,
) -> None:
    """The damage class found; until the SK fixes it, a class may be assessed again."""
    action = assess_action(body.damage)
    _may(house, action)
    on = _step_date(body.assessed_on, today, house.reported_on, "body.assessed_on", "the report")
    previous = _advance(house, action, principal.subject)
    house.damage, house.assessed_on = body.damage, on
    _log(uow, house, action, previous, {"damage": body.damage}, on, principal.subject)
    uow.publish(_assessed(event, house, fixed=None), subject=house.id)


async def handle(
    uow: UnitOfWork,
    principal: Principal,
    event: DisasterEvent,
    house: DisasterHouse,
    body: HandleIn,
    today: date,
) -> None:
    """The form of help chosen, fitting the fixed class (422 naming the ones that fit)."""
    _may(house, "handle")
    assert event.sk_date is not None and house.assessed_on is not None and house.damage
    check_handling(house.damage, body.handling)
    fixed = fixed_on(event.sk_date, house.assessed_on)
    on = _step_date(body.started_on, today, fixed, "body.started_on", "the SK")
    previous = _advance(house, "handle", principal.subject)
    house.handling, house.handling_started_on = body.handling, on
    _log(uow, house, "handle", previous, {"handling": body.handling}, on, principal.subject)


async def complete(
    uow: UnitOfWork,
    principal: Principal,
    event: DisasterEvent,
    house: DisasterHouse,
    body: CompleteIn,
    today: date,
) -> None:
    """The handling is done: the aid joins the household's history (on the damaged house when
    it was repaired or rebuilt there; a new site or a rental is not that house), and the
    referral the house came from is resolved."""
    _may(house, "complete")
    on = _step_date(
        body.completed_on, today, house.handling_started_on, "body.completed_on", "the handling"
    )
    previous = _advance(house, "complete", principal.subject)
    house.completed_on = on
    # A unit of year t's numerator: its months from t's first (or from the completion) on.
    since = date(house.planned_year, 1, 1) if house.planned_year is not None else on
    await tallies.invalidate(uow.session, house.posyandu_id, min(since, on))
    codes = {"program": body.program, "amount": body.amount}
    _log(uow, house, "complete", previous, codes, on, principal.subject)
    assert house.household_ref is not None and house.handling and house.handling_started_on
    on_site = house.handling in ("rehabilitation", "rebuild")
    # The RTLH pipeline's assignment reads the aid history under these locks: it either sees
    # this aid or this waits for it to commit.
    names = [f"household:{house.household_ref}"]
    await lock_aid(uow.session, names + ([f"house:{house.house_id}"] if on_site else []))
    uow.session.add(
        HousingAid(
            id=new_id(),
            house_id=house.house_id if on_site else None,
            household_ref=house.household_ref,
            program=body.program,
            amount=body.amount,
            year=on.year,
            source="disaster",
            case_id=house.id,
            recorded_by=principal.subject,
            recorded_at=now(),
        )
    )
    uow.publish(
        DisasterHouseCompleted(
            **_about(event, house),
            planned_year=house.planned_year,
            handling=house.handling,
            handling_started_on=house.handling_started_on,
            completed_on=on,
        ),
        subject=house.id,
    )
    await intake.resolve(uow, house.id, "completed", on, principal.subject)


# --- shared -------------------------------------------------------------------------------


def _about(event: DisasterEvent, house: DisasterHouse) -> dict[str, Any]:
    assert house.damage is not None
    return {
        "disaster_house_id": house.id,
        "disaster_id": event.id,
        "disaster_kind": event.kind,
        "house_id": house.house_id,
        "household_ref": house.household_ref,
        "posyandu_id": house.posyandu_id,
        "desa_code": house.desa_code,
        "damage": house.damage,
    }


def _assessed(
    event: DisasterEvent, house: DisasterHouse, *, fixed: date | None
) -> DisasterHouseAssessed:
    assert house.assessed_on is not None
    return DisasterHouseAssessed(
        **_about(event, house),
        assessed_on=house.assessed_on,
        fixed=fixed is not None,
        fixed_on=fixed,
        planned_year=house.planned_year if fixed else None,
        sk_number=event.sk_number if fixed else None,
    )


def _may(house: DisasterHouse, action: DisasterAction) -> None:
    """A wrong step is refused before its body is judged: the 409 names the allowed ones."""
    DISASTER_HOUSE.step(house.status, action)  # type: ignore[arg-type]


def _advance(house: DisasterHouse, action: DisasterAction, actor: str) -> str:
    return advance(DISASTER_HOUSE, house, action, actor)


def _log(
    uow: UnitOfWork,
    house: DisasterHouse,
    action: str,
    previous: str | None,
    codes: dict[str, Any],
    on: date,
    actor: str,
) -> None:
    uow.session.add(house)
    row = step_row("disaster_house_id", house.id, action, previous, house.status, codes, on, actor)
    uow.session.add(DisasterHouseHistory(**row))


def _step_date(
    given: date | None, today: date, previous: date | None, field: str, what: str
) -> date:
    """A step's date: today when omitted, not in the future, not before the step it follows."""
    on = given or today
    not_in_future(on, today, field)
    not_before(on, previous, field, what)
    return on
