"""How the fault runs count: rows answered 2xx against rows stored, events on the topic against
rows, downstream effects against stunting episodes — "lost: N, duplicated effects: N"."""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench.common import (
    Ingest,
    connect,
)
from simpul_platform.testing.kafka_reader import read_envelopes
from simpul_platform.testing.stack import Stack

HEALTH_TOPIC = "simpul.health.v1"
DETECTED = "health.stunting.detected.v1"
MEASURED = "health.child.measured.v1"


@dataclass
class Counts:
    """The outcome of one fault run."""

    name: str
    acknowledged: int = 0
    rows: int = 0
    outbox_events: int = 0
    topic_records: int = 0
    topic_unique: int = 0
    episodes: int = 0
    cases: int = 0
    lost: dict[str, int] = field(default_factory=dict)
    duplicated: dict[str, int] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def lost_total(self) -> int:
        return sum(self.lost.values())

    @property
    def duplicated_total(self) -> int:
        return sum(self.duplicated.values())

    def line(self) -> str:
        return f"lost: {self.lost_total}, duplicated effects: {self.duplicated_total}"

    def print(self) -> None:
        print(f"-- fault {self.name}")
        print(
            f"  writes answered 2xx {self.acknowledged}, measurement rows {self.rows}, "
            f"outbox events {self.outbox_events}, on topic {self.topic_unique} unique "
            f"({self.topic_records} records), stunting episodes {self.episodes}, "
            f"priority cases {self.cases}"
        )
        for key, value in self.info.items():
            print(f"  {key}: {value}")
        if self.lost_total:
            print(f"  LOST {self.lost}")
        if self.duplicated_total:
            print(f"  DUPLICATED {self.duplicated}")
        print(f"  {self.line()}", flush=True)


# --------------------------------------------------------------------------- the count


async def wait_settled(stack: Stack, posyandu: list[str], timeout: float) -> None:
    """Until health's outbox rows of these posyandu are sent and social has decided every
    stunting episode health detected there."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        async with connect(stack.databases["health"]) as health:
            pending = await health.fetchval(
                "SELECT count(*) FROM outbox WHERE sent_at IS NULL AND event_key = ANY($1)",
                posyandu,
            )
            episodes = await health.fetchval(
                "SELECT count(*) FROM stunting_episodes WHERE posyandu_id = ANY($1)", posyandu
            )
        async with connect(stack.databases["social"]) as social:
            decided = await social.fetchval(
                "SELECT count(*) FROM stunting_reaction WHERE posyandu_id = ANY($1)", posyandu
            )
        if pending == 0 and decided >= episodes:
            return
        await asyncio.sleep(0.25)


async def count(
    stack: Stack, ingest: Ingest, name: str, posyandu: list[str], *, settle_s: float = 120.0
) -> Counts:
    """Compare what the client was told with what the databases and the topic hold, for the
    run's own posyandu (several runs can share one stack)."""
    began = time.monotonic()
    await wait_settled(stack, posyandu, settle_s)
    settled = time.monotonic() - began
    result = Counts(name, acknowledged=len(ingest.acknowledged))
    async with connect(stack.databases["health"]) as health:
        rows = {
            r[0]
            for r in await health.fetch(
                "SELECT id FROM measurements WHERE posyandu_id = ANY($1)", posyandu
            )
        }
        outbox = {
            r[0]
            for r in await health.fetch(
                "SELECT event_id FROM outbox WHERE event_key = ANY($1)", posyandu
            )
        }
        episodes = {
            r[0]
            for r in await health.fetch(
                "SELECT id FROM stunting_episodes WHERE posyandu_id = ANY($1)", posyandu
            )
        }
        everything = await health.fetchval("SELECT count(*) FROM outbox")
    result.rows, result.outbox_events, result.episodes = len(rows), len(outbox), len(episodes)
    result.lost["acknowledged writes missing from the database"] = len(ingest.acknowledged - rows)
    # A row nobody was told about is a write a client would make again.
    result.duplicated["rows never answered 2xx"] = len(rows - ingest.acknowledged)

    topic = stack.namespace + HEALTH_TOPIC
    # On a cluster that authenticates, read as its admin principal.
    kafka = stack.kafka.client_options() if stack.kafka else stack.bootstrap_servers
    envelopes = await read_envelopes(kafka, topic, expected=everything, timeout=30)
    if outbox - {e.id for e in envelopes}:  # redeliveries filled the count early: read again
        envelopes = await read_envelopes(
            kafka, topic, expected=len(envelopes) + everything, timeout=10
        )
    mine = [e for e in envelopes if e.posyandu_id in set(posyandu)]
    seen = {e.id: e for e in mine}
    result.topic_records, result.topic_unique = len(mine), len(seen)
    result.info["events published more than once (harmless: consumers dedupe)"] = len(mine) - len(
        seen
    )
    result.lost["outbox events missing from the topic"] = len(outbox - set(seen))
    measured = {e.data["measurement_id"] for e in seen.values() if e.type == MEASURED}
    result.lost["rows without a child.measured event"] = len(rows - measured)

    detections: dict[str, int] = {}
    for e in seen.values():
        if e.type == DETECTED:
            detections[e.data["episode_id"]] = detections.get(e.data["episode_id"], 0) + 1
    async with connect(stack.databases["social"]) as social:
        cases = {
            r[0]: r[1]
            for r in await social.fetch(
                "SELECT stunting_episode_id, count(*) FROM priority_case "
                "WHERE posyandu_id = ANY($1) GROUP BY 1",
                posyandu,
            )
        }
        reactions = {
            r[0]: r[1]
            for r in await social.fetch(
                "SELECT stunting_episode_id, detections FROM stunting_reaction "
                "WHERE posyandu_id = ANY($1)",
                posyandu,
            )
        }
    result.cases = sum(cases.values())
    result.lost["stunting episodes without a priority case"] = len(episodes - set(cases))
    result.duplicated["extra priority cases for an episode"] = sum(
        n - 1 for n in cases.values() if n > 1
    )
    result.duplicated["detections applied more than once"] = sum(
        max(0, n - detections.get(episode, 0)) for episode, n in reactions.items()
    )
    result.info["redeliveries skipped by social's inbox since its last start"] = await _inbox_skips(
        stack
    )
    result.info["settled / counted in (s)"] = f"{settled:.1f} / {time.monotonic() - began:.1f}"
    result.info["client retries / replayed answers / resent with a new key"] = (
        f"{ingest.attempts - ingest.requests} / {ingest.replayed} / {ingest.rekeyed}"
    )
    return result


async def _inbox_skips(stack: Stack) -> int | str:
    """social's own counter of redelivered events its inbox skipped (since its last start)."""
    try:
        async with httpx.AsyncClient(timeout=5) as client:
            text = (await client.get(f"{stack.url('social')}/metrics")).text
    except httpx.HTTPError:
        return "n/a"
    pattern = r'^simpul_events_consumed_total\{[^}]*consumer="social\.stunting-reaction"[^}]*'
    pattern += r'outcome="duplicate"[^}]*\}\s+([0-9.e+]+)'
    found = re.findall(pattern, text, re.MULTILINE)
    return int(sum(float(v) for v in found))
