"""Calls the end-to-end tests share."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any, TypeVar

import httpx
from aiokafka import AIOKafkaProducer

from simpul_platform.testing import polling
from simpul_platform.testing.kafka_reader import connection_options
from simpul_platform.testing.kafka_reader import find_record as records_matching

T = TypeVar("T")


async def post_created(
    client: httpx.AsyncClient, url: str, body: dict[str, Any], headers: dict[str, str]
) -> dict[str, Any]:
    """A write right after the registry's 201: the field service confirms a posyandu its
    replica has not heard of yet with the registry, so there is nothing to wait for."""
    response = await client.post(url, json=body, headers=headers)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def child_nik(birth: date, sex: str, serial: int) -> str:
    """A NIK of Tenggarong for a child born on ``birth`` (a girl's day plus 40)."""
    day = birth.day + (40 if sex == "F" else 0)
    return f"640206{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"


async def child_in_household(
    client: httpx.AsyncClient,
    urls: tuple[str, str],
    headers: tuple[dict[str, str], dict[str, str]],
    *,
    posyandu: str,
    kk: str,
    decile: int,
    nik: str,
    serial: int,
    sex: str,
    birth: date,
    height_cm: float,
    measured_on: date,
) -> dict[str, Any]:
    """A household of ``decile`` in social and its child in health, measured once (10.5 kg,
    standing, ``height_cm``): what the views' stunting × poverty seeds are made of.
    ``urls`` and ``headers`` are social's then health's."""
    (social, health), (opd_social, opd_health) = urls, headers
    household = {
        "kk": kk,
        "posyandu_id": posyandu,
        "address": "Jl. Mawar",
        "members": [],
        "decile": {"decile": decile, "source": "DTSEN", "assessed_on": "2026-01-15"},
    }
    await post_created(client, f"{social}/v1/households", household, opd_social)
    child = {
        "nik": nik,
        "kk": kk,
        "name": f"Anak {serial}",
        "sex": sex,
        "birth_date": birth.isoformat(),
        "posyandu_id": posyandu,
    }
    target = await post_created(client, f"{health}/v1/targets", child, opd_health)
    measured = await client.post(
        f"{health}/v1/posyandu/{posyandu}/measurements",
        headers=opd_health,
        json={
            "target_id": target["id"],
            "measured_on": measured_on.isoformat(),
            "weight_kg": 10.5,
            "height_cm": height_cm,
            "measure_position": "standing",
        },
    )
    assert measured.status_code == 201, measured.text
    return target


async def eventually(check: Callable[[], Awaitable[T | None]], timeout: float = 60.0) -> T:
    """The platform's ``eventually`` with the longer wait real processes on a busy runner need."""
    return await polling.eventually(check, timeout, interval=0.2)


async def find_record(
    bootstrap: str, topic: str, ce_type: str, referral_id: str, timeout: float = 30.0
) -> Any:
    """The record of ``topic`` of type ``ce_type`` about ``referral_id``, exactly as it was
    published (key, value and headers, ce_id included), read from the beginning."""

    def about(record: Any) -> bool:
        if dict(record.headers).get("ce_type") != ce_type.encode():
            return False
        return bool(json.loads(record.value).get("referral_id") == referral_id)

    return await records_matching(bootstrap, topic, about, timeout=timeout)


async def redeliver(bootstrap: str, topic: str, record: Any, times: int = 1) -> None:
    """Send ``record`` again, byte for byte (same key, value and headers, so the same ce_id),
    as a producer retrying after a lost acknowledgement would."""
    producer = AIOKafkaProducer(**connection_options(bootstrap))
    await producer.start()
    try:
        for _ in range(times):
            await producer.send_and_wait(
                topic, record.value, key=record.key, headers=list(record.headers)
            )
    finally:
        await producer.stop()


_CONSUMED = re.compile(r"^simpul_events_consumed_total\{([^}]*)\}\s+(\S+)$", re.MULTILINE)


async def consumer_progress(
    client: httpx.AsyncClient, url: str, consumer: str
) -> tuple[int | None, dict[str, int]]:
    """A service's consumer as it reports itself: its lag (``/readyz``; None until it has
    fetched) and how many records it handled, skipped as duplicates or ignored since the
    process started (``/metrics``)."""
    ready = (await client.get(f"{url}/readyz")).json()
    lag = ready.get("consumers", {}).get(consumer, {}).get("lag")
    outcomes: dict[str, int] = {}
    for labels, value in _CONSUMED.findall((await client.get(f"{url}/metrics")).text):
        named = dict(re.findall(r'(\w+)="([^"]*)"', labels))
        if named.get("consumer") == consumer:
            outcomes[named["outcome"]] = outcomes.get(named["outcome"], 0) + int(float(value))
    return lag, outcomes
