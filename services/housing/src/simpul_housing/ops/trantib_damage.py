"""The ``housing.trantib-damage`` consumer's handler: trantib's damaged houses become disaster
houses (SPM perumahan 1's cases), each household once per disaster.

A fire (``trantib.fire.attended.v1``, once per incident) or a disaster's assessment
(``trantib.disaster.assessed.v1``, several per disaster, each naming the households that step
recorded) finds or creates housing's disaster event by its trantib id
(``disaster_events.event_from_source``), then, for each household whose house was damaged or
lost (``domain.trantib_damage``), opens the house as ``disaster.open_disaster_house`` does and
takes its next step at once: assessed with trantib's class, announced as
``housing.disaster_house.assessed.v1``. Set-based: one read of the households' recorded houses,
one of the disaster's houses already opened, one multi-row INSERT each for the houses, their
steps and their events (an assessment of 1,000 households is a handful of statements).

Exactly once: the consumer's inbox skips a redelivered event; past it (a replay, a restart
mid-way, a household named again in a later assessment of the same disaster), a household or
a house the disaster already has is skipped, as the report route would refuse it with a 409;
the disaster's row, locked when found, makes two events of one disaster apply one after the
other, and a concurrent first sighting is refused by its unique id and applied again.

Where: trantib's posyandu and desa of the household, as housing's other consumers take an
event's place (trantib checked them against its own replica of the registry; housing's may not
have heard of a new posyandu yet, and a consumer cannot ask the registry on a caller's
behalf). When housing records the household in a house in that desa, the damaged house is that
house, at its posyandu. A household outside the area the disaster struck is logged and skipped
(a fire's area is the smallest holding its desa and its houses').

No kept count changes: SPM 1 counts houses the SK planned for a year and those completed
(``ops.tallies``), and a reported or assessed house is neither until the SK fixes it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Table, insert, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_housing.domain.disaster import DISASTER_HOUSE, assess_action
from simpul_housing.domain.trantib_damage import (
    FIRE,
    disaster_name,
    fire_name,
    housing_kind,
    is_damaged,
    smallest_area,
    within,
)
from simpul_housing.events import (
    DamagedHousehold,
    DisasterAssessed,
    DisasterHouseAssessed,
    FireAttended,
)
from simpul_housing.models import DisasterEvent, DisasterHouse, DisasterHouseHistory, House
from simpul_housing.models import HouseHousehold as Living
from simpul_housing.ops.disaster_events import event_from_source
from simpul_housing.ops.disaster_household import Household
from simpul_housing.schemas.disaster import DisasterIn
from simpul_housing.settings import HousingSettings
from simpul_platform.clock import now
from simpul_platform.db import bulk_insert
from simpul_platform.events import Envelope, new_id
from simpul_platform.outbox import Outbox
from simpul_platform.steps import step_row
from simpul_platform.uow import UnitOfWork

SOURCE = "trantib"
ACTOR = "system:trantib-damage"
HOUSES: Table = DisasterHouse.__table__  # type: ignore[attr-defined]
STEPS: Table = DisasterHouseHistory.__table__  # type: ignore[attr-defined]
REPORTED = DISASTER_HOUSE.next(None, "report")
logger = logging.getLogger("simpul.housing.trantib_damage")


@dataclass(frozen=True)
class Struck:
    """One trantib event as housing's disaster: trantib's id of it, what housing records of
    it, the day its houses were reported and assessed, and the damaged households."""

    source_event_id: str
    disaster: DisasterIn
    assessed_on: date
    households: Sequence[DamagedHousehold]


def from_fire(view: FireAttended) -> Struck:
    damaged = [h for h in view.damaged_households if is_damaged(h.damage)]
    area = smallest_area(view.desa_code, [h.desa_code for h in damaged])
    name = fire_name(view.object_kind, view.desa_code, view.occurred_on.isoformat())
    disaster = DisasterIn(kind=FIRE, name=name, occurred_on=view.occurred_on, wilayah_code=area)
    return Struck(view.incident_id, disaster, view.occurred_on, damaged)


def from_disaster(view: DisasterAssessed) -> Struck:
    disaster = DisasterIn(
        kind=housing_kind(view.kind),
        name=disaster_name(view.name),
        occurred_on=view.occurred_on,
        wilayah_code=view.wilayah_code,
    )
    damaged = [h for h in view.households if is_damaged(h.damage)]
    return Struck(view.disaster_id, disaster, view.assessed_on, damaged)


class TrantibDamage:
    """The handlers of the ``housing.trantib-damage`` consumer (consumers.py)."""

    def __init__(self, settings: HousingSettings) -> None:
        self.outbox = Outbox(settings)

    async def on_fire(self, session: AsyncSession, view: FireAttended, event: Envelope) -> None:
        await self.record(session, from_fire(view))

    async def on_disaster(
        self, session: AsyncSession, view: DisasterAssessed, event: Envelope
    ) -> None:
        await self.record(session, from_disaster(view))

    async def record(self, session: AsyncSession, struck: Struck) -> int:
        """Open and assess the damaged houses the disaster does not have yet; how many."""
        if not struck.households:
            return 0  # no house damaged: nothing for housing (not even the disaster)
        uow = UnitOfWork(session, self.outbox)  # the lookup stages its row; nothing commits
        disaster = await event_from_source(
            uow,
            struck.disaster,
            source=SOURCE,
            source_event_id=struck.source_event_id,
            actor=ACTOR,
        )
        await session.flush()  # a first sighting's row before its houses (a foreign key)
        fresh = await _new_households(session, disaster, struck.households)
        if not fresh:
            return 0
        on = max(struck.assessed_on, disaster.occurred_on)  # not before the disaster
        moment = now()
        rows = [_house_row(disaster, household, damage, on, moment) for household, damage in fresh]
        await bulk_insert(session, HOUSES, rows)
        # A plain INSERT: COPY cannot take the JSON codes as the driver passes them.
        await session.execute(insert(STEPS), [s for row in rows for s in _steps(row, moment)])
        topic = DisasterHouseAssessed.topic
        envelope = self.outbox.envelope
        events = [(topic, envelope(_assessed(disaster, r), subject=r["id"])) for r in rows]
        await self.outbox.add_many(session, events)
        return len(rows)


async def _new_households(
    session: AsyncSession, disaster: DisasterEvent, households: Sequence[DamagedHousehold]
) -> list[tuple[Household, str]]:
    """The households (with their damage class) to open: in the area struck, each household
    and each recorded house once, none the disaster already has."""
    refs = sorted({h.household_ref for h in households})
    recorded = await _recorded_houses(session, refs)
    house_ids = sorted({house.id for house in recorded.values()})
    same: ColumnElement[bool] = col(DisasterHouse.household_ref).in_(refs)
    if house_ids:
        same = or_(same, col(DisasterHouse.house_id).in_(house_ids))
    query = select(DisasterHouse.household_ref, DisasterHouse.house_id).where(
        DisasterHouse.event_id == disaster.id, same
    )
    opened = (await session.exec(query)).all()
    seen_refs = {ref for ref, _ in opened if ref is not None}
    seen_houses = {house for _, house in opened if house is not None}
    fresh: list[tuple[Household, str]] = []
    outside = 0
    for damaged in households:
        if damaged.household_ref in seen_refs:
            continue
        if not within(damaged.desa_code, disaster.wilayah_code):
            outside += 1
            continue
        household = _placed(damaged, recorded.get(damaged.household_ref))
        if household.house_id is not None and household.house_id in seen_houses:
            continue  # another household of that house opened it
        seen_refs.add(household.household_ref)
        if household.house_id is not None:
            seen_houses.add(household.house_id)
        fresh.append((household, damaged.damage))
    if outside:
        logger.warning(
            "%d damaged households of disaster %s lie outside the area it struck (%s): skipped",
            outside,
            disaster.id,
            disaster.wilayah_code,
        )
    return fresh


async def _recorded_houses(session: AsyncSession, refs: list[str]) -> dict[str, House]:
    """The house each household lives in now, of those housing records."""
    query = (
        select(Living.household_ref, House)
        .join(House, col(Living.house_id) == col(House.id))
        .where(col(Living.household_ref).in_(refs), col(Living.moved_out_on).is_(None))
    )
    return {ref: house for ref, house in (await session.exec(query)).all()}


def _placed(damaged: DamagedHousehold, house: House | None) -> Household:
    """The household at its recorded house when that stands in the desa trantib found it in
    (the damaged house is that one), else at trantib's posyandu with no house."""
    if house is not None and house.desa_code == damaged.desa_code:
        return Household(damaged.household_ref, house.posyandu_id, house.desa_code, house.id)
    return Household(damaged.household_ref, damaged.posyandu_id, damaged.desa_code, None)


