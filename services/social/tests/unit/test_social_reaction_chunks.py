"""Social's stunting reaction on chunks of health's events, over SQLite and no broker
(``run_chunk``): the decisions, the inbox's dedup, the batch path and a poison record."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from simpul_platform.consumer import Consumer, Subscription
from simpul_platform.db import Database
from simpul_platform.events import Envelope
from simpul_platform.outbox import outbox_table
from simpul_platform.referrals.tables import referral, referral_metadata
from simpul_platform.replica import replica_metadata
from simpul_platform.testing import run_chunk
from simpul_social.consumers import STUNTING_CONSUMER, stunting_reaction
from simpul_social.events import StuntingDetected, StuntingRecovered
from simpul_social.models import Household, PriorityCase, StuntingLead, StuntingReaction, metadata
from simpul_social.ops.stunting_consumer import StuntingReactor
from simpul_social.settings import SocialSettings

pytestmark = pytest.mark.unit
POSYANDU = "pos-1"
DESA = "64.02.06.2012"
DECILES = {"hh-poor": 2, "hh-poor-2": 3, "hh-better-off": 7, "hh-unassessed": None}


def detected(episode: str, household: str | None, **changes: Any) -> Envelope:
    data = {
        "episode_id": episode,
        "person_ref": f"child-{episode}",
        "household_ref": household,
        "posyandu_id": POSYANDU,
        "desa_code": DESA,
        "measurement_id": f"m-{episode}",
        "measured_on": date.today().isoformat(),
        "age_days": 700,
        "sex": "F",
        "haz": -2.4,
        "severity": "stunted",
        "escalated": False,
    }
    return envelope(StuntingDetected.event_type, data | changes)


def recovered(episode: str) -> Envelope:
    data = {"episode_id": episode, "person_ref": f"child-{episode}", "household_ref": None}
    data |= {"posyandu_id": POSYANDU, "desa_code": DESA, "measurement_id": f"r-{episode}"}
    data |= {"measured_on": date.today().isoformat(), "haz": -1.8}
    return envelope(StuntingRecovered.event_type, data)


def envelope(event_type: str, data: dict[str, Any]) -> Envelope:
    return Envelope(
        id=str(uuid.uuid4()),
        type=event_type,
        source="/simpul/health",
        time=datetime.now(UTC),
        data=data,
        posyandu_id=POSYANDU,
        wilayah=DESA,
    )


async def social_database(path: Path) -> SocialSettings:
    """A SQLite social database holding the households of ``DECILES``; its settings."""
    url = f"sqlite+aiosqlite:///{path}"
    db = Database(url)
    await db.create_all(metadata, replica_metadata, referral_metadata)
    moment = datetime.now(UTC)
    async with db.transaction() as session:
        for i, (ref, decile) in enumerate(DECILES.items()):
            session.add(
                Household(
                    id=f"h-{i}",
                    kk=f"640206{i:010d}",
                    household_ref=ref,
                    posyandu_id=POSYANDU,
                    desa_code=DESA,
                    address="Jl. Mawar",
                    decile=decile,
                    created_by="test",
                    created_at=moment,
                    updated_by="test",
                    updated_at=moment,
                )
            )
    await db.dispose()
    return SocialSettings(database_url=url)


async def written(settings: SocialSettings) -> dict[str, Any]:
    """The reaction's rows by episode, and the events it published."""
    db = Database(settings.database_url)
    try:
        async with db.sessions() as session:
            cases = (await session.execute(select(PriorityCase))).scalars().all()
            leads = (await session.execute(select(StuntingLead))).scalars().all()
            reactions = (await session.execute(select(StuntingReaction))).scalars().all()
            events = (await session.execute(select(outbox_table.c.event_type))).scalars().all()
            referrals = (await session.execute(select(referral))).mappings().all()
    finally:
        await db.dispose()
    episode_of = {c.id: c.stunting_episode_id for c in cases}
    return {
        "referrals": {
            episode_of[r["case_ref"]]: (r["source_field"], r["reason_code"], r["status"])
            for r in referrals
        },
        "cases": {c.stunting_episode_id: (c.severity, c.recovery_measurement_id) for c in cases},
        "leads": {lead.stunting_episode_id: lead.reason for lead in leads},
        "decisions": {r.stunting_episode_id: (r.decision, r.detections) for r in reactions},
        "events": sorted(events),
    }


