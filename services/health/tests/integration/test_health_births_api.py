"""Ibu bersalin and bayi baru lahir over HTTP: the delivery's standard, the newborn's
neonatal windows to the minute, the events on Kafka, and who may write."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from health_births_kit import deliver, delivery, minute_ago, newborn, pregnancy, visit
from health_testkit import TODAY

from simpul_health.events import TOPIC
from simpul_platform.testing.kafka_reader import read_envelopes

pytestmark = pytest.mark.integration

H, MIN = timedelta(hours=1), timedelta(minutes=1)


async def test_a_delivery_is_to_standard_at_a_facility_with_competent_staff(health):
    pid = await health.posyandu()
    on = TODAY - timedelta(days=3)
    combinations = [
        ("puskesmas", ("midwife",), True),
        ("hospital", ("obgyn", "nurse"), True),
        ("midwife_practice", ("midwife", "family"), True),
        ("clinic", ("traditional_birth_attendant",), False),
        ("home", ("midwife",), False),
        ("home", ("traditional_birth_attendant", "family"), False),
        ("other", ("none",), False),
    ]
    for place, attendants, standard in combinations:
        p = await deliver(health, pid, on, place, attendants)
        assert p["status"] == "delivered" and p["delivery_place"] == place
        assert p["delivery_attendants"] == list(attendants)  # given in the vocabulary's order
        assert p["delivered_to_standard"] is standard, (place, attendants)

    _, ongoing = await pregnancy(health, pid, on)
    url = f"/v1/pregnancies/{ongoing['id']}/delivery"
    refused = [
        (delivery(on, place=None), "delivery_place", "delivery_place_required"),
        (delivery(on, attendants=()), "delivery_attendants", "delivery_attendants_required"),
        (delivery(on, attendants=("none", "midwife")), "delivery_attendants",
         "none_with_attendants"),
    ]  # fmt: skip
    for body, field, rule in refused:
        response = await health.client.post(url, json=body, headers=health.kader)
        assert response.status_code == 422, response.text
        error = response.json()["errors"][0]
        assert (error["field"], error["rule"]) == (field, rule)
    unknown = await health.client.post(
        url, json=delivery(on, place="rumah_dukun"), headers=health.kader
    )
    assert unknown.status_code == 422
    # A miscarriage names neither, and is not a delivery the SPM counts.
    ended = await health.client.post(
        url, json={"delivered_on": on.isoformat(), "outcome": "miscarriage"}, headers=health.kader
    )
    assert ended.status_code == 200, ended.text
    assert (ended.json()["status"], ended.json()["delivered_to_standard"]) == ("ended", False)


async def test_the_neonatal_windows_to_the_minute_and_completion_once(health):
    pid = await health.posyandu()
    born_at = minute_ago(29)
    mother, p = await pregnancy(health, pid, born_at.astimezone(health.settings.zone).date())
    delivered_on = born_at.astimezone(health.settings.zone).date()
    d = await health.client.post(
        f"/v1/pregnancies/{p['id']}/delivery", json=delivery(delivered_on), headers=health.kader
    )
    assert d.status_code == 200, d.text
    created = await health.client.post(
        "/v1/newborns",
        json={
            "pregnancy_id": p["id"],
            "born_at": born_at.isoformat(),
            "sex": "M",
            "birth_weight_kg": 2.4,
        },
        headers=health.kader,
    )
    assert created.status_code == 201, created.text
    nb = created.json()
    assert (nb["posyandu_id"], nb["mother_target_id"], nb["born_on"]) == (
        pid,
        mother["id"],
        delivered_on.isoformat(),
    )
    assert nb["low_birth_weight"] is True and nb["kn_complete"] is False
    twin_again = await health.client.post(
        "/v1/newborns",
        json={"pregnancy_id": p["id"], "born_at": born_at.isoformat(), "sex": "M"},
        headers=health.kader,
    )
    assert twin_again.status_code == 409, twin_again.text

    refused = [
        (6 * H - MIN, "before_kn1_window"),
        (672 * H + MIN, "after_neonatal_period"),
        (-H, "before_birth"),
    ]
    for age, rule in refused:
        response = await visit(health, nb["id"], born_at + age)
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["rule"] == rule
    future = await visit(health, nb["id"], datetime.now(UTC) + H)
    assert future.json()["errors"][0]["rule"] == "not_in_future"

    ages = [6 * H, 48 * H, 48 * H + MIN, 168 * H, 168 * H + MIN, 672 * H]
    states = []
    for age in ages:
        response = await visit(health, nb["id"], born_at + age)
        assert response.status_code == 201, response.text
        states.append(response.json()["kn_complete"])
    assert states == [False, False, False, False, True, True]
    final = (await health.client.get(f"/v1/newborns/{nb['id']}", headers=health.kader)).json()
    assert [v["kn"] for v in final["visits"]] == [1, 1, 2, 2, 3, 3]
    assert [v["age_hours"] for v in final["visits"]] == [6, 48, 48, 168, 168, 672]
    # A window's second visit is recorded, but its KN stays the first.
    moments = [datetime.fromisoformat(final[f"kn{k}_at"]) for k in (1, 2, 3)]
    assert moments == [born_at + 6 * H, born_at + 48 * H + MIN, born_at + 168 * H + MIN]

    listed = await health.client.get(
        "/v1/newborns",
        params={"posyandu_id": pid, "born_from": delivered_on.isoformat()},
        headers=health.kader,
    )
    assert [n["id"] for n in listed.json()] == [nb["id"]]
    later = await health.client.get(
        "/v1/newborns",
        params={"born_from": (delivered_on + timedelta(days=1)).isoformat()},
        headers=health.kader,
    )
    assert later.json() == []

    envelopes = await read_envelopes(
        health.settings.kafka_bootstrap_servers,
        health.settings.topic(TOPIC),
        expected=3,
        timeout=20,
    )
    by_type: dict[str, list[dict]] = {}
    for e in envelopes:
        by_type.setdefault(e.type, []).append(e.data)
    assert [e["person_ref"] for e in by_type["health.delivery.recorded.v1"]] == [
        mother["person_ref"]
    ]
    registered = by_type["health.newborn.registered.v1"]
    assert [(r["mother_person_ref"], r["low_birth_weight"]) for r in registered] == [
        (mother["person_ref"], True)
    ]
    completed = by_type["health.newborn.visits_completed.v1"]
    assert len(completed) == 1 and completed[0]["newborn_id"] == nb["id"]
    assert completed[0]["completed_on"] == (
        (born_at + 168 * H + MIN).astimezone(health.settings.zone).date().isoformat()
    )
    # No name, no NIK, no KK on the wire: only pseudonyms.
    for e in envelopes:
        text = repr(e.data)
        assert mother["nik"] not in text and "Ibu Sari" not in text
        assert not {"nik", "kk", "name"} & set(e.data)


async def test_a_newborn_needs_a_live_birth_on_its_date_and_writes_are_healths(health):
    pid = await health.posyandu()
    born_at = minute_ago(2)
    day = born_at.astimezone(health.settings.zone).date()
    _, ongoing = await pregnancy(health, pid, day)
    cases = [
        ({"pregnancy_id": ongoing["id"]}, "pregnancy_id", "not_a_live_birth"),
        ({"pregnancy_id": "no-such-pregnancy"}, "pregnancy_id", "unknown_pregnancy"),
        ({}, "posyandu_id", "posyandu_required"),
        ({"posyandu_id": pid, "mother_target_id": "nobody"}, "mother_target_id",
         "unknown_target"),
    ]  # fmt: skip
    for extra, field, rule in cases:
        response = await health.client.post(
            "/v1/newborns",
            json={"born_at": born_at.isoformat(), "sex": "F", **extra},
            headers=health.kader,
        )
        assert response.status_code == 422, response.text
        error = response.json()["errors"][0]
        assert (error["field"], error["rule"]) == (field, rule)
    await health.client.post(
        f"/v1/pregnancies/{ongoing['id']}/delivery", json=delivery(day), headers=health.kader
    )
    other_day = await health.client.post(
        "/v1/newborns",
        json={
            "pregnancy_id": ongoing["id"],
            "born_at": (born_at - timedelta(days=3)).isoformat(),
            "sex": "F",
        },
        headers=health.kader,
    )
    assert other_day.json()["errors"][0]["rule"] == "born_on_differs_from_delivery"
    naive = await health.client.post(
        "/v1/newborns",
        json={"posyandu_id": pid, "born_at": "2025-10-12T03:40:00", "sex": "F"},
        headers=health.kader,
    )
    assert naive.status_code == 422  # an instant names its offset
    tomorrow = await health.client.post(
        "/v1/newborns",
        json={"posyandu_id": pid, "born_at": (datetime.now(UTC) + H).isoformat(), "sex": "F"},
        headers=health.kader,
    )
    assert tomorrow.json()["errors"][0]["rule"] == "not_in_future"
    # born_on is the deployment's date: 23:30 UTC is the next day in WITA (UTC+8).
    late = datetime.combine(TODAY - timedelta(days=5), datetime.min.time(), UTC) + 23.5 * H
    nb = await newborn(health, pid, late)
    assert nb["born_on"] == (TODAY - timedelta(days=4)).isoformat()

    dpmd = health.dpmd
    writes = [
        ("/v1/newborns", {"posyandu_id": pid, "born_at": late.isoformat(), "sex": "F"}),
        (f"/v1/newborns/{nb['id']}/neonatal-visits",
         {"visited_at": (late + 7 * H).isoformat()}),
        (f"/v1/pregnancies/{ongoing['id']}/delivery", delivery(day)),
    ]  # fmt: skip
    for url, body in writes:
        response = await health.client.post(url, json=body, headers=dpmd)
        assert response.status_code == 403, (url, response.text)
    assert (await health.client.get(f"/v1/newborns/{nb['id']}", headers=dpmd)).status_code == 403
    outsider = health.auth(["kader:health"], ["64.02.07.2001"], sub="kader-elsewhere")
    hidden = await health.client.get(f"/v1/newborns/{nb['id']}", headers=outsider)
    assert hidden.status_code == 404
    listed = await health.client.get("/v1/newborns", headers=outsider)
    assert listed.json() == []
