"""ATS cases' rules and refusals over the real database: every wrong step a 409 naming the
allowed ones, the age, BPB, reason and Paket rules, one open case per child (also under
concurrent requests), and the caller's wilayah."""

from __future__ import annotations

import asyncio

import pytest
from ats_calls import (
    BOY,
    CASES,
    GIRL,
    SIBLING,
    SMALL,
    opened,
    post,
    referred,
    step,
)
from education_testkit import MANGKURAWANG, Education

pytestmark = pytest.mark.integration


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
