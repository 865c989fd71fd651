"""A field's stunting reaction on the platform's mechanism: the stunted household's row, each
detection decided once, one open referral per household; over SQLite, no broker."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import registry
from sqlmodel import SQLModel

from simpul_platform.consumer import Consumer, Subscription
from simpul_platform.db import Database
from simpul_platform.events import Envelope, TolerantPayload
from simpul_platform.outbox import outbox_table
from simpul_platform.referrals.tables import referral, referral_metadata
from simpul_platform.settings import ServiceSettings
from simpul_platform.stunting import (
    HouseholdDecisionColumns,
    HouseholdReaction,
    StuntedHouseholdColumns,
    recounted,
    refreshed,
)
from simpul_platform.testing import run_chunk

pytestmark = pytest.mark.unit
toy_registry = registry()
START = datetime(2026, 3, 2, 1, tzinfo=UTC)
DESA, OTHER_DESA = "64.02.06.2012", "64.02.06.2013"


class ToyModel(SQLModel, registry=toy_registry):
    pass


class ToyStunted(StuntedHouseholdColumns, ToyModel, table=True):
    __tablename__ = "stunted_household"


class ToyDecision(HouseholdDecisionColumns, ToyModel, table=True):
    __tablename__ = "toy_decision"

    rule_note: str | None = None


class Detected(TolerantPayload):
    event_type = "health.stunting.detected.v1"
    topic = "simpul.health.v1"

    episode_id: str
    person_ref: str
    household_ref: str | None = None
    posyandu_id: str
    desa_code: str
    measured_on: date


@dataclass(frozen=True)
class Known:
    """The toy field's record of a household: where its kader met it."""

    posyandu_id: str
    desa_code: str


KNOWN = {"hh-2": Known("pos-9", OTHER_DESA)}


class ToyReaction(HouseholdReaction[Detected, Known]):
    """Refers every household with a child found stunted, once while a referral is open."""

    field = "housing"
    actor = "system:toy"
    decisions = ToyDecision
    stunted = ToyStunted
    reasons = {"referred": "stunting_house_unsurveyed"}

    def __init__(self, settings: ServiceSettings) -> None:
        super().__init__(settings)
        self.recounted: list[tuple[list[str], date]] = []

    async def counts_changed(self, session: Any, posyandu: list[str], since: date) -> None:
        self.recounted.append((posyandu, since))

    async def find(self, session: Any, household_ref: str) -> Known | None:
        return KNOWN.get(household_ref)

    def rule(self, data: Detected, found: Known | None, referral_open: bool) -> str:
        if data.household_ref is None:
            return "no_household"
        return "already_open" if referral_open else "referred"

    def columns(self, found: Known | None) -> dict[str, Any]:
        return {"rule_note": None if found is None else found.posyandu_id}

    def details(self, decision: str, found: Known | None) -> dict[str, Any]:
        return {"house_known": "no" if found is None else "yes"}


def detection(minutes: int, household: str | None = "hh-1", **changes: Any) -> Envelope:
    data = {"episode_id": f"ep-{minutes}", "person_ref": "child-1", "household_ref": household}
    data |= {"posyandu_id": "pos-1", "desa_code": DESA, "measured_on": "2026-03-01"}
    return Envelope(
        id=str(uuid.uuid4()),
        type=Detected.event_type,
        source="/simpul/health",
        time=START + timedelta(minutes=minutes),
        data=data | changes,
        posyandu_id="pos-1",
    )


@pytest.fixture
async def database_url(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'field.db'}"
    db = Database(url)
    await db.create_all(toy_registry.metadata, referral_metadata)
    await db.dispose()
    return url


async def rows(url: str, query: Any) -> list[Any]:
    db = Database(url)
    try:
        async with db.sessions() as session:
            return list((await session.execute(query)).mappings())
    finally:
        await db.dispose()


def stunted(**values: Any) -> StuntedHouseholdColumns:
    row = {"household_ref": "hh-1", "posyandu_id": "pos-1", "desa_code": DESA}
    row |= {"first_detected_on": date(2026, 2, 1), "last_detected_on": date(2026, 3, 1)}
    return StuntedHouseholdColumns(**(row | {"last_event_id": "e-0"} | values))


