"""A disaster's victims reach housing and social exactly once, on real processes: registry,
housing, social and trantib as uvicorn processes on the real broker and PostgreSQL.

BPBD records a flood's households in two batches. Housing and social are restarted right after
the first (their consumers stop wherever they were); the second batch names one household of
the first again, which trantib itself refuses. Then one of trantib's assessments already
consumed is published again twice: byte for byte (the same event id: a relay retrying after a
lost acknowledgement; the inbox skips it) and as a new event with the same households (a
replay past the inbox; the cases' keys skip it). Each damaged household then has exactly one
disaster house at housing, and each household named exactly one protection case at social.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from e2e_calls import eventually, post_created, redeliver
from referral_calls import duplicates, skipped

from simpul_platform.auth import mint_token
from simpul_platform.clock import local_today
from simpul_platform.events import Envelope, new_id
from simpul_platform.pseudonym import household_ref
from simpul_platform.settings import ServiceSettings
from simpul_platform.testing.kafka_reader import connection_options, read_topic
from simpul_platform.testing.stack import TEST_JWT_SECRET, TEST_PSEUDONYM_SECRET, Stack
from simpul_trantib.events import TOPIC, DisasterAssessed

pytestmark = pytest.mark.e2e

RAPAK_LAMBUR = "64.02.06.2012"
TOKENS = ServiceSettings(
    environment="test", jwt_secret=TEST_JWT_SECRET, pseudonym_secret=TEST_PSEUDONYM_SECRET
)
DPMD = {"Authorization": f"Bearer {mint_token(TOKENS, 'dpmd-kukar', ['dpmd'], ['64.02'])}"}
BPBD = {"Authorization": f"Bearer {mint_token(TOKENS, 'bpbd', ['opd:trantib:bpbd'], ['64.02'])}"}
HOUSING_CONSUMER, SOCIAL_CONSUMER = "housing.trantib-damage", "social.disaster-protection"
DAMAGED = {"rr", "rs", "rb", "hilang"}
# (serial of the No. KK, damage, displaced): the first batch, then the second.
FIRST = [
    (1, "rb", True),
    (2, "rs", False),
    (3, "rr", False),
    (4, "hilang", True),
    (5, "none", False),
]
SECOND = [(6, "rb", True), (7, "rs", True), (8, "none", False), (9, "rr", False)]
REPEATED = (3, "rb", True)  # a household of the first batch, named again


def kk(serial: int) -> str:
    return f"64020601014000{serial:02d}"


def ref(serial: int) -> str:
    return household_ref(TEST_PSEUDONYM_SECRET, kk(serial))


def items(posyandu: str, rows: list[tuple[int, str, bool]]) -> list[dict[str, Any]]:
    return [
        {"kk": kk(n), "posyandu_id": posyandu, "damage": d, "displaced": out, "members": 4}
        for n, d, out in rows
    ]


async def record(client: httpx.AsyncClient, url: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    answer = await client.post(url, json={"items": rows}, headers=BPBD)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def cases(client: httpx.AsyncClient, url: str, disaster: str) -> Counter[str]:
    """How many cases each household has for the disaster, by pseudonym."""
    answer = await client.get(url, params={"source_event_id": disaster}, headers=DPMD)
    assert answer.status_code == 200, answer.text
    return Counter(row["household_ref"] for row in answer.json())


async def replay(stack: Stack, disaster: str) -> None:
    """The disaster's first assessment on trantib's topic, published again: as a new event
    (another id, the same households), then byte for byte (the same id), behind it on the
    disaster's partition."""
    topic = f"{stack.namespace}{TOPIC}"
    records = await read_topic(stack.bootstrap_servers, topic, expected=3)  # declared, 2 assessed
    first = next(
        r
        for r in records
        if dict(r.headers).get("ce_type") == DisasterAssessed.event_type.encode()
        and Envelope.from_kafka(r.key, r.value, list(r.headers)).data["disaster_id"] == disaster
    )
    envelope = Envelope.from_kafka(first.key, first.value, list(first.headers))
    _, value, headers = dataclasses.replace(envelope, id=new_id()).to_kafka()
    producer = AIOKafkaProducer(**connection_options(stack.bootstrap_servers))
    await producer.start()
    try:
        await producer.send_and_wait(topic, value, key=first.key, headers=headers)
    finally:
        await producer.stop()
    await redeliver(stack.bootstrap_servers, topic, first)


async def test_a_disasters_victims_become_cases_exactly_once(
    start_stack: Callable[..., Stack],
) -> None:
    stack = start_stack("registry", "housing", "social", "trantib")
    housing = f"{stack.url('housing')}/v1/disaster-houses/by-source"
    social = f"{stack.url('social')}/v1/disaster-protection/by-source"
    async with httpx.AsyncClient(timeout=30) as client:
        posyandu = (
            await post_created(
                client,
                f"{stack.url('registry')}/v1/posyandu",
                {
                    "name": "Posyandu Mawar",
                    "desa_code": RAPAK_LAMBUR,
                    "fields": ["trantib", "housing", "social"],
                },
                DPMD,
            )
        )["id"]
        declared = {
            "kind": "banjir",
            "name": "Banjir Rapak Lambur",
            "occurred_on": local_today(TOKENS).isoformat(),
            "affected_desa": [RAPAK_LAMBUR],
        }
        disaster = str(
            (await post_created(client, f"{stack.url('trantib')}/v1/disasters", declared, BPBD))[
                "id"
            ]
        )
        households = f"{stack.url('trantib')}/v1/disasters/{disaster}/households"

        assert (await record(client, households, items(posyandu, FIRST)))["recorded"] == 5
        # Both consumers stop wherever they were in the first assessment, and start again.
        await asyncio.to_thread(stack.restart, "housing")
        await asyncio.to_thread(stack.restart, "social")
        second = await record(client, households, items(posyandu, [*SECOND, REPEATED]))
        assert (second["recorded"], second["errors"]) == (4, 1)
        refused = second["results"][-1]
        assert [e["rule"] for e in refused["errors"]] == ["duplicate_household"], refused

        everyone = [n for n, _, _ in FIRST + SECOND]
        damaged = [n for n, d, _ in FIRST + SECOND if d in DAMAGED]

        async def all_opened() -> bool | None:
            houses, protection = (
                await cases(client, housing, disaster),
                await cases(client, social, disaster),
            )
            done = set(houses) == {ref(n) for n in damaged}
            return True if done and set(protection) == {ref(n) for n in everyone} else None

        await eventually(all_opened)
        seen = {
            name: await duplicates(client, stack, name, consumer)
            for name, consumer in (("housing", HOUSING_CONSUMER), ("social", SOCIAL_CONSUMER))
        }
        await replay(stack, disaster)
        await skipped(client, stack, "housing", HOUSING_CONSUMER, seen["housing"] + 1)
        await skipped(client, stack, "social", SOCIAL_CONSUMER, seen["social"] + 1)

        houses = await cases(client, housing, disaster)
        protection = await cases(client, social, disaster)
    assert houses == Counter({ref(n): 1 for n in damaged})
    assert protection == Counter({ref(n): 1 for n in everyone})
