"""The first cross-sector flow on real processes: a measurement in health → stunting detected
on Kafka → one priority case in social, even when the event is delivered twice and social
restarts in between."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from e2e_calls import eventually, post_created

from simpul_platform.auth import mint_token
from simpul_platform.settings import ServiceSettings
from simpul_platform.testing.kafka_reader import connection_options, read_topic
from simpul_platform.testing.stack import TEST_JWT_SECRET, TEST_PSEUDONYM_SECRET, Stack

pytestmark = pytest.mark.e2e

DESA = "64.02.06.2012"
TODAY = date.today()
TOKENS = ServiceSettings(
    environment="test", jwt_secret=TEST_JWT_SECRET, pseudonym_secret=TEST_PSEUDONYM_SECRET
)


def bearer(role: str, sub: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(TOKENS, sub, [role], ['64.02'])}"}


async def priority_cases(client: httpx.AsyncClient, stack: Stack) -> list[dict[str, Any]]:
    response = await client.get(
        f"{stack.url('social')}/v1/priority-cases", headers=bearer("opd:social", "dinsos")
    )
    assert response.status_code == 200, response.text
    body = response.json()
    return list(body["items"] if isinstance(body, dict) else body)


async def test_one_priority_case_per_episode_despite_redelivery_and_restart(start_stack):
    stack = start_stack("registry", "health", "social")
    async with httpx.AsyncClient(timeout=30) as client:
        created = await client.post(
            f"{stack.url('registry')}/v1/posyandu",
            headers=bearer("dpmd", "dpmd"),
            json={"name": "Posyandu Kenanga", "desa_code": DESA, "fields": ["health", "social"]},
        )
        assert created.status_code == 201, created.text
        posyandu_id = created.json()["id"]
        kk, birth = "6402060101200077", TODAY - timedelta(days=740)
        await post_created(
            client,
            f"{stack.url('social')}/v1/households",
            {
                "kk": kk,
                "posyandu_id": posyandu_id,
                "address": "Jl. Kenanga",
                "members": [],
                "decile": {"decile": 1, "source": "DTSEN", "assessed_on": "2026-01-15"},
            },
            bearer("opd:social", "dinsos"),
        )
        child = await post_created(
            client,
            f"{stack.url('health')}/v1/targets",
            {
                "nik": f"640206{birth.day:02d}{birth.month:02d}{birth.year % 100:02d}0077",
                "kk": kk,
                "name": "Anak",
                "sex": "M",
                "birth_date": birth.isoformat(),
                "posyandu_id": posyandu_id,
            },
            bearer("opd:health", "dinkes"),
        )
        measured = await client.post(
            f"{stack.url('health')}/v1/posyandu/{posyandu_id}/measurements",
            headers=bearer("opd:health", "dinkes"),
            json={
                "target_id": child["id"],
                "measured_on": TODAY.isoformat(),
                "weight_kg": 9.8,
                "height_cm": 77.5,
                "measure_position": "standing",
            },
        )
        assert measured.status_code == 201 and measured.json()["height_for_age"] in (
            "stunted",
            "severely_stunted",
        )

        async def one_case() -> list[dict[str, Any]]:
            return await priority_cases(client, stack)

        first = await eventually(one_case)
        assert len(first) == 1

        # The detection exactly as health published it: same ce_id, same key, same bytes.
        topic = f"{stack.namespace}simpul.health.v1"
        records = await read_topic(stack.bootstrap_servers, topic, expected=2)
        detection = next(
            r for r in records if dict(r.headers)["ce_type"] == b"health.stunting.detected.v1"
        )

        stack.processes["social"].stop()
        producer = AIOKafkaProducer(**connection_options(stack.bootstrap_servers))
        await producer.start()
        try:
            for _ in range(2):  # delivered again, twice, while social is down
                await producer.send_and_wait(
                    topic, detection.value, key=detection.key, headers=list(detection.headers)
                )
        finally:
            await producer.stop()
        stack.restart("social")

        async def caught_up() -> bool:
            ready = await client.get(f"{stack.url('social')}/readyz")
            consumers = ready.json().get("consumers", {})
            return consumers.get("social.stunting-reaction", {}).get("lag") == 0

        await eventually(caught_up)
        after = await priority_cases(client, stack)
    assert len(after) == 1 and after[0]["id"] == first[0]["id"]
