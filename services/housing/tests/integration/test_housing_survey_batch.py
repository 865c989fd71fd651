"""A survey team's batch over the real PostgreSQL and Kafka: a result per item, good items
written beside bad ones, the same batch sent again all unchanged, wilayah judged per item, an
event per survey recorded, carrying pseudonyms only."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from housing_testkit import LIVABLE_SURVEY, MANGKURAWANG, Housing

pytestmark = pytest.mark.integration

ASSESSED = "housing.house.assessed.v1"
KK = ["6402061234560001", "6402061234560002", "6402061234560003", "6402061234560004"]


def new_house(posyandu: str, *kks: str, **survey: Any) -> dict[str, Any]:
    return {
        "house": {
            "posyandu_id": posyandu,
            "rt": "004",
            "rw": "002",
            "address": "Jl. Mangga 3",
            "tenure": "milik_sendiri",
            "land_status": "milik_sendiri",
            "occupants": 5,
            "households": [{"kk": kk, "head_name": "Rahmat"} for kk in kks],
        },
        "survey": {**LIVABLE_SURVEY, **survey},
    }


def known_house(house_id: str, **survey: Any) -> dict[str, Any]:
    return {"house_id": house_id, "survey": {**LIVABLE_SURVEY, **survey}}


async def send(
    housing: Housing, items: list[dict[str, Any]], headers: dict[str, str] | None = None
) -> httpx.Response:
    return await housing.client.post(
        "/v1/survey-batches", json={"items": items}, headers=headers or housing.kader
    )


def errors_of(result: dict[str, Any]) -> list[tuple[str, str]]:
    return [(e["field"], e["rule"]) for e in result["errors"]]


async def test_a_batch_writes_its_good_items_and_sent_again_changes_nothing(
    housing: Housing,
) -> None:
    posyandu = await housing.known_posyandu()
    known = await housing.house(posyandu, kks=(KK[0],))
    items = [
        new_house(posyandu, KK[1]),
        new_house(posyandu, KK[2], floor_area_m2=40.0, kawasan=["stunting"]),
        known_house(known["id"], lantai="tanah"),
        new_house(posyandu, KK[3], lantai="marmer"),
        known_house(known["id"], surveyed_on="2026-03-01", water_to_faeces_m=None),
    ]
    first = await send(housing, items)
    assert first.status_code == 200, first.text
    body = first.json()
    assert (body["created"], body["assessed"], body["unchanged"], body["errors"]) == (2, 1, 0, 2)
    results = body["results"]
    assert [r["status"] for r in results] == ["created", "created", "assessed", "error", "error"]
    assert [r["index"] for r in results] == [0, 1, 2, 3, 4]
    assert (results[0]["rtlh_pupr"], results[0]["rtlh_rutilahu"]) == (False, False)
    assert results[1]["failed_pupr"] == ["luas_per_orang"] and results[1]["rtlh_pupr"] is True
    assert results[2]["failed_rutilahu"] == ["lantai"] and results[2]["house_id"] == known["id"]
    assert errors_of(results[3]) == [("body.items[3].survey.lantai", "literal_error")]
    assert errors_of(results[4]) == [
        ("body.items[4].survey.water_to_faeces_m", "distance_required")
    ]

    created = await housing.client.get(f"/v1/houses/{results[1]['house_id']}", headers=housing.opd)
    house = created.json()
    assert house["latest_assessment_id"] == results[1]["assessment_id"]
    assert (house["rtlh_pupr"], house["rtlh_rutilahu"], house["occupants"]) == (True, False, 5)
    assert [h["household_ref"] for h in house["households"]] == [housing.household_ref(KK[2])]
    assert house["created_by"] == "kader-rapak" and house["address"] == "Jl. Mangga 3"
    listed = await housing.client.get(f"/v1/houses/{known['id']}/assessments", headers=housing.opd)
    assert [a["id"] for a in listed.json()] == [results[2]["assessment_id"]]

    again = (await send(housing, items)).json()
    assert (again["created"], again["assessed"], again["unchanged"], again["errors"]) == (
        0,
        0,
        3,
        2,
    )
    for before, after in zip(results[:3], again["results"][:3], strict=True):
        assert after["status"] == "unchanged"
        assert (after["house_id"], after["assessment_id"]) == (
            before["house_id"],
            before["assessment_id"],
        )
        assert after["failed_pupr"] == before["failed_pupr"]
    houses = await housing.client.get("/v1/houses", headers=housing.opd)
    assert len(houses.json()) == 3

    # One event per survey recorded, and none for the retry: a marker survey recorded after it
    # is the fourth event on the topic.
    marker = await send(housing, [known_house(known["id"], surveyed_on="2026-03-03")])
    assert marker.json()["assessed"] == 1
    events = await housing.events(4, ASSESSED)
    assert len(events) == 4
    assert [e.data["assessment_id"] for e in events[:3]] == [
        r["assessment_id"] for r in results[:3]
    ]
    assert events[1].data["household_refs"] == [housing.household_ref(KK[2])]
    assert events[1].data["kawasan"] == ["stunting"]
    assert events[2].data["household_refs"] == [housing.household_ref(KK[0])]
    assert (events[0].posyandu_id, events[0].wilayah) == (posyandu, known["desa_code"])
    text = str([e.data for e in events])
    assert all(kk not in text for kk in KK) and "Mangga" not in text and "Rahmat" not in text


async def test_a_batch_event_is_the_single_routes_event(housing: Housing) -> None:
    posyandu = await housing.known_posyandu()
    one = await housing.house(posyandu, kks=(KK[0],))
    two = await housing.house(posyandu, kks=(KK[1],))
    survey = {**LIVABLE_SURVEY, "floor_area_m2": 30.0, "kawasan": ["3t", "stunting"]}
    single = await housing.client.post(
        f"/v1/houses/{one['id']}/assessments", json=survey, headers=housing.kader
    )
    batch = await send(housing, [{"house_id": two["id"], "survey": survey}])
    assert single.status_code == 201 and batch.status_code == 200
    events = await housing.events(2, ASSESSED)
    ignore = {"assessment_id", "house_id", "household_refs"}
    assert {k: v for k, v in events[0].data.items() if k not in ignore} == {
        k: v for k, v in events[1].data.items() if k not in ignore
    }
    assert events[0].data.keys() == events[1].data.keys()
    result = batch.json()["results"][0]
    assert result["failed_pupr"] == single.json()["failed_pupr"]
    assert result["failed_rutilahu"] == single.json()["failed_rutilahu"]


async def test_a_kaders_items_outside_their_wilayah_are_refused_one_by_one(
    housing: Housing,
) -> None:
    mine = await housing.known_posyandu()
    elsewhere = await housing.known_posyandu(MANGKURAWANG)
    theirs = await housing.house(elsewhere, kks=(KK[0],))
    items = [
        new_house(mine, KK[1]),
        new_house(elsewhere, KK[2]),
        known_house(theirs["id"]),
        new_house("00000000-0000-4000-8000-00000000beef", KK[3]),
    ]
    body = (await send(housing, items, housing.kader)).json()
    assert [r["status"] for r in body["results"]] == ["created", "error", "error", "error"]
    assert errors_of(body["results"][1]) == [("body.items[1].house.posyandu_id", "outside_wilayah")]
    assert errors_of(body["results"][2]) == [("body.items[2].house_id", "unknown_house")]
    assert errors_of(body["results"][3]) == [
        ("body.items[3].house.posyandu_id", "unknown_posyandu")
    ]
    listed = await housing.client.get(
        "/v1/houses", params={"posyandu_id": elsewhere}, headers=housing.opd
    )
    assert [h["id"] for h in listed.json()] == [theirs["id"]]
    assert listed.json()[0]["latest_assessment_id"] is None

    # The OPD's wilayah (the kabupaten) covers both desa.
    opd = (await send(housing, [new_house(elsewhere, KK[2])], housing.opd)).json()
    assert opd["created"] == 1


async def test_a_house_is_known_by_its_households_kk_and_taken_once_per_batch(
    housing: Housing,
) -> None:
    posyandu = await housing.known_posyandu()
    neighbour = await housing.known_posyandu()
    known = await housing.house(posyandu, kks=(KK[0],), rt="009")
    items = [
        new_house(posyandu, KK[0], surveyed_on="2026-02-01"),  # the known house, by its KK
        known_house(known["id"]),
        new_house(neighbour, KK[1]),
        new_house(posyandu, KK[1]),
        new_house(posyandu, KK[2]) | {"house_id": known["id"]},
        {**new_house(posyandu), "survey": LIVABLE_SURVEY},
    ]
    results = (await send(housing, items)).json()["results"]
    assert [r["status"] for r in results] == [
        "assessed",
        "error",
        "created",
        "error",
        "error",
        "error",
    ]
    assert results[0]["house_id"] == known["id"]
    assert errors_of(results[1]) == [("body.items[1].house_id", "duplicate_in_batch")]
    assert errors_of(results[3]) == [("body.items[3].house.households[0].kk", "duplicate_in_batch")]
    assert errors_of(results[4]) == [("body.items[4].house_id", "house_or_house_id")]
    assert errors_of(results[5]) == [("body.items[5].house.households", "household_required")]

    # A household's house is at another posyandu: a batch does not move it.
    moved = (await send(housing, [new_house(posyandu, KK[1])])).json()["results"][0]
    assert errors_of(moved) == [("body.items[0].house.households[0].kk", "household_elsewhere")]
    read = (await housing.client.get(f"/v1/houses/{known['id']}", headers=housing.opd)).json()
    assert read["rt"] == "009" and read["assessed_on"] == "2026-02-01"


async def test_an_older_survey_in_a_batch_is_history_only(housing: Housing) -> None:
    posyandu = await housing.known_posyandu()
    house = await housing.house(posyandu)
    newer = await send(housing, [known_house(house["id"], floor_area_m2=20.0)])
    older = await send(housing, [known_house(house["id"], surveyed_on="2025-06-01")])
    assert newer.json()["assessed"] == older.json()["assessed"] == 1
    read = (await housing.client.get(f"/v1/houses/{house['id']}", headers=housing.opd)).json()
    assert read["latest_assessment_id"] == newer.json()["results"][0]["assessment_id"]
    assert (read["rtlh_pupr"], read["rtlh_rutilahu"], read["assessed_on"]) == (
        True,
        True,
        "2026-03-02",
    )
    changed = await send(housing, [known_house(house["id"], floor_area_m2=20.0, sloof=False)])
    assert changed.json()["results"][0]["status"] == "assessed"  # same day, another survey
    latest = (await housing.client.get(f"/v1/houses/{house['id']}", headers=housing.opd)).json()
    assert latest["latest_assessment_id"] == changed.json()["results"][0]["assessment_id"]


async def test_a_batch_is_at_most_a_thousand_items(housing: Housing) -> None:
    refused = await send(housing, [{}] * 1001)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "body.items"
    empty = await send(housing, [])
    assert empty.status_code == 422
