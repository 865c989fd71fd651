"""A survey team's batch: up to 1,000 house surveys in one transaction, a result per item.

Every item is checked on its own with the rules of the single routes (``create_house``'s
coordinates and households, ``record_assessment``'s survey checks and classification); then a
handful of set-based statements read what the whole batch needs (the houses the items' KKs
live in, the houses named or found, locked, their posyandu from the replica, their surveys of
the items' dates, their households), one COPY per table writes the new houses, households and
surveys, and one UPDATE makes the new surveys the known houses' latest. An item that breaks a
rule gets an error result and writes nothing; the others are written. The events go out with
the caller's commit: ``housing.house.assessed.v1`` per survey recorded, as the single route
announces it.

What a batch does with an item:

- ``house_id``: the survey is recorded on that house (``assessed``); a house the caller cannot
  see is an error ``unknown_house`` (as the single route's 404);
- ``house`` (a new house, with at least one household): when none of its households' No. KK
  lives in a recorded house, the house, its households and the survey are written
  (``created``); when one does, that house is the item's (``assessed``): a batch sent again
  does not record the house twice. It must be at the item's posyandu (an error
  ``household_elsewhere`` otherwise: a batch does not move households), and a batch edits
  neither a known house's place nor its households;
- a house that already has this survey (the same date and every field the same) is
  ``unchanged``: nothing is written, the result names that survey. A batch sent again is
  therefore all ``unchanged``;
- one house twice in a batch (by id or by KK) is an error ``duplicate_in_batch`` from its
  second item on.

The latest survey by date gives a house its classification and occupants (of one date, the
later recorded), as ``record_assessment`` decides it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from functools import partial
from typing import Any

from sqlalchemy.engine import RowMapping

from simpul_housing.domain.classification import Classification, Thresholds, classify
from simpul_housing.domain.houses import check_coordinates, check_households
from simpul_housing.events import WASH_FIELDS, HouseAssessed
from simpul_housing.ops import survey_batch_store as store
from simpul_housing.ops.assessments import check, thresholds
from simpul_housing.ops.survey_batch_effects import after_batch
from simpul_housing.schemas.batch import (
    ItemStatus,
    SurveyBatchItem,
    SurveyBatchItemResult,
    SurveyBatchOut,
)
from simpul_housing.settings import HousingSettings
from simpul_platform.auth import Principal
from simpul_platform.batches.items import Batch, BatchItem, FirstItems, written
from simpul_platform.domain import RuleViolation
from simpul_platform.events import new_id
from simpul_platform.pseudonym import household_ref
from simpul_platform.uow import UnitOfWork

CONCURRENT = (
    "Another request recorded one of these households or surveys at the same moment; send the "
    "batch again (items already written are then unchanged)."
)
COUNTED: tuple[ItemStatus, ...] = ("created", "assessed", "unchanged")
# A survey's classification columns (dataclasses.asdict would deep-copy them: 8 µs an item).
VERDICT = tuple(f.name for f in fields(Classification))


@dataclass
class Item(BatchItem[SurveyBatchItem]):
    """An item that keeps the schema and the rules judged without the database."""

    survey: dict[str, Any]  # the survey's columns
    verdict: Classification
    refs: list[str]  # the new house's households' pseudonyms


@dataclass(kw_only=True)
class SurveyBatch(Batch[SurveyBatchItemResult]):
    result_type = SurveyBatchItemResult
    secret: str
    houses: list[dict[str, Any]] = field(default_factory=list)
    households: list[dict[str, Any]] = field(default_factory=list)
    assessments: list[dict[str, Any]] = field(default_factory=list)
    latest: list[dict[str, Any]] = field(default_factory=list)  # known houses' new latest
    taken: FirstItems[str] = field(default_factory=FirstItems)  # houses → the item that has it


async def record_batch(
    uow: UnitOfWork,
    principal: Principal,
    raw: Sequence[dict[str, Any]],
    *,
    settings: HousingSettings,
    today: date,
) -> SurveyBatchOut:
    """Stage a batch's houses and surveys; the caller commits. Results in item order."""
    batch = SurveyBatch(uow=uow, principal=principal, secret=settings.pseudonym_secret)
    judge = partial(check_item, batch.secret, FirstItems[str](), thresholds(settings), today)
    items = batch.checked(raw, SurveyBatchItem, judge)
    known = await store.read_known(
        uow.session,
        refs=[ref for item in items for ref in item.refs],
        house_ids={i.given.house_id for i in items if i.given.house_id is not None},
        posyandu_ids={i.given.house.posyandu_id for i in items if i.given.house is not None},
        days={item.given.survey.surveyed_on for item in items},
    )
    batch.take_each(items, partial(take_one, batch, known=known))
    await written(
        store.write(uow.session, batch.houses, batch.households, batch.assessments, batch.latest),
        CONCURRENT,  # a household or house written by a concurrent request
    )
    await after_batch(
        uow,
        houses=batch.houses,
        households=batch.households,
        assessments=batch.assessments,
        latest=batch.latest,
        known_houses=known.houses,
        known_living=known.living,
        rule_set=settings.rtlh_rule_set,
        recorded_on=batch.moment.date(),  # as create_house counts a house: by UTC day
        actor=batch.actor,
    )
    return batch.results.answer(SurveyBatchOut, COUNTED)


