"""A disaster's affected households in bulk: up to 1,000 in one transaction, a result per item
(the platform's ``batches``).

Each item is a household by No. KK at a posyandu, with its house's damage, whether it was
displaced and its school-age children. It is judged on its own (schema; a No. KK twice in the
batch is ``duplicate_in_batch`` from its second item on), then against what a handful of
set-based reads found: the posyandu active and in the caller's wilayah, at one of the desa the
disaster struck (``outside_disaster_area``), the household not recorded for this disaster
already (``duplicate_household``). One COPY writes the households that passed.

The disaster is locked for the batch, so two batches of one disaster decide one after the
other. What the batch recorded goes out as one ``DisasterAssessed`` carrying those households
by pseudonym (housing and social open their cases from it, once per household); the displaced
households' school-age children are referred to education (``disaster_children``); the kept
counts of the households' posyandu are dropped from the assessment day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import Any

from sqlalchemy import Table, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.auth import Principal
from simpul_platform.batches import rows as batch_rows
from simpul_platform.batches.items import Batch, BatchItem, FirstItems, written
from simpul_platform.domain import RuleViolation, not_in_future
from simpul_platform.errors import Conflict
from simpul_platform.events import new_id
from simpul_platform.pseudonym import household_ref
from simpul_platform.uow import UnitOfWork
from simpul_trantib.domain.disaster import HOUSEHOLDS_OPEN, check_step_date
from simpul_trantib.models import Disaster, DisasterHousehold
from simpul_trantib.ops import disaster_children, tallies
from simpul_trantib.ops.disasters import assessed_event
from simpul_trantib.schemas.disaster import HouseholdBatchOut, HouseholdIn, HouseholdItemResult
from simpul_trantib.settings import TrantibSettings

H: Table = DisasterHousehold.__table__  # type: ignore[attr-defined]
CONCURRENT = (
    "Another request recorded one of these households for this disaster at the same moment; "
    "send the batch again (those already recorded are then refused as duplicates)."
)
COUNTED = ("recorded",)
EVENT_FIELDS = ("household_ref", "posyandu_id", "desa_code", "damage", "displaced", "members")


@dataclass
class Item(BatchItem[HouseholdIn]):
    ref: str


@dataclass(kw_only=True)
class HouseholdBatch(Batch[HouseholdItemResult]):
    result_type = HouseholdItemResult
    disaster: Disaster
    assessed_on: date
    rows: list[dict[str, Any]] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)  # the recorded ones, with their rows


async def record_batch(
    uow: UnitOfWork,
    principal: Principal,
    disaster: Disaster,
    raw: Sequence[dict[str, Any]],
    *,
    assessed_on: date | None,
    settings: TrantibSettings,
    today: date,
) -> HouseholdBatchOut:
    """Stage the batch's households (the disaster locked by the caller); the caller commits."""
    if disaster.status not in HOUSEHOLDS_OPEN:
        raise Conflict(
            f"Disaster {disaster.id} is {disaster.status}: its households are final.",
            current_status=disaster.status,
        )
    on = assessed_on or today
    check_step_date(on, today, disaster.occurred_on, "body.assessed_on")
    batch = HouseholdBatch(uow=uow, principal=principal, disaster=disaster, assessed_on=on)
    judge = partial(check_item, settings.pseudonym_secret, FirstItems[str](), today)
    items = batch.checked(raw, HouseholdIn, judge)
    posyandu = await batch_rows.posyandu_rows(uow.session, {i.given.posyandu_id for i in items})
    recorded = await recorded_refs(uow.session, disaster.id, [i.ref for i in items])
    batch.take_each(items, partial(take_one, batch, posyandu=posyandu, recorded=recorded))
    await written(batch_rows.insert_rows(uow.session, H, batch.rows), CONCURRENT)
    ids = [row["id"] for row in batch.rows]
    referred = await disaster_children.refer(
        uow, principal, settings, disaster, batch.items, ids, on
    )
    for item, household_id in zip(batch.items, ids, strict=True):
        batch.results.add(
            item.index,
            "recorded",
            household_id=household_id,
            household_ref=item.ref,
            children_referred=referred.get(household_id, 0),
        )
    await _effects(batch)
    answer = batch.results.answer(HouseholdBatchOut, COUNTED)
    answer.children_referred = sum(referred.values())
    return answer


def check_item(
    secret: str, kks: FirstItems[str], today: date, index: int, where: str, given: HouseholdIn
) -> Item:
    """The rules an item keeps without the database: its children born by today, each named
    once; its No. KK not in an earlier item."""
    niks: set[str] = set()
    for n, child in enumerate(given.school_age_children):
        at = f"{where}.school_age_children[{n}]"
        not_in_future(child.birth_date, today, f"{at}.birth_date", "The birth date")
        if child.nik in niks:
            raise RuleViolation(f"{at}.nik", "duplicate_child", "This NIK is named twice.")
        niks.add(child.nik)
    kks.check(given.kk, f"{where}.kk", "This No. KK is in item {item} of this batch already.")
    kks.take([given.kk], index)
    return Item(index, where, given, household_ref(secret, given.kk))


async def recorded_refs(session: AsyncSession, disaster_id: str, refs: list[str]) -> set[str]:
    """Which of ``refs`` the disaster has recorded already."""
    if not refs:
        return set()
    query = select(H.c.household_ref).where(
        H.c.disaster_id == disaster_id, H.c.household_ref.in_(refs)
    )
    return set((await session.execute(query)).scalars())


def take_one(
    batch: HouseholdBatch,
    item: Item,
    *,
    posyandu: dict[str, Any],
    recorded: set[str],
) -> None:
    given = item.given
    row = batch.require_posyandu(posyandu, given.posyandu_id, f"{item.where}.posyandu_id")
    desa = row["desa_code"]
    if desa not in batch.disaster.affected_desa:
        raise RuleViolation(
            f"{item.where}.posyandu_id",
            "outside_disaster_area",
            f"Posyandu {given.posyandu_id} is in desa {desa}, not one the disaster struck.",
        )
    if item.ref in recorded:
        raise RuleViolation(
            f"{item.where}.kk",
            "duplicate_household",
            "This household is recorded for this disaster already.",
        )
    batch.rows.append(
        {
            "id": new_id(),
            "disaster_id": batch.disaster.id,
            "kk": given.kk,
            "household_ref": item.ref,
            "posyandu_id": given.posyandu_id,
            "desa_code": desa,
            "damage": given.damage,
            "displaced": given.displaced,
            "members": given.members,
            "evacuated": given.evacuated,
            "assessed_on": batch.assessed_on,
            **batch.stamp("created"),
        }
    )
    batch.items.append(item)


async def _effects(batch: HouseholdBatch) -> None:
    """The kept counts of the households' posyandu, and the one event of the batch."""
    if not batch.rows:
        return
    posyandu = {row["posyandu_id"] for row in batch.rows}
    await tallies.invalidate_many(batch.uow.session, posyandu, batch.assessed_on)
    households = [{name: row[name] for name in EVENT_FIELDS} for row in batch.rows]
    event = assessed_event(batch.disaster, batch.assessed_on, households)
    batch.uow.publish(event, subject=batch.disaster.id)
