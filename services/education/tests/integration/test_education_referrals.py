"""Referrals in education, over the real database and broker: a request from health received,
accepted and resolved with education's outcome codes, each answer announced on education's
topic; the indicators and the summary the gateway reads."""

from __future__ import annotations

from datetime import date

import pytest
from education_testkit import RAPAK_LAMBUR, Education

from simpul_platform.events import new_id
from simpul_platform.referrals.events import requested_views
from simpul_platform.testing.kafka_reader import read_envelopes
from simpul_platform.testing.polling import eventually

pytestmark = pytest.mark.integration


async def test_a_request_from_health_is_owned_answered_and_announced(
    education: Education,
) -> None:
    posyandu_id = await education.known_posyandu()
    view = next(v for v in requested_views("education") if v.event_type.startswith("health."))
    request = view(
        referral_id=new_id(),
        source_field="health",
        target_field="education",
        posyandu_id=posyandu_id,
        desa_code=RAPAK_LAMBUR,
        reason_code="paud_not_enrolled",
        details={"age_months": 60},
        person_ref="c" * 64,
        household_ref=None,
        requested_on=date(2026, 3, 2),
    )
    sent = await education.producers.health.send(request)
    url = f"/v1/referrals/{request.referral_id}"

    async def received() -> dict | None:
        response = await education.client.get(url, headers=education.kader)
        return response.json() if response.status_code == 200 else None

    incoming = await eventually(received)
    assert incoming["direction"] == "incoming" and incoming["status"] == "requested"
    assert incoming["source_field"] == "health" and incoming["person_ref"] == "c" * 64
    await education.producers.health.redeliver(sent)  # the same event again changes nothing
    accepted = await education.client.post(
        f"{url}/accept", headers=education.kader, json={"accepted_on": "2026-03-03"}
    )
    assert accepted.status_code == 200, accepted.text
    wrong = await education.client.post(
        f"{url}/resolve", headers=education.opd, json={"outcome_code": "bansos_granted"}
    )
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["rule"] == "unknown_outcome"
    resolved = await education.client.post(
        f"{url}/resolve",
        headers=education.opd,
        json={"outcome_code": "enrolled_paud", "resolved_on": "2026-03-04"},
    )
    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["status"] == "resolved" and resolved.json()["resolved_on_time"]
    assert [(h["action"], h["actor"]) for h in resolved.json()["history"]] == [
        ("request", "field:health"),
        ("accept", "kader-rapak"),
        ("resolve", "disdik-kukar"),
    ]
    topic = education.settings.topic("simpul.education.v1")
    events = await read_envelopes(education.settings.kafka_bootstrap_servers, topic, expected=2)
    assert [e.type for e in events] == [
        "education.referral.accepted.v1",
        "education.referral.resolved.v1",
    ]
    assert events[1].data["outcome_code"] == "enrolled_paud"

    indicators = await education.client.get(
        "/v1/indicators", headers=education.dpmd, params={"period": "2026-03"}
    )
    assert indicators.status_code == 200, indicators.text
    referrals = next(i for i in indicators.json() if i["code"].endswith("resolved_in_time"))
    assert (referrals["field"], referrals["numerator"], referrals["denominator"]) == (
        "education",
        1,
        1,
    )


async def test_indicators_and_summary_count_statuses_as_of_the_periods_end(
    education: Education,
) -> None:
    posyandu_id = await education.known_posyandu()
    five = await education.child(posyandu_id, "6402064101200001")  # P, 2020-01-01
    six = await education.child(posyandu_id, "6402060201190002")  # L, 2019-01-02
    nine = await education.child(posyandu_id, "6402061506160003")  # L, 2016-06-15
    await education.child(posyandu_id, "6402065003110004")  # P, 2011-03-10, nothing recorded
    for child, step in (
        (five, {"status": "paud", "unit_name": "TK Melati", "on": "2025-07-01"}),
        (six, {"status": "out_of_school", "on": "2025-07-01"}),
        (six, {"status": "paud", "unit_name": "TK Melati", "on": "2026-01-05"}),
        (nine, {"status": "sd", "kelas": 4, "on": "2025-07-14"}),
    ):
        recorded = await education.client.post(
            f"/v1/children/{child['id']}/status",
            headers=education.opd,
            json={**step, "source": "kader_census"},
        )
        assert recorded.status_code == 201, recorded.text

    async def codes(period: str) -> dict[str, tuple[int, int]]:
        response = await education.client.get(
            "/v1/indicators",
            headers=education.dpmd,
            params={"period": period, "posyandu_id": posyandu_id},
        )
        assert response.status_code == 200, response.text
        return {i["code"]: (i["numerator"], i["denominator"]) for i in response.json()}

    late_2025 = await codes("2025-12")  # five is 5, six is 6 (out of school), nine 9, 14
    assert late_2025["education.paud_5_6"] == (1, 2)
    assert late_2025["education.dasar_7_15"] == (1, 2)
    january = await codes("2026-01")  # six turned 7 on 2 January, in PAUD: not yet in SD
    assert january["education.paud_5_6"] == (1, 1)
    assert january["education.dasar_7_15"] == (1, 3)

    summary = await education.client.get(
        "/v1/summary",
        headers=education.dpmd,
        params={"period": "2025-12", "posyandu_id": posyandu_id},
    )
    assert summary.status_code == 200, summary.text
    body = summary.json()
    assert body["children"] == 4 and body["as_of"] == "2025-12-31"
    assert {k: v for k, v in body["by_status"].items() if v} == {
        "paud": 1,
        "out_of_school": 1,
        "sd": 1,
        "unrecorded": 1,
    }
