"""Referrals in social, over the real database and broker: as the target of health's requests
(received, accepted, resolved, each step announced) and as a source (sent without NIK or KK,
one open per need, in the caller's wilayah, answered by health)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from social_testkit import MANGKURAWANG, RAPAK_LAMBUR, Social

from simpul_platform.events import new_id
from simpul_platform.referrals.events import answer_views, requested_views
from simpul_platform.testing.kafka_reader import read_envelopes
from simpul_platform.testing.polling import eventually

pytestmark = pytest.mark.integration
KK = "6402061234560077"
NIK = "6402064107920003"


def _request_from_health(posyandu_id: str, requested_on: date, reason: str = "bansos_need"):
    (view,) = [v for v in requested_views("social") if v.event_type.startswith("health.")]
    return view(
        referral_id=new_id(),
        source_field="health",
        target_field="social",
        posyandu_id=posyandu_id,
        desa_code=RAPAK_LAMBUR,
        reason_code=reason,
        details={"program": "pkh"},
        person_ref=None,
        household_ref="b" * 64,
        requested_on=requested_on,
    )


async def test_a_request_from_health_is_owned_answered_and_announced(social: Social) -> None:
    posyandu_id = await social.known_posyandu()
    request = _request_from_health(posyandu_id, date(2026, 3, 13))  # Friday before Nyepi
    sent = await social.producers.health.send(request)
    url = f"/v1/referrals/{request.referral_id}"

    async def received() -> dict | None:
        response = await social.client.get(url, headers=social.kader)
        return response.json() if response.status_code == 200 else None

    incoming = await eventually(received)
    assert incoming["direction"] == "incoming" and incoming["status"] == "requested"
    assert incoming["source_field"] == "health" and incoming["household_ref"] == "b" * 64
    # 5 working days after Fri 13 March 2026: Nyepi (19th) and its cuti bersama (18th) and
    # Idul Fitri (20th, 23rd, 24th...) are skipped under the national calendar.
    assert date.fromisoformat(incoming["due_on"]) > date(2026, 3, 20)
    await social.producers.health.redeliver(sent)  # the same event again changes nothing
    accepted = await social.client.post(
        f"{url}/accept",
        headers=social.kader,
        json={"case_ref": "ppks-1", "accepted_on": "2026-03-16"},
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted" and accepted.json()["case_ref"] == "ppks-1"
    twice = await social.client.post(f"{url}/accept", headers=social.kader, json={})
    assert twice.status_code == 409 and twice.json()["allowed"] == ["resolve"]
    unknown = await social.client.post(
        f"{url}/resolve", headers=social.opd, json={"outcome_code": "screened"}
    )
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["rule"] == "unknown_outcome"
    resolved = await social.client.post(
        f"{url}/resolve",
        headers=social.opd,
        json={"outcome_code": "bansos_granted", "resolved_on": "2026-03-17"},
    )
    assert resolved.status_code == 200, resolved.text
    body = resolved.json()
    assert body["status"] == "resolved" and body["resolved_on_time"] is True
    assert [(h["action"], h["actor"]) for h in body["history"]] == [
        ("request", "field:health"),
        ("accept", "kader-rapak"),
        ("resolve", "dinsos-kukar"),
    ]
    topic = social.settings.topic("simpul.social.v1")
    events = await read_envelopes(social.settings.kafka_bootstrap_servers, topic, expected=2)
    answers = [e for e in events if e.type.startswith("social.referral.")]
    assert [e.type for e in answers] == [
        "social.referral.accepted.v1",
        "social.referral.resolved.v1",
    ]
    assert answers[1].data["outcome_code"] == "bansos_granted"
    assert answers[1].data["resolved_on_time"] is True


async def test_social_refers_a_person_to_health_and_hears_the_answers(social: Social) -> None:
    posyandu_id = await social.known_posyandu()
    body = {
        "target_field": "health",
        "posyandu_id": posyandu_id,
        "reason_code": "pregnancy_without_anc",
        "nik": NIK,
        "details": {"gestational_weeks": 14},
        "note": "Ibu belum pernah ke bidan",
    }
    created = await social.client.post("/v1/referrals", headers=social.kader, json=body)
    assert created.status_code == 201, created.text
    sent = created.json()
    assert sent["direction"] == "outgoing" and sent["status"] == "requested"
    assert sent["nik_masked"] == "640206********03" and sent["note"] == body["note"]
    duplicate = await social.client.post("/v1/referrals", headers=social.opd, json=body)
    assert duplicate.status_code == 409 and duplicate.json()["open_referral_id"] == sent["id"]
    other_desa = await social.known_posyandu(MANGKURAWANG)
    outside = await social.client.post(
        "/v1/referrals", headers=social.kader, json={**body, "posyandu_id": other_desa}
    )
    assert outside.status_code == 403
    for target, rule in (("trantib", "unknown_reason"), ("social", "own_field")):
        refused = await social.client.post(
            "/v1/referrals", headers=social.kader, json={**body, "target_field": target}
        )
        assert refused.status_code == 422 and refused.json()["errors"][0]["rule"] == rule
    no_subject = {k: v for k, v in body.items() if k != "nik"}
    refused = await social.client.post("/v1/referrals", headers=social.kader, json=no_subject)
    assert refused.status_code == 422 and refused.json()["errors"][0]["rule"] == "subject_required"

    topic = social.settings.topic("simpul.social.v1")
    (event,) = await read_envelopes(social.settings.kafka_bootstrap_servers, topic, expected=1)
    assert event.type == "social.referral.requested.v1"
    assert NIK not in str(event.data) and "bidan" not in str(event.data)
    assert event.data["person_ref"] == sent["person_ref"]

    accepted_view = next(v for v in answer_views("social") if v.event_type.endswith("accepted.v1"))
    due = date.today() + timedelta(days=9)
    await social.producers.health.send(
        accepted_view(
            referral_id=sent["id"],
            source_field="social",
            target_field="health",
            status="accepted",
            step_on=date.today(),
            due_on=due,
            case_ref="anc-77",
        ),
        posyandu_id=posyandu_id,
        wilayah=RAPAK_LAMBUR,
    )

    async def answered() -> dict | None:
        response = await social.client.get(f"/v1/referrals/{sent['id']}", headers=social.kader)
        return response.json() if response.json()["status"] == "accepted" else None

    seen = await eventually(answered)
    assert seen["due_on"] == due.isoformat() and seen["case_ref"] == "anc-77"
    assert [(h["action"], h["actor"]) for h in seen["history"]] == [
        ("request", "kader-rapak"),
        ("accept", "field:health"),
    ]
    own = await social.client.post(
        f"/v1/referrals/{sent['id']}/resolve", headers=social.opd, json={"outcome_code": "assessed"}
    )
    assert own.status_code == 409
    summary = await social.client.get(
        "/v1/referrals/summary", headers=social.dpmd, params={"direction": "outgoing"}
    )
    assert summary.status_code == 200, summary.text
    assert summary.json()["totals"]["open"] == 1
    assert summary.json()["by_other_field"]["health"]["open"] == 1
    dpmd_list = await social.client.get("/v1/referrals", headers=social.dpmd)
    assert dpmd_list.status_code == 403  # subjects are for the field's own users
