"""Shortcuts the posyandu-day tests share: people by NIK, days, attendance, events on Kafka."""

from __future__ import annotations

from typing import Any

from registry_testkit import TENGGARONG_DESA, Registry
from sqlalchemy import text

from simpul_platform.events import Envelope
from simpul_platform.testing.kafka_reader import read_envelopes
from simpul_registry.events import TOPIC


def nik(seq: int, day: int = 17) -> str:
    """A man's NIK from Tenggarong, born 1985-08-``day``."""
    return f"640206{day:02d}0885{seq:04d}"


def pengurus(registry: Registry, desa: str = TENGGARONG_DESA) -> dict[str, str]:
    return registry.auth(["pengurus"], [desa], sub=f"pengurus-{desa}")


async def appoint(
    registry: Registry,
    posyandu_id: str,
    seq: int,
    *,
    role: str = "kader",
    field: str | None = "health",
    start: str = "2025-01-01",
    end: str | None = None,
) -> str:
    body = {
        "nik": nik(seq),
        "name": f"Kader Nomor {seq}",
        "role": role,
        "field": field,
        "start_date": start,
    }
    if end is not None:
        body["end_date"] = end
    response = await registry.client.post(
        f"/v1/posyandu/{posyandu_id}/people", json=body, headers=registry.dpmd
    )
    assert response.status_code == 201, response.text
    person_id: str = response.json()["id"]
    return person_id


async def record(
    registry: Registry,
    posyandu_id: str,
    day: str,
    *,
    held: bool = True,
    fields: list[str] | None = None,
    reason: str | None = None,
    headers: dict[str, str] | None = None,
) -> Any:
    body: dict[str, Any] = {
        "held": held,
        "fields": fields if fields is not None else (["health"] if held else []),
    }
    if reason is not None:
        body["reason"] = reason
    return await registry.client.put(
        f"/v1/posyandu/{posyandu_id}/days/{day}", json=body, headers=headers or registry.dpmd
    )


async def attend(
    registry: Registry,
    posyandu_id: str,
    day: str,
    items: list[dict[str, Any]],
    headers: dict[str, str] | None = None,
) -> Any:
    return await registry.client.put(
        f"/v1/posyandu/{posyandu_id}/days/{day}/attendance",
        json={"items": items},
        headers=headers or registry.dpmd,
    )


async def one_off(registry: Registry, posyandu_id: str, *days: str) -> None:
    body = {"one_off": [{"day": d} for d in days]}
    response = await registry.client.put(
        f"/v1/posyandu/{posyandu_id}/schedule", json=body, headers=registry.dpmd
    )
    assert response.status_code == 200, response.text


async def published(registry: Registry, bootstrap: str) -> list[Envelope]:
    """Every event the registry committed, as it arrived on Kafka."""
    async with registry.app.state.db.sessions() as session:
        count = (await session.execute(text("SELECT count(*) FROM outbox"))).scalar_one()
    events = await read_envelopes(bootstrap, registry.settings.topic(TOPIC), expected=count)
    assert len(events) == count
    return events
