"""A survey team's batch over the real PostgreSQL and Kafka: a result per item as the single
route would record it (new households, known ones, unchanged), bad items named and nothing of
them written, one event per survey recorded, the kept counts dropped, and a retry writing
nothing (with and without the same Idempotency-Key)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from public_works_testkit import MANGKURAWANG, RAPAK_LAMBUR, SAFE_SURVEY, PublicWorks
from sqlalchemy import func, select
from sqlmodel import col

from simpul_public_works.models import Household, PublicWorksTally, WashSurvey

pytestmark = pytest.mark.integration
TALLY = PublicWorksTally.__table__  # type: ignore[attr-defined]
KK = [f"64020612345600{n:02d}" for n in range(10)]


def item(kk: str, posyandu: str, **change: Any) -> dict[str, Any]:
    return {**SAFE_SURVEY, "kk": kk, "posyandu_id": posyandu, **change}


async def send(pw: PublicWorks, items: list[dict[str, Any]], **headers: str) -> Any:
    response = await pw.client.post(
        "/v1/wash-survey-batches", json={"items": items}, headers={**pw.opd, **headers}
    )
    assert response.status_code == 200, response.text
    return response


async def count(pw: PublicWorks, table: Any) -> int:
    async with pw.app.state.db.sessions() as session:
        return int((await session.execute(select(func.count()).select_from(table))).scalar_one())


async def test_a_batch_records_each_item_as_the_single_route_and_names_the_bad_ones(
    public_works: PublicWorks,
) -> None:
    pw = public_works
    a = await pw.known_posyandu(RAPAK_LAMBUR)
    b = await pw.known_posyandu(MANGKURAWANG)
    single = await pw.client.post("/v1/wash-surveys", json=item(KK[0], a), headers=pw.opd)
    elsewhere = await pw.client.post("/v1/wash-surveys", json=item(KK[1], b), headers=pw.opd)
    assert single.status_code == elsewhere.status_code == 201
    known_id = single.json()["household"]["id"]
    await pw.events(2)
    await pw.client.get("/v1/indicators", headers=pw.opd, params={"period": "2026-07"})

    items = [
        item(KK[0], a, surveyed_on="2026-08-01", occupants=6),  # known: recorded, not latest
        item(KK[2], a, water_source="sumur_terlindung"),  # a well needs its distance
        item(KK[1], a),  # known at B
        item(KK[3], a, surveyed_on="2026-11-02", occupants=2, toilet_facility="tidak_ada",
             toilet_type="tidak_ada", faeces_disposal="pantai_tanah_lapang_kebun",
             septic_emptied_on=None),
        item(KK[4], a, occupants=0),  # the schema refuses it
        item(KK[3], a),  # the same KK again
        item(KK[5], b, surveyed_on="2099-01-01"),
        item(KK[6], a, surveyed_on=SAFE_SURVEY["surveyed_on"]),
        item(KK[0], a, surveyed_on=SAFE_SURVEY["surveyed_on"]),  # the single route's survey
    ]  # fmt: skip
    answer = (await send(pw, items)).json()
    results = answer["results"]
    assert [r["status"] for r in results] == ["recorded", "error", "error", "created", "error",
                                              "error", "error", "created", "error"]  # fmt: skip
    assert (answer["created"], answer["recorded"], answer["unchanged"], answer["errors"]) == (
        2, 1, 0, 6,
    )  # fmt: skip
    named = {r["index"]: (r["errors"][0]["field"], r["errors"][0]["rule"]) for r in results
             if r["status"] == "error"}  # fmt: skip
    assert named == {
        1: ("body.items[1].distance_to_waste_m", "distance_required"),
        2: ("body.items[2].kk", "household_elsewhere"),
        4: ("body.items[4].occupants", named[4][1]),
        5: ("body.items[5].kk", "duplicate_in_batch"),
        6: ("body.items[6].surveyed_on", "not_in_future"),
        8: ("body.items[8].kk", "duplicate_in_batch"),
    }
    assert results[0]["household_id"] == known_id
    assert (results[3]["sanitation_level"], results[3]["water_level"]) == ("babs", "aman")

    async with pw.app.state.db.sessions() as session:
        known = await session.get(Household, known_id)
        assert known is not None and known.surveyed_on == date(2026, 8, 1)  # the later date
        assert known.occupants == 6
        by_kk = select(Household).where(col(Household.kk) == KK[3])
        created = (await session.execute(by_kk)).one()[0]
        assert created.posyandu_id == a and created.sanitation_level == "babs"
        assert created.household_ref == pw.household_ref(KK[3])
        assert created.latest_survey_id == results[3]["survey_id"]
    assert await count(pw, WashSurvey.__table__) == 2 + 3  # type: ignore[attr-defined]

    events = await pw.events(5)
    written = {r["survey_id"] for r in results if r["status"] != "error"}
    assert written <= {e.data["survey_id"] for e in events}
    assert {e.type for e in events} == {"public_works.household.wash_assessed.v1"}
    assert all(kk not in str(e.data) for e in events for kk in KK)
    # A's counts dropped from its earliest survey written (March: July's too); B's kept.
    async with pw.app.state.db.sessions() as session:
        kept = set(await session.execute(select(TALLY.c.posyandu_id, TALLY.c.month).distinct()))
    assert kept == {(b, date(2026, 7, 1))}


async def test_a_batch_sent_again_writes_nothing(public_works: PublicWorks) -> None:
    pw = public_works
    a = await pw.known_posyandu(RAPAK_LAMBUR)
    items = [item(KK[n], a, occupants=n + 1, quality=["keruh", "berbau"]) for n in range(4)]
    items.append(item(KK[9], a, water_source="sumur_terlindung"))  # stays an error
    first = (await send(pw, items, **{"Idempotency-Key": "team-7"})).json()
    assert (first["created"], first["errors"]) == (4, 1)
    replay = await send(pw, items, **{"Idempotency-Key": "team-7"})
    assert replay.json() == first and replay.headers.get("idempotent-replayed") == "true"

    items[0] = {**items[0], "quality": ["berbau", "keruh"]}  # the same marks in another order
    again = (await send(pw, items)).json()
    assert [r["status"] for r in again["results"]] == ["unchanged"] * 4 + ["error"]
    assert [r["survey_id"] for r in again["results"][:4]] == [
        r["survey_id"] for r in first["results"][:4]
    ]
    assert await count(pw, WashSurvey.__table__) == 4  # type: ignore[attr-defined]
    assert len(await pw.events(4)) == 4
