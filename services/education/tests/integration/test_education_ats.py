"""ATS cases over the real database and broker: each step and every wrong one, the age and BPB
rules, one open case per child, overdue verification, events without NIK, the economic
problem's referral to social, a referral's case resolving it, the indicators against hand
counts, and the caller's wilayah."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import pytest
from education_testkit import MANGKURAWANG, RAPAK_LAMBUR, Education

from simpul_education.models import metadata
from simpul_education.ops.aggregates import Scope
from simpul_education.ops.ats_aggregates import open_ats_by_desa
from simpul_platform.clock import local_today
from simpul_platform.events import new_id
from simpul_platform.migrations import schema_drift
from simpul_platform.pseudonym import person_ref
from simpul_platform.referrals.events import requested_views
from simpul_platform.referrals.tables import referral_metadata
from simpul_platform.replica import replica_metadata
from simpul_platform.testing.kafka_reader import read_envelopes, read_topic
from simpul_platform.testing.polling import eventually
from simpul_platform.workdays import due_after

pytestmark = pytest.mark.integration
BOY = "6402061005140001"  # L, 2014-05-10: 11 in March 2026
GIRL = "6402066008130002"  # P, 2013-08-20: 12 in March 2026
SMALL = "6402060106200003"  # L, 2020-06-01: 5 in March 2026
SIBLING = "6402061511120004"  # L, 2012-11-15: 13 in March 2026
CASES = "/v1/ats-cases"


async def post(education: Education, url: str, body: dict[str, Any], **kw: Any) -> Any:
    return await education.client.post(url, json=body, headers=kw.get("headers", education.opd))


async def opened(education: Education, child_id: str, on: str = "2026-03-02") -> dict[str, Any]:
    response = await post(
        education, CASES, {"child_id": child_id, "source": "kader_census", "detected_on": on}
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def step(
    education: Education, case_id: str, action: str, body: dict[str, Any], expect: int = 200
) -> dict[str, Any]:
    response = await post(education, f"{CASES}/{case_id}/{action}", body)
    assert response.status_code == expect, response.text
    data: dict[str, Any] = response.json()
    return data


def statuses(child: dict[str, Any]) -> list[tuple[str, str, str]]:
    """A child's status history as (status, date, source), oldest first."""
    return [(h["status"], h["on"], h["source"]) for h in child["history"]]


async def history_of(education: Education, child_id: str) -> list[tuple[str, str, str]]:
    got = await education.client.get(f"/v1/children/{child_id}", headers=education.opd)
    assert got.status_code == 200, got.text
    return statuses(got.json())


async def referred(education: Education, child_id: str, path: str = "ppdb") -> dict[str, Any]:
    case = await opened(education, child_id)
    await step(
        education, case["id"], "classify", {"category": "bpb", "classified_on": "2026-03-03"}
    )
    verify = {"reason_code": "biaya", "problem_domain": "lainnya", "verified_on": "2026-03-04"}
    await step(education, case["id"], "verify", verify)
    return await step(education, case["id"], "refer", {"path": path, "referred_on": "2026-03-05"})


