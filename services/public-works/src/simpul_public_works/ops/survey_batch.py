"""A survey team's batch: up to 1,000 household water and sanitation surveys in one
transaction, a result per item.

Every item is the single route's body (``SurveyIn``) and is judged with its rules
(``record_survey``: the date not in the future, the posyandu active and in the caller's
wilayah, the survey's own checks, the ladder with the posyandu's kelurahan); then a handful of
set-based statements read what the whole batch needs (the households of the items' No. KK by
pseudonym, locked; the posyandu from the replica; the households' surveys of the items'
dates), one COPY per table writes the new households and the surveys, and one UPDATE makes the
new surveys the known households' latest. An item that breaks a rule gets an error result and
writes nothing; the others are written. ``public_works.household.wash_assessed.v1`` goes out
per survey recorded with the caller's commit, and the effects every recorded survey has
(``ops.survey_effects.after_surveys``: the kept counts, the referrals answered) run once for
the batch.

What a batch does with an item:

- a No. KK not known: the household is recorded with this, its first survey (``created``);
- a No. KK known at the item's posyandu: the survey is recorded on it (``recorded``), and
  becomes its latest when its date is not before the latest's (of one date, the later
  recorded wins); a household known by pseudonym alone (from housing) gets its No. KK;
- a No. KK known at another posyandu: an error ``household_elsewhere`` (the single route's
  409; a batch does not move households);
- a household that already has this survey (the same date, every field the same) is
  ``unchanged``: nothing is written. A batch sent again is therefore all ``unchanged``;
- one No. KK twice in a batch is an error ``duplicate_in_batch`` from its second item on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import Any

from sqlalchemy.engine import RowMapping

from simpul_platform.auth import Principal
from simpul_platform.batches.items import Batch, BatchItem, FirstItems, written
from simpul_platform.domain import RuleViolation, not_in_future
from simpul_platform.events import new_id
from simpul_platform.pseudonym import household_ref
from simpul_platform.uow import UnitOfWork
from simpul_public_works.domain.ladder import Survey, Thresholds, check_survey, ladder
from simpul_public_works.events import HouseholdWashAssessed
from simpul_public_works.ops import survey_batch_store as store
from simpul_public_works.ops.survey_effects import RecordedSurvey, after_surveys
from simpul_public_works.ops.surveys import FIELDS, is_kelurahan, thresholds
from simpul_public_works.schemas.batches import ItemStatus, SurveyBatchItemResult, SurveyBatchOut
from simpul_public_works.schemas.surveys import SurveyIn
from simpul_public_works.settings import PublicWorksSettings

CONCURRENT = (
    "Another request recorded one of these households at the same moment; send the batch "
    "again (items already written are then unchanged)."
)
COUNTED: tuple[ItemStatus, ...] = ("created", "recorded", "unchanged")
# What an item's result and the effects take of its survey as written.
LEVELS = ("water_level", "sanitation_level", "basic_water", "wastewater_service")
RESULT_LEVELS = (*LEVELS, "water_rule", "sanitation_rule")


@dataclass
class Item(BatchItem[SurveyIn]):
    """An item that keeps the schema and the rules judged without the database."""

    ref: str


@dataclass(kw_only=True)
class SurveyBatch(Batch[SurveyBatchItemResult]):
    result_type = SurveyBatchItemResult
    rules: Thresholds
    households: list[dict[str, Any]] = field(default_factory=list)
    surveys: list[dict[str, Any]] = field(default_factory=list)
    latest: list[dict[str, Any]] = field(default_factory=list)  # known households' new latest
    recorded: list[RecordedSurvey] = field(default_factory=list)


async def record_batch(
    uow: UnitOfWork,
    principal: Principal,
    raw: Sequence[dict[str, Any]],
    *,
    settings: PublicWorksSettings,
    today: date,
) -> SurveyBatchOut:
    """Stage a batch's households and surveys; the caller commits. Results in item order."""
    batch = SurveyBatch(uow=uow, principal=principal, rules=thresholds(settings))
    judge = partial(check_item, settings.pseudonym_secret, FirstItems[str](), today)
    items = batch.checked(raw, SurveyIn, judge)
    known = await store.read_known(
        uow.session,
        refs=[item.ref for item in items],
        posyandu_ids={item.given.posyandu_id for item in items},
        days={item.given.surveyed_on for item in items},
    )
    batch.take_each(items, partial(take_one, batch, known=known))
    # A household written by a concurrent request is the 409.
    await written(
        store.write(uow.session, batch.households, batch.surveys, batch.latest), CONCURRENT
    )
    await after_surveys(uow, batch.recorded, today)
    return batch.results.answer(SurveyBatchOut, COUNTED)


def check_item(
    secret: str, kks: FirstItems[str], today: date, index: int, where: str, given: SurveyIn
) -> Item:
    """An item that keeps the date rule. A No. KK twice in one batch is an error from its
    second item on."""
    not_in_future(given.surveyed_on, today, f"{where}.surveyed_on", "The survey date")
    kks.check(given.kk, f"{where}.kk", "This No. KK is in item {item} of this batch already.")
    item = Item(index, where, given, household_ref(secret, given.kk))
    kks.take([given.kk], index)
    return item


