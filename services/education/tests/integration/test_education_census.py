"""A kader's census over the real database and broker: good and bad items in one request with a
result each, a census sent again changing nothing, its events once and without NIK, the
caller's wilayah, the item limit, and the status history a census leaves."""

from __future__ import annotations

from typing import Any

import pytest
from education_testkit import MANGKURAWANG, RAPAK_LAMBUR, Education
from sqlalchemy import func, select

from simpul_education.models import Child, ChildStatus
from simpul_platform.outbox import outbox_table
from simpul_platform.pseudonym import person_ref
from simpul_platform.testing.kafka_reader import read_envelopes

pytestmark = pytest.mark.integration
KK = "6402061234560001"
CENSUS_ON = "2026-01-10"


def nik(serial: int, *, day: int = 12, month: int = 7, year: int = 16, girl: bool = False) -> str:
    return f"640206{day + 40 * girl:02d}{month:02d}{year:02d}{serial:04d}"


def item(number: str, **given: Any) -> dict[str, Any]:
    """A census item for the child with this NIK (birth date and sex read from it)."""
    day, month, year = int(number[6:8]), int(number[8:10]), int(number[10:12])
    return {
        "nik": number,
        "kk": KK,
        "name": f"Anak {number[-4:]}",
        "sex": "P" if day > 40 else "L",
        "birth_date": f"20{year:02d}-{month:02d}-{day % 40:02d}",
        "status": "sd",
        "kelas": 3,
        "unit_name": "SDN 001 Tenggarong",
        **given,
    }


async def census(
    education: Education, posyandu_id: str, items: list[dict[str, Any]], **options: Any
) -> dict[str, Any]:
    headers = options.pop("headers", education.kader)
    body = {"posyandu_id": posyandu_id, "on": options.pop("on", CENSUS_ON), "items": items}
    response = await education.client.post("/v1/census", json=body, headers=headers)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


async def _count(education: Education, table: Any) -> int:
    async with education.app.state.db.sessions() as session:
        return int((await session.execute(select(func.count()).select_from(table))).scalar_one())


