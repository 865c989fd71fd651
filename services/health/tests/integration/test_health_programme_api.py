"""ODGJ berat, terduga TBC and risiko HIV over HTTP: each rule's 422 naming its field and
rule, and the 409s (who reads what is in test_health_programme_access)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from health_programme_kit import person, post, pregnancy, refused, unknown_id
from health_testkit import TODAY

pytestmark = pytest.mark.integration
DAY = TODAY - timedelta(days=40)
CASES = "/v1/mental-health/cases"


async def test_odgj_berat_rules(health):
    pid = await health.posyandu()
    man = await person(health, pid, date(1985, 4, 2), "M", 1)
    base = {"target_id": man, "diagnosis": "F20.0", "registered_on": DAY.isoformat()}
    for change, expected in (
        ({"diagnosis": "F41.1"}, ("diagnosis", "not_odgj_berat")),
        ({"diagnosis": "F32.2"}, ("diagnosis", "not_odgj_berat")),
        ({"diagnosis": "X20"}, ("diagnosis", "diagnosis_format")),
        (
            {"registered_on": (TODAY + timedelta(days=1)).isoformat()},
            ("registered_on", "not_in_future"),
        ),
        ({"registered_on": "1985-04-01"}, ("registered_on", "before_birth")),
        ({"target_id": unknown_id()}, ("target_id", "unknown_target")),
    ):
        response = await health.client.post(CASES, json=base | change, headers=health.kader)
        assert refused(response) == expected, change
    case = await post(health, CASES, base | {"diagnosis": "f31.5", "restrained": True})
    assert (case["diagnosis"], case["status"], case["restrained"]) == ("F31.5", "active", True)
    again = await health.client.post(CASES, json=base, headers=health.kader)
    assert again.status_code == 409, again.text

    services = f"{CASES}/{case['id']}/services"
    for day, expected in (
        (DAY - timedelta(days=1), ("served_on", "served_before_registered")),
        (TODAY + timedelta(days=1), ("served_on", "not_in_future")),
    ):
        response = await health.client.post(
            services, json={"served_on": day.isoformat()}, headers=health.kader
        )
        assert refused(response) == expected
    first = {"served_on": (DAY + timedelta(days=2)).isoformat(), "mental_status_exam": True}
    partial = await post(health, services, first)
    assert [s["to_standard"] for s in partial["services"]] == [False]  # no adherence education
    twice = await health.client.post(services, json=first, headers=health.kader)
    assert twice.status_code == 409, twice.text
    full = await post(
        health,
        services,
        {
            "served_on": (DAY + timedelta(days=30)).isoformat(),
            "mental_status_exam": True,
            "adherence_education": True,
            "medication_given": True,
        },
    )
    assert [s["to_standard"] for s in full["services"]] == [False, True]

    url = f"{CASES}/{case['id']}"
    for body, expected in (
        ({"status": "recovered"}, ("closed_on", "closed_on_required")),
        ({"closed_on": DAY.isoformat()}, ("status", "status_required")),
        (
            {"status": "moved", "closed_on": (DAY - timedelta(days=1)).isoformat()},
            ("closed_on", "closed_before_registered"),
        ),
        (
            {"status": "moved", "closed_on": (DAY + timedelta(days=29)).isoformat()},
            ("closed_on", "closed_before_last_service"),
        ),
        (
            {"status": "died", "closed_on": (TODAY + timedelta(days=1)).isoformat()},
            ("closed_on", "not_in_future"),
        ),
        ({"status": "cured", "closed_on": DAY.isoformat()}, ("body.status", "literal_error")),
    ):
        response = await health.client.patch(url, json=body, headers=health.kader)
        assert refused(response) == expected, body
    unrestrained = await health.client.patch(url, json={"restrained": False}, headers=health.kader)
    assert unrestrained.json()["restrained"] is False and unrestrained.json()["status"] == "active"
    closed_on = (DAY + timedelta(days=31)).isoformat()
    closed = await health.client.patch(
        url, json={"status": "recovered", "closed_on": closed_on}, headers=health.kader
    )
    assert (closed.json()["status"], closed.json()["closed_on"]) == ("recovered", closed_on)
    reclosed = await health.client.patch(
        url, json={"status": "moved", "closed_on": closed_on}, headers=health.kader
    )
    assert reclosed.status_code == 409
    late = await health.client.post(
        services, json={"served_on": (DAY + timedelta(days=35)).isoformat()}, headers=health.kader
    )
    assert refused(late) == ("served_on", "served_after_closed")
    # Closed, a new case of the same person may open.
    await post(health, CASES, base | {"registered_on": (DAY + timedelta(days=35)).isoformat()})
    listed = await health.client.get(CASES, params={"posyandu_id": pid}, headers=health.kader)
    assert [c["status"] for c in listed.json()] == ["active", "recovered"]
    read = await health.client.get(url, headers=health.kader)
    assert [s["served_on"] for s in read.json()["services"]] == [
        first["served_on"],
        (DAY + timedelta(days=30)).isoformat(),
    ]


async def test_terduga_tbc_rules_and_a_re_examination(health):
    pid = await health.posyandu()
    woman = await person(health, pid, date(1990, 1, 2), "F", 2)
    url = "/v1/tb/presumptives"
    base = {"target_id": woman, "identified_on": DAY.isoformat(), "symptoms": ["cough_2_weeks"]}
    for change, expected in (
        ({"symptoms": []}, ("symptoms", "reasons_required")),
        ({"symptoms": ["cough_2_weeks", "sneezing"]}, ("symptoms", "unknown_symptom")),
        (
            {"identified_on": (TODAY + timedelta(days=1)).isoformat()},
            ("identified_on", "not_in_future"),
        ),
        ({"identified_on": "1989-12-31"}, ("identified_on", "before_birth")),
    ):
        assert refused(await health.client.post(url, json=base | change, headers=health.kader)) == (
            expected
        ), change
    p = await post(
        health, url, base | {"symptoms": ["night_sweats", "household_contact", "cough_2_weeks"]}
    )
    assert (p["symptoms"], p["household_contact"]) == (["cough_2_weeks", "night_sweats"], True)
    waiting = await health.client.post(url, json=base, headers=health.kader)
    assert waiting.status_code == 409, waiting.text

    exam = f"{url}/{p['id']}/examination"
    for body, expected in (
        (
            {
                "examined_on": (DAY - timedelta(days=1)).isoformat(),
                "examination": "tcm",
                "result": "mtb_detected",
            },
            ("examined_on", "examined_before_identified"),
        ),
        (
            {"examined_on": DAY.isoformat(), "examination": "tcm", "result": "positive"},
            ("result", "result_not_of_examination"),
        ),
        (
            {"examined_on": DAY.isoformat(), "examination": "xray", "result": "mtb_detected"},
            ("result", "result_not_of_examination"),
        ),
        (
            {"examined_on": DAY.isoformat(), "examination": "pcr", "result": "positive"},
            ("body.examination", "literal_error"),
        ),
        (
            {
                "examined_on": (TODAY + timedelta(days=1)).isoformat(),
                "examination": "tcm",
                "result": "mtb_detected",
            },
            ("examined_on", "not_in_future"),
        ),
    ):
        assert refused(await health.client.post(exam, json=body, headers=health.kader)) == expected
    xray = await post(
        health,
        exam,
        {"examined_on": DAY + timedelta(days=3), "examination": "xray", "result": "abnormal"},
        200,
    )
    assert (xray["examination"], xray["examined_to_standard"]) == ("xray", False)
    earlier = await health.client.post(
        exam,
        json={
            "examined_on": (DAY + timedelta(days=2)).isoformat(),
            "examination": "tcm",
            "result": "mtb_detected",
        },
        headers=health.kader,
    )
    assert refused(earlier) == ("examined_on", "before_previous_examination")
    tcm = await post(
        health,
        exam,
        {"examined_on": DAY + timedelta(days=5), "examination": "tcm", "result": "mtb_detected"},
        200,
    )
    assert (tcm["examination"], tcm["result"], tcm["examined_to_standard"]) == (
        "tcm",
        "mtb_detected",
        True,
    )
    # A later x-ray does not undo the TCM.
    later = await post(
        health,
        exam,
        {"examined_on": DAY + timedelta(days=9), "examination": "xray", "result": "normal"},
        200,
    )
    assert later["examined_to_standard"] is True
    examined = await health.client.get(url, params={"examined": "true"}, headers=health.kader)
    assert [x["id"] for x in examined.json()] == [p["id"]]


async def test_risiko_hiv_rules(health):
    pid = await health.posyandu()
    man = await person(health, pid, date(1988, 6, 1), "M", 3)
    woman = await person(health, pid, date(1996, 6, 1), "F", 4)
    url = "/v1/hiv/at-risk"
    base = {"target_id": man, "risk_group": "msm", "identified_on": DAY.isoformat()}
    for change, expected in (
        ({"risk_group": "smoker"}, ("risk_group", "unknown_risk_group")),
        ({"risk_group": "pregnant"}, ("risk_group", "risk_group_sex")),
        ({"target_id": woman}, ("risk_group", "risk_group_sex")),  # msm
        ({"target_id": woman, "risk_group": "pregnant"}, ("risk_group", "no_pregnancy")),
        (
            {"identified_on": (TODAY + timedelta(days=1)).isoformat()},
            ("identified_on", "not_in_future"),
        ),
        ({"identified_on": "1988-05-31"}, ("identified_on", "before_birth")),
    ):
        assert refused(await health.client.post(url, json=base | change, headers=health.kader)) == (
            expected
        ), change
    await pregnancy(health, woman, DAY - timedelta(days=10))
    pregnant = await post(health, url, base | {"target_id": woman, "risk_group": "pregnant"})
    at_risk = await post(health, url, base)
    waiting = await health.client.post(url, json=base, headers=health.kader)
    assert waiting.status_code == 409

    test = f"{url}/{at_risk['id']}/test"
    for body, expected in (
        (
            {
                "tested_on": (DAY - timedelta(days=1)).isoformat(),
                "test": "rapid",
                "result": "reactive",
            },
            ("tested_on", "tested_before_identified"),
        ),
        (
            {"tested_on": (TODAY + timedelta(days=1)).isoformat(), "test": "rapid"},
            ("tested_on", "not_in_future"),
        ),
        ({"tested_on": DAY.isoformat(), "test": "western_blot"}, ("body.test", "literal_error")),
        (
            {"tested_on": DAY.isoformat(), "test": "rapid", "result": "positive"},
            ("body.result", "literal_error"),
        ),
    ):
        assert refused(await health.client.post(test, json=body, headers=health.kader)) == expected
    sampled = await post(health, test, {"tested_on": DAY, "test": "rapid"}, 200)
    assert (sampled["tested"], sampled["tested_to_standard"]) == (True, False)  # awaiting result
    result = await post(
        health,
        test,
        {"tested_on": DAY + timedelta(days=1), "test": "rapid", "result": "reactive"},
        200,
    )
    assert (result["result"], result["tested_to_standard"]) == ("reactive", True)
    elisa = await post(
        health,
        test,
        {"tested_on": DAY + timedelta(days=8), "test": "elisa", "result": "reactive"},
        200,
    )
    assert (elisa["test"], elisa["tested_to_standard"]) == ("elisa", True)
    earlier = await health.client.post(
        test,
        json={"tested_on": DAY.isoformat(), "test": "rapid", "result": "reactive"},
        headers=health.kader,
    )
    assert refused(earlier) == ("tested_on", "before_previous_test")
    untested = await health.client.get(url, params={"tested": "false"}, headers=health.opd)
    assert [x["id"] for x in untested.json()] == [pregnant["id"]]
