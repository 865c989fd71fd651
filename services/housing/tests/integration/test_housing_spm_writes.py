"""The SPM perumahan counts follow the writes that change them, through the routes: an SK
Bupati makes disaster units of year t, a completion handles one; a check finds a relocated
household eligible, a facilitation counts it. Read before and after each write, so a stale
kept count would show."""

from __future__ import annotations

import pytest
from disaster_calls import ALL_MET, affect, disaster, move, programme, reported, set_sk, step
from housing_testkit import Housing

pytestmark = pytest.mark.integration

KKS = ("6402061234560001", "6402061234560002", "6402061234560003")
NOT_MBR = {**ALL_MET, "mbr": False}


async def spm(housing: Housing) -> dict[str, tuple[int, int]]:
    response = await housing.client.get(
        "/v1/indicators", headers=housing.dpmd, params={"period": "2026", "wilayah": "64.02"}
    )
    assert response.status_code == 200, response.text
    wanted = ("housing.disaster_victims", "housing.relocation")
    return {
        i["code"]: (i["numerator"], i["denominator"])
        for i in response.json()
        if i["code"] in wanted
    }


async def test_disaster_units_are_counted_from_the_sk_and_handled_when_completed(
    housing: Housing,
) -> None:
    posyandu = await housing.known_posyandu()
    houses = [await housing.house(posyandu, kks=(kk,)) for kk in KKS]
    assert (await spm(housing))["housing.disaster_victims"] == (0, 0)
    flood = await disaster(housing)
    damaged = [await reported(housing, flood["id"], house_id=h["id"]) for h in houses]
    for house, damage in zip(damaged, ("rr", "rs", "rb"), strict=True):
        await step(housing, house["id"], "assess", {"damage": damage, "assessed_on": "2026-02-12"})
    assert (await spm(housing))["housing.disaster_victims"] == (0, 0)  # not fixed yet
    assert (await set_sk(housing, flood["id"])).status_code == 200
    assert (await spm(housing))["housing.disaster_victims"] == (0, 3)
    first = damaged[0]["id"]
    await step(housing, first, "handle", {"handling": "rehabilitation", "started_on": "2026-04-01"})
    assert (await spm(housing))["housing.disaster_victims"] == (0, 3)
    done = {"program": "bnpb", "amount": 15_000_000, "completed_on": "2026-08-15"}
    await step(housing, first, "complete", done)
    assert (await spm(housing))["housing.disaster_victims"] == (1, 3)


async def test_relocated_households_are_counted_when_checked_and_facilitated(
    housing: Housing,
) -> None:
    posyandu = await housing.known_posyandu()
    dam = await programme(housing)
    rows = []
    for kk in KKS[:2]:
        response = await affect(housing, dam["id"], kk=kk, posyandu_id=posyandu)
        assert response.status_code == 201, response.text
        rows.append(response.json())
    assert (await spm(housing))["housing.relocation"] == (0, 0)
    await move(housing, rows[0]["id"], "check", {"criteria": ALL_MET, "checked_on": "2026-03-02"})
    await move(housing, rows[1]["id"], "check", {"criteria": NOT_MBR, "checked_on": "2026-03-02"})
    assert (await spm(housing))["housing.relocation"] == (0, 1)
    await move(housing, rows[0]["id"], "facilitate", {"facilitated_on": "2026-06-01"})
    assert (await spm(housing))["housing.relocation"] == (1, 1)
