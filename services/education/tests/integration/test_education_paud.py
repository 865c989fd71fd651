"""PAUD enrolments, their monthly attendance and BKB memberships over the real database and
broker: the status history gains paud, the PaudEnrolled event carries pseudonyms only, one
enrolment per child and year, one open BKB membership per family, rules named in problems,
the caller's wilayah on writes and reads, and whether a child is reached by PAUD or BKB."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from education_testkit import MANGKURAWANG, RAPAK_LAMBUR, SEBULU, Education

from simpul_education.models import metadata
from simpul_education.ops.paud import in_paud_or_bkb
from simpul_platform.migrations import schema_drift
from simpul_platform.pseudonym import household_ref
from simpul_platform.referrals.tables import referral_metadata
from simpul_platform.replica import replica_metadata
from simpul_platform.testing.kafka_reader import read_envelopes

pytestmark = pytest.mark.integration
BOY = "6402061503220002"  # L, 2022-03-15: 3 years old in July 2025
GIRL = "6402064506240001"  # P, 2024-06-05: under 2 in July 2025
OLDER = "6402061001180003"  # L, 2018-01-10: 7 in July 2025
KK = "6402061234560001"  # the testkit's default No. KK
OTHER_KK = "6402069876540002"
ENROLMENT = {
    "unit_name": "KB Mawar",
    "npsn": "69912345",
    "year": 2025,
    "enrolled_on": "2025-07-14",
}


def _problem(response: Any, status: int = 422) -> tuple[str, str]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    error = response.json()["errors"][0]
    return error["field"], error["rule"]


async def _enrol(education: Education, child_id: str, **given: Any) -> dict[str, Any]:
    body = {**ENROLMENT, "child_id": child_id, **given}
    response = await education.client.post(
        "/v1/paud/enrolments", json=body, headers=education.kader
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def test_an_enrolment_records_paud_in_the_history_and_is_announced_without_names(
    education: Education,
) -> None:
    posyandu_id = await education.known_posyandu()
    child = await education.child(posyandu_id, BOY, name="Budi")
    created = await _enrol(education, child["id"])
    assert created["age_group"] == "3_to_6" and created["opensid_kategori_usia"] == 2
    assert created["attendance"] == [None] * 12 and created["months_attended"] == 0
    assert created["status_recorded"] is True and created["created_by"] == "kader-rapak"
    assert (created["child_name"], created["person_ref"]) == ("Budi", child["person_ref"])
    assert (created["posyandu_id"], created["desa_code"]) == (posyandu_id, RAPAK_LAMBUR)

    detail = await education.client.get(f"/v1/children/{child['id']}", headers=education.opd)
    assert detail.json()["status"] == "paud" and detail.json()["status_on"] == "2025-07-14"
    history = detail.json()["history"]
    assert [(h["status"], h["unit_name"], h["npsn"], h["source"]) for h in history] == [
        ("paud", "KB Mawar", "69912345", "kader_census")
    ]
    got = await education.client.get(f"/v1/paud/enrolments/{created['id']}", headers=education.opd)
    assert got.status_code == 200 and got.json()["id"] == created["id"]

    topic = education.settings.topic("simpul.education.v1")
    events = await read_envelopes(education.settings.kafka_bootstrap_servers, topic, expected=3)
    assert [e.type for e in events] == [
        "education.child.registered.v1",
        "education.child.status_changed.v1",
        "education.paud.enrolled.v1",
    ]
    enrolled = events[-1]
    assert (enrolled.posyandu_id, enrolled.wilayah) == (posyandu_id, RAPAK_LAMBUR)
    assert enrolled.data == {
        "enrolment_id": created["id"],
        "child_id": child["id"],
        "person_ref": child["person_ref"],
        "household_ref": child["household_ref"],
        "posyandu_id": posyandu_id,
        "desa_code": RAPAK_LAMBUR,
        "age_months": 39,
        "age_group": "3_to_6",
        "npsn": "69912345",
        "year": 2025,
        "enrolled_on": "2025-07-14",
    }
    for event in events:
        text = str(event.data)
        assert BOY not in text and KK not in text and "Budi" not in text and "Mawar" not in text


async def test_a_wrong_enrolment_names_field_and_rule_and_a_second_one_conflicts(
    education: Education,
) -> None:
    posyandu_id = await education.known_posyandu()
    boy = await education.child(posyandu_id, BOY)
    older = await education.child(posyandu_id, OLDER)
    url, base = "/v1/paud/enrolments", {**ENROLMENT, "child_id": boy["id"]}
    for change, field, rule in (
        ({"age_group": "2_to_3"}, "body.age_group", "age_group_mismatch"),
        ({"child_id": older["id"]}, "body.child_id", "paud_age"),
        ({"npsn": "6991234"}, "body.npsn", "string_pattern_mismatch"),
        ({"enrolled_on": "2024-12-30"}, "body.enrolled_on", "enrolled_on_outside_year"),
        ({"year": 2027, "enrolled_on": "2027-01-04"}, "body.enrolled_on", "not_in_future"),
        ({"age_group": "4_to_6"}, "body.age_group", "literal_error"),
    ):
        refused = await education.client.post(url, json={**base, **change}, headers=education.opd)
        assert _problem(refused) == (field, rule), change
    unknown = await education.client.post(
        url, json={**base, "child_id": "no-such-child"}, headers=education.opd
    )
    assert unknown.status_code == 404

    first = await _enrol(education, boy["id"], age_group="3_to_6", npsn=None)
    assert first["npsn"] is None
    again = await education.client.post(
        url, json={**base, "unit_name": "TK Melati"}, headers=education.opd
    )
    assert again.status_code == 409, again.text
    assert again.json()["existing_enrolment_id"] == first["id"]
    assert first["id"] in again.json()["detail"]
    next_year = await _enrol(
        education, boy["id"], year=2026, enrolled_on="2026-01-12", unit_name="TK Melati"
    )
    assert next_year["status_recorded"] is True
    detail = await education.client.get(f"/v1/children/{boy['id']}", headers=education.opd)
    assert [h["unit_name"] for h in detail.json()["history"]] == ["KB Mawar", "TK Melati"]


async def test_the_status_is_not_recorded_again_nor_against_a_later_one(
    education: Education,
) -> None:
    posyandu_id = await education.known_posyandu()
    boy = await education.child(posyandu_id, BOY)
    girl = await education.child(posyandu_id, GIRL)
    already = {"status": "paud", "unit_name": "kb mawar", "source": "school", "on": "2025-07-14"}
    later = {"status": "not_school_age", "source": "kader_census", "on": "2025-08-01"}
    for child, status in ((boy, already), (girl, later)):
        recorded = await education.client.post(
            f"/v1/children/{child['id']}/status", json=status, headers=education.kader
        )
        assert recorded.status_code == 201, recorded.text
    for child, status in ((boy, "paud"), (girl, "not_school_age")):
        created = await _enrol(education, child["id"])
        assert created["status_recorded"] is False
        detail = await education.client.get(f"/v1/children/{child['id']}", headers=education.opd)
        assert [h["status"] for h in detail.json()["history"]] == [status]
    topic = education.settings.topic("simpul.education.v1")
    events = await read_envelopes(education.settings.kafka_bootstrap_servers, topic, expected=6)
    assert sorted(e.type for e in events).count("education.child.status_changed.v1") == 2
    assert [e.type for e in events].count("education.paud.enrolled.v1") == 2


async def test_monthly_attendance_is_set_corrected_and_refused_outside_its_months(
    education: Education,
) -> None:
    posyandu_id = await education.known_posyandu()
    girl = await education.child(posyandu_id, GIRL, name="Sari")
    enrolment = await _enrol(education, girl["id"])
    assert enrolment["age_group"] == "under_2" and enrolment["opensid_kategori_usia"] is None
    url = f"/v1/paud/enrolments/{enrolment['id']}/attendance"
    for month, mark in ((7, "attended"), (8, "attended"), (9, "not_attended"), (8, "not_attended")):
        put = await education.client.put(
            f"{url}/{month}", json={"mark": mark}, headers=education.kader
        )
        assert put.status_code == 200, put.text
    sheet = put.json()["attendance"]
    assert sheet[6:9] == ["attended", "not_attended", "not_attended"]
    assert sheet[:6] == [None] * 6 and put.json()["months_attended"] == 1
    assert put.json()["updated_by"] == "kader-rapak"

    before = await education.client.put(
        f"{url}/6", json={"mark": "attended"}, headers=education.opd
    )
    assert _problem(before) == ("path.month", "before_enrolment")
    beyond = await education.client.put(
        f"{url}/13", json={"mark": "attended"}, headers=education.opd
    )
    assert _problem(beyond) == ("path.month", "less_than_equal")
    unknown_mark = await education.client.put(
        f"{url}/10", json={"mark": "v"}, headers=education.opd
    )
    assert _problem(unknown_mark) == ("body.mark", "literal_error")
    missing = await education.client.put(
        "/v1/paud/enrolments/no-such/attendance/7", json={"mark": "attended"}, headers=education.opd
    )
    assert missing.status_code == 404

    today = date.today()
    this_year = await _enrol(
        education,
        (await education.child(posyandu_id, BOY))["id"],
        year=today.year,
        enrolled_on=date(today.year, 1, 5).isoformat(),
    )
    current = await education.client.put(
        f"/v1/paud/enrolments/{this_year['id']}/attendance/{today.month}",
        json={"mark": "attended"},
        headers=education.opd,
    )
    assert current.status_code == 200, current.text
    if today.month < 12:  # in December no month of the year is still to come
        future = await education.client.put(
            f"/v1/paud/enrolments/{this_year['id']}/attendance/{today.month + 1}",
            json={"mark": "attended"},
            headers=education.opd,
        )
        assert _problem(future) == ("path.month", "month_in_future")

    listed = await education.client.get(
        "/v1/paud/enrolments", params={"year": 2025}, headers=education.kader
    )
    assert [(e["child_name"], e["months_attended"]) for e in listed.json()] == [("Sari", 1)]
    by_posyandu = await education.client.get(
        "/v1/paud/enrolments", params={"posyandu_id": posyandu_id}, headers=education.opd
    )
    assert [e["year"] for e in by_posyandu.json()] == [today.year, 2025]


async def test_outside_the_callers_wilayah_paud_and_bkb_are_unseen_and_unwritable(
    education: Education,
) -> None:
    here = await education.known_posyandu(RAPAK_LAMBUR)
    there = await education.known_posyandu(MANGKURAWANG)
    mine = await education.child(here, GIRL)
    theirs = await education.child(there, BOY, kk=OTHER_KK)
    opd_enrolment = await education.client.post(
        "/v1/paud/enrolments", json={**ENROLMENT, "child_id": theirs["id"]}, headers=education.opd
    )
    assert opd_enrolment.status_code == 201
    await _enrol(education, mine["id"])
    # A child outside the kader's desa is not found, as on the children's routes.
    write = await education.client.post(
        "/v1/paud/enrolments",
        json={**ENROLMENT, "child_id": theirs["id"], "year": 2026, "enrolled_on": "2026-01-12"},
        headers=education.kader,
    )
    assert write.status_code == 404
    hidden = await education.client.get(
        f"/v1/paud/enrolments/{opd_enrolment.json()['id']}", headers=education.kader
    )
    assert hidden.status_code == 404
    mark = await education.client.put(
        f"/v1/paud/enrolments/{opd_enrolment.json()['id']}/attendance/8",
        json={"mark": "attended"},
        headers=education.kader,
    )
    assert mark.status_code == 404
    seen = await education.client.get("/v1/paud/enrolments", headers=education.kader)
    assert [e["child_id"] for e in seen.json()] == [mine["id"]]

    membership = {"kk": OTHER_KK, "group_name": "BKB Melati", "joined_on": "2025-02-03"}
    refused = await education.client.post(
        "/v1/bkb/memberships", json={**membership, "posyandu_id": there}, headers=education.kader
    )
    assert refused.status_code == 403
    theirs_bkb = await education.client.post(
        "/v1/bkb/memberships", json={**membership, "posyandu_id": there}, headers=education.opd
    )
    assert theirs_bkb.status_code == 201, theirs_bkb.text
    unseen = await education.client.get(
        f"/v1/bkb/memberships/{theirs_bkb.json()['id']}", headers=education.kader
    )
    assert unseen.status_code == 404
    ended = await education.client.post(
        f"/v1/bkb/memberships/{theirs_bkb.json()['id']}/end",
        json={"left_on": "2025-06-01"},
        headers=education.kader,
    )
    assert ended.status_code == 404
    listed = await education.client.get("/v1/bkb/memberships", headers=education.kader)
    assert listed.json() == []
    for path in ("/v1/paud/enrolments", "/v1/bkb/memberships"):
        dpmd = await education.client.get(path, headers=education.dpmd)
        assert dpmd.status_code == 403  # person- and family-level data: the field's roles only


async def test_a_bkb_family_has_a_young_child_in_the_desa_and_one_open_membership(
    education: Education,
) -> None:
    posyandu_id = await education.known_posyandu(RAPAK_LAMBUR)
    far = await education.known_posyandu(SEBULU)
    await education.child(posyandu_id, GIRL)  # KK's child, under 2
    await education.child(posyandu_id, OLDER, kk=OTHER_KK)  # OTHER_KK's only child, 7
    url = "/v1/bkb/memberships"
    body = {
        "posyandu_id": posyandu_id,
        "kk": KK,
        "group_name": "BKB Melati",
        "joined_on": "2025-02-03",
    }
    for change, field, rule in (
        ({"kk": OTHER_KK}, "body.kk", "no_young_child_known"),
        ({"posyandu_id": far}, "body.kk", "no_young_child_known"),
        ({"kk": "640206123456000"}, "body.kk", "string_pattern_mismatch"),
        ({"joined_on": "2099-01-01"}, "body.joined_on", "not_in_future"),
        ({"group_name": ""}, "body.group_name", "string_too_short"),
    ):
        refused = await education.client.post(url, json={**body, **change}, headers=education.opd)
        assert _problem(refused) == (field, rule), change

    created = await education.client.post(url, json=body, headers=education.kader)
    assert created.status_code == 201, created.text
    membership = created.json()
    secret = education.settings.pseudonym_secret
    assert membership["household_ref"] == household_ref(secret, KK)
    assert membership["kk_masked"] == "640206********01" and "kk" not in membership
    assert (membership["desa_code"], membership["left_on"]) == (RAPAK_LAMBUR, None)
    again = await education.client.post(
        url, json={**body, "group_name": "BKB Mawar"}, headers=education.opd
    )
    assert again.status_code == 409 and again.json()["existing_membership_id"] == membership["id"]

    end = f"{url}/{membership['id']}/end"
    early = await education.client.post(end, json={"left_on": "2025-02-02"}, headers=education.opd)
    assert _problem(early) == ("body.left_on", "before_joining")
    left = await education.client.post(end, json={"left_on": "2025-06-01"}, headers=education.kader)
    assert left.status_code == 200 and left.json()["left_on"] == "2025-06-01"
    twice = await education.client.post(end, json={"left_on": "2025-07-01"}, headers=education.opd)
    assert twice.status_code == 409 and twice.json()["left_on"] == "2025-06-01"
    rejoined = await education.client.post(
        url, json={**body, "joined_on": "2025-09-01"}, headers=education.opd
    )
    assert rejoined.status_code == 201, rejoined.text

    for active_on, expected in (
        ("2025-03-01", [membership["id"]]),
        ("2025-06-01", []),
        ("2025-09-01", [rejoined.json()["id"]]),
    ):
        listed = await education.client.get(
            url, params={"active_on": active_on, "posyandu_id": posyandu_id}, headers=education.opd
        )
        assert [m["id"] for m in listed.json()] == expected, active_on
    all_of_them = await education.client.get(url, headers=education.kader)
    assert len(all_of_them.json()) == 2


async def test_a_child_is_in_paud_or_bkb_by_status_enrolment_year_or_household(
    education: Education,
) -> None:
    posyandu_id = await education.known_posyandu()
    enrolled = await education.child(posyandu_id, BOY, kk=OTHER_KK)
    backfilled = await education.child(posyandu_id, GIRL)
    sibling = await education.child(posyandu_id, "6402064408230004", kk=KK)  # P, 2023-08-04
    await _enrol(education, enrolled["id"])  # status paud
    later = {"status": "not_school_age", "source": "kader_census", "on": "2025-08-01"}
    response = await education.client.post(
        f"/v1/children/{backfilled['id']}/status", json=later, headers=education.opd
    )
    assert response.status_code == 201
    assert (await _enrol(education, backfilled["id"]))["status_recorded"] is False
    bkb = {
        "posyandu_id": posyandu_id,
        "kk": KK,
        "group_name": "BKB Melati",
        "joined_on": "2025-02-03",
    }
    membership = await education.client.post("/v1/bkb/memberships", json=bkb, headers=education.opd)
    assert membership.status_code == 201
    ended = await education.client.post(
        f"/v1/bkb/memberships/{membership.json()['id']}/end",
        json={"left_on": "2025-06-01"},
        headers=education.opd,
    )
    assert ended.status_code == 200

    async def reached(person: str, household: str | None, on: str) -> bool:
        async with education.app.state.db.transaction() as session:
            return await in_paud_or_bkb(
                session, person_ref=person, household_ref=household, on=date.fromisoformat(on)
            )

    kk_ref = household_ref(education.settings.pseudonym_secret, KK)
    assert await reached(enrolled["person_ref"], None, "2020-01-01")  # current status paud
    assert await reached(backfilled["person_ref"], None, "2025-10-01")  # an enrolment for 2025
    assert await reached(sibling["person_ref"], None, "2025-03-01")  # its household in BKB
    assert await reached(sibling["person_ref"], kk_ref, "2025-05-31")
    assert not await reached(sibling["person_ref"], None, "2025-06-01")  # the day it left
    assert not await reached(sibling["person_ref"], None, "2025-02-02")  # before it joined
    assert not await reached(backfilled["person_ref"], None, "2024-12-31")
    assert await reached("unknown-person", kk_ref, "2025-04-01")  # the household alone
    assert not await reached("unknown-person", None, "2025-04-01")


async def test_the_migrations_build_what_the_models_declare(
    education: Education, postgres_url: str
) -> None:
    assert education.app.state.db.is_postgres
    assert await schema_drift(postgres_url, metadata, replica_metadata, referral_metadata) == []
