"""ATS cases over the real database and broker, step by step: detection to enrolment with the
child's status recorded, opening's out-of-school status (once, in date order), overdue
verification, and the models against the migrations."""

from __future__ import annotations

from datetime import date

import pytest
from ats_calls import (
    BOY,
    CASES,
    GIRL,
    SIBLING,
    history_of,
    opened,
    post,
    statuses,
    step,
)
from education_testkit import RAPAK_LAMBUR, Education

from simpul_education.models import metadata
from simpul_platform.clock import local_today
from simpul_platform.migrations import schema_drift
from simpul_platform.pseudonym import person_ref
from simpul_platform.referrals.tables import referral_metadata
from simpul_platform.replica import replica_metadata
from simpul_platform.testing.kafka_reader import read_envelopes, read_topic
from simpul_platform.workdays import due_after

pytestmark = pytest.mark.integration


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


async def test_the_models_match_the_migrations(education: Education) -> None:
    drift = await schema_drift(
        education.settings.database_url, metadata, replica_metadata, referral_metadata
    )
    assert drift == []
