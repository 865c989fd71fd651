"""ODGJ berat, terduga TBC and risiko HIV over HTTP: each rule's 422 naming its field and
rule, the 409s, who reads what (health roles in their wilayah; the HIV group and result for
the Dinas Kesehatan only), and that none of it leaves the service as an event."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from health_programme_kit import odgj, person, post, pregnancy, refused, unknown_id
from health_testkit import OTHER_DESA, TODAY
from sqlalchemy import func, select

from simpul_health.events import TOPIC
from simpul_platform.outbox import outbox_table
from simpul_platform.testing.kafka_reader import read_envelopes

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


async def test_only_the_dinas_kesehatan_reads_an_hiv_group_and_result(health):
    """A kader sees that a person was tested, and when, to follow up; never the group, the
    kind of test (an ELISA hints at a reactive rapid test) or the result."""
    pid = await health.posyandu()
    man = await person(health, pid, date(1988, 6, 1), "M", 5)
    record = await post(
        health, "/v1/hiv/at-risk", {"target_id": man, "risk_group": "msm", "identified_on": DAY}
    )
    url = f"/v1/hiv/at-risk/{record['id']}"
    body = {"tested_on": DAY.isoformat(), "test": "rapid", "result": "reactive"}
    by_kader = await health.client.post(f"{url}/test", json=body, headers=health.kader)
    assert by_kader.status_code == 200, by_kader.text
    for response in (
        by_kader,
        await health.client.get(url, headers=health.kader),
    ):
        seen = response.json()
        assert (seen["risk_group"], seen["test"], seen["result"]) == (None, None, None)
        assert (seen["tested"], seen["tested_on"], seen["tested_to_standard"]) == (
            True,
            DAY.isoformat(),
            True,
        )
    [listed] = (await health.client.get("/v1/hiv/at-risk", headers=health.kader)).json()
    assert (listed["risk_group"], listed["result"], listed["tested"]) == (None, None, True)
    registered = await health.client.post(
        "/v1/hiv/at-risk",
        json={"target_id": man, "risk_group": "sti_patient", "identified_on": TODAY.isoformat()},
        headers=health.kader,
    )
    assert registered.json()["risk_group"] is None  # not even the one the kader sent back
    opd = (await health.client.get(url, headers=health.opd)).json()
    assert (opd["risk_group"], opd["test"], opd["result"]) == ("msm", "rapid", "reactive")
    [_, opd_listed] = (await health.client.get("/v1/hiv/at-risk", headers=health.opd)).json()
    assert (opd_listed["risk_group"], opd_listed["result"]) == ("msm", "reactive")


async def test_person_level_routes_are_for_health_roles_in_their_wilayah(health):
    pid = await health.posyandu()
    elsewhere = await health.posyandu("Posyandu Melati", OTHER_DESA)
    here = await person(health, pid, date(1980, 1, 1), "M", 6)
    there = await person(health, elsewhere, date(1981, 1, 1), "M", 7)
    ids = {
        "/v1/mental-health/cases": (
            await post(
                health, CASES, {"target_id": there, "diagnosis": "F20.0", "registered_on": DAY}
            )
        )["id"],
        "/v1/tb/presumptives": (
            await post(
                health,
                "/v1/tb/presumptives",
                {"target_id": there, "identified_on": DAY, "symptoms": ["fever"]},
            )
        )["id"],
        "/v1/hiv/at-risk": (
            await post(
                health,
                "/v1/hiv/at-risk",
                {"target_id": there, "risk_group": "prisoner", "identified_on": DAY},
            )
        )["id"],
    }
    dpmd = health.dpmd
    for url, record in ids.items():
        for response in (
            await health.client.get(url, headers=dpmd),
            await health.client.get(f"{url}/{record}", headers=dpmd),
            await health.client.post(url, json={"target_id": here}, headers=dpmd),
        ):
            assert response.status_code == 403, (url, response.text)
        # The kader of another desa: the record is not found, the list is empty.
        assert (await health.client.get(f"{url}/{record}", headers=health.kader)).status_code == 404
        assert (await health.client.get(url, headers=health.kader)).json() == []
        assert len((await health.client.get(url, headers=health.opd)).json()) == 1
    patch = await health.client.patch(
        f"{CASES}/{ids[CASES]}", json={"restrained": True}, headers=dpmd
    )
    assert patch.status_code == 403
    hidden = await health.client.post(
        f"/v1/tb/presumptives/{ids['/v1/tb/presumptives']}/examination",
        json={"examined_on": DAY.isoformat(), "examination": "tcm", "result": "mtb_detected"},
        headers=health.kader,
    )
    assert hidden.status_code == 404


async def test_no_programme_write_puts_anything_in_the_outbox(health):
    """Nothing of a severe mental disorder, presumptive TB or HIV risk leaves health: the
    writes stage no event (the outbox is the only way onto Kafka)."""
    pid = await health.posyandu()
    woman = await person(health, pid, date(1994, 2, 2), "F", 8)
    await pregnancy(health, woman, DAY)
    db = health.app.state.db

    async def outbox() -> list[tuple[str, str]]:
        async with db.sessions() as session:
            rows = await session.execute(select(outbox_table.c.event_type, outbox_table.c.data))
            return [tuple(r) for r in rows]

    before = await outbox()
    case = await odgj(health, woman, DAY, [(DAY + timedelta(days=1), True)])
    await health.client.patch(
        f"{CASES}/{case}",
        json={"status": "moved", "closed_on": (DAY + timedelta(days=2)).isoformat()},
        headers=health.opd,
    )
    tb = await post(
        health,
        "/v1/tb/presumptives",
        {"target_id": woman, "identified_on": DAY, "symptoms": ["fever"]},
    )
    await post(
        health,
        f"/v1/tb/presumptives/{tb['id']}/examination",
        {"examined_on": DAY, "examination": "tcm", "result": "mtb_detected"},
        200,
    )
    hiv = await post(
        health,
        "/v1/hiv/at-risk",
        {"target_id": woman, "risk_group": "pregnant", "identified_on": DAY},
    )
    await post(
        health,
        f"/v1/hiv/at-risk/{hiv['id']}/test",
        {"tested_on": DAY, "test": "rapid", "result": "reactive"},
        200,
    )
    assert await outbox() == before
    # A write that does publish, as a control: the outbox and the topic carry it, and only it.
    screening = await health.client.post(
        "/v1/screenings",
        json={"target_id": woman, "screened_on": DAY.isoformat(), "systolic": 120, "diastolic": 80},
        headers=health.opd,
    )
    assert screening.status_code == 201, screening.text
    after = await outbox()
    assert [t for t, _ in after[len(before) :]] == ["health.screening.recorded.v1"]
    async with db.sessions() as session:
        total = (await session.execute(select(func.count()).select_from(outbox_table))).scalar_one()
    envelopes = await read_envelopes(
        health.settings.kafka_bootstrap_servers,
        health.settings.topic(TOPIC),
        expected=total,
        timeout=20,
    )
    assert len(envelopes) == total
    assert "health.screening.recorded.v1" in {e.type for e in envelopes}
    on_the_wire = [json.dumps(e.data) for e in envelopes]
    secrets = (case, tb["id"], hiv["id"], "F20.0", "mtb_detected")
    assert not any(x in data for data in on_the_wire for x in secrets)