def _house_row(
    disaster: DisasterEvent, household: Household, damage: str, on: date, moment: datetime
) -> dict[str, Any]:
    return {
        "id": new_id(),
        "event_id": disaster.id,
        "house_id": household.house_id,
        "household_ref": household.household_ref,
        "posyandu_id": household.posyandu_id,
        "desa_code": household.desa_code,
        "status": DISASTER_HOUSE.next(REPORTED, assess_action(damage)),  # type: ignore[arg-type]
        "source": SOURCE,
        "referral_id": None,
        "reported_on": on,
        "damage": damage,
        "assessed_on": on,
        "planned_year": None,
        "handling": None,
        "handling_started_on": None,
        "completed_on": None,
        "created_by": ACTOR,
        "created_at": moment,
        "updated_by": ACTOR,
        "updated_at": moment,
    }


def _steps(row: dict[str, Any], moment: datetime) -> list[dict[str, Any]]:
    """The report and the assessment, as the routes log them."""
    key, on = "disaster_house_id", row["reported_on"]
    report = step_row(key, row["id"], "report", None, REPORTED, {"source": SOURCE}, on, ACTOR)
    codes = {"damage": row["damage"]}
    action = assess_action(row["damage"])
    assess = step_row(key, row["id"], action, REPORTED, row["status"], codes, on, ACTOR)
    return [report | {"at": moment}, assess | {"at": moment}]


def _assessed(disaster: DisasterEvent, row: dict[str, Any]) -> DisasterHouseAssessed:
    return DisasterHouseAssessed(
        disaster_house_id=row["id"],
        disaster_id=disaster.id,
        disaster_kind=disaster.kind,
        house_id=row["house_id"],
        household_ref=row["household_ref"],
        posyandu_id=row["posyandu_id"],
        desa_code=row["desa_code"],
        damage=row["damage"],
        assessed_on=row["assessed_on"],
        fixed=False,
        fixed_on=None,
        planned_year=None,
        sk_number=None,
    )
