"""Children and their education statuses over the real database and broker: NIK checked and
masked, one child per NIK, the caller's wilayah on writes and reads, the status history and its
date rules, and events carrying pseudonyms only."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from education_testkit import MANGKURAWANG, RAPAK_LAMBUR, SEBULU, Education

from simpul_platform.pseudonym import household_ref, person_ref
from simpul_platform.testing.kafka_reader import read_envelopes

pytestmark = pytest.mark.integration
GIRL = "6402065207160001"  # P, 2016-07-12
BOY = "6402061503180002"  # L, 2018-03-15
KK = "6402061234560001"


async def test_a_child_is_registered_read_with_the_nik_masked_and_listed(
    education: Education,
) -> None:
    posyandu_id = await education.known_posyandu()
    created = await education.child(posyandu_id, GIRL, headers=education.kader, name="Siti")
    secret = education.settings.pseudonym_secret
    assert created["nik_masked"] == "640206********01" and "nik" not in created
    assert "kk" not in created and created["desa_code"] == RAPAK_LAMBUR
    assert created["person_ref"] == person_ref(secret, GIRL)
    assert created["household_ref"] == household_ref(secret, KK)
    assert created["status"] is None and created["history"] == []
    assert created["created_by"] == "kader-rapak"

    got = await education.client.get(f"/v1/children/{created['id']}", headers=education.opd)
    assert got.status_code == 200 and got.json()["nik_masked"] == "640206********01"
    await education.child(posyandu_id, BOY, name="Budi")
    listed = await education.client.get("/v1/children", headers=education.kader)
    assert [c["name"] for c in listed.json()] == ["Budi", "Siti"]
    one = await education.client.get(
        "/v1/children", headers=education.opd, params={"posyandu_id": posyandu_id, "limit": 1}
    )
    assert [c["name"] for c in one.json()] == ["Budi"]
    dpmd = await education.client.get("/v1/children", headers=education.dpmd)
    assert dpmd.status_code == 403  # children are for the field's own users


async def test_a_record_the_nik_contradicts_is_refused_and_a_known_nik_conflicts(
    education: Education,
) -> None:
    posyandu_id = await education.known_posyandu()
    body = {
        "nik": GIRL,
        "kk": KK,
        "name": "Siti",
        "sex": "P",
        "birth_date": "2016-07-12",
        "posyandu_id": posyandu_id,
    }
    for change, field, rule in (
        ({"birth_date": "2016-07-13"}, "body.birth_date", "nik_birth_date_mismatch"),
        ({"sex": "L"}, "body.sex", "nik_sex_mismatch"),
        (
            {"nik": "6402061001050001", "sex": "L", "birth_date": "2005-01-10"},
            "body.birth_date",
            "over_age",
        ),
    ):
        refused = await education.client.post(
            "/v1/children", headers=education.opd, json={**body, **change}
        )
        assert refused.status_code == 422, refused.text
        assert refused.json()["errors"][0]["field"] == field
        assert refused.json()["errors"][0]["rule"] == rule
    first = await education.client.post("/v1/children", headers=education.opd, json=body)
    assert first.status_code == 201
    again = await education.client.post(
        "/v1/children", headers=education.kader, json={**body, "name": "Siti A."}
    )
    assert again.status_code == 409, again.text
    assert again.json()["existing_child_id"] == first.json()["id"]
    assert first.json()["id"] in again.json()["detail"]


async def test_outside_the_callers_wilayah_a_write_is_forbidden_and_a_child_unseen(
    education: Education,
) -> None:
    here = await education.known_posyandu(RAPAK_LAMBUR)
    there = await education.known_posyandu(MANGKURAWANG)
    far = await education.known_posyandu(SEBULU)
    body = {
        "nik": BOY,
        "kk": KK,
        "name": "Budi",
        "sex": "L",
        "birth_date": "2018-03-15",
        "posyandu_id": there,
    }
    outside = await education.client.post("/v1/children", headers=education.kader, json=body)
    assert outside.status_code == 403
    theirs = await education.child(there, BOY)
    mine = await education.child(here, GIRL)
    await education.child(far, "6402066009170003")
    seen = await education.client.get("/v1/children", headers=education.kader)
    assert [c["id"] for c in seen.json()] == [mine["id"]]
    hidden = await education.client.get(f"/v1/children/{theirs['id']}", headers=education.kader)
    assert hidden.status_code == 404
    status = {"status": "sd", "kelas": 2, "source": "kader_census", "on": "2026-01-05"}
    write = await education.client.post(
        f"/v1/children/{theirs['id']}/status", headers=education.kader, json=status
    )
    assert write.status_code == 404
    kecamatan = await education.client.get(
        "/v1/children", headers=education.opd, params={"wilayah": "64.02.06"}
    )
    assert {c["posyandu_id"] for c in kecamatan.json()} == {here, there}


async def test_statuses_are_kept_as_a_history_with_their_date_rules_and_announced(
    education: Education,
) -> None:
    posyandu_id = await education.known_posyandu()
    child = await education.child(posyandu_id, GIRL, name="Siti")
    url = f"/v1/children/{child['id']}/status"
    steps = [
        {"status": "paud", "unit_name": "KB Mawar", "source": "kader_census", "on": "2021-08-01"},
        {"status": "out_of_school", "source": "dapodik_match", "on": "2024-02-01"},
        {
            "status": "sd",
            "kelas": 3,
            "unit_name": "SDN 001 Tenggarong",
            "npsn": "30401234",
            "source": "school",
            "on": "2025-07-14",
        },
    ]
    for step in steps:
        recorded = await education.client.post(url, headers=education.kader, json=step)
        assert recorded.status_code == 201, recorded.text
    detail = recorded.json()
    assert detail["status"] == "sd" and detail["status_on"] == "2025-07-14"
    assert [(h["status"], h["jenjang"], h["kelas"]) for h in detail["history"]] == [
        ("paud", "paud", None),
        ("out_of_school", None, None),
        ("sd", "sd", 3),
    ]
    assert {h["recorded_by"] for h in detail["history"]} == {"kader-rapak"}

    future = (date.today() + timedelta(days=2)).isoformat()
    for on, rule in (("2025-07-13", "before_last_status"), (future, "not_in_future")):
        refused = await education.client.post(
            url, headers=education.opd, json={**steps[1], "on": on}
        )
        assert refused.status_code == 422, refused.text
        assert refused.json()["errors"][0] == {
            "field": "body.on",
            "rule": rule,
            "message": refused.json()["errors"][0]["message"],
        }
    bad_kelas = await education.client.post(
        url, headers=education.opd, json={**steps[2], "kelas": 8, "on": "2026-01-05"}
    )
    assert bad_kelas.status_code == 422
    assert bad_kelas.json()["errors"][0]["rule"] == "kelas_out_of_range"
    listed = await education.client.get(
        "/v1/children", headers=education.opd, params={"status": "sd"}
    )
    assert [c["id"] for c in listed.json()] == [child["id"]]

    topic = education.settings.topic("simpul.education.v1")
    events = await read_envelopes(education.settings.kafka_bootstrap_servers, topic, expected=5)
    assert [e.type for e in events] == [
        "education.child.registered.v1",
        *["education.child.status_changed.v1"] * 2,
        "education.ats.opened.v1",  # out of school at 7: an ATS case opens by itself
        "education.child.status_changed.v1",
    ]
    assert {e.posyandu_id for e in events} == {posyandu_id}
    assert {e.wilayah for e in events} == {RAPAK_LAMBUR}
    last = events[-1].data
    assert last["person_ref"] == child["person_ref"] and last["age_months"] == 108
    assert (last["status"], last["jenjang"], last["kelas"], last["on"]) == (
        "sd",
        "sd",
        3,
        "2025-07-14",
    )
    assert last["previous_status"] == "out_of_school"
    for event in events:
        text = str(event.data)
        assert GIRL not in text and KK not in text and "Siti" not in text and "SDN" not in text
