"""Smoke test on SQLite, the quick-start database: migrations, a fire with its times, damaged
houses and close, a disaster with its households, a public-order report with a reporter, a
Linmas member, an APAR, and the emergencies read."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from linmas_calls import member_body
from trantib_order_calls import REPORTER, report_body
from trantib_testkit import RAPAK_LAMBUR, TENGGARONG

from simpul_platform.auth import mint_token
from simpul_platform.clock import local_day, local_today
from simpul_platform.settings import ServiceSettings
from simpul_platform.testing.asgi import running_app
from simpul_platform.testing.peers import RegistryPeer
from simpul_platform.testing.stack import TEST_REPORTER_KEY
from simpul_trantib.app import create_app
from simpul_trantib.settings import TrantibSettings

pytestmark = pytest.mark.integration


def bearer(settings: TrantibSettings, sub: str, roles: list[str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(settings, sub, roles, ['64.02'])}"}


def ok(answer: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def a_fire(client: httpx.AsyncClient, posyandu: str, damkar: dict[str, str]) -> str:
    """Answered in 15:01 (missed), two houses damaged, put out and closed."""
    received = datetime.now(UTC) - timedelta(minutes=40)
    incident = {
        "posyandu_id": posyandu,
        "place": "RT 05, Jl. Poros Rapak Lambur",
        "latitude": -0.4203,
        "longitude": 116.9871,
        "report_received_at": received.isoformat(),
        "object_kind": "rumah",
    }
    fire = ok(await client.post("/v1/fire-incidents", json=incident, headers=damkar), 201)
    url = f"/v1/fire-incidents/{fire['id']}"
    arrived = received + timedelta(seconds=901)
    times = {
        "arrived_at": arrived.isoformat(),
        "extinguished_at": (arrived + timedelta(minutes=10)).isoformat(),
    }
    timed = ok(await client.post(f"{url}/times", json=times, headers=damkar))
    assert (timed["response_seconds"], timed["response_met"], timed["missed"]) == (901, False, True)
    houses = [
        {"kk": "6402061203040001", "posyandu_id": posyandu, "damage": "rb", "members": 4},
        {"kk": "6402061203040002", "posyandu_id": posyandu, "damage": "rr"},
    ]
    added = await client.post(f"{url}/damaged-houses", json={"items": houses}, headers=damkar)
    shown = sorted((h["kk"], h["damage"]) for h in ok(added)["damaged_houses"])
    assert shown == [("640206********01", "rb"), ("640206********02", "rr")]
    assert ok(await client.post(f"{url}/close", headers=damkar))["status"] == "closed"
    return str(fire["id"])


async def a_disaster(
    client: httpx.AsyncClient, posyandu: str, bpbd: dict[str, str], on: date
) -> str:
    declared = {
        "kind": "banjir",
        "name": "Banjir Rapak Lambur",
        "occurred_on": on.isoformat(),
        "affected_desa": [RAPAK_LAMBUR],
    }
    disaster = ok(await client.post("/v1/disasters", json=declared, headers=bpbd), 201)
    households = [
        {
            "kk": "6402061203040011",
            "posyandu_id": posyandu,
            "damage": "rs",
            "displaced": True,
            "members": 5,
        },
        {
            "kk": "6402061203040012",
            "posyandu_id": posyandu,
            "damage": "none",
            "displaced": False,
            "members": 3,
        },
        {
            "kk": "6402061203040011",
            "posyandu_id": posyandu,
            "damage": "rb",
            "displaced": True,
            "members": 5,
        },
    ]
    url = f"/v1/disasters/{disaster['id']}/households"
    batch = ok(await client.post(url, json={"items": households}, headers=bpbd))
    assert [r["status"] for r in batch["results"]] == ["recorded", "recorded", "error"]
    assert (batch["recorded"], batch["errors"]) == (2, 1)
    shown = ok(await client.get(f"/v1/disasters/{disaster['id']}", headers=bpbd))
    counted = shown["households"]
    assert (counted["total"], counted["displaced"]) == (2, 1)
    assert (counted["by_damage"]["rs"], counted["by_damage"]["none"]) == (1, 1)
    return str(disaster["id"])


async def public_order_and_fire_safety(
    client: httpx.AsyncClient, settings: TrantibSettings, posyandu: str
) -> None:
    """A report with its reporter sealed, a Linmas member and the desa's strength, an APAR."""
    satpolpp = bearer(settings, "satpolpp", ["opd:trantib:satpolpp"])
    damkar = bearer(settings, "damkar", ["opd:trantib:damkar"])
    report = report_body(posyandu, reporter=REPORTER)
    opened = ok(await client.post("/v1/order-reports", json=report, headers=satpolpp), 201)
    assert opened["status"] == "reported" and "reporter" not in opened
    assert REPORTER["name"] not in str(opened)

    today = local_today(settings)
    birth = date(today.year - 30, 5, 17)
    member = member_body(posyandu, birth, today)
    appointed = await client.post("/v1/linmas-members", json=member, headers=satpolpp)
    nik = member["nik"]
    assert ok(appointed, 201)["nik_masked"] == nik[:6] + "*" * 8 + nik[-2:]
    strength = await client.get("/v1/linmas/strength", headers=satpolpp)
    assert strength.status_code == 200, strength.text
    desa = [(s["desa_code"], s["members"], s["under_strength"]) for s in strength.json()]
    assert desa == [(RAPAK_LAMBUR, 1, True)]  # under the minimum of 10

    apar = {
        "posyandu_id": posyandu,
        "building_kind": "posyandu",
        "building_name": "Posyandu Mawar",
        "location": "dekat pintu",
        "agent": "powder",
        "capacity_kg": 3,
        "expires_on": (today + timedelta(days=365)).isoformat(),
    }
    ok(await client.post("/v1/apar", json=apar, headers=damkar), 201)
    listed = ok(await client.get("/v1/apar", headers=damkar))
    assert [(a["building_name"], a["expired"]) for a in listed["items"]] == [
        ("Posyandu Mawar", False)
    ]