def take_one(batch: SurveyBatch, item: Item, *, known: store.Known) -> None:
    given = item.given
    posyandu = batch.require_posyandu(
        known.posyandu, given.posyandu_id, f"{item.where}.posyandu_id"
    )
    columns = given.model_dump(exclude={"kk", "posyandu_id"})
    kelurahan = is_kelurahan(posyandu["desa_code"])
    survey = Survey(**{name: columns[name] for name in FIELDS}, kelurahan=kelurahan)
    check_survey(survey, item.where)
    household = known.households.get(item.ref)
    if household is not None and household["posyandu_id"] != given.posyandu_id:
        raise RuleViolation(
            f"{item.where}.kk",
            "household_elsewhere",
            f"This household is known at posyandu {household['posyandu_id']}.",
        )
    if household is not None:
        same = [
            row
            for row in known.same_day.get((household["id"], given.surveyed_on), [])
            if store.same_survey(row, columns)
        ]
        if same:
            batch.results.add(item.index, "unchanged", **result_fields(same[-1]))
            return
    household_id = household["id"] if household is not None else new_id()
    row = survey_row(batch, columns, household_id, survey)
    if household is None:
        new = new_household(batch, item, posyandu["desa_code"], row)
        settle(batch, item, row, new, latest=True, status="created")
        return
    latest = household["surveyed_on"] is None or given.surveyed_on >= household["surveyed_on"]
    if latest:
        batch.latest.append({**store.latest_of(row), "kk": given.kk})
    settle(batch, item, row, household, latest=latest, status="recorded")


def survey_row(
    batch: SurveyBatch, columns: dict[str, Any], household_id: str, survey: Survey
) -> dict[str, Any]:
    found = ladder(survey, batch.rules)
    row = {
        "id": new_id(),
        "household_id": household_id,
        "source": "kader",
        "source_ref": None,
        **columns,
        "water_level": found.water,
        "water_rule": found.water_rule,
        "sanitation_level": found.sanitation,
        "sanitation_rule": found.sanitation_rule,
        "basic_water": found.basic_water,
        "basic_water_failed": found.basic_water_rules,
        "wastewater_service": found.wastewater_service,
        **batch.stamp("recorded"),
    }
    batch.surveys.append(row)
    return row


def new_household(
    batch: SurveyBatch, item: Item, desa_code: str, row: dict[str, Any]
) -> dict[str, Any]:
    """The household as ``record_survey`` records it, its first survey its latest."""
    latest = store.latest_of(row)
    household = {
        "id": row["household_id"],
        "kk": item.given.kk,
        "household_ref": item.ref,
        "posyandu_id": item.given.posyandu_id,
        "desa_code": desa_code,
        **{name: latest[name] for name in store.LATEST},
        **batch.stamp("created", "updated"),
    }
    batch.households.append(household)
    return household


def settle(
    batch: SurveyBatch,
    item: Item,
    row: dict[str, Any],
    household: RowMapping | dict[str, Any],
    *,
    latest: bool,
    status: ItemStatus,
) -> None:
    """The item's event, its effects' record and its result."""
    announce(batch, row, household)
    batch.recorded.append(
        RecordedSurvey(
            survey_id=row["id"],
            household_id=row["household_id"],
            surveyed_on=row["surveyed_on"],
            latest=latest,
            **{name: household[name] for name in ("household_ref", "posyandu_id", "desa_code")},
            **{name: row[name] for name in LEVELS},
        )
    )
    batch.results.add(item.index, status, **result_fields(row))


def announce(
    batch: SurveyBatch, row: dict[str, Any], household: RowMapping | dict[str, Any]
) -> None:
    """HouseholdWashAssessed as ``record_survey`` publishes it, built as its JSON form (a second
    pydantic validation per item is most of a batch's event cost)."""
    data = {
        "survey_id": row["id"],
        "household_ref": household["household_ref"],
        "posyandu_id": household["posyandu_id"],
        "desa_code": household["desa_code"],
        "source": row["source"],
        "surveyed_on": row["surveyed_on"].isoformat(),
        "occupants": row["occupants"],
        "water_level": row["water_level"],
        "water_rule": row["water_rule"],
        "sanitation_level": row["sanitation_level"],
        "sanitation_rule": row["sanitation_rule"],
        "basic_water": row["basic_water"],
        "basic_water_failed": list(row["basic_water_failed"]),
        "wastewater_service": row["wastewater_service"],
    }
    batch.uow.publish_data(HouseholdWashAssessed, data, subject=row["household_id"])


def result_fields(row: RowMapping | dict[str, Any]) -> dict[str, Any]:
    """What an item's result says of its survey: the household, the survey and both ladders."""
    return {
        "household_id": row["household_id"],
        "survey_id": row["id"],
        **{name: row[name] for name in RESULT_LEVELS},
        "basic_water_failed": list(row["basic_water_failed"]),
    }
