"""Disaster housing over the real PostgreSQL and Kafka: a flood's RR/RS/RB houses reported,
assessed, fixed by the SK Bupati, handled as their class allows and completed (aid recorded,
events without personal data); every wrong step a 409 naming the allowed ones; dates in order;
the wilayah enforced."""

from __future__ import annotations

import pytest
from disaster_calls import (
    DISASTERS,
    HOUSES,
    disaster,
    post,
    refused,
    report,
    reported,
    rules,
    set_sk,
    step,
)
from housing_testkit import MANGKURAWANG, SEBULU, Housing
from sqlmodel import select

from simpul_housing.models import HousingAid

pytestmark = pytest.mark.integration

KKS = ("6402061234560001", "6402061234560002", "6402061234560003")
UNRECORDED = "6402061234560009"


async def test_a_flood_goes_from_reports_through_the_sk_to_completion(housing: Housing) -> None:
    posyandu = await housing.known_posyandu()
    houses = [await housing.house(posyandu, kks=(kk,), address="Jl. Mangga 3") for kk in KKS]
    flood = await disaster(housing)
    rr, rs, rb = [await reported(housing, flood["id"], house_id=h["id"]) for h in houses]
    lost = await reported(housing, flood["id"], kk=UNRECORDED, posyandu_id=posyandu)
    assert (
        rr["household_ref"] == housing.household_ref(KKS[0]) and rr["house_id"] == houses[0]["id"]
    )
    assert (lost["house_id"], lost["household_ref"]) == (None, housing.household_ref(UNRECORDED))
    for house, damage in ((rr, "rr"), (rs, "rs"), (rb, "rb"), (lost, "belum_ditentukan")):
        await step(housing, house["id"], "assess", {"damage": damage, "assessed_on": "2026-02-12"})

    assert (await set_sk(housing, flood["id"])).status_code == 200
    read = (await housing.client.get(f"{DISASTERS}/{flood['id']}", headers=housing.kader)).json()
    assert read["houses_by_damage"] == {"rr": 1, "rs": 1, "rb": 1, "belum_ditentukan": 1}
    assert read["houses_by_status"] == {"fixed": 3, "undetermined": 1}
    assert (read["sk_number"], read["planned_year"]) == ("100.3.3.2/K.123/2026", 2026)
    # The SK fixes classes: an undetermined house waits, then joins it once assessed.
    too_soon = await post(housing, f"{HOUSES}/{lost['id']}/fix")
    assert refused(too_soon) == ("undetermined", ["assess", "assess_undetermined"])
    await step(housing, lost["id"], "assess", {"damage": "hilang", "assessed_on": "2026-03-01"})
    joined = await step(housing, lost["id"], "fix")
    assert (joined["status"], joined["planned_year"]) == ("fixed", 2026)
    assert joined["history"][-1]["step_on"] == "2026-03-01"
    assert joined["allowed_handlings"] == ["relocation", "rental_access"]

    misfit = await post(housing, f"{HOUSES}/{rr['id']}/handle", {"handling": "rebuild"})
    assert rules(misfit) == [("body.handling", "handling_does_not_fit_damage")]
    handled = {
        rr["id"]: "rehabilitation",
        rs["id"]: "rehabilitation",
        rb["id"]: "rebuild",
        lost["id"]: "relocation",
    }
    for house_id, handling in handled.items():
        await step(housing, house_id, "handle", {"handling": handling, "started_on": "2026-04-01"})
        done = await step(
            housing,
            house_id,
            "complete",
            {"program": "bnpb", "amount": 15_000_000, "completed_on": "2026-08-15"},
        )
        assert (done["status"], done["completed_on"]) == ("completed", "2026-08-15")
    final = (await housing.client.get(f"{DISASTERS}/{flood['id']}", headers=housing.opd)).json()
    assert final["houses_by_status"] == {"completed": 4}
    listed = await housing.client.get(
        HOUSES, params={"disaster_id": flood["id"], "damage": "rs"}, headers=housing.opd
    )
    assert [h["id"] for h in listed.json()] == [rs["id"]]

    async with housing.app.state.db.sessions() as session:
        aid = (await session.exec(select(HousingAid).order_by(HousingAid.case_id))).all()
    by_case = {a.case_id: a for a in aid}
    assert set(by_case) == set(handled)
    assert all(a.source == "disaster" and a.year == 2026 for a in aid)
    assert by_case[rb["id"]].house_id == houses[2]["id"]  # rebuilt on its site
    assert by_case[lost["id"]].house_id is None  # a new house at a safe site
    assert by_case[rr["id"]].household_ref == housing.household_ref(KKS[0])

    assessed = await housing.events(4 + 4 + 1 + 4 + 4, "housing.disaster_house.assessed.v1")
    fixed = [e.data for e in assessed if e.data["fixed"]]
    assert sorted(e["damage"] for e in fixed) == ["hilang", "rb", "rr", "rs"]
    assert {(e["planned_year"], e["sk_number"], e["disaster_kind"]) for e in fixed} == {
        (2026, "100.3.3.2/K.123/2026", "banjir")
    }
    unfixed = [e.data for e in assessed if not e.data["fixed"]]
    assert len(unfixed) == 5 and all(e["planned_year"] is None for e in unfixed)
    completed = await housing.events(17, "housing.disaster_house.completed.v1")
    assert {e.data["disaster_house_id"]: e.data["handling"] for e in completed} == handled
    assert {e.posyandu_id for e in completed} == {posyandu}
    text = str([e.data for e in assessed + completed])
    assert all(kk not in text for kk in (*KKS, UNRECORDED)) and "Mangga" not in text