# --- checks without the database ------------------------------------------------------------


def check_item(
    secret: str,
    kks: FirstItems[str],
    rules: Thresholds,
    today: date,
    index: int,
    where: str,
    given: SurveyBatchItem,
) -> Item:
    """An item that keeps the single routes' rules, classified. A No. KK twice in one batch is
    an error from its second item on."""
    check_house(given, where)
    survey = check(given.survey, today, f"{where}.survey")
    numbers = [h.kk for h in given.house.households] if given.house else []
    for position, kk in enumerate(numbers):
        kks.check(
            kk,
            f"{where}.house.households[{position}].kk",
            "This No. KK is in item {item} of this batch already.",
        )
    refs = [household_ref(secret, kk) for kk in numbers]
    item = Item(index, where, given, given.survey.model_dump(), classify(survey, rules), refs)
    kks.take(numbers, index)
    return item


def check_house(given: SurveyBatchItem, where: str) -> None:
    """Either a house's id or a new house, with its coordinates and households as
    ``create_house`` checks them (and at least one household, the batch's way to know it)."""
    if (given.house_id is None) == (given.house is None):
        raise RuleViolation(
            f"{where}.house_id",
            "house_or_house_id",
            "Give house_id (a house already recorded) or house (a new one), not both.",
        )
    house = given.house
    if house is None:
        return
    if not house.households:
        raise RuleViolation(
            f"{where}.house.households",
            "household_required",
            "A batch knows a new house again by its households' No. KK: name at least one.",
        )
    try:
        check_coordinates(house.latitude, house.longitude)
        members = [h.members for h in house.households]
        check_households([h.kk for h in house.households], house.occupants, members)
    except RuleViolation as rule:  # its fields are the single route's body.*
        raise RuleViolation(
            f"{where}.house{rule.field.removeprefix('body')}", rule.rule, rule.message
        ) from rule


# --- one item -------------------------------------------------------------------------------


def take_one(batch: SurveyBatch, item: Item, *, known: store.Known) -> None:
    house = known_house(batch, item, known)
    if house is None:
        new_house(batch, item, known)
        return
    at = "house_id" if item.given.house_id is not None else "house.posyandu_id"
    batch.require_posyandu(known.posyandu, house["posyandu_id"], f"{item.where}.{at}")
    batch.taken.check(
        house["id"],
        f"{item.where}.house_id",
        f"House {house['id']} is item {{item}} of this batch already.",
    )
    batch.taken.take([house["id"]], item.index)
    same = [
        row
        for row in known.same_day.get((house["id"], item.given.survey.surveyed_on), [])
        if store.same_survey(row, item.survey)
    ]
    if same:
        batch.results.add(item.index, "unchanged", **result_fields(same[-1]))
        return
    row = survey_row(batch, item, house["id"])
    if house["assessed_on"] is None or item.given.survey.surveyed_on >= house["assessed_on"]:
        batch.latest.append(store.latest_of(row))
    announce(batch, row, house, known.living.get(house["id"], []))
    batch.results.add(item.index, "assessed", **result_fields(row))