async def test_a_case_goes_from_detection_to_enrolment_and_records_the_status(
    education: Education,
) -> None:
    posyandu_id = await education.known_posyandu()
    child = await education.child(posyandu_id, BOY, name="Budi Santoso")
    school = {"status": "sd", "kelas": 4, "source": "school", "on": "2025-07-14"}
    recorded = await post(education, f"/v1/children/{child['id']}/status", school)
    assert recorded.status_code == 201, recorded.text

    case = await opened(education, child["id"])
    due = due_after(education.settings, date(2026, 3, 2), 10)
    assert (case["status"], case["verify_due_on"], case["source"]) == (
        "detected",
        due.isoformat(),
        "kader_census",
    )
    assert case["allowed_actions"] == ["classify", "close", "mark_residu"]
    case_id = case["id"]
    classified = await step(
        education, case_id, "classify", {"category": "do", "classified_on": "2026-03-03"}
    )
    assert (classified["last_jenjang"], classified["last_kelas"]) == ("sd", 4)  # from statuses
    verify = {"reason_code": "pola_pikir", "problem_domain": "sosial", "verified_on": "2026-03-05"}
    verified = await step(education, case_id, "verify", verify)
    assert verified["social_referral_id"] is None and verified["verified_on"] == "2026-03-05"
    refer = await step(
        education, case_id, "refer", {"path": "spnf_pkbm", "referred_on": "2026-03-10"}
    )
    assert refer["paket"] == "paket_a"  # dropped out of SD: Paket A continues from there
    enrol = {"status": "paket_a", "unit_name": "PKBM Harapan", "on": "2026-07-13"}
    wrong = await step(education, case_id, "enroll", {**enrol, "status": "smp", "kelas": 7}, 422)
    assert wrong["errors"][0]["rule"] == "enrolment_path_mismatch"
    enrolled = await step(education, case_id, "enroll", enrol)
    assert enrolled["status"] == "enrolled" and enrolled["enrolled_on"] == "2026-07-13"
    assert enrolled["allowed_actions"] == []
    assert [(h["action"], h["from_status"], h["to_status"]) for h in enrolled["history"]] == [
        ("detect", None, "detected"),
        ("classify", "detected", "classified"),
        ("verify", "classified", "verified"),
        ("refer", "verified", "referred"),
        ("enroll", "referred", "enrolled"),
    ]
    assert enrolled["history"][2]["codes"] == {
        "reason_code": "pola_pikir",
        "problem_domain": "sosial",
    }
    assert {h["actor"] for h in enrolled["history"]} == {"disdik-kukar"}
    got = await education.client.get(f"/v1/children/{child['id']}", headers=education.kader)
    assert got.json()["status"] == "paket_a"
    assert statuses(got.json()) == [
        ("sd", "2025-07-14", "school"),
        ("out_of_school", "2026-03-02", "kader_census"),  # the case's detection
        ("paket_a", "2026-07-13", "school"),  # its enrolment
    ]

    topic = education.settings.topic("simpul.education.v1")
    bootstrap = education.settings.kafka_bootstrap_servers
    events = await read_envelopes(bootstrap, topic, expected=7)
    ats = [e for e in events if e.type.startswith("education.ats.")]
    assert [e.type for e in ats] == [
        "education.ats.opened.v1",
        "education.ats.verified.v1",
        "education.ats.enrolled.v1",
    ]
    changes = [e.data for e in events if e.type == "education.child.status_changed.v1"]
    assert [(c["status"], c["previous_status"], c["source"]) for c in changes] == [
        ("sd", None, "school"),
        ("out_of_school", "sd", "kader_census"),
        ("paket_a", "out_of_school", "school"),
    ]
    secret = education.settings.pseudonym_secret
    assert {e.data["person_ref"] for e in ats} == {person_ref(secret, BOY)}
    assert ats[1].data["on_time"] and ats[1].data["reason_code"] == "pola_pikir"
    assert ats[2].data["status"] == "paket_a" and ats[2].data["re_entry_path"] == "spnf_pkbm"
    assert ats[0].data["age_months"] == 141  # 2014-05-10 → 2026-03-02
    for record in await read_topic(bootstrap, topic, expected=7):
        assert BOY.encode() not in record.value and b"Budi" not in record.value
        assert b"6402061234560001" not in record.value  # the KK


