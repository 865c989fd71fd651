"""Targets, measurements, bulk upload, stunting episodes and events over real PG and Kafka."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from health_testkit import DESA, OTHER_DESA, TODAY, nik

from simpul_health.events import TOPIC
from simpul_platform.testing.kafka_reader import read_envelopes

pytestmark = pytest.mark.integration


def weighing(target_id: str, on: date, weight: float, height: float | None = None, **kw):
    return {
        "target_id": target_id,
        "measured_on": on.isoformat(),
        "weight_kg": weight,
        "height_cm": height,
        **kw,
    }


async def test_measurement_computes_who_scores_and_announces_without_nik(health):
    pid = await health.posyandu()
    measured_on = TODAY - timedelta(days=3)
    child = await health.target(pid, measured_on - timedelta(days=731), "M", serial=11)
    assert child["life_cycle_group"] == "bayi_balita"
    response = await health.client.post(
        f"/v1/posyandu/{pid}/measurements",
        json=weighing(child["id"], measured_on, 10.0, 80.0, measure_position="standing"),
        headers=health.kader,
    )
    assert response.status_code == 201, response.text
    m = response.json()
    assert (m["age_days"], m["haz"], m["height_for_age"]) == (731, -2.33, "stunted")
    assert m["created_by"] == "kader-rapak-lambur"
    envelopes = await read_envelopes(
        health.settings.kafka_bootstrap_servers, health.settings.topic(TOPIC), expected=2
    )
    by_type = {e.type: e for e in envelopes}
    assert set(by_type) == {"health.child.measured.v1", "health.stunting.detected.v1"}
    measured = by_type["health.child.measured.v1"]
    assert measured.posyandu_id == pid and measured.wilayah == DESA
    assert measured.data["haz"] == -2.33 and measured.data["person_ref"] == child["person_ref"]
    assert measured.data["height_for_age"] == "stunted" and measured.data["sex"] == "M"
    detected = by_type["health.stunting.detected.v1"]
    assert detected.data["severity"] == "stunted" and detected.data["escalated"] is False
    for envelope in envelopes:
        text = json.dumps(envelope.data)
        assert child["nik"] not in text and child["kk"] not in text and "Anak" not in text


async def test_every_rejection_names_field_and_rule(health):
    pid = await health.posyandu()
    born = TODAY - timedelta(days=400)
    child = await health.target(pid, born, "F", serial=12)
    old = await health.target(pid, TODAY - timedelta(days=2000), "M", serial=13)
    url = f"/v1/posyandu/{pid}/measurements"
    cases = [
        (
            weighing(child["id"], TODAY + timedelta(days=1), 9.0),
            "measured_on",
            "not_in_future",
        ),
        (
            weighing(child["id"], born - timedelta(days=1), 3.0),
            "measured_on",
            "measured_before_birth",
        ),
        (weighing(old["id"], TODAY, 15.0), "measured_on", "age_over_60_months"),
        (weighing(child["id"], TODAY, 9.0, 50.0), "height_cm", "implausible_haz"),
        (weighing(child["id"], TODAY, 60.0), "body.weight_kg", "less_than_equal"),
    ]
    for body, field, rule in cases:
        response = await health.client.post(url, json=body, headers=health.kader)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert (response.json()["errors"][0]["field"], response.json()["errors"][0]["rule"]) == (
            field,
            rule,
        )
    confirmed = weighing(child["id"], TODAY, 9.0, 50.0, confirmed_implausible=True)
    assert (await health.client.post(url, json=confirmed, headers=health.kader)).status_code == 201

    unknown = await health.client.post(
        "/v1/posyandu/nope/measurements",
        json=weighing(child["id"], TODAY, 9.0),
        headers=health.kader,
    )
    assert unknown.json()["errors"][0]["rule"] == "unknown_posyandu"
    # Deactivated in the registry: its status change (and deactivation) on the registry topic.
    await health.registry.deactivate(pid)
    await health.wait_replica(pid, lambda row: row["status"] == "inactive")
    inactive = await health.client.post(
        url, json=weighing(child["id"], TODAY - timedelta(days=1), 9.0), headers=health.kader
    )
    assert inactive.status_code == 422
    assert inactive.json()["errors"][0] == {
        "field": "posyandu_id",
        "rule": "posyandu_inactive",
        "message": f"Posyandu {pid} is inactive.",
    }


async def test_roles_and_wilayah(health):
    pid = await health.posyandu()
    other = await health.posyandu("Posyandu Melati", OTHER_DESA)
    child = await health.target(pid, TODAY - timedelta(days=300), "M", serial=14)
    body = weighing(child["id"], TODAY, 8.5)
    dpmd = health.auth(["dpmd"], ["64.02"])
    assert (
        await health.client.post(f"/v1/posyandu/{pid}/measurements", json=body, headers=dpmd)
    ).status_code == 403
    assert (await health.client.get(f"/v1/targets/{child['id']}", headers=dpmd)).status_code == 403
    assert (
        await health.client.post(
            f"/v1/posyandu/{other}/measurements", json=body, headers=health.kader
        )
    ).status_code == 403
    elsewhere = health.auth(["kader:health"], [OTHER_DESA])
    assert (
        await health.client.get(f"/v1/targets/{child['id']}", headers=elsewhere)
    ).status_code == 404
    indicators = await health.client.get(
        "/v1/indicators/stunting",
        params={"period": str(TODAY.year), "wilayah": "64.02"},
        headers=dpmd,
    )
    assert indicators.status_code == 200


async def test_bulk_day_with_good_bad_and_resent_items_and_one_detection_per_episode(health):
    pid = await health.posyandu()
    day1, day2, day3 = (TODAY - timedelta(days=d) for d in (70, 40, 10))
    a = await health.target(pid, day1 - timedelta(days=731), "M", serial=21)  # stunted
    b = await health.target(pid, day1 - timedelta(days=400), "F", serial=22)  # normal
    url = f"/v1/posyandu/{pid}/measurements/bulk"
    batch = {
        "items": [
            weighing(a["id"], day1, 10.0, 80.0, measure_position="standing"),
            weighing(b["id"], day1, 9.0, 74.0),
            weighing("no-such-child", day1, 9.0),
            {"target_id": b["id"], "measured_on": "not-a-date", "weight_kg": 9.0},
            weighing(b["id"], TODAY + timedelta(days=2), 9.0),
        ],
    }
    first = await health.client.post(url, json=batch, headers=health.kader)
    assert first.status_code == 200, first.text
    result = first.json()
    assert (result["created"], result["duplicates"], result["rejected"]) == (2, 0, 3)
    assert [r["status"] for r in result["results"]] == [
        "created",
        "created",
        "rejected",
        "rejected",
        "rejected",
    ]
    assert result["results"][2]["errors"][0]["rule"] == "unknown_target"
    assert result["results"][3]["errors"][0]["field"] == "measured_on"
    assert result["results"][4]["errors"][0]["rule"] == "not_in_future"
    # Re-sent without a key: duplicates, nothing stored twice, no second detection.
    again = (await health.client.post(url, json=batch, headers=health.kader)).json()
    assert (again["created"], again["duplicates"]) == (0, 2)
    assert again["results"][0]["measurement_id"] == result["results"][0]["measurement_id"]
    # With an Idempotency-Key the first response is replayed.
    keyed = {**health.kader, "Idempotency-Key": "posyandu-day-2"}
    month2 = {
        "items": [
            weighing(a["id"], day2, 10.1, 80.5, measure_position="standing"),  # still stunted
            weighing(b["id"], day2, 9.05, 74.5),
        ],
    }
    r1 = await health.client.post(url, json=month2, headers=keyed)
    r2 = await health.client.post(url, json=month2, headers=keyed)
    assert r1.json() == r2.json() and r2.headers["idempotent-replayed"] == "true"
    assert r1.json()["created"] == 2
    # Month 3: a falls below −3 (escalation, once), b's second T in a row is faltering.
    month3 = {
        "items": [
            weighing(a["id"], day3, 10.1, 77.5, measure_position="standing"),
            weighing(b["id"], day3, 9.1, 75.0),
        ],
    }
    r3 = (await health.client.post(url, json=month3, headers=health.kader)).json()
    assert r3["created"] == 2
    growth = (
        await health.client.get(f"/v1/targets/{b['id']}/measurements", headers=health.kader)
    ).json()
    assert [(g["growth"], g["growth_faltering"]) for g in growth] == [
        (None, False),
        ("T", False),
        ("T", True),
    ]
    await health.client.post(url, json=month3, headers=health.kader)  # re-sent again
    envelopes = await read_envelopes(
        health.settings.kafka_bootstrap_servers,
        health.settings.topic(TOPIC),
        expected=8,
        timeout=20,
    )
    detected = [e.data for e in envelopes if e.type == "health.stunting.detected.v1"]
    assert [(d["severity"], d["escalated"]) for d in detected] == [
        ("stunted", False),
        ("severely_stunted", True),
    ]
    assert len({d["episode_id"] for d in detected}) == 1
    assert sum(e.type == "health.child.measured.v1" for e in envelopes) == 6


async def test_a_list_offset_beyond_the_database_range_is_a_422_not_a_500(health):
    """Found by bench/fuzz.py: an offset past PostgreSQL's bigint made the list a 500."""
    too_far = await health.client.get("/v1/targets", params={"offset": 2**63}, headers=health.opd)
    assert too_far.status_code == 422, too_far.text
    assert too_far.headers["content-type"] == "application/problem+json"
    error = too_far.json()["errors"][0]
    assert (error["field"], error["rule"]) == ("query.offset", "less_than_equal")
    furthest = await health.client.get(
        "/v1/targets", params={"offset": 2**63 - 1}, headers=health.opd
    )
    assert furthest.status_code == 200 and furthest.json() == []


