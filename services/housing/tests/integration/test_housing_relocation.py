"""Relocation by a Pemda programme over the real PostgreSQL and Kafka: households affected,
checked against the recipient criteria (which were met kept), facilitated (announced without
personal data) and housed; wrong steps 409; dates in order; the programme's area and the
caller's wilayah enforced."""

from __future__ import annotations

import pytest
from disaster_calls import (
    ALL_MET,
    PROGRAMMES,
    RELOCATIONS,
    affect,
    move,
    post,
    programme,
    refused,
    rules,
)
from housing_testkit import MANGKURAWANG, SEBULU, Housing

pytestmark = pytest.mark.integration

KK = "6402061234560001"
OTHER = "6402061234560002"


async def test_a_household_is_checked_facilitated_and_housed(housing: Housing) -> None:
    posyandu = await housing.known_posyandu()
    recorded = await housing.house(posyandu, kks=(KK,))
    dam = await programme(housing)
    response = await affect(housing, dam["id"], kk=KK, posyandu_id=posyandu)
    assert response.status_code == 201, response.text
    row = response.json()
    assert (row["status"], row["year"], row["kk_masked"]) == ("affected", 2026, "640206********01")
    assert row["house_id"] == recorded["id"] and KK not in response.text
    checked = await move(
        housing, row["id"], "check", {"criteria": ALL_MET, "checked_on": "2026-03-02"}
    )
    assert (checked["status"], checked["meets_criteria"]) == ("eligible", True)
    assert checked["history"][-1]["codes"] == {"criteria": ALL_MET, "unmet": []}
    facilitated = await move(housing, row["id"], "facilitate", {"facilitated_on": "2026-06-01"})
    assert facilitated["facilitated_on"] == "2026-06-01"
    housed = await move(housing, row["id"], "house", {"housed_on": "2026-07-01"})
    assert (housed["status"], housed["housed_on"]) == ("housed", "2026-07-01")
    assert [h["action"] for h in housed["history"]] == [
        "register",
        "qualify",
        "facilitate",
        "house",
    ]

    read = await housing.client.get(f"{PROGRAMMES}/{dam['id']}", headers=housing.kader)
    assert read.json()["households_by_status"] == {"housed": 1}
    events = await housing.events(1, "housing.relocation.facilitated.v1")
    data = events[0].data
    assert (data["relocation_id"], data["year"], data["facilitated_on"]) == (
        row["id"],
        2026,
        "2026-06-01",
    )
    assert data["household_ref"] == housing.household_ref(KK) and KK not in str(data)
    assert (events[0].posyandu_id, events[0].wilayah) == (posyandu, row["desa_code"])


async def test_a_household_not_meeting_a_criterion_is_not_eligible(housing: Housing) -> None:
    posyandu = await housing.known_posyandu()
    dam = await programme(housing)
    row = (await affect(housing, dam["id"], kk=KK, posyandu_id=posyandu)).json()
    missing = await post(housing, f"{RELOCATIONS}/{row['id']}/check", {"criteria": {"mbr": True}})
    assert ("body.criteria.in_affected_area", "criterion_missing") in rules(missing)
    answers = {**ALL_MET, "no_other_livable_house": False}
    checked = await move(housing, row["id"], "check", {"criteria": answers})
    assert (checked["status"], checked["meets_criteria"]) == ("not_eligible", False)
    assert checked["history"][-1]["codes"]["unmet"] == ["no_other_livable_house"]
    assert checked["allowed_actions"] == []
    again = await post(housing, f"{RELOCATIONS}/{row['id']}/facilitate")
    assert refused(again) == ("not_eligible", [])
    listed = await housing.client.get(
        RELOCATIONS, params={"status": "not_eligible"}, headers=housing.opd
    )
    assert [r["id"] for r in listed.json()] == [row["id"]]


async def test_wrong_steps_and_dates_are_refused(housing: Housing) -> None:
    posyandu = await housing.known_posyandu()
    dam = await programme(housing)
    row = (await affect(housing, dam["id"], kk=KK, posyandu_id=posyandu)).json()
    url = f"{RELOCATIONS}/{row['id']}"
    assert refused(await post(housing, f"{url}/facilitate")) == (
        "affected",
        ["qualify", "disqualify"],
    )
    assert refused(await post(housing, f"{url}/house"))[0] == "affected"
    early = await post(housing, f"{url}/check", {"criteria": ALL_MET, "checked_on": "2026-02-01"})
    assert rules(early) == [("body.checked_on", "before_previous_step")]
    future = await post(housing, f"{url}/check", {"criteria": ALL_MET, "checked_on": "2999-01-01"})
    assert rules(future) == [("body.checked_on", "not_in_future")]
    await move(housing, row["id"], "check", {"criteria": ALL_MET, "checked_on": "2026-03-02"})
    assert refused(await post(housing, f"{url}/check", {"criteria": ALL_MET})) == (
        "eligible",
        ["facilitate"],
    )
    twice = await affect(housing, dam["id"], kk=KK, posyandu_id=posyandu)
    assert twice.status_code == 409 and twice.json()["relocation_id"] == row["id"]


async def test_the_programmes_area_and_the_wilayah_are_enforced(housing: Housing) -> None:
    here = await housing.known_posyandu()
    there = await housing.known_posyandu(MANGKURAWANG)
    elsewhere = await housing.known_posyandu(SEBULU)
    dam = await programme(housing)
    outside = await affect(housing, dam["id"], kk=KK, posyandu_id=elsewhere)
    assert rules(outside) == [("body", "outside_programme_area")]
    kader_made = await housing.client.post(
        PROGRAMMES,
        json={"name": "Relokasi", "wilayah_code": "64.02.06.2012", "year": 2026, "reason": "jalan"},
        headers=housing.kader,
    )
    assert kader_made.status_code == 403
    theirs = (await affect(housing, dam["id"], kk=OTHER, posyandu_id=there)).json()
    mine = await post(
        housing,
        f"{PROGRAMMES}/{dam['id']}/households",
        {"kk": KK, "posyandu_id": here},
        housing.kader,
    )
    assert mine.status_code == 201, mine.text
    not_mine = await post(
        housing,
        f"{PROGRAMMES}/{dam['id']}/households",
        {"kk": "6402061234560003", "posyandu_id": there},
        housing.kader,
    )
    assert not_mine.status_code == 403
    listed = await housing.client.get(RELOCATIONS, headers=housing.kader)
    assert [r["id"] for r in listed.json()] == [mine.json()["id"]]
    hidden = await housing.client.get(f"{RELOCATIONS}/{theirs['id']}", headers=housing.kader)
    assert hidden.status_code == 404
    seen = await housing.client.get(PROGRAMMES, headers=housing.kader)
    assert [p["id"] for p in seen.json()] == [dam["id"]]
    catalogue = await housing.client.get("/v1/relocation-catalogue", headers=housing.kader)
    assert catalogue.json()["criteria"] == list(ALL_MET)
