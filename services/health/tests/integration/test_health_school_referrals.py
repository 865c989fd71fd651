"""``needs_health_check`` referrals from education (school-age children), trantib (disaster
victims) and housing (people met in a housing survey): received over Kafka, answered with
``health_checked``, the school screening of the child named in the answer's note."""

from __future__ import annotations

from datetime import date

import pytest
from health_school_kit import screening_body
from health_testkit import DESA, TODAY, Health

from simpul_platform.events import new_id
from simpul_platform.referrals.events import requested_views
from simpul_platform.testing.kafka_reader import read_envelopes
from simpul_platform.testing.polling import eventually

pytestmark = pytest.mark.integration


def _request(source: str, posyandu_id: str, person_ref: str, context: str, age: int):
    (view,) = [v for v in requested_views("health") if v.event_type.startswith(f"{source}.")]
    return view(
        referral_id=new_id(),
        source_field=source,
        target_field="health",
        posyandu_id=posyandu_id,
        desa_code=DESA,
        reason_code="needs_health_check",
        details={"context": context, "age_years": age},
        person_ref=person_ref,
        requested_on=TODAY,
    )


async def test_needs_health_check_from_three_fields_is_received_and_answered(
    health: Health,
) -> None:
    mawar = await health.posyandu()
    child = await health.target(mawar, date(TODAY.year - 9, 5, 6), serial=81)
    requests = [
        ("education", child["person_ref"], "school_age", 9),
        ("trantib", "d" * 64, "disaster_victim", 40),
        ("housing", "e" * 64, "housing_survey", 67),
    ]
    sent = []
    for source, person, context, age in requests:
        async with health.peer(source) as peer:
            request = _request(source, mawar, person, context, age)
            await peer.send(request, subject=request.referral_id)
            sent.append(request)

    async def received(referral_id: str) -> dict | None:
        response = await health.client.get(f"/v1/referrals/{referral_id}", headers=health.kader)
        return response.json() if response.status_code == 200 else None

    for request in sent:
        incoming = await eventually(lambda r=request: received(r.referral_id))
        assert incoming["direction"] == "incoming" and incoming["status"] == "requested"
        assert incoming["source_field"] == request.source_field
        assert incoming["reason_code"] == "needs_health_check"
        assert incoming["details"] == request.details
        assert incoming["person_ref"] == request.person_ref

    # The school-age child is screened, and the referral resolved naming that screening.
    screening = await health.client.post(
        "/v1/school-screenings", json=screening_body(child["id"], TODAY), headers=health.kader
    )
    assert screening.status_code == 201, screening.text
    screening_id = screening.json()["id"]
    school = sent[0]
    resolved = await health.client.post(
        f"/v1/referrals/{school.referral_id}/resolve",
        headers=health.kader,
        json={"outcome_code": "health_checked", "note": f"school screening {screening_id}"},
    )
    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["status"] == "resolved"
    assert resolved.json()["outcome_code"] == "health_checked"
    for request in sent[1:]:
        url = f"/v1/referrals/{request.referral_id}"
        accepted = await health.client.post(
            f"{url}/accept", headers=health.kader, json={"case_ref": "check-1"}
        )
        assert accepted.status_code == 200, accepted.text
        done = await health.client.post(
            f"{url}/resolve", headers=health.opd, json={"outcome_code": "health_checked"}
        )
        assert done.status_code == 200 and done.json()["outcome_code"] == "health_checked"

    # The answers go out on health's topic, to the source, without the note.
    topic = health.settings.topic("simpul.health.v1")

    async def answers() -> list | None:
        events = await read_envelopes(health.settings.kafka_bootstrap_servers, topic, expected=6)
        out = [e for e in events if e.type == "health.referral.resolved.v1"]
        return out if len(out) == 3 else None

    resolved_events = await eventually(answers)
    assert {e.data["referral_id"] for e in resolved_events} == {r.referral_id for r in sent}
    assert {e.data["outcome_code"] for e in resolved_events} == {"health_checked"}
    assert not any(screening_id in str(e.data) for e in resolved_events)