async def test_a_measurement_dated_in_year_one_is_refused_not_a_500(health):
    """Found by bench/fuzz.py: the history look-back (62 days before the earliest item)
    overflowed Python's date range for 0001-01-01."""
    pid = await health.posyandu()
    child = await health.target(pid, TODAY - timedelta(days=400), "F", serial=21)
    url = f"/v1/posyandu/{pid}/measurements"
    response = await health.client.post(
        url, json=weighing(child["id"], date(1, 1, 1), 0.5), headers=health.kader
    )
    assert response.status_code == 422, response.text
    error = response.json()["errors"][0]
    assert (error["field"], error["rule"]) == ("measured_on", "measured_before_birth")
    bulk = await health.client.post(
        f"{url}/bulk",
        json={"items": [weighing(child["id"], date(1, 1, 5), 9.0)]},
        headers=health.kader,
    )
    assert bulk.status_code == 200 and bulk.json()["results"][0]["status"] == "rejected"


async def test_target_lists_hold_the_callers_wilayah_and_what_it_asks_within_it(health):
    """The list filter is the platform's ``under``: a scope covers its own code and the codes
    beneath it, and a nationwide caller sees everything."""
    here = await health.posyandu()
    there = await health.posyandu("Posyandu Melati", OTHER_DESA)
    mine = await health.target(here, TODAY - timedelta(days=300), "M", serial=31)
    other_kader = health.auth(["kader:health"], [OTHER_DESA], sub="kader-sebulu")
    body = {
        "nik": nik(TODAY - timedelta(days=500), "F", 32, region="640207"),
        "name": "Anak Sebulu",
        "sex": "F",
        "birth_date": (TODAY - timedelta(days=500)).isoformat(),
        "posyandu_id": there,
    }
    created = await health.client.post("/v1/targets", json=body, headers=other_kader)
    assert created.status_code == 201, created.text
    theirs = created.json()

    async def listed(headers: dict[str, str], **params: str) -> set[str] | int:
        response = await health.client.get("/v1/targets", params=params, headers=headers)
        if response.status_code != 200:
            return response.status_code
        return {t["id"] for t in response.json()}

    everyone = {mine["id"], theirs["id"]}
    assert await listed(health.kader) == {mine["id"]}
    assert await listed(other_kader) == {theirs["id"]}
    assert await listed(health.opd) == everyone
    assert await listed(health.opd, wilayah="64.02.07") == {theirs["id"]}
    assert await listed(health.opd, wilayah="64") == everyone  # a parent: the caller's part
    assert await listed(health.opd, wilayah="64.03") == 403
    assert await listed(health.kader, wilayah="64.02") == {mine["id"]}
    nationwide = health.auth(["opd:health"], ["*"], sub="kemenkes")
    assert await listed(nationwide) == everyone
    assert await listed(nationwide, posyandu_id=there) == {theirs["id"]}