async def test_a_chunk_decides_each_episode_once(tmp_path: Path) -> None:
    settings = await social_database(tmp_path / "social.db")
    first = detected("ep-1", "hh-poor")
    chunk = [
        first,
        detected("ep-2", "hh-better-off"),
        detected("ep-3", "hh-unknown"),
        detected("ep-4", "hh-unassessed"),
        first,  # the same event again: skipped by the inbox
        detected("ep-1", "hh-poor", severity="severely_stunted", escalated=True),
        recovered("ep-1"),
    ]

    result = await run_chunk(stunting_reaction(settings), chunk, settings.database_url)

    assert (result.handled, result.duplicates, result.dead_lettered) == (6, 1, 0)
    assert await written(settings) == {
        "cases": {"ep-1": ("severely_stunted", "r-ep-1")},
        "leads": {"ep-3": "household_unknown", "ep-4": "decile_unknown"},
        "decisions": {
            "ep-1": ("case_opened", 2),
            "ep-2": ("not_priority_decile", 1),
            "ep-3": ("unmatched", 1),
            "ep-4": ("unmatched", 1),
        },
        "events": ["social.priority_case.opened.v1", "social.referral.accepted.v1"],
        # Every case answers a referral its rule opened and accepted: counted as referrals are.
        "referrals": {"ep-1": ("health", "stunting_detected", "accepted")},
    }
    again = await run_chunk(stunting_reaction(settings), chunk, settings.database_url)
    assert (again.handled, again.duplicates) == (0, 7)


async def test_the_batch_path_writes_what_record_by_record_does(tmp_path: Path) -> None:
    chunk = [detected(f"ep-{i}", ref) for i, ref in enumerate([*DECILES, "hh-unknown", None])]
    chunk.insert(2, detected("ep-0", "hh-poor", severity="severely_stunted", escalated=True))
    batched = await social_database(tmp_path / "batched.db")
    one_by_one = await social_database(tmp_path / "one-by-one.db")
    reactor = StuntingReactor(one_by_one)
    per_record = Consumer(STUNTING_CONSUMER, [Subscription(StuntingDetected, reactor.on_detected)])

    await run_chunk(stunting_reaction(batched), chunk, batched.database_url)
    await run_chunk(per_record, chunk, one_by_one.database_url)

    expected = await written(one_by_one)
    assert await written(batched) == expected
    assert set(expected["cases"]) == {"ep-0", "ep-1"}


async def test_a_detection_that_does_not_fit_is_dead_lettered_alone(tmp_path: Path) -> None:
    settings = await social_database(tmp_path / "social.db")
    unfit = detected("ep-bad", "hh-poor-2", desa_code="not-a-desa")
    chunk = [detected("ep-1", "hh-poor"), unfit, detected("ep-2", "hh-poor-2")]

    result = await run_chunk(stunting_reaction(settings), chunk, settings.database_url)

    assert (result.handled, result.dead_lettered) == (2, 1)
    assert [letter.event_id for letter in result.dead_letters] == [unfit.id]
    assert set((await written(settings))["cases"]) == {"ep-1", "ep-2"}
    db = Database(settings.database_url)
    async with db.sessions() as session:
        query = select(outbox_table.c.data).where(
            outbox_table.c.event_type == "social.priority_case.opened.v1"
        )
        opened = (await session.execute(query)).scalars().all()
    await db.dispose()
    assert sorted(json.loads(data)["stunting_episode_id"] for data in opened) == ["ep-1", "ep-2"]