async def test_every_wrong_step_is_a_409_naming_the_allowed_ones(housing: Housing) -> None:
    posyandu = await housing.known_posyandu()
    flood = await disaster(housing)
    house = await reported(housing, flood["id"], kk=KKS[0], posyandu_id=posyandu)
    url = f"{HOUSES}/{house['id']}"
    assert house["allowed_actions"] == ["assess", "assess_undetermined"]
    for action, body in (("fix", {}), ("handle", {"handling": "rebuild"})):
        assert refused(await post(housing, f"{url}/{action}", body)) == (
            "reported",
            ["assess", "assess_undetermined"],
        )
    complete = {"program": "apbd"}
    assert refused(await post(housing, f"{url}/complete", complete))[0] == "reported"
    await step(housing, house["id"], "assess", {"damage": "rs", "assessed_on": "2026-02-12"})
    no_sk = await post(housing, f"{url}/fix")
    assert no_sk.status_code == 409 and "no SK" in no_sk.json()["detail"]
    assert (await set_sk(housing, flood["id"])).status_code == 200
    again = await set_sk(housing, flood["id"], sk_number="100/K.999/2026")
    assert again.status_code == 409 and again.json()["sk_number"] == "100.3.3.2/K.123/2026"
    reassess = await post(housing, f"{url}/assess", {"damage": "rb"})
    assert refused(reassess) == ("fixed", ["handle"])  # the SK fixed the class
    await step(housing, house["id"], "handle", {"handling": "rental_access"})
    await step(housing, house["id"], "complete", complete)
    assert refused(await post(housing, f"{url}/complete", complete)) == ("completed", [])
    twice = await report(housing, flood["id"], kk=KKS[0], posyandu_id=posyandu)
    assert twice.status_code == 409 and twice.json()["disaster_house_id"] == house["id"]


