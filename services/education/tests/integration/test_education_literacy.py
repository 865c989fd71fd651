"""Literacy sessions at the posyandu over the real database: counts by age group with their
rules, one session of a kind per posyandu and day, lists by wilayah, posyandu, kind and date
range, aggregate readers allowed to read (no person in them), and the API docs saying no
national standard exists."""

from __future__ import annotations

from typing import Any

import pytest
from education_testkit import MANGKURAWANG, RAPAK_LAMBUR, Education

pytestmark = pytest.mark.integration
URL = "/v1/literacy/sessions"


def _session(at: str, **given: Any) -> dict[str, Any]:
    return {
        "posyandu_id": at,
        "held_on": "2026-03-02",
        "kind": "reading_session",
        "participants": {"age_0_6": 12, "age_7_12": 5, "adults": 9},
        "facilitator": "relawan_tbm",
        **given,
    }


def _problem(response: Any) -> tuple[str, str]:
    assert response.status_code == 422, response.text
    error = response.json()["errors"][0]
    return error["field"], error["rule"]


async def test_a_session_is_recorded_with_its_counts_once_a_day_per_kind(
    education: Education,
) -> None:
    posyandu_id = await education.known_posyandu()
    created = await education.client.post(URL, json=_session(posyandu_id), headers=education.kader)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["participants"] == {
        "age_0_6": 12,
        "age_7_12": 5,
        "age_13_18": 0,
        "adults": 9,
        "total": 26,
    }
    assert (body["desa_code"], body["facilitator"], body["created_by"]) == (
        RAPAK_LAMBUR,
        "relawan_tbm",
        "kader-rapak",
    )
    again = await education.client.post(
        URL, json=_session(posyandu_id, facilitator=None), headers=education.opd
    )
    assert again.status_code == 409, again.text
    assert again.json()["existing_session_id"] == body["id"]
    other_kind = await education.client.post(
        URL, json=_session(posyandu_id, kind="taman_bacaan"), headers=education.opd
    )
    assert other_kind.status_code == 201
    got = await education.client.get(f"{URL}/{body['id']}", headers=education.dpmd)
    assert got.status_code == 200 and got.json() == body


async def test_a_wrong_session_names_field_and_rule(education: Education) -> None:
    posyandu_id = await education.known_posyandu()
    for change, field, rule in (
        ({"participants": {"age_0_6": 0}}, "body.participants", "no_participants"),
        ({"participants": {}}, "body.participants", "no_participants"),
        ({"participants": {"adults": -1}}, "body.participants.adults", "greater_than_equal"),
        ({"held_on": "2099-01-01"}, "body.held_on", "not_in_future"),
        ({"kind": "posyandu_day"}, "body.kind", "literal_error"),
        ({"facilitator": "Ibu Sari"}, "body.facilitator", "literal_error"),
        ({"posyandu_id": "no-such-posyandu"}, "body.posyandu_id", "unknown_posyandu"),
    ):
        refused = await education.client.post(
            URL, json=_session(posyandu_id, **change), headers=education.opd
        )
        assert _problem(refused) == (field, rule), change
    reversed_range = await education.client.get(
        URL, params={"held_from": "2026-03-02", "held_to": "2026-03-01"}, headers=education.opd
    )
    assert _problem(reversed_range) == ("query.held_to", "range_reversed")


async def test_lists_filter_by_wilayah_posyandu_kind_and_dates_and_writes_stay_in_wilayah(
    education: Education,
) -> None:
    here = await education.known_posyandu(RAPAK_LAMBUR)
    there = await education.known_posyandu(MANGKURAWANG)
    outside = await education.client.post(URL, json=_session(there), headers=education.kader)
    assert outside.status_code == 403
    made = {}
    for posyandu_id, held_on, kind in (
        (here, "2026-01-05", "reading_session"),
        (here, "2026-02-02", "storytelling"),
        (here, "2026-03-02", "reading_session"),
        (there, "2026-02-02", "book_lending"),
    ):
        response = await education.client.post(
            URL, json=_session(posyandu_id, held_on=held_on, kind=kind), headers=education.opd
        )
        assert response.status_code == 201, response.text
        made[(posyandu_id, held_on)] = response.json()["id"]

    async def listed(headers: dict[str, str], **params: str) -> list[str]:
        response = await education.client.get(URL, params=params, headers=headers)
        assert response.status_code == 200, response.text
        return [s["id"] for s in response.json()]

    mine = [made[(here, d)] for d in ("2026-03-02", "2026-02-02", "2026-01-05")]
    assert await listed(education.kader) == mine  # newest first, the kader's desa only
    kecamatan = await listed(education.dpmd, wilayah="64.02.06")
    assert (kecamatan[0], set(kecamatan[1:3]), kecamatan[3]) == (
        mine[0],
        {mine[1], made[(there, "2026-02-02")]},
        mine[2],
    )
    assert await listed(education.opd, posyandu_id=there) == [made[(there, "2026-02-02")]]
    assert await listed(education.opd, kind="reading_session") == [mine[0], mine[2]]
    one_day = await listed(education.opd, held_from="2026-02-02", held_to="2026-02-02")
    assert set(one_day) == {mine[1], made[(there, "2026-02-02")]} and len(one_day) == 2
    assert await listed(education.opd, held_from="2026-03-01") == [mine[0]]
    hidden = await education.client.get(
        f"{URL}/{made[(there, '2026-02-02')]}", headers=education.kader
    )
    assert hidden.status_code == 404


async def test_the_api_docs_say_no_national_standard_exists(education: Education) -> None:
    document = (await education.client.get("/openapi.json")).json()
    for method in ("post", "get"):
        operation = document["paths"][URL][method]
        assert "No national data standard exists" in operation["description"]