async def test_good_and_bad_items_each_get_their_result_and_a_retry_changes_nothing(
    education: Education,
) -> None:
    here = await education.known_posyandu(RAPAK_LAMBUR)
    there = await education.known_posyandu(RAPAK_LAMBUR)
    same = await education.child(here, nik(1), name="Sama")
    await education.client.post(
        f"/v1/children/{same['id']}/status",
        headers=education.kader,
        json={
            **{k: v for k, v in item(nik(1)).items() if k in ("status", "kelas", "unit_name")},
            "source": "school",
            "on": "2025-07-14",
            "npsn": "30401234",
        },
    )
    moving = await education.child(here, nik(2), name="Naik kelas")
    elsewhere = await education.child(there, nik(3), name="Di posyandu lain")
    items = [
        item(nik(10)),  # 0 new, in SD
        item(nik(11, girl=True, year=21), status="paud", kelas=None, unit_name="KB Mawar"),
        item(nik(12), birth_date="2016-07-13"),  # 2 NIK says otherwise
        item(nik(13), kelas=8),  # 3 SD has no kelas 8
        item("64020612071", name="Pendek"),  # 4 not a NIK by the schema
        item(nik(10)),  # 5 the same NIK again in this census
        item(nik(3)),  # 6 known at the other posyandu
        item(nik(1)),  # 7 known here, same status and unit (no NPSN said): unchanged
        item(nik(2), status="out_of_school", kelas=None, unit_name=None),  # 8 known, new status
        item(nik(14, year=24), status="not_school_age", kelas=None, unit_name=None),  # 9 new
    ]
    first = await census(education, here, items)
    results = first["results"]
    assert [r["index"] for r in results] == list(range(len(items)))
    assert [r["result"] for r in results] == [
        "created",
        "created",
        "error",
        "error",
        "error",
        "error",
        "error",
        "unchanged",
        "status_recorded",
        "created",
    ]
    assert (first["created"], first["status_recorded"], first["unchanged"], first["errors"]) == (
        3,
        1,
        1,
        5,
    )
    errors = {
        r["index"]: (r["errors"][0]["field"], r["errors"][0]["rule"])
        for r in results
        if r["errors"]
    }
    assert errors[2] == ("body.items[2].birth_date", "nik_birth_date_mismatch")
    assert errors[3] == ("body.items[3].kelas", "kelas_out_of_range")
    assert errors[4] == ("body.items[4].nik", "string_pattern_mismatch")
    assert errors[5] == ("body.items[5].nik", "duplicate_in_census")
    assert errors[6] == ("body.items[6].nik", "other_posyandu")
    assert there in results[6]["errors"][0]["message"]
    assert results[7]["child_id"] == same["id"] and results[8]["child_id"] == moving["id"]
    assert all(r["child_id"] is None for r in results if r["result"] == "error")

    listed = await education.client.get(
        "/v1/children", headers=education.kader, params={"posyandu_id": here}
    )
    by_name = {c["name"]: c for c in listed.json()}
    assert set(by_name) == {"Sama", "Naik kelas", "Anak 0010", "Anak 0011", "Anak 0014"}
    assert by_name["Anak 0011"]["status"] == "paud" and by_name["Naik kelas"]["status"] == (
        "out_of_school"
    )
    assert {c["created_by"] for c in listed.json() if c["name"].startswith("Anak")} == {
        "kader-rapak"
    }
    untouched = await education.client.get(
        f"/v1/children/{elsewhere['id']}", headers=education.kader
    )
    assert untouched.json()["posyandu_id"] == there and untouched.json()["history"] == []

    children, statuses = await _count(education, Child), await _count(education, ChildStatus)
    events = await _count(education, outbox_table)
    again = await census(education, here, items)  # a retry: the same request again
    assert [r["result"] for r in again["results"]] == [
        "unchanged",
        "unchanged",
        "error",
        "error",
        "error",
        "error",
        "error",
        "unchanged",
        "unchanged",
        "unchanged",
    ]
    assert [r["child_id"] for r in again["results"]] == [r["child_id"] for r in results]
    assert (again["created"], again["status_recorded"], again["unchanged"]) == (0, 0, 5)
    assert await _count(education, Child) == children
    assert await _count(education, ChildStatus) == statuses
    assert await _count(education, outbox_table) == events


async def test_a_census_is_announced_once_child_by_child_without_nik(
    education: Education,
) -> None:
    posyandu_id = await education.known_posyandu()
    known = await education.child(posyandu_id, nik(1), name="Lama")
    items = [
        item(nik(20), name="Siti Baru"),
        item(nik(1), status="smp", kelas=7, unit_name="SMPN 2 Tenggarong", npsn="30401111"),
    ]
    first = await census(education, posyandu_id, items)
    assert [r["result"] for r in first["results"]] == ["created", "status_recorded"]
    await census(education, posyandu_id, items)  # again: nothing new to announce
    # A last write at the same posyandu (the same partition, after the census in the outbox):
    # once it is on the topic, anything the retry had published would be there before it.
    marker = await education.client.post(
        f"/v1/children/{known['id']}/status",
        headers=education.kader,
        json={"status": "out_of_school", "source": "school", "on": "2026-02-01"},
    )
    assert marker.status_code == 201, marker.text

    topic = education.settings.topic("simpul.education.v1")
    events = await read_envelopes(education.settings.kafka_bootstrap_servers, topic, expected=6)
    assert [(e.type, e.subject) for e in events] == [
        ("education.child.registered.v1", known["id"]),  # the single route's registration
        ("education.child.registered.v1", first["results"][0]["child_id"]),
        ("education.child.status_changed.v1", first["results"][0]["child_id"]),
        ("education.child.status_changed.v1", known["id"]),
        ("education.child.status_changed.v1", known["id"]),  # the marker
        ("education.ats.opened.v1", marker.json()["ats_case_id"]),  # which the marker detects
    ]
    secret = education.settings.pseudonym_secret
    registered, new_status, changed = events[1].data, events[2].data, events[3].data
    assert registered["person_ref"] == person_ref(secret, nik(20))
    assert registered["birth_year"] == 2016 and registered["desa_code"] == RAPAK_LAMBUR
    assert (new_status["status"], new_status["kelas"], new_status["previous_status"]) == (
        "sd",
        3,
        None,
    )
    assert (new_status["source"], new_status["on"], new_status["age_months"]) == (
        "kader_census",
        CENSUS_ON,
        113,
    )
    assert (changed["status"], changed["jenjang"], changed["previous_status"]) == (
        "smp",
        "smp",
        None,
    )
    assert {e.posyandu_id for e in events} == {posyandu_id}
    assert {e.wilayah for e in events} == {RAPAK_LAMBUR}
    for event in events:
        text = str(event.data)
        assert nik(20) not in text and nik(1) not in text and KK not in text
        assert "Siti" not in text and "SMPN" not in text and "30401111" not in text