async def test_dates_are_not_in_the_future_and_stay_in_order(housing: Housing) -> None:
    posyandu = await housing.known_posyandu()
    flood = await disaster(housing)
    future = await housing.client.post(
        DISASTERS,
        json={
            "kind": "gempa_bumi",
            "name": "Gempa",
            "occurred_on": "2999-01-01",
            "wilayah_code": "64.02",
        },
        headers=housing.opd,
    )
    assert rules(future) == [("body.occurred_on", "not_in_future")]
    early = await report(
        housing, flood["id"], kk=KKS[0], posyandu_id=posyandu, reported_on="2026-02-01"
    )
    assert rules(early) == [("body.reported_on", "before_previous_step")]
    house = await reported(housing, flood["id"], kk=KKS[0], posyandu_id=posyandu)
    before = await post(
        housing, f"{HOUSES}/{house['id']}/assess", {"damage": "rr", "assessed_on": "2026-02-08"}
    )
    assert rules(before) == [("body.assessed_on", "before_previous_step")]
    await step(housing, house["id"], "assess", {"damage": "rr", "assessed_on": "2026-02-12"})
    assert rules(await set_sk(housing, flood["id"], sk_date="2026-02-01")) == [
        ("body.sk_date", "before_previous_step")
    ]
    assert rules(await set_sk(housing, flood["id"], planned_year=2025)) == [
        ("body.planned_year", "planned_year_out_of_range")
    ]
    assert (await set_sk(housing, flood["id"])).status_code == 200
    started = await post(
        housing,
        f"{HOUSES}/{house['id']}/handle",
        {"handling": "rehabilitation", "started_on": "2026-02-19"},
    )
    assert rules(started) == [("body.started_on", "before_previous_step")]
    await step(
        housing, house["id"], "handle", {"handling": "rehabilitation", "started_on": "2026-03-01"}
    )
    ended = await post(
        housing,
        f"{HOUSES}/{house['id']}/complete",
        {"program": "apbd", "completed_on": "2026-02-28"},
    )
    assert rules(ended) == [("body.completed_on", "before_previous_step")]
    read = (await housing.client.get(f"{HOUSES}/{house['id']}", headers=housing.opd)).json()
    assert read["status"] == "in_handling" and read["completed_on"] is None


async def test_the_wilayah_is_enforced(housing: Housing) -> None:
    here = await housing.known_posyandu()
    there = await housing.known_posyandu(MANGKURAWANG)
    elsewhere = await housing.known_posyandu(SEBULU)
    flood = await disaster(housing)
    # A kader of a struck desa sees the kecamatan's disaster, may not record one.
    seen = await housing.client.get(DISASTERS, headers=housing.kader)
    assert [d["id"] for d in seen.json()] == [flood["id"]]
    denied = await housing.client.post(
        DISASTERS,
        json={
            "kind": "banjir",
            "name": "Banjir",
            "occurred_on": "2026-02-08",
            "wilayah_code": "64.02.06.2012",
        },
        headers=housing.kader,
    )
    assert denied.status_code == 403
    beyond = await housing.client.post(
        DISASTERS,
        json={
            "kind": "banjir",
            "name": "Banjir",
            "occurred_on": "2026-02-08",
            "wilayah_code": "64.03",
        },
        headers=housing.opd,
    )
    assert beyond.status_code == 403
    outside = await report(housing, flood["id"], housing.opd, kk=KKS[0], posyandu_id=elsewhere)
    assert rules(outside) == [("body", "outside_disaster_area")]
    not_mine = await report(housing, flood["id"], kk=KKS[1], posyandu_id=there)
    assert not_mine.status_code == 403
    theirs = await reported(housing, flood["id"], housing.opd, kk=KKS[1], posyandu_id=there)
    hidden = await housing.client.get(f"{HOUSES}/{theirs['id']}", headers=housing.kader)
    assert hidden.status_code == 404
    mine = await reported(housing, flood["id"], kk=KKS[2], posyandu_id=here)
    listed = await housing.client.get(HOUSES, headers=housing.kader)
    assert [h["id"] for h in listed.json()] == [mine["id"]]
    step_there = await post(
        housing, f"{HOUSES}/{theirs['id']}/assess", {"damage": "rr"}, housing.kader
    )
    assert step_there.status_code == 404
    sk = await post(
        housing,
        f"{DISASTERS}/{flood['id']}/sk",
        {"sk_number": "1/2026", "sk_date": "2026-02-20", "planned_year": 2026},
        housing.kader,
    )
    assert sk.status_code == 403
