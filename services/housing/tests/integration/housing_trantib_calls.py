"""Calls the trantib damage tests share: a fire's and a disaster assessment's events sent as
trantib publishes them (the fields housing does not read included), and what housing made of
them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from housing_testkit import Housing
from sqlalchemy import select

from simpul_housing.consumers import TRANTIB_DAMAGE_CONSUMER
from simpul_housing.events import DisasterAssessed, FireAttended
from simpul_housing.models import DisasterEvent, DisasterHouse, DisasterHouseHistory
from simpul_platform.consumer import ConsumerRunner
from simpul_platform.events import Envelope
from simpul_platform.testing.peers import Peer

Damaged = tuple[str, str, str, str]  # household_ref, posyandu_id, desa_code, damage


def households(damaged: list[Damaged]) -> list[dict[str, Any]]:
    return [
        {
            "household_ref": ref,
            "posyandu_id": posyandu_id,
            "desa_code": desa,
            "damage": damage,
            "displaced": damage in ("rb", "hilang"),
            "members": 4,
        }
        for ref, posyandu_id, desa, damage in damaged
    ]


async def fire(
    trantib: Peer, incident_id: str, posyandu_id: str, desa: str, damaged: list[Damaged]
) -> Envelope:
    """``trantib.fire.attended.v1`` as trantib publishes it."""
    data: dict[str, Any] = {
        "incident_id": incident_id,
        "posyandu_id": posyandu_id,
        "desa_code": desa,
        "object_kind": "rumah",
        "cause": "listrik",
        "occurred_on": "2026-03-02",
        "report_received_at": "2026-03-02T13:05:00+08:00",
        "arrived_at": "2026-03-02T13:17:30+08:00",
        "extinguished_at": "2026-03-02T14:02:00+08:00",
        "response_seconds": 750,
        "response_met": True,
        "fire_post_id": None,
        "inside_wmk": True,
        "casualties": {"direct_injured": 0, "direct_dead": 0, "affected_trauma": 2},
        "loss_rupiah": 150000000,
        "damaged_households": households(damaged),
    }
    return await trantib.send(FireAttended.model_validate(data), extra=data)


async def assessed(
    trantib: Peer,
    disaster_id: str,
    damaged: list[Damaged],
    *,
    kind: str = "banjir_bandang",
    area: str = "64.02.06",
    on: str = "2026-02-10",
) -> Envelope:
    """``trantib.disaster.assessed.v1`` as trantib publishes it (one part of an assessment),
    keyed by the disaster."""
    data: dict[str, Any] = {
        "disaster_id": disaster_id,
        "kind": kind,
        "name": "Banjir Bandang Tenggarong Februari 2026",
        "occurred_on": "2026-02-08",
        "wilayah_code": area,
        "assessed_on": on,
        "counts": {"dead": 0, "missing": 0, "injured": 1, "displaced": 10, "affected": 40},
        "houses": {"rr": 1, "rs": 1, "rb": 1},
        "facilities": {},
        "households": households(damaged),
    }
    view = DisasterAssessed.model_validate(data)
    return await trantib.send(view, posyandu_id=disaster_id, wilayah=area, extra=data)


def runner(housing: Housing) -> ConsumerRunner:
    runners: list[ConsumerRunner] = housing.app.state.runners
    return next(r for r in runners if r.consumer.name == TRANTIB_DAMAGE_CONSUMER)


async def houses(housing: Housing) -> list[tuple[DisasterHouse, DisasterEvent]]:
    """Every disaster house with its disaster, by the disaster's trantib id and household."""
    query = (
        select(DisasterHouse, DisasterEvent)
        .join(DisasterEvent, DisasterEvent.id == DisasterHouse.event_id)  # type: ignore[arg-type]
        .order_by(DisasterEvent.source_event_id, DisasterHouse.household_ref)
    )
    async with housing.app.state.db.sessions() as session:
        return [(h, e) for h, e in (await session.execute(query)).all()]


def opened(housing: Housing, count: int) -> Callable[[], Any]:
    async def check() -> list[tuple[DisasterHouse, DisasterEvent]] | None:
        found = await houses(housing)
        return found if len(found) >= count else None

    return check


async def steps(housing: Housing) -> list[tuple[str, str, str | None, str, date]]:
    """Every disaster house step as (house, action, from, to, on), in order."""
    query = select(DisasterHouseHistory).order_by(DisasterHouseHistory.id)  # type: ignore[arg-type]
    async with housing.app.state.db.sessions() as session:
        rows = [h for (h,) in (await session.execute(query)).all()]
    return [(h.disaster_house_id, h.action, h.from_status, h.to_status, h.step_on) for h in rows]


async def by_source(
    housing: Housing, ids: list[str], headers: dict[str, str]
) -> list[dict[str, Any]]:
    response = await housing.client.get(
        "/v1/disaster-houses/by-source", params={"source_event_id": ids}, headers=headers
    )
    assert response.status_code == 200, response.text
    body: list[dict[str, Any]] = response.json()
    return body