async def test_opening_records_the_child_out_of_school_once_and_in_date_order(
    education: Education,
) -> None:
    posyandu_id = await education.known_posyandu()
    status_url = "/v1/children/{}/status"
    # Already out of school (the school said so, which opened a case by itself; it ended as
    # residu): a case opened by hand adds no second row.
    out = await education.child(posyandu_id, BOY)
    left = {"status": "out_of_school", "source": "school", "on": "2026-01-12"}
    recorded = await post(education, status_url.format(out["id"]), left)
    assert recorded.status_code == 201, recorded.text
    await step(education, recorded.json()["ats_case_id"], "residu", {"on": "2026-01-20"})
    await opened(education, out["id"], "2026-03-02")
    assert await history_of(education, out["id"]) == [("out_of_school", "2026-01-12", "school")]
    # A status dated after the detection: left alone, the history stays in date order.
    later = await education.child(posyandu_id, GIRL)
    school = {"status": "sd", "kelas": 6, "source": "school", "on": "2026-03-09"}
    assert (await post(education, status_url.format(later["id"]), school)).status_code == 201
    await opened(education, later["id"], "2026-03-02")
    assert await history_of(education, later["id"]) == [("sd", "2026-03-09", "school")]
    # No status yet: out of school as of the detection, from the kader's census.
    fresh = await education.child(posyandu_id, SIBLING)
    case = await opened(education, fresh["id"], "2026-03-02")
    assert await history_of(education, fresh["id"]) == [
        ("out_of_school", "2026-03-02", "kader_census")
    ]
    # A second case after the first ended: the child is still out of school, no second row.
    await step(education, case["id"], "residu", {"on": "2026-03-03"})
    await opened(education, fresh["id"], "2026-03-04")
    assert await history_of(education, fresh["id"]) == [
        ("out_of_school", "2026-03-02", "kader_census")
    ]

    rows = await education.client.get(
        "/v1/summary/by-desa",
        headers=education.dpmd,
        params={"wilayah": RAPAK_LAMBUR, "period": "2026-03"},
    )
    assert rows.status_code == 200, rows.text
    [row] = rows.json()
    # The status counts now agree with the open cases, but for the child seen at school since.
    assert (row["out_of_school_7_18"], row["ats_open"]) == (2, 3)
    bootstrap = education.settings.kafka_bootstrap_servers
    events = await read_envelopes(
        bootstrap, education.settings.topic("simpul.education.v1"), expected=13
    )
    changes = [
        (e.data["child_id"], e.data["status"], e.data["on"])
        for e in events
        if e.type == "education.child.status_changed.v1"
    ]
    assert changes == [
        (out["id"], "out_of_school", "2026-01-12"),
        (later["id"], "sd", "2026-03-09"),
        (fresh["id"], "out_of_school", "2026-03-02"),
    ]


async def test_every_wrong_step_is_a_409_naming_the_allowed_ones(education: Education) -> None:
    posyandu_id = await education.known_posyandu()
    child = await education.child(posyandu_id, BOY)
    case_id = (await opened(education, child["id"]))["id"]
    for action, body in (
        ("verify", {"reason_code": "biaya", "problem_domain": "lainnya"}),
        ("refer", {"path": "ppdb"}),
        ("enroll", {"status": "sd", "kelas": 5, "unit_name": "SDN 1", "on": "2026-03-03"}),
    ):
        refused = await step(education, case_id, action, body, 409)
        assert refused["current_status"] == "detected"
        assert refused["allowed"] == ["classify", "close", "mark_residu"]
    await step(education, case_id, "classify", {"category": "bpb"})
    refused = await step(education, case_id, "refer", {"path": "ppdb"}, 409)
    assert refused["allowed"] == ["verify", "close", "mark_residu"]

    other = await referred(education, (await education.child(posyandu_id, GIRL))["id"])
    refused = await step(education, other["id"], "residu", {}, 409)  # referred: the child was found
    assert refused["current_status"] == "referred" and refused["allowed"] == ["enroll", "close"]
    closed = await step(education, other["id"], "close", {"reason": "moved"})
    assert closed["status"] == "closed_not_eligible" and closed["not_eligible_reason"] == "moved"
    refused = await step(education, other["id"], "close", {"reason": "moved"}, 409)
    assert refused["allowed"] == [] and refused["current_status"] == "closed_not_eligible"
    residu = await step(education, case_id, "residu", {})
    assert residu["status"] == "residu" and residu["closed_on"] is not None


async def test_age_bpb_reason_and_paket_rules(education: Education) -> None:
    posyandu_id = await education.known_posyandu()
    small = await education.child(posyandu_id, SMALL)
    too_young = await post(
        education,
        CASES,
        {"child_id": small["id"], "source": "kader_census", "detected_on": "2026-03-02"},
    )
    assert too_young.status_code == 422
    assert too_young.json()["errors"][0] == {
        "field": "body.child_id",
        "rule": "ats_age",
        "message": "An ATS case is about a child aged 7–18 (5 now).",
    }
    child = await education.child(posyandu_id, SIBLING)
    school = {"status": "smp", "kelas": 7, "source": "school", "on": "2025-07-14"}
    assert (await post(education, f"/v1/children/{child['id']}/status", school)).status_code == 201
    case_id = (await opened(education, child["id"]))["id"]
    bpb = await step(education, case_id, "classify", {"category": "bpb"}, 422)
    assert bpb["errors"][0]["rule"] == "bpb_but_enrolled_before"
    await step(
        education, case_id, "classify", {"category": "ltm", "last_jenjang": "sd", "last_kelas": 6}
    )
    unknown = await step(
        education, case_id, "verify", {"reason_code": "nope", "problem_domain": "sosial"}, 422
    )
    assert unknown["errors"][0]["rule"] == "unknown_ats_reason"
    await step(
        education, case_id, "verify", {"reason_code": "bekerja", "problem_domain": "lainnya"}
    )
    mismatch = await step(
        education, case_id, "refer", {"path": "spnf_pkbm", "paket": "paket_a"}, 422
    )
    assert mismatch["errors"][0]["rule"] == "paket_mismatch"  # finished SD: Paket B
    referred_case = await step(education, case_id, "refer", {"path": "spnf_pkbm"})
    assert referred_case["paket"] == "paket_b"


