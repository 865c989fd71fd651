"""DPMD's emergencies view on real processes: registry, housing, social, trantib and the
gateway on the real broker and PostgreSQL, seeded only through their REST APIs.

The data: one posyandu at Rapak Lambur. A fire answered in 15:01 (missed) damaging two houses
(rb, rr), put out and closed; a fire answered in 15:00 (met, no damage), closed; a flood over
Rapak Lambur with three households (rb displaced, rs, none). Housing opens a disaster house
for each damaged household (4) and social a protection case for each household the events
name (2 for the fire, 3 for the flood) from trantib's events; none is completed or protected
yet.

By hand: one missed fire, answered in 901 s; the fire: 2 households, 2 damaged, 2 without a
habitable house, 0 awaiting a housing case once housing has opened them, 2 without social
protection; the flood: 3, 2, 2, 0, 3; the met fire damaged nothing and is not listed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from e2e_calls import eventually, post_created

from simpul_platform.auth import mint_token
from simpul_platform.clock import local_day
from simpul_platform.settings import ServiceSettings
from simpul_platform.testing.stack import TEST_JWT_SECRET, TEST_PSEUDONYM_SECRET, Stack

pytestmark = pytest.mark.e2e

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


def counts(row: dict[str, Any]) -> tuple[Any, ...]:
    return (
        row["households"],
        row["damaged"],
        row["without_habitable_house"],
        row["awaiting_housing_case"],
        row["without_social_protection"],
    )


async def test_the_emergencies_view_equals_the_hand_count(
    start_stack: Callable[..., Stack],
) -> None:
    stack = start_stack("registry", "housing", "social", "trantib", "gateway")
    period = ON.strftime("%Y-%m")
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
        trantib = stack.url("trantib")
        late = await fire(client, trantib, posyandu, timedelta(seconds=901), [(1, "rb"), (2, "rr")])
        await fire(client, trantib, posyandu, timedelta(seconds=900), [])
        flooded = await flood(client, trantib, posyandu, ON)

        async def followed() -> dict[str, Any] | None:
            view = await ok(
                await client.get(
                    f"{stack.url('gateway')}/v1/emergencies",
                    params={"wilayah": TENGGARONG, "period": period},
                    headers=DPMD,
                )
            )
            # Housing's and social's consumers open their cases from trantib's events.
            totals = view["totals"]
            settled = totals["awaiting_housing_case"] == 0 and len(view["emergencies"]) == 2
            return view if view["complete"] and settled else None

        view = await eventually(followed)
    assert [f["incident_id"] for f in view["missed_fires"]] == [late]
    assert view["missed_fires"][0]["response_seconds"] == 901
    rows = {row["id"]: row for row in view["emergencies"]}
    assert counts(rows[late]) == (2, 2, 2, 0, 2)
    assert counts(rows[flooded]) == (3, 2, 2, 0, 3)
    assert counts(view["totals"]) == (5, 4, 4, 0, 5)
    assert [d["desa_code"] for d in rows[flooded]["by_desa"]] == [RAPAK_LAMBUR]
    assert all(kk(n) not in str(view) for n in (1, 2, 11, 12, 13))
