"""What the births tests share: a mother with a pregnancy delivered on a given day, and
newborns at a given age, over the running health service."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import count
from typing import Any

from health_testkit import Health, nik

SERIALS = count(500)  # each woman her own NIK


def minute_ago(days: float) -> datetime:
    """An instant ``days`` ago, on a whole minute (so boundaries are exact to the second)."""
    return (datetime.now(UTC) - timedelta(days=days)).replace(second=0, microsecond=0)


async def pregnancy(
    health: Health, posyandu_id: str, on: date, headers: dict[str, str] | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A woman (her target) and her ongoing pregnancy, registered 30 days before ``on``."""
    born = date(1995, 5, 1)
    created = await health.client.post(
        "/v1/targets",
        json={
            "nik": nik(born, "F", next(SERIALS)),
            "name": "Ibu Sari",
            "sex": "F",
            "birth_date": born.isoformat(),
            "posyandu_id": posyandu_id,
        },
        headers=health.opd,  # any desa of the kabupaten
    )
    assert created.status_code == 201, created.text
    mother: dict[str, Any] = created.json()
    registered = on - timedelta(days=30)
    response = await health.client.post(
        "/v1/pregnancies",
        headers=headers or health.opd,
        json={
            "target_id": mother["id"],
            "registered_on": registered.isoformat(),
            "last_menstrual_period": (registered - timedelta(days=200)).isoformat(),
            "gravida": 1,
        },
    )
    assert response.status_code == 201, response.text
    return mother, response.json()


def delivery(
    on: date, place: str | None = "puskesmas", attendants: tuple[str, ...] = ("midwife",)
) -> dict[str, Any]:
    body: dict[str, Any] = {"delivered_on": on.isoformat(), "outcome": "live_birth"}
    if place is not None:
        body["delivery_place"] = place
    if attendants:
        body["delivery_attendants"] = list(attendants)
    return body


async def deliver(
    health: Health, posyandu_id: str, on: date, place: str, attendants: tuple[str, ...]
) -> dict[str, Any]:
    """A woman whose pregnancy was delivered on ``on`` at ``place`` with ``attendants``."""
    _, p = await pregnancy(health, posyandu_id, on)
    response = await health.client.post(
        f"/v1/pregnancies/{p['id']}/delivery",
        json=delivery(on, place, attendants),
        headers=health.opd,
    )
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


async def newborn(health: Health, posyandu_id: str, born_at: datetime) -> dict[str, Any]:
    """A newborn at the posyandu with no pregnancy recorded."""
    response = await health.client.post(
        "/v1/newborns",
        json={"posyandu_id": posyandu_id, "born_at": born_at.isoformat(), "sex": "F"},
        headers=health.opd,
    )
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


async def visit(health: Health, newborn_id: str, at: datetime) -> Any:
    return await health.client.post(
        f"/v1/newborns/{newborn_id}/neonatal-visits",
        json={"visited_at": at.isoformat()},
        headers=health.opd,
    )
