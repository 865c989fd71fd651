"""Households, members and deciles over the real database; events carry pseudonyms only."""

from __future__ import annotations

import pytest
from social_testkit import SEBULU, Social

from simpul_platform.pseudonym import household_ref, person_ref
from simpul_platform.testing.kafka_reader import read_envelopes

pytestmark = pytest.mark.integration
KK = "6402061234560001"
MOTHER = {"nik": "6402064507950003", "name": "Siti Aminah", "relationship": "istri"}
CHILD = {"nik": "6402065503240001", "name": "Nur", "relationship": "anak"}


async def test_household_with_members_and_decile(social: Social) -> None:
    posyandu_id = await social.known_posyandu()
    created = await social.household(
        posyandu_id, KK, decile=3, members=[MOTHER, CHILD], headers=social.kader
    )
    assert created["desa_code"] == "64.02.06.2012"
    assert created["household_ref"] == household_ref(social.settings.pseudonym_secret, KK)
    assert created["decile"] == 3 and created["created_by"] == "kader-rapak"
    child = created["members"][1]
    assert child["sex"] == "P" and child["birth_date"] == "2024-03-15"
    assert child["nik_masked"] == "640206********01" and "nik" not in child
    assert child["person_ref"] == person_ref(social.settings.pseudonym_secret, CHILD["nik"])

    newer = await social.client.post(
        f"/v1/households/{created['id']}/assessments",
        headers=social.opd,
        json={"decile": 5, "source": "DTSEN", "assessed_on": "2026-06-01"},
    )
    older = await social.client.post(
        f"/v1/households/{created['id']}/assessments",
        headers=social.opd,
        json={"decile": 1, "source": "musdes", "assessed_on": "2025-12-01"},
    )
    assert newer.status_code == older.status_code == 201
    detail = older.json()
    assert detail["decile"] == 5 and detail["decile_source"] == "DTSEN"  # newest date wins
    assert [a["decile"] for a in detail["assessments"]] == [1, 3, 5]

    topic = social.settings.topic("simpul.social.v1")
    events = await read_envelopes(social.settings.kafka_bootstrap_servers, topic, expected=3)
    assert [e.type for e in events] == ["social.household.assessed.v1"] * 3
    assert {e.posyandu_id for e in events} == {posyandu_id}
    assert {e.wilayah for e in events} == {"64.02.06.2012"}
    for event in events:
        text = str(event.data)
        assert KK not in text and CHILD["nik"] not in text and "Siti" not in text


async def test_unknown_and_inactive_posyandu_are_refused(social: Social) -> None:
    body = {"kk": KK, "posyandu_id": "no-such-posyandu", "address": "x"}
    unknown = await social.client.post("/v1/households", json=body, headers=social.opd)
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0] == {
        "field": "body.posyandu_id",
        "rule": "unknown_posyandu",
        "message": "No posyandu no-such-posyandu is known to the registry.",
    }
    closed = await social.known_posyandu(status="inactive")
    inactive = await social.client.post(
        "/v1/households", json={**body, "posyandu_id": closed}, headers=social.opd
    )
    assert inactive.status_code == 422
    assert inactive.json()["errors"][0]["rule"] == "posyandu_inactive"


