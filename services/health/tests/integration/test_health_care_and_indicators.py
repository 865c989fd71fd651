"""Immunisation, ibu hamil/ANC, screening, and indicators against hand counts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from health_testkit import TODAY

from simpul_health.events import TOPIC
from simpul_platform.testing.kafka_reader import read_envelopes

pytestmark = pytest.mark.integration


async def test_stunting_and_spm_indicators_match_hand_counts(health):
    pid = await health.posyandu()
    day = TODAY - timedelta(days=5)
    # Boys of 731 days: 80.0 cm → HAZ −2.33 (stunted); 76.0 cm → < −3; 87.0 cm → normal.
    heights = [80.0, 80.0, 76.0, 87.0, 87.0, 87.0, 87.0]
    children = [
        await health.target(pid, day - timedelta(days=731), "M", serial=100 + i)
        for i in range(len(heights))
    ]
    items = [
        {
            "target_id": c["id"],
            "measured_on": day.isoformat(),
            "weight_kg": 11.0,
            "height_cm": h,
            "measure_position": "standing",
        }
        for c, h in zip(children, heights, strict=True)
    ]
    # An earlier measurement of child 0 in the same month: each child counts once, latest.
    items.append(
        {
            "target_id": children[0]["id"],
            "measured_on": (day - timedelta(days=1)).isoformat(),
            "weight_kg": 11.0,
            "height_cm": 88.0,
            "measure_position": "standing",
        }
    )
    bulk = await health.client.post(
        f"/v1/posyandu/{pid}/measurements/bulk",
        json={"items": items},
        headers=health.kader,
    )
    assert bulk.json()["created"] == 8, bulk.text
    adult = await health.target(pid, date(1970, 3, 4), "F", serial=200)
    await health.target(pid, date(1990, 3, 4), "M", serial=201)
    screening = await health.client.post(
        "/v1/screenings",
        headers=health.kader,
        json={
            "target_id": adult["id"],
            "screened_on": day.isoformat(),
            "systolic": 150,
            "diastolic": 95,
            "glucose_mg_dl": 130,
            "glucose_kind": "fasting",
        },
    )
    assert screening.status_code == 201, screening.text
    assert screening.json()["flags"] == ["hypertension", "diabetes"]
    assert screening.json()["follow_up"] == "referred"

    period = f"{day.year}-{day.month:02d}"
    dpmd = health.auth(["dpmd"], ["64.02"])
    for params in ({"wilayah": "64.02"}, {"wilayah": "64.02.06"}, {"posyandu_id": pid}):
        s = (
            await health.client.get(
                "/v1/indicators/stunting", params={"period": period, **params}, headers=dpmd
            )
        ).json()
        assert (s["measured"], s["stunted"], s["severely_stunted"]) == (7, 2, 1), s
        assert s["stunting_percent"] == round(100 * 3 / 7, 2)
        assert "Permenkes 2/2020" in s["definition"]["source"]
    elsewhere = (
        await health.client.get(
            "/v1/indicators/stunting",
            params={"period": period, "wilayah": "64.02.07"},
            headers=dpmd,
        )
    ).json()
    assert elsewhere["measured"] == 0 and elsewhere["stunting_percent"] is None
    spm = (
        await health.client.get(
            "/v1/indicators/spm", params={"period": period, "wilayah": "64.02"}, headers=dpmd
        )
    ).json()
    values = {i["code"]: (i["numerator"], i["denominator"]) for i in spm["indicators"]}
    assert values["health.balita"] == (7, 7)  # one weighing needed in a month
    assert values["health.usia_produktif"] == (1, 2)  # 55 and 35 years old; one screened
    assert values["health.usia_lanjut"] == (0, 0)
    assert values["health.hipertensi"] == (1, 1) and values["health.diabetes"] == (1, 1)
    assert all(i["source"].startswith("Permenkes") for i in spm["indicators"])
    assert all(i["field"] == "health" and i["target_percent"] == 100 for i in spm["indicators"])

    # The shapes the gateway composes: the same figures, no new counting.
    shared = await health.client.get(
        "/v1/indicators", params={"period": period, "wilayah": "64.02"}, headers=dpmd
    )
    *kesehatan, referrals = shared.json()
    assert [i for i in kesehatan if i["kind"] == "spm"] == spm["indicators"]
    # beside them, the growth indicators as context: the stunting counts above, and the rest
    context = {i["code"]: i for i in kesehatan if i["kind"] == "context"}
    assert list(context)[:4] == [
        f"health.{c}" for c in ("stunting", "wasting", "underweight", "overweight")
    ]
    # and only those: immunisation coverage is read at /v1/indicators/immunisation
    assert len(context) == 4
    assert (context["health.stunting"]["numerator"], context["health.stunting"]["denominator"]) == (
        3,
        7,
    )
    assert context["health.stunting"]["target_percent"] == 14.0
    # and the referrals health owns, none here: 0 of 0 resolved within their due date
    assert referrals["code"] == "health.referrals_resolved_in_time"
    assert (referrals["numerator"], referrals["denominator"], referrals["percent"]) == (0, 0, None)
    by_desa = (
        await health.client.get(
            "/v1/stunting/by-desa", params={"period": period, "wilayah": "64.02"}, headers=dpmd
        )
    ).json()
    assert len(by_desa) == 1 and by_desa[0]["desa_code"].startswith("64.02.06.")
    assert (by_desa[0]["measured"], by_desa[0]["stunted"], by_desa[0]["severely_stunted"]) == (
        7,
        3,
        1,
    )
    assert by_desa[0]["prevalence_percent"] == round(100 * 3 / 7, 2)
    summary = (
        await health.client.get(
            "/v1/summary", params={"period": period, "posyandu_id": pid}, headers=dpmd
        )
    ).json()
    assert summary["stunting"]["measured"] == 7
    assert [i["code"] for i in summary["indicators"]] == [i["code"] for i in spm["indicators"]]


async def test_pregnancy_anc_immunisation_and_events(health):
    pid = await health.posyandu()
    mother = await health.target(pid, date(2007, 5, 1), "F", serial=300)
    registered = TODAY - timedelta(days=60)
    p = await health.client.post(
        "/v1/pregnancies",
        headers=health.kader,
        json={
            "target_id": mother["id"],
            "registered_on": registered.isoformat(),
            "last_menstrual_period": (registered - timedelta(days=70)).isoformat(),
            "gravida": 1,
            "lila_cm": 22.9,
        },
    )
    assert p.status_code == 201, p.text
    pregnancy = p.json()
    assert set(pregnancy["flags"]) == {"kek", "age_risk"} or pregnancy["flags"] == ["kek"]
    visit = await health.client.post(
        f"/v1/pregnancies/{pregnancy['id']}/anc-visits",
        headers=health.kader,
        json={
            "visit_number": 2,
            "visited_on": (registered + timedelta(days=30)).isoformat(),
            "hb_g_dl": 10.2,
            "systolic": 120,
            "diastolic": 80,
            "iron_tablets": 30,
        },
    )
    assert visit.status_code == 201, visit.text
    assert "anaemia" in visit.json()["flags"] and visit.json()["iron_tablets_total"] == 30
    group = (await health.client.get(f"/v1/targets/{mother['id']}", headers=health.kader)).json()
    assert group["life_cycle_group"] == "ibu_hamil_nifas"

    baby = await health.target(pid, TODAY - timedelta(days=70), "M", serial=301)
    for antigen in ("HB0", "BCG", "OPV"):
        r = await health.client.post(
            f"/v1/targets/{baby['id']}/immunisations",
            headers=health.kader,
            json={
                "antigen": antigen,
                "dose": 1,
                "given_on": (TODAY - timedelta(days=40)).isoformat(),
            },
        )
        assert r.status_code == 201, r.text
    again = await health.client.post(
        f"/v1/targets/{baby['id']}/immunisations",
        headers=health.kader,
        json={"antigen": "BCG", "dose": 1, "given_on": TODAY.isoformat()},
    )
    assert again.status_code == 409
    bad = await health.client.post(
        f"/v1/targets/{baby['id']}/immunisations",
        headers=health.kader,
        json={"antigen": "XYZ", "dose": 1, "given_on": TODAY.isoformat()},
    )
    assert bad.json()["errors"][0]["rule"] == "unknown_antigen"
    status = (
        await health.client.get(
            f"/v1/targets/{baby['id']}/immunisations/status", headers=health.kader
        )
    ).json()
    assert not status["complete_for_age"]
    assert {(d["antigen"], d["dose"]) for d in status["missing"]} == {
        ("DPT-HB-Hib", 1),
        ("OPV", 2),
        ("PCV", 1),
        ("RV", 1),
    }

    envelopes = await read_envelopes(
        health.settings.kafka_bootstrap_servers,
        health.settings.topic(TOPIC),
        expected=2,
        timeout=20,
    )
    flagged = [e.data for e in envelopes if e.type == "health.pregnancy.risk_flagged.v1"]
    assert [f["flags"] for f in flagged][-1][:2] == ["kek", "anaemia"]
    assert all(f["person_ref"] == mother["person_ref"] for f in flagged)


async def test_every_write_refuses_a_day_after_the_deployments_today_with_one_rule(health):
    """One rule code for "in the future" whatever the record, judged by the deployment's date
    (its time zone), and the field it names."""
    pid = await health.posyandu()
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    mother = await health.target(pid, date(1995, 5, 1), "F", serial=310)
    baby = await health.target(pid, TODAY - timedelta(days=70), "M", serial=311)
    registered = TODAY - timedelta(days=30)
    pregnancy = await health.client.post(
        "/v1/pregnancies",
        headers=health.kader,
        json={
            "target_id": mother["id"],
            "registered_on": registered.isoformat(),
            "last_menstrual_period": (registered - timedelta(days=70)).isoformat(),
            "gravida": 2,
        },
    )
    assert pregnancy.status_code == 201, pregnancy.text
    p = pregnancy.json()["id"]
    person = {"nik": "6402064101250009", "name": "Bayi", "sex": "F", "posyandu_id": pid}
    writes = [
        ("/v1/targets", {**person, "birth_date": tomorrow}, "birth_date"),
        (
            f"/v1/targets/{baby['id']}/immunisations",
            {"antigen": "BCG", "dose": 1, "given_on": tomorrow},
            "given_on",
        ),
        (
            "/v1/pregnancies",
            {"target_id": mother["id"], "registered_on": tomorrow,
             "last_menstrual_period": registered.isoformat(), "gravida": 2},
            "registered_on",
        ),
        (f"/v1/pregnancies/{p}/anc-visits", {"visit_number": 2, "visited_on": tomorrow},
         "visited_on"),
        (f"/v1/pregnancies/{p}/delivery", {"delivered_on": tomorrow, "outcome": "live_birth"},
         "delivered_on"),
        ("/v1/screenings", {"target_id": mother["id"], "screened_on": tomorrow}, "screened_on"),
    ]  # fmt: skip
    for url, body, field in writes:
        response = await health.client.post(url, json=body, headers=health.kader)
        assert response.status_code == 422, (url, response.text)
        error = response.json()["errors"][0]
        assert (error["field"], error["rule"]) == (field, "not_in_future"), url
    early = await health.client.post(
        f"/v1/pregnancies/{p}/anc-visits",
        json={"visit_number": 1, "visited_on": (registered - timedelta(days=80)).isoformat()},
        headers=health.kader,
    )
    assert early.json()["errors"][0]["rule"] == "before_pregnancy"


async def test_a_body_naming_an_unknown_target_is_refused_as_a_measurement_is(health):
    """A pregnancy, screening or measurement of a target this caller cannot see (none, or one
    in another desa) is the body's fault, one 422 ``unknown_target``; a path naming one is
    a 404."""
    pid = await health.posyandu()
    day = (TODAY - timedelta(days=1)).isoformat()
    writes = [
        ("/v1/pregnancies", {"registered_on": day, "last_menstrual_period": day, "gravida": 1}),
        ("/v1/screenings", {"screened_on": day, "systolic": 120, "diastolic": 80}),
        (f"/v1/posyandu/{pid}/measurements", {"measured_on": day, "weight_kg": 9.0}),
    ]
    for url, body in writes:
        response = await health.client.post(
            url, json={**body, "target_id": "no-such-target"}, headers=health.kader
        )
        assert response.status_code == 422, (url, response.text)
        error = response.json()["errors"][0]
        assert (error["field"], error["rule"]) == ("target_id", "unknown_target"), url
    by_path = await health.client.post(
        "/v1/targets/no-such-target/immunisations",
        json={"antigen": "BCG", "dose": 1, "given_on": day},
        headers=health.kader,
    )
    assert by_path.status_code == 404, by_path.text