def known_house(batch: SurveyBatch, item: Item, known: store.Known) -> RowMapping | None:
    """The recorded house the item is about: its ``house_id``'s, or the one a household of its
    new house lives in (None: a new house)."""
    if item.given.house_id is not None:
        house = known.houses.get(item.given.house_id)
        if house is None or not batch.can_see(house["desa_code"]):
            raise RuleViolation(
                f"{item.where}.house_id",
                "unknown_house",
                f"No house {item.given.house_id} in your wilayah.",
            )
        return house
    assert item.given.house is not None
    found = [
        (position, known.house_of_ref[ref])
        for position, ref in enumerate(item.refs)
        if ref in known.house_of_ref
    ]
    if not found:
        return None
    position, house_id = found[0]
    house = known.houses[house_id]
    where = f"{item.where}.house.households[{position}].kk"
    if not batch.can_see(house["desa_code"]):
        raise RuleViolation(
            where, "household_elsewhere", "This household lives in a house outside your wilayah."
        )
    others = {other for _, other in found if other != house_id}
    if others or house["posyandu_id"] != item.given.house.posyandu_id:
        raise RuleViolation(
            where,
            "household_elsewhere",
            f"This household lives in house {house_id} (posyandu {house['posyandu_id']}); a "
            "batch neither moves households nor joins houses.",
        )
    return house


def new_house(batch: SurveyBatch, item: Item, known: store.Known) -> None:
    """The house, its households and its first survey, as ``create_house`` and
    ``record_assessment`` write them."""
    given = item.given.house
    assert given is not None
    where = f"{item.where}.house.posyandu_id"
    posyandu = batch.require_posyandu(known.posyandu, given.posyandu_id, where)
    house_id = new_id()
    row = survey_row(batch, item, house_id)
    house = {
        "id": house_id,
        **given.model_dump(exclude={"households"}),
        "desa_code": posyandu["desa_code"],
        **store.latest_of(row),
        **batch.stamp("created"),
    }
    house.pop("house_id")
    batch.houses.append(house)
    for household, ref in zip(given.households, item.refs, strict=True):
        batch.households.append(
            {
                "id": new_id(),
                "house_id": house_id,
                "household_ref": ref,
                **household.model_dump(),
                **batch.stamp("recorded"),
            }
        )
    announce(batch, row, house, item.refs)
    batch.results.add(item.index, "created", **result_fields(row))


def survey_row(batch: SurveyBatch, item: Item, house_id: str) -> dict[str, Any]:
    """The survey as ``record_assessment`` writes it: its columns and its classification."""
    row = {
        "id": new_id(),
        "house_id": house_id,
        **item.survey,
        **{name: getattr(item.verdict, name) for name in VERDICT},
        **batch.stamp("recorded"),
    }
    batch.assessments.append(row)
    return row


def announce(
    batch: SurveyBatch, row: dict[str, Any], house: RowMapping | dict[str, Any], refs: list[str]
) -> None:
    """HouseAssessed as ``record_assessment`` publishes it, built as its JSON form (a second
    pydantic validation per item is most of a batch's event cost)."""
    data = {
        "assessment_id": row["id"],
        "house_id": row["house_id"],
        "household_refs": refs,
        "posyandu_id": house["posyandu_id"],
        "desa_code": house["desa_code"],
        "kind": row["kind"],
        "surveyed_on": row["surveyed_on"].isoformat(),
        "occupants": row["occupants"],
        "kawasan": list(row["kawasan"]),
        "rtlh_pupr": row["rtlh_pupr"],
        "failed_pupr": row["failed_pupr"],
        "rtlh_rutilahu": row["rtlh_rutilahu"],
        "failed_rutilahu": row["failed_rutilahu"],
        **{name: row[name] for name in WASH_FIELDS},
    }
    batch.uow.publish_data(HouseAssessed, data, subject=row["house_id"])


def result_fields(row: RowMapping | dict[str, Any]) -> dict[str, Any]:
    """What an item's result says of its survey: the house, the survey and its verdicts."""
    verdicts = {name: row[name] for name in ("rtlh_pupr", "rtlh_rutilahu")}
    failed = {name: list(row[name]) for name in ("failed_pupr", "failed_rutilahu")}
    return {"house_id": row["house_id"], "assessment_id": row["id"], **verdicts, **failed}
