"""Hazard zones and risk outreach over the real PostgreSQL: one zone per desa, hazard and year
(409), outreach refused outside a zone for its hazard that year, the reach per zone capped at
its population, the kept counts of the outreach's posyandu dropped, and the wilayah kept."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from trantib_testkit import MANGKURAWANG, RAPAK_LAMBUR, Trantib

from simpul_platform.clock import local_today
from simpul_trantib.models import TrantibTally

pytestmark = pytest.mark.integration
TALLY = TrantibTally.__table__  # type: ignore[attr-defined]


async def zone(tr: Trantib, desa: str, hazard: str, population: int, year: int) -> Any:
    body = {"desa_code": desa, "hazard": hazard, "population": population, "year": year}
    return await tr.client.post("/v1/hazard-zones", json=body, headers=tr.bpbd)


async def outreach(tr: Trantib, headers: Any, **body: Any) -> Any:
    return await tr.client.post("/v1/risk-outreach", json=body, headers=headers)


async def tally_rows(tr: Trantib, posyandu: str) -> int:
    async with tr.app.state.db.sessions() as session:
        query = select(func.count()).select_from(TALLY).where(TALLY.c.posyandu_id == posyandu)
        return int((await session.execute(query)).scalar_one())


async def seed_tally(tr: Trantib, posyandu: str, month: date) -> None:
    """A kept count of the posyandu's month, as a read would have filled it."""
    row: dict[str, Any] = {
        "posyandu_id": posyandu,
        "desa_code": RAPAK_LAMBUR,
        "month": month,
        "code": "posyandu",
        "basis": "test",
        "numerator": 0,
        "denominator": 0,
    }
    async with tr.app.state.db.sessions() as session:
        await session.execute(TALLY.insert().values(row))
        await session.commit()


async def test_zones_outreach_and_reach(trantib: Trantib) -> None:
    tr = trantib
    today = local_today(tr.settings)
    year = today.year
    a = await tr.known_posyandu(RAPAK_LAMBUR)
    b = await tr.known_posyandu(MANGKURAWANG)
    flood = await zone(tr, RAPAK_LAMBUR, "banjir", 400, year)
    assert flood.status_code == 201, flood.text
    again = await zone(tr, RAPAK_LAMBUR, "banjir", 500, year)
    assert again.status_code == 409 and again.json()["hazard_zone_id"] == flood.json()["id"]
    assert (await zone(tr, MANGKURAWANG, "tanah_longsor", 100, year)).status_code == 201
    assert (await zone(tr, RAPAK_LAMBUR, "banjir", 380, year - 1)).status_code == 201
    kader_zone = await tr.client.post(
        "/v1/hazard-zones",
        json={"desa_code": RAPAK_LAMBUR, "hazard": "karhutla", "population": 1, "year": year},
        headers=tr.kader,
    )
    assert kader_zone.status_code == 403
    outside = await tr.client.post(
        "/v1/hazard-zones",
        json={"desa_code": "64.03.01.2001", "hazard": "banjir", "population": 9, "year": year},
        headers=tr.bpbd,
    )
    assert outside.status_code == 403

    held = today.replace(day=1) if today.day > 1 else today
    month = held.replace(day=1)
    await seed_tally(tr, a, month)
    assert await tally_rows(tr, a) == 1
    given = {"posyandu_id": a, "hazard": "banjir", "held_on": held.isoformat(),
             "method": "sosialisasi", "people_reached": 150}  # fmt: skip
    first = await outreach(tr, tr.kader, **given)
    assert first.status_code == 201, first.text
    assert (first.json()["desa_code"], first.json()["zone_id"]) == (
        RAPAK_LAMBUR,
        flood.json()["id"],
    )
    assert await tally_rows(tr, a) == 0  # the posyandu's counts dropped from its month
    assert (await outreach(tr, tr.linmas, **{**given, "method": "simulasi",
                                            "people_reached": 300})).status_code == 201  # fmt: skip
    # Not a zone for this hazard (nor the desa for that one), nor in the future.
    wrong = await outreach(tr, tr.bpbd, **{**given, "hazard": "tanah_longsor"})
    assert wrong.status_code == 422
    assert (wrong.json()["errors"][0]["field"], wrong.json()["errors"][0]["rule"]) == (
        "body.hazard",
        "not_hazard_zone",
    )
    last_year = date(year - 1, 12, 31).isoformat()
    assert (await outreach(tr, tr.bpbd, **{**given, "held_on": last_year})).status_code == 201
    elsewhere = await outreach(
        tr, tr.kader, **{**given, "posyandu_id": b, "hazard": "tanah_longsor"}
    )
    assert elsewhere.status_code == 403  # Mangkurawang is outside the kader's wilayah
    landslide = {**given, "posyandu_id": b, "hazard": "tanah_longsor", "people_reached": 40}
    assert (await outreach(tr, tr.bpbd, **landslide)).status_code == 201
    future = (today + timedelta(days=1)).isoformat()
    assert (await outreach(tr, tr.bpbd, **{**given, "held_on": future})).status_code == 422
    satpol = await outreach(tr, tr.satpolpp, **given)
    assert satpol.status_code == 403

    reach = (
        await tr.client.get("/v1/risk-outreach", params={"year": year}, headers=tr.dpmd)
    ).json()
    zones = {(z["desa_code"], z["hazard"]): z for z in reach["zones"]}
    assert zones[(RAPAK_LAMBUR, "banjir")]["reached"] == 450
    assert zones[(RAPAK_LAMBUR, "banjir")]["reach"] == 1.0  # capped at its 400 people
    assert zones[(MANGKURAWANG, "tanah_longsor")]["reach"] == 0.4
    assert (reach["population"], reach["reached"]) == (500, 440)
    assert reach["reach"] == 440 / 500
    past = (await tr.client.get(
        "/v1/risk-outreach", params={"year": year - 1}, headers=tr.bpbd
    )).json()  # fmt: skip
    assert [(z["reached"], z["reach"]) for z in past["zones"]] == [(150, 150 / 380)]
    mine = (
        await tr.client.get("/v1/risk-outreach", params={"year": year}, headers=tr.kader)
    ).json()
    assert [z["desa_code"] for z in mine["zones"]] == [RAPAK_LAMBUR]
    listed = await tr.client.get("/v1/hazard-zones", params={"year": year}, headers=tr.kader)
    assert [(z["desa_code"], z["hazard"]) for z in listed.json()] == [(RAPAK_LAMBUR, "banjir")]
    every = await tr.client.get("/v1/hazard-zones", headers=tr.bpbd)
    assert len(every.json()) == 3
