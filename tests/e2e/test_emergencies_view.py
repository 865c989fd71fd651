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
from datetime import timedelta
from typing import Any

import httpx
import pytest
from e2e_calls import eventually, post_created
from emergency_calls import DPMD, ON, RAPAK_LAMBUR, TENGGARONG, fire, flood, kk, ok

from simpul_platform.testing.stack import Stack

pytestmark = pytest.mark.e2e


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
