"""Calls the emergency end-to-end tests share: a fire answered some time after its report (its
damaged houses recorded, put out and closed) and a flood over Rapak Lambur with three
households (rb displaced, rs, none), both recorded through trantib's API by Damkar and BPBD.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from e2e_calls import post_created

from simpul_platform.auth import mint_token
from simpul_platform.clock import local_day
from simpul_platform.settings import ServiceSettings
from simpul_platform.testing.stack import TEST_JWT_SECRET, TEST_PSEUDONYM_SECRET

RAPAK_LAMBUR, TENGGARONG = "64.02.06.2012", "64.02.06"
TOKENS = ServiceSettings(
    environment="test", jwt_secret=TEST_JWT_SECRET, pseudonym_secret=TEST_PSEUDONYM_SECRET
)
# Both fires reported this long ago: every time recorded is in the past, and the period asked
# is the local month of the report (the flood's too), whatever the hour.
REPORTED = datetime.now(UTC) - timedelta(minutes=40)
ON = local_day(TOKENS, REPORTED)


def bearer(roles: list[str], sub: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(TOKENS, sub, roles, ['64.02'])}"}


DPMD = bearer(["dpmd"], "dpmd-kukar")
DAMKAR = bearer(["opd:trantib:damkar"], "damkar-kukar")
BPBD = bearer(["opd:trantib:bpbd"], "bpbd-kukar")


def kk(serial: int) -> str:
    return f"64020601012000{serial:02d}"


async def ok(answer: httpx.Response) -> dict[str, Any]:
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def fire(
    client: httpx.AsyncClient,
    trantib: str,
    posyandu: str,
    after: timedelta,
    damaged: list[tuple[int, str]],
) -> str:
    """A fire answered ``after`` the call, its damaged houses recorded, put out and closed
    (closing announces it: ``trantib.fire.attended.v1``)."""
    created = await post_created(
        client,
        f"{trantib}/v1/fire-incidents",
        {
            "posyandu_id": posyandu,
            "place": "Jl. Patin RT 03",
            "latitude": -0.41,
            "longitude": 116.99,
            "object_kind": "rumah",
            "report_received_at": REPORTED.isoformat(),
        },
        DAMKAR,
    )
    incident = f"{trantib}/v1/fire-incidents/{created['id']}"
    times = {
        "dispatched_at": REPORTED + timedelta(minutes=1),
        "arrived_at": REPORTED + after,
        "extinguished_at": REPORTED + after + timedelta(minutes=10),
    }
    body = {k: v.isoformat() for k, v in times.items()}
    await ok(await client.post(f"{incident}/times", json=body, headers=DAMKAR))
    if damaged:
        houses = [{"posyandu_id": posyandu, "kk": kk(n), "damage": d} for n, d in damaged]
        await ok(
            await client.post(f"{incident}/damaged-houses", json={"items": houses}, headers=DAMKAR)
        )
    closed = await ok(await client.post(f"{incident}/close", headers=DAMKAR))
    assert closed["status"] == "closed"
    return str(created["id"])


async def flood(client: httpx.AsyncClient, trantib: str, posyandu: str, on: date) -> str:
    created = await post_created(
        client,
        f"{trantib}/v1/disasters",
        {
            "kind": "banjir",
            "name": "Banjir Tenggarong",
            "occurred_on": on.isoformat(),
            "affected_desa": [RAPAK_LAMBUR],
        },
        BPBD,
    )
    households = [
        {"posyandu_id": posyandu, "kk": kk(11), "damage": "rb", "displaced": True, "members": 4},
        {"posyandu_id": posyandu, "kk": kk(12), "damage": "rs", "displaced": False, "members": 3},
        {
            "posyandu_id": posyandu,
            "kk": kk(13),
            "damage": "none",
            "displaced": False,
            "members": 5,
        },
    ]
    recorded = await ok(
        await client.post(
            f"{trantib}/v1/disasters/{created['id']}/households",
            json={"items": households},
            headers=BPBD,
        )
    )
    assert (recorded["recorded"], recorded["errors"]) == (3, 0), recorded
    return str(created["id"])
