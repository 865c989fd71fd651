"""What the programme tests share: people registered by the Dinas Kesehatan (any posyandu in
Kukar), the programmes' writes, and reading a problem's field and rule."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
from health_testkit import Health, nik

from simpul_platform.events import new_id


async def person(health: Health, pid: str, birth: date, sex: str, serial: int) -> str:
    body = {
        "nik": nik(birth, sex, serial),
        "name": f"Warga {serial}",
        "sex": sex,
        "birth_date": birth.isoformat(),
        "posyandu_id": pid,
    }
    response = await health.client.post("/v1/targets", json=body, headers=health.opd)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def post(health: Health, url: str, body: dict[str, Any], status: int = 201) -> Any:
    response = await health.client.post(url, json=jsonable(body), headers=health.opd)
    assert response.status_code == status, response.text
    return response.json()


def jsonable(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in body.items()}


def refused(response: httpx.Response) -> tuple[str, str]:
    """The (field, rule) of a 422."""
    assert response.status_code == 422, response.text
    error = response.json()["errors"][0]
    return error["field"], error["rule"]


async def odgj(
    health: Health, target: str, registered: date, services: list[tuple[date, bool]]
) -> str:
    """A case with its services (day, to standard), as the Dinas Kesehatan records them."""
    case = await post(
        health,
        "/v1/mental-health/cases",
        {"target_id": target, "diagnosis": "F20.0", "registered_on": registered},
    )
    for day, standard in services:
        await post(
            health,
            f"/v1/mental-health/cases/{case['id']}/services",
            {"served_on": day, "mental_status_exam": True, "adherence_education": standard},
        )
    return str(case["id"])


async def pregnancy(health: Health, target: str, registered: date) -> None:
    lmp = registered - timedelta(days=60)
    await post(
        health,
        "/v1/pregnancies",
        {
            "target_id": target,
            "registered_on": registered,
            "last_menstrual_period": lmp,
            "gravida": 1,
        },
    )


def unknown_id() -> str:
    return new_id()