async def test_trantib_runs_on_sqlite(make_settings: Any, sqlite_url: str) -> None:
    settings = make_settings(
        TrantibSettings,
        database_url=sqlite_url,
        reporter_key=TEST_REPORTER_KEY,
        consumers_enabled=False,
        relay_enabled=False,
    )
    damkar = bearer(settings, "damkar", ["opd:trantib:damkar"])
    bpbd = bearer(settings, "bpbd", ["opd:trantib:bpbd"])
    app = create_app(settings)
    async with RegistryPeer.running(make_settings(ServiceSettings, service_name="peer")) as peer:
        posyandu = await peer.register(RAPAK_LAMBUR)
        peer.answer(app)  # no consumers here: the replica miss is confirmed over REST
        async with running_app(app) as client:
            assert (await client.get("/readyz")).json()["database"] == "ok"
            fire = await a_fire(client, posyandu, damkar)
            on = local_day(settings, datetime.now(UTC) - timedelta(minutes=40))
            flood = await a_disaster(client, posyandu, bpbd, on)

            await public_order_and_fire_safety(client, settings, posyandu)

            period = on.strftime("%Y-%m")
            aggregate = bearer(settings, "dpmd", ["dpmd"])
            view = await client.get(
                "/v1/emergencies",
                params={"wilayah": TENGGARONG, "period": period},
                headers=aggregate,
            )
            found = ok(view)
            assert [(f["incident_id"], f["response_seconds"]) for f in found["missed_fires"]] == [
                (fire, 901)
            ]
            struck = {e["id"]: len(e["households"]) for e in found["emergencies"]}
            assert struck == {fire: 2, flood: 2}
            openapi = (await client.get("/openapi.json")).json()
            ids = [op["operationId"] for path in openapi["paths"].values() for op in path.values()]
            assert len(ids) == len(set(ids)) and "recordDisasterHouseholds" in ids