async def test_outside_the_wilayah_a_census_is_refused_and_too_many_items_are_invalid(
    education: Education,
) -> None:
    there = await education.known_posyandu(MANGKURAWANG)
    body = {"posyandu_id": there, "on": CENSUS_ON, "items": [item(nik(30))]}
    refused = await education.client.post("/v1/census", json=body, headers=education.kader)
    assert refused.status_code == 403, refused.text
    assert await _count(education, Child) == 0
    dpmd = await education.client.post("/v1/census", json=body, headers=education.dpmd)
    assert dpmd.status_code == 403

    here = await education.known_posyandu(RAPAK_LAMBUR)
    many = [item(nik(i)) for i in range(1, 1002)]
    too_many = await education.client.post(
        "/v1/census",
        json={"posyandu_id": here, "on": CENSUS_ON, "items": many},
        headers=education.opd,
    )
    assert too_many.status_code == 422, too_many.text
    assert too_many.json()["errors"][0]["field"] == "body.items"
    assert too_many.json()["errors"][0]["rule"] == "too_long"
    future = await education.client.post(
        "/v1/census",
        json={"posyandu_id": here, "on": "2999-01-01", "items": many[:1]},
        headers=education.opd,
    )
    assert future.status_code == 422
    assert future.json()["errors"][0]["field"] == "body.on"
    assert future.json()["errors"][0]["rule"] == "not_in_future"
    full = await census(education, here, many[:1000], headers=education.opd)
    assert full["created"] == 1000 and await _count(education, Child) == 1000


async def test_a_later_census_adds_to_the_history_and_an_earlier_one_is_refused(
    education: Education,
) -> None:
    posyandu_id = await education.known_posyandu()
    number = nik(40, girl=True, year=20)  # born 2020-07-12
    first = await census(
        education,
        posyandu_id,
        [item(number, status="paud", kelas=None, unit_name="KB Mawar")],
        on="2024-08-01",
    )
    child_id = first["results"][0]["child_id"]
    later = await census(
        education,
        posyandu_id,
        [item(number, kelas=1, unit_name="SDN 001 Tenggarong", npsn="30401234")],
        on="2026-01-10",
    )
    assert later["results"][0]["result"] == "status_recorded"
    earlier = await census(
        education,
        posyandu_id,
        [item(number, status="out_of_school", kelas=None, unit_name=None)],
        on="2025-01-10",
    )
    assert earlier["results"][0]["result"] == "error"
    assert earlier["results"][0]["errors"][0]["field"] == "body.on"
    assert earlier["results"][0]["errors"][0]["rule"] == "before_last_status"
    detail = await education.client.get(f"/v1/children/{child_id}", headers=education.kader)
    body = detail.json()
    assert (body["status"], body["status_on"]) == ("sd", "2026-01-10")
    assert [
        (h["status"], h["kelas"], h["unit_name"], h["npsn"], h["source"], h["on"])
        for h in body["history"]
    ] == [
        ("paud", None, "KB Mawar", None, "kader_census", "2024-08-01"),
        ("sd", 1, "SDN 001 Tenggarong", "30401234", "kader_census", "2026-01-10"),
    ]
    assert {h["recorded_by"] for h in body["history"]} == {"kader-rapak"}
