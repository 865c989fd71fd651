"""Housing's stunting reaction applied a chunk at a time (``on_detected_batch``) writes exactly
what it writes one detection at a time, over the real PostgreSQL: the decisions, the stunted
households, the referrals with their steps and the outbox events, for a mixed chunk (one
household detected twice, a replayed event, a livable house, an unknown household, none); and
a chunk of detections waiting on Kafka goes through it."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import date
from typing import Any

import pytest
from housing_testkit import RAPAK_LAMBUR, Housing, Producers, start_housing
from sqlalchemy import select
from stunting_calls import detected, survey

from simpul_housing.consumers import STUNTING_RTLH_CONSUMER
from simpul_housing.events import StuntingDetected
from simpul_housing.models import StuntedHousehold, StuntingRtlhDecision
from simpul_housing.ops.stunting_rtlh import StuntingRtlh
from simpul_platform.consumer import Consumer, ConsumerRunner, Received, Subscription
from simpul_platform.db import Database
from simpul_platform.events import Envelope, new_id
from simpul_platform.testing.polling import eventually
from simpul_platform.testing.stunting_paths import both_paths, received

pytestmark = pytest.mark.integration
RTLH_KK, RLH_KK, UNSURVEYED_KK, UNKNOWN_KK = (
    "6402061234560001",
    "6402061234560002",
    "6402061234560003",
    "6402069999990009",
)


def detection(housing: Housing, kk: str | None, posyandu_id: str) -> tuple[Any, Envelope]:
    view = StuntingDetected(
        episode_id=new_id(),
        person_ref=new_id(),
        household_ref=None if kk is None else housing.household_ref(kk),
        posyandu_id=posyandu_id,
        desa_code=RAPAK_LAMBUR,
        measured_on=date.today(),
    )
    return received(view)


async def test_a_mixed_chunk_decides_the_same_in_bulk_as_one_by_one(housing: Housing) -> None:
    posyandu_id = await housing.known_posyandu()
    rtlh = await housing.house(posyandu_id, kks=(RTLH_KK,))
    await survey(housing, rtlh["id"], floor_area_m2=20.0)  # 4 m² a person: RTLH
    livable = await housing.house(posyandu_id, kks=(RLH_KK,))
    await survey(housing, livable["id"])
    await housing.house(posyandu_id, kks=(UNSURVEYED_KK,))
    replayed = detection(housing, UNSURVEYED_KK, posyandu_id)
    kks = (RTLH_KK, UNKNOWN_KK, RTLH_KK, RLH_KK, None, UNSURVEYED_KK, UNKNOWN_KK)
    run = [detection(housing, kk, posyandu_id) for kk in kks]
    run.insert(3, replayed)
    reaction = StuntingRtlh(housing.settings)
    stunted = StuntedHousehold.__table__
    one_by_one, batch = await both_paths(
        housing.app.state.db, reaction, run, decided_before=[replayed], stunted=stunted
    )
    assert batch == one_by_one
    by_event = {row["event_id"]: row["decision"] for row in batch["decisions"]}
    assert [by_event[event.id] for _, event in run] == [
        "referred_rtlh",
        "referred_unknown",
        "referral_open",
        "referred_unsurveyed",  # the replayed event: decided before, once
        "house_rlh",
        "no_household",
        "referral_open",
        "referral_open",
    ]
    assert len(batch["referrals"]) == 3 and len(batch["outbox"]) == 3
    assert len(batch["stunted"]) == 4  # the one without a household is not kept


async def test_detections_waiting_on_kafka_are_decided_as_a_batch(
    make_settings: Any, postgres_url: str, producers: Producers
) -> None:
    async with start_housing(make_settings, postgres_url, producers) as housing:
        posyandu_id = await housing.known_posyandu()
        rtlh = await housing.house(posyandu_id, kks=(RTLH_KK,))
        await survey(housing, rtlh["id"], floor_area_m2=20.0)
    # Housing is down: the detections wait on the topic and are polled as one chunk.
    sent = [await detected(housing, kk, posyandu_id) for kk in (RTLH_KK, UNKNOWN_KK, RTLH_KK, None)]
    reaction = StuntingRtlh(housing.settings)
    runs: list[int] = []

    async def batch(session: Any, run: Sequence[Received[StuntingDetected]]) -> None:
        runs.append(len(run))
        await reaction.on_detected_batch(session, run)

    subscription = Subscription(StuntingDetected, reaction.on_detected, batch)
    db = Database(housing.settings.database_url)
    runner = ConsumerRunner(Consumer(STUNTING_RTLH_CONSUMER, [subscription]), db, housing.settings)
    task = asyncio.create_task(runner.run())

    async def handled() -> bool:
        return runner.handled >= 4

    try:
        await eventually(handled)
        async with db.sessions() as session:
            query = select(StuntingRtlhDecision.event_id, StuntingRtlhDecision.decision)
            found = {event_id: decision for event_id, decision in await session.execute(query)}
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await db.dispose()
    assert runs and sum(runs) == 4  # not one by one
    assert [found[event.id] for event in sent] == [
        "referred_rtlh",
        "referred_unknown",
        "referral_open",
        "no_household",
    ]