async def test_bad_identifiers_and_duplicates(social: Social) -> None:
    posyandu_id = await social.known_posyandu()
    base = {"kk": KK, "posyandu_id": posyandu_id, "address": "Jl. Mawar"}
    cases = [
        ({**base, "kk": "123"}, "body.kk", "string_pattern_mismatch"),
        ({**base, "kk": "0002061234560001"}, "body.kk", "kk_province"),
        (
            {**base, "members": [{**CHILD, "nik": "6402069903240001"}]},
            "body.members[0].nik",
            "invalid_nik",
        ),
        ({**base, "members": [{**CHILD, "sex": "L"}]}, "body.members[0].sex", "nik_mismatch"),
        (
            {**base, "decile": {"decile": 11, "source": "DTSEN", "assessed_on": "2026-01-01"}},
            "body.decile.decile",
            "less_than_equal",
        ),
        (
            {**base, "decile": {"decile": 2, "source": "DTSEN", "assessed_on": "2999-01-01"}},
            "body.decile.assessed_on",
            "not_in_future",
        ),
    ]
    for body, field, rule in cases:
        response = await social.client.post("/v1/households", json=body, headers=social.opd)
        assert response.status_code == 422, (body, response.text)
        assert {(e["field"], e["rule"]) for e in response.json()["errors"]} == {(field, rule)}
    first = await social.household(posyandu_id, KK, members=[CHILD])
    again = await social.client.post("/v1/households", json=base, headers=social.opd)
    assert again.status_code == 409
    assert again.json()["existing_household_id"] == first["id"]
    same_child = await social.client.post(
        "/v1/households",
        json={**base, "kk": "6402061234560002", "members": [CHILD]},
        headers=social.opd,
    )
    assert same_child.status_code == 409
    listed = await social.client.get("/v1/households", headers=social.opd)
    assert [h["id"] for h in listed.json()] == [first["id"]]  # no half-write


async def test_roles_and_wilayah(social: Social) -> None:
    posyandu_id = await social.known_posyandu()
    elsewhere = await social.known_posyandu(desa=SEBULU)
    created = await social.household(posyandu_id, KK)
    foreign = await social.client.post(
        "/v1/households",
        headers=social.kader,
        json={"kk": "6402061234560009", "posyandu_id": elsewhere, "address": "x"},
    )
    assert foreign.status_code == 403
    health = social.auth(["kader:health"], ["64.02"])
    for headers in (health, social.dpmd):
        assert (
            await social.client.get(f"/v1/households/{created['id']}", headers=headers)
        ).status_code == 403
    sebulu_kader = social.auth(["kader:social"], [SEBULU])
    hidden = await social.client.get(f"/v1/households/{created['id']}", headers=sebulu_kader)
    assert hidden.status_code == 404
    listed = await social.client.get("/v1/households", headers=sebulu_kader)
    assert listed.json() == []


async def test_a_list_offset_beyond_the_database_range_is_a_422_not_a_500(social: Social) -> None:
    """Found by bench/fuzz.py: an offset past PostgreSQL's bigint made the list a 500."""
    too_far = await social.client.get(
        "/v1/households", params={"offset": 2**63}, headers=social.opd
    )
    assert too_far.status_code == 422, too_far.text
    error = too_far.json()["errors"][0]
    assert (error["field"], error["rule"]) == ("query.offset", "less_than_equal")
    furthest = await social.client.get(
        "/v1/households", params={"offset": 2**63 - 1}, headers=social.opd
    )
    assert furthest.status_code == 200 and furthest.json() == []


async def test_a_nul_character_anywhere_is_a_422_naming_where_not_a_500(social: Social) -> None:
    """Found by bench/fuzz.py: PostgreSQL text cannot hold U+0000, so a NUL in a body or a
    query parameter reached the database and came back as a 500."""
    posyandu_id = await social.known_posyandu()
    household = await social.household(posyandu_id, KK, members=[CHILD])
    cases = [
        ("post", "/v1/usulan", {"household_id": household["id"], "reason": "a\x00b"}, None),
        (
            "post",
            "/v1/households",
            {"kk": KK, "posyandu_id": posyandu_id, "members": [{**CHILD, "name": "N\x00ur"}]},
            None,
        ),
        ("get", "/v1/distributions", None, {"household_id": "\x00x"}),
    ]
    expected = ["body.reason", "body.members[0].name", "query.household_id"]
    for (method, url, body, params), field in zip(cases, expected, strict=True):
        response = await social.client.request(
            method.upper(), url, json=body, params=params, headers=social.opd
        )
        assert response.status_code == 422, (url, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert [(e["field"], e["rule"]) for e in response.json()["errors"]] == [
            (field, "nul_character")
        ]
    clean = await social.client.get(
        "/v1/distributions", params={"household_id": household["id"]}, headers=social.opd
    )
    assert clean.status_code == 200
