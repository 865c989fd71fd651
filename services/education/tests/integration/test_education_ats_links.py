"""ATS cases across fields and in the indicators, over the real database and broker: an
economic problem's one referral to social, a referral opening a case that its end resolves,
and the indicators and open cases by desa against hand counts."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from ats_calls import (
    BOY,
    CASES,
    GIRL,
    SIBLING,
    history_of,
    opened,
    post,
    step,
)
from education_testkit import MANGKURAWANG, RAPAK_LAMBUR, Education

from simpul_education.ops.aggregates import Scope
from simpul_education.ops.ats_aggregates import open_ats_by_desa
from simpul_platform.events import new_id
from simpul_platform.referrals.events import requested_views
from simpul_platform.testing.kafka_reader import read_envelopes
from simpul_platform.testing.polling import eventually
from simpul_platform.workdays import due_after

pytestmark = pytest.mark.integration


async def test_an_economic_problem_sends_social_one_referral(education: Education) -> None:
    posyandu_id = await education.known_posyandu()
    ekonomi = {"reason_code": "biaya", "problem_domain": "ekonomi", "verified_on": "2026-03-04"}
    ids = []
    for nik in (BOY, SIBLING):  # two children of one household
        case = await opened(education, (await education.child(posyandu_id, nik))["id"])
        await step(
            education, case["id"], "classify", {"category": "bpb", "classified_on": "2026-03-03"}
        )
        verified = await step(education, case["id"], "verify", ekonomi)
        ids.append(verified["social_referral_id"])
        assert verified["history"][-1]["codes"]["social_referral_id"] == ids[-1]
    assert ids[0] is not None and ids[0] == ids[1]  # the household's need went once
    sent = await education.client.get(f"/v1/referrals/{ids[0]}", headers=education.opd)
    assert sent.status_code == 200, sent.text
    row = sent.json()
    assert (row["direction"], row["target_field"], row["reason_code"]) == (
        "outgoing",
        "social",
        "bansos_need",
    )
    assert row["details"] == {"program": "pkh"} and row["requested_on"] == "2026-03-04"
    topic = education.settings.topic("simpul.education.v1")
    bootstrap = education.settings.kafka_bootstrap_servers

    async def requested() -> list[Any] | None:
        found = await read_envelopes(bootstrap, topic, expected=1, timeout=1)
        wanted = [e for e in found if e.type == "education.referral.requested.v1"]
        return wanted or None

    events = await eventually(requested)
    assert len(events) == 1
    assert events[0].data["target_field"] == "social" and events[0].data["referral_id"] == ids[0]
    assert events[0].data["household_ref"] is not None
    assert "6402061234560001" not in str(events[0].data) and BOY not in str(events[0].data)
    verified_events = [
        e
        # two children, their statuses out of school, two cases, the referral, two verified
        for e in await read_envelopes(bootstrap, topic, expected=9)
        if e.type == "education.ats.verified.v1"
    ]
    assert [e.data["social_referral_id"] for e in verified_events] == ids


async def test_a_referral_opens_a_case_and_the_cases_end_resolves_it(
    education: Education,
) -> None:
    posyandu_id = await education.known_posyandu()
    child = await education.child(posyandu_id, GIRL)
    view = next(v for v in requested_views("education") if v.event_type.startswith("health."))
    request = view(
        referral_id=new_id(),
        source_field="health",
        target_field="education",
        posyandu_id=posyandu_id,
        desa_code=RAPAK_LAMBUR,
        reason_code="ats_suspected",
        details={"age_years": 12},
        person_ref=child["person_ref"],
        household_ref=None,
        requested_on=date(2026, 3, 1),
    )
    await education.producers.health.send(request)
    url = f"/v1/referrals/{request.referral_id}"

    async def received() -> dict[str, Any] | None:
        response = await education.client.get(url, headers=education.kader)
        return response.json() if response.status_code == 200 else None

    await eventually(received)
    other = await education.child(posyandu_id, BOY)
    body = {"source": "referral", "detected_on": "2026-03-02", "referral_id": request.referral_id}
    wrong_child = await post(education, CASES, {**body, "child_id": other["id"]})
    assert wrong_child.json()["errors"][0]["rule"] == "referral_mismatch"
    missing = await post(education, CASES, {**body, "child_id": child["id"], "referral_id": None})
    assert missing.json()["errors"][0]["rule"] == "referral_id_required"
    case = await post(education, CASES, {**body, "child_id": child["id"]})
    assert case.status_code == 201, case.text
    case_id = case.json()["id"]
    accepted = (await education.client.get(url, headers=education.kader)).json()
    assert (accepted["status"], accepted["case_ref"]) == ("accepted", case_id)
    await step(education, case_id, "classify", {"category": "bpb", "classified_on": "2026-03-03"})
    await step(
        education,
        case_id,
        "verify",
        {"reason_code": "jarak_akses", "problem_domain": "lainnya", "verified_on": "2026-03-04"},
    )
    await step(education, case_id, "refer", {"path": "ppdb", "referred_on": "2026-03-05"})
    enrol = {
        "status": "sd",
        "kelas": 1,
        "unit_name": "SDN 002 Tenggarong",
        "npsn": "30401236",
        "on": "2026-07-13",
    }
    await step(education, case_id, "enroll", enrol)
    resolved = (await education.client.get(url, headers=education.kader)).json()
    assert (resolved["status"], resolved["outcome_code"]) == ("resolved", "enrolled_school")
    assert resolved["resolved_on"] == "2026-07-13"
    assert await history_of(education, child["id"]) == [
        ("out_of_school", "2026-03-02", "kader_census"),  # a referral: another field's kader
        ("sd", "2026-07-13", "school"),
    ]


async def test_indicators_and_open_cases_by_desa_equal_hand_counts(
    education: Education,
) -> None:
    here = await education.known_posyandu()
    there = await education.known_posyandu(MANGKURAWANG)
    nik_here = ["6402061005140011", "6402066008130012", "6402061511120013", "6402060101110014"]
    cases = [
        await opened(education, (await education.child(here, n))["id"], "2026-01-05")
        for n in nik_here
    ]
    far = await opened(
        education, (await education.child(there, "6402060202100015"))["id"], "2026-01-05"
    )
    due = due_after(education.settings, date(2026, 1, 5), 10)  # 2026-01-19 or later
    a, b, c, _never_verified = (x["id"] for x in cases)
    # a: verified in time, referred, enrolled in February
    await step(education, a, "classify", {"category": "bpb", "classified_on": "2026-01-06"})
    await step(
        education,
        a,
        "verify",
        {"reason_code": "biaya", "problem_domain": "lainnya", "verified_on": "2026-01-07"},
    )
    await step(education, a, "refer", {"path": "ppdb", "referred_on": "2026-01-08"})
    await step(
        education,
        a,
        "enroll",
        {"status": "sd", "kelas": 1, "unit_name": "SDN 1", "on": "2026-02-02"},
    )
    # b: verified late
    late = date.fromordinal(due.toordinal() + 3).isoformat()
    await step(education, b, "classify", {"category": "bpb", "classified_on": "2026-01-06"})
    await step(
        education,
        b,
        "verify",
        {"reason_code": "bekerja", "problem_domain": "lainnya", "verified_on": late},
    )
    # c: closed not eligible (pesantren) before its due date: no ATS, nothing to verify
    await step(education, c, "close", {"reason": "pesantren", "closed_on": "2026-01-09"})
    # d: never verified (overdue); far: verified in time, elsewhere
    await step(education, far["id"], "classify", {"category": "bpb", "classified_on": "2026-01-06"})
    await step(
        education,
        far["id"],
        "verify",
        {"reason_code": "biaya", "problem_domain": "lainnya", "verified_on": "2026-01-08"},
    )

    async def values(period: str, **params: str) -> dict[str, tuple[int, int]]:
        response = await education.client.get(
            "/v1/indicators", headers=education.dpmd, params={"period": period, **params}
        )
        assert response.status_code == 200, response.text
        return {i["code"]: (i["numerator"], i["denominator"]) for i in response.json()}

    kabupaten = await values("2026-Q1")
    assert kabupaten["education.ats_returned"] == (1, 4)  # a of a, b, d, far (c not an ATS)
    assert kabupaten["education.ats_verified_in_time"] == (2, 4)  # a, far of a, b, d, far
    december = await values("2025-12")
    assert december["education.ats_returned"] == (0, 0)
    january = await values("2026-01", posyandu_id=here)
    assert january["education.ats_returned"] == (0, 3)  # a enrolled in February
    assert january["education.ats_verified_in_time"][1] == (3 if due.month == 1 else 0)
    desa = await values("2026-Q1", wilayah=MANGKURAWANG)
    assert desa["education.ats_returned"] == (0, 1)

    async with education.app.state.db.sessions() as session:
        scope = Scope(["64.02"])
        assert await open_ats_by_desa(session, scope, date(2026, 1, 6)) == {
            RAPAK_LAMBUR: 4,
            MANGKURAWANG: 1,
        }
        assert await open_ats_by_desa(session, scope, date(2026, 3, 1)) == {
            RAPAK_LAMBUR: 2,
            MANGKURAWANG: 1,
        }
        assert await open_ats_by_desa(session, Scope([MANGKURAWANG]), date(2026, 3, 1)) == {
            MANGKURAWANG: 1
        }
        assert await open_ats_by_desa(session, scope, date(2026, 1, 4)) == {}
