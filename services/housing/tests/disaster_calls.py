"""Shortcuts the disaster and relocation tests share: a disaster over Tenggarong, its houses
reported and stepped, a relocation programme and its households, and problem bodies read."""

from __future__ import annotations

from typing import Any

import httpx
from housing_testkit import TENGGARONG, Housing

DISASTERS = "/v1/disasters"
HOUSES = "/v1/disaster-houses"
PROGRAMMES = "/v1/relocation-programmes"
RELOCATIONS = "/v1/relocations"
ALL_MET = {"in_affected_area": True, "no_other_livable_house": True, "mbr": True}


async def disaster(housing: Housing, **given: Any) -> dict[str, Any]:
    body = {
        "kind": "banjir",
        "name": "Banjir Tenggarong Februari 2026",
        "occurred_on": "2026-02-08",
        "wilayah_code": TENGGARONG,
        **given,
    }
    response = await housing.client.post(DISASTERS, json=body, headers=housing.opd)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


async def report(
    housing: Housing, disaster_id: str, headers: dict[str, str] | None = None, **body: Any
) -> httpx.Response:
    return await housing.client.post(
        f"{DISASTERS}/{disaster_id}/houses",
        json={"reported_on": "2026-02-09", **body},
        headers=headers or housing.kader,
    )


async def reported(
    housing: Housing, disaster_id: str, headers: dict[str, str] | None = None, **body: Any
) -> dict[str, Any]:
    response = await report(housing, disaster_id, headers, **body)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


async def post(
    housing: Housing, url: str, body: dict[str, Any] | None = None, headers: Any = None
) -> httpx.Response:
    return await housing.client.post(url, json=body or {}, headers=headers or housing.opd)


async def step(
    housing: Housing, house_id: str, action: str, body: dict[str, Any] | None = None
) -> dict[str, Any]:
    response = await post(housing, f"{HOUSES}/{house_id}/{action}", body)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


async def set_sk(housing: Housing, disaster_id: str, **given: Any) -> httpx.Response:
    body = {"sk_number": "100.3.3.2/K.123/2026", "sk_date": "2026-02-20", "planned_year": 2026}
    return await post(housing, f"{DISASTERS}/{disaster_id}/sk", {**body, **given})


async def programme(housing: Housing, **given: Any) -> dict[str, Any]:
    body = {
        "name": "Relokasi sempadan Sungai Mahakam",
        "wilayah_code": TENGGARONG,
        "year": 2026,
        "reason": "sempadan_sungai",
        **given,
    }
    response = await housing.client.post(PROGRAMMES, json=body, headers=housing.opd)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


async def affect(housing: Housing, programme_id: str, **body: Any) -> httpx.Response:
    return await post(
        housing,
        f"{PROGRAMMES}/{programme_id}/households",
        {"affected_on": "2026-03-01", **body},
    )


async def move(
    housing: Housing, relocation_id: str, action: str, body: dict[str, Any] | None = None
) -> dict[str, Any]:
    response = await post(housing, f"{RELOCATIONS}/{relocation_id}/{action}", body)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def rules(response: httpx.Response) -> list[tuple[str, str]]:
    """The (field, rule) pairs of a 422 problem."""
    assert response.status_code == 422, response.text
    return [(e["field"], e["rule"]) for e in response.json()["errors"]]


def refused(response: httpx.Response) -> tuple[str | None, list[str]]:
    """A 409 workflow problem's current status and allowed steps."""
    assert response.status_code == 409, response.text
    body = response.json()
    return body.get("current_status"), body.get("allowed", [])