def detected(posyandu: str, measured_on: date) -> Detected:
    return Detected(
        episode_id="ep",
        person_ref="child-1",
        household_ref="hh-1",
        posyandu_id=posyandu,
        desa_code=OTHER_DESA if posyandu != "pos-1" else DESA,
        measured_on=measured_on,
    )


def test_a_detection_recounts_its_posyandu_and_the_one_the_household_left() -> None:
    first = detected("pos-1", date(2026, 3, 5))
    assert recounted(None, first) == (["pos-1"], date(2026, 3, 5))
    assert recounted(stunted(), first) == (["pos-1"], date(2026, 2, 1))
    moved = detected("pos-2", date(2026, 1, 10))
    assert recounted(stunted(), moved) == (["pos-2", "pos-1"], date(2026, 1, 10))


def test_the_latest_detection_places_the_household_and_the_first_dates_it() -> None:
    fresh = refreshed(
        StuntedHouseholdColumns, None, "hh-1", detected("pos-1", date(2026, 3, 5)), "e-1"
    )
    assert (fresh.first_detected_on, fresh.last_detected_on) == (date(2026, 3, 5),) * 2
    late = refreshed(
        StuntedHouseholdColumns, stunted(), "hh-1", detected("pos-2", date(2026, 1, 10)), "e-2"
    )
    assert (late.posyandu_id, late.desa_code, late.last_event_id) == ("pos-1", DESA, "e-2")
    assert (late.first_detected_on, late.last_detected_on) == (date(2026, 1, 10), date(2026, 3, 1))
    moved = refreshed(
        StuntedHouseholdColumns, stunted(), "hh-1", detected("pos-2", date(2026, 3, 9)), "e-3"
    )
    assert (moved.posyandu_id, moved.desa_code) == ("pos-2", OTHER_DESA)
    assert (moved.first_detected_on, moved.last_detected_on) == (date(2026, 2, 1), date(2026, 3, 9))


async def test_each_detection_is_decided_once_and_a_household_referred_once(database_url):
    settings = ServiceSettings(service_name="housing", database_url=database_url)
    first, sibling, nobody = detection(0), detection(5), detection(10, household=None)
    known = detection(15, household="hh-2", measured_on="2026-02-20")
    reactions: list[ToyReaction] = []

    def consumer(name: str) -> Consumer:
        reactions.append(ToyReaction(settings))
        return Consumer(name, [Subscription(Detected, reactions[-1].on_detected)])

    await run_chunk(consumer("toy.stunting"), [first, sibling, nobody, known], database_url)
    # Past the inbox (another consumer, or its rows pruned): the decision rows hold.
    replayed = await run_chunk(consumer("toy.stunting-replay"), [first, nobody], database_url)

    assert replayed.handled == 2
    assert reactions[0].recounted == [
        (["pos-1"], date(2026, 3, 1)),
        (["pos-1"], date(2026, 3, 1)),
        (["pos-1"], date(2026, 2, 20)),
    ]
    assert reactions[1].recounted == []
    decided = [
        d["ToyDecision"]
        for d in await rows(database_url, select(ToyDecision).order_by(ToyDecision.decided_at))
    ]
    assert [(d.decision, d.rule_note) for d in decided] == [
        ("referred", None),
        ("already_open", None),
        ("no_household", None),
        ("referred", "pos-9"),
    ]
    opened = {r["household_ref"]: r for r in await rows(database_url, select(referral))}
    assert set(opened) == {"hh-1", "hh-2"}
    assert opened["hh-1"]["id"] == decided[0].referral_id
    assert (opened["hh-1"]["status"], opened["hh-1"]["case_ref"]) == ("accepted", decided[0].id)
    assert (opened["hh-1"]["person_ref"], opened["hh-1"]["posyandu_id"]) == (None, "pos-1")
    assert opened["hh-1"]["details"] == {"house_known": "no"}
    assert opened["hh-1"]["requested_on"] == decided[0].detected_on == date(2026, 3, 2)
    # A household the field knows is referred where its record is.
    assert (opened["hh-2"]["posyandu_id"], opened["hh-2"]["desa_code"]) == ("pos-9", OTHER_DESA)
    assert len(await rows(database_url, select(outbox_table))) == 2
    stunted = {
        r["ToyStunted"].household_ref: r["ToyStunted"]
        for r in await rows(database_url, select(ToyStunted))
    }
    assert stunted["hh-1"].last_event_id == sibling.id
    assert stunted["hh-2"].first_detected_on == date(2026, 2, 20)
