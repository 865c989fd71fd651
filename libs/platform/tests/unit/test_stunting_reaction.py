"""A field's stunting reaction on the platform's mechanism: the stunted household's row, each
detection decided once, one open referral per household; over SQLite, no broker."""

from __future__ import annotations

import uuid
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
    Referral,
    StuntedHouseholdColumns,
    StuntingReaction,
    Verdict,
    record_stunted,
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


class ToyReaction(StuntingReaction[Detected]):
    """Refers every household with a child found stunted, once while a referral is open."""

    field = "housing"
    actor = "system:toy"
    decisions = ToyDecision

    async def judge(self, session: Any, data: Detected, event: Envelope) -> Verdict:
        if data.household_ref is None:
            return Verdict("no_household")
        await record_stunted(session, ToyStunted, data.household_ref, data, event.id)
        reasons = ("stunting_house_unsurveyed",)
        if await self.referral_open(session, reasons, household_ref=data.household_ref):
            return Verdict("already_open", columns={"rule_note": "open"})
        wanted = Referral(reasons[0], {"house_known": "no"})
        return Verdict("referred", wanted, {"rule_note": "new"})


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

    def consumer(name: str) -> Consumer:
        reaction = ToyReaction(settings)
        return Consumer(name, [Subscription(Detected, reaction.on_detected)])

    await run_chunk(consumer("toy.stunting"), [first, sibling, nobody], database_url)
    # Past the inbox (another consumer, or its rows pruned): the decision rows hold.
    replayed = await run_chunk(consumer("toy.stunting-replay"), [first, nobody], database_url)

    assert replayed.handled == 2
    decided = await rows(database_url, select(ToyDecision).order_by(ToyDecision.decided_at))
    decisions = [(d["ToyDecision"].decision, d["ToyDecision"].rule_note) for d in decided]
    assert decisions == [("referred", "new"), ("already_open", "open"), ("no_household", None)]
    [opened] = await rows(database_url, select(referral))
    referred = decided[0]["ToyDecision"]
    assert opened["id"] == referred.referral_id
    assert (opened["status"], opened["case_ref"]) == ("accepted", referred.id)
    assert (opened["person_ref"], opened["household_ref"]) == (None, "hh-1")
    assert (opened["posyandu_id"], opened["details"]) == ("pos-1", {"house_known": "no"})
    assert opened["requested_on"] == referred.detected_on == date(2026, 3, 2)
    assert len(await rows(database_url, select(outbox_table))) == 1
    [household] = await rows(database_url, select(ToyStunted))
    assert household["ToyStunted"].last_event_id == sibling.id