async def test_one_open_case_per_child_also_under_concurrent_requests(
    education: Education,
) -> None:
    posyandu_id = await education.known_posyandu()
    child = await education.child(posyandu_id, BOY)
    body = {"child_id": child["id"], "source": "kader_census", "detected_on": "2026-03-02"}
    answers = await asyncio.gather(*(post(education, CASES, body) for _ in range(3)))
    assert sorted(a.status_code for a in answers) == [201, 409, 409]
    case_id = next(a.json()["id"] for a in answers if a.status_code == 201)
    assert {a.json()["open_case_id"] for a in answers if a.status_code == 409} == {case_id}
    again = await post(education, CASES, body, headers=education.kader)
    assert again.status_code == 409 and again.json()["open_case_id"] == case_id
    await step(education, case_id, "close", {"reason": "pesantren"})
    assert (await post(education, CASES, body)).status_code == 201  # the first one ended


async def test_a_case_not_verified_by_its_due_date_is_overdue(education: Education) -> None:
    posyandu_id = await education.known_posyandu()
    late = await opened(education, (await education.child(posyandu_id, BOY))["id"])
    done = await opened(education, (await education.child(posyandu_id, GIRL))["id"])
    await step(education, done["id"], "classify", {"category": "bpb"})
    await step(
        education, done["id"], "verify", {"reason_code": "biaya", "problem_domain": "lainnya"}
    )
    today = local_today(education.settings).isoformat()
    fresh = await opened(education, (await education.child(posyandu_id, SIBLING))["id"], today)
    assert late["overdue"] and not fresh["overdue"]
    listed = await education.client.get(CASES, headers=education.kader, params={"overdue": "true"})
    assert [c["id"] for c in listed.json()] == [late["id"]]
    everything = await education.client.get(CASES, headers=education.kader)
    assert {c["id"]: c["overdue"] for c in everything.json()} == {
        late["id"]: True,
        done["id"]: False,
        fresh["id"]: False,
    }
    detected = await education.client.get(
        CASES, headers=education.opd, params={"status": "detected", "posyandu_id": posyandu_id}
    )
    assert {c["id"] for c in detected.json()} == {late["id"], fresh["id"]}


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


async def test_out_of_wilayah_reads_and_writes_are_refused(education: Education) -> None:
    posyandu_id = await education.known_posyandu()
    child = await education.child(posyandu_id, BOY)
    case_id = (await opened(education, child["id"]))["id"]
    elsewhere = education.auth(["kader:education"], [MANGKURAWANG], sub="kader-mangkurawang")
    body = {"child_id": child["id"], "source": "kader_census", "detected_on": "2026-03-02"}
    assert (await post(education, CASES, body, headers=elsewhere)).status_code == 404
    for url in (f"{CASES}/{case_id}/classify",):
        refused = await education.client.post(url, json={"category": "do"}, headers=elsewhere)
        assert refused.status_code == 404
    assert (await education.client.get(f"{CASES}/{case_id}", headers=elsewhere)).status_code == 404
    assert (await education.client.get(CASES, headers=elsewhere)).json() == []
    assert (await education.client.get(CASES, headers=education.dpmd)).status_code == 403
    assert (
        await education.client.get(f"{CASES}/{case_id}", headers=education.dpmd)
    ).status_code == 403
    social = education.auth(["opd:social"], ["64.02"], sub="dinsos")
    assert (await post(education, CASES, body, headers=social)).status_code == 403


async def test_the_models_match_the_migrations(education: Education) -> None:
    drift = await schema_drift(
        education.settings.database_url, metadata, replica_metadata, referral_metadata
    )
    assert drift == []
