"""A school-age child of a household a disaster displaced, referred by trantib over the real
broker (``disaster_displaced``): received once through redelivery, opening one ATS case as an
``ats_suspected`` referral does, and resolved by the case's end."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from ats_calls import BOY, CASES, GIRL, history_of, post, step
from education_testkit import RAPAK_LAMBUR, Education

from simpul_platform.events import new_id
from simpul_platform.referrals.events import requested_views
from simpul_platform.referrals.tables import referral
from simpul_platform.testing.peers import Peer
from simpul_platform.testing.polling import eventually

pytestmark = pytest.mark.integration


async def test_a_displaced_child_is_referred_once_and_worked_as_a_suspected_ats(
    education: Education,
) -> None:
    posyandu_id = await education.known_posyandu()
    child = await education.child(posyandu_id, GIRL)
    view = next(v for v in requested_views("education") if v.event_type.startswith("trantib."))
    request = view(
        referral_id=new_id(),
        source_field="trantib",
        target_field="education",
        posyandu_id=posyandu_id,
        desa_code=RAPAK_LAMBUR,
        reason_code="disaster_displaced",
        details={"age_years": 12, "occurred_on": "2026-02-08"},
        person_ref=child["person_ref"],
        household_ref=None,
        requested_on=date(2026, 3, 1),
    )
    async with Peer.running(education.settings, "trantib") as trantib:
        sent = await trantib.send(request)
        await trantib.redeliver(sent)  # the same envelope twice
    url = f"/v1/referrals/{request.referral_id}"

    async def received() -> dict[str, Any] | None:
        response = await education.client.get(url, headers=education.kader)
        return response.json() if response.status_code == 200 else None

    row = await eventually(received)
    assert (row["status"], row["source_field"], row["reason_code"]) == (
        "requested",
        "trantib",
        "disaster_displaced",
    )

    async def both_read() -> bool:
        runners = education.app.state.runners
        return any(r.consumer.name == "education.referrals" and r.duplicates for r in runners)

    await eventually(both_read)
    async with education.app.state.db.sessions() as session:
        rows = (await session.execute(referral.select())).all()
    assert [r.id for r in rows] == [request.referral_id]  # received once

    body = {"source": "referral", "detected_on": "2026-03-02", "referral_id": request.referral_id}
    other = await education.child(posyandu_id, BOY)
    wrong_child = await post(education, CASES, {**body, "child_id": other["id"]})
    assert wrong_child.status_code == 422, wrong_child.text
    assert wrong_child.json()["errors"][0]["rule"] == "referral_mismatch"
    case = await post(education, CASES, {**body, "child_id": child["id"]})
    assert case.status_code == 201, case.text
    case_id = case.json()["id"]
    assert (case.json()["source"], case.json()["referral_id"]) == ("referral", request.referral_id)
    accepted = (await education.client.get(url, headers=education.kader)).json()
    assert (accepted["status"], accepted["case_ref"]) == ("accepted", case_id)
    again = await post(education, CASES, {**body, "child_id": child["id"]})
    assert again.status_code == 409, again.text  # one case per child and referral

    await step(education, case_id, "classify", {"category": "bpb", "classified_on": "2026-03-03"})
    await step(
        education,
        case_id,
        "verify",
        {"reason_code": "jarak_akses", "problem_domain": "lainnya", "verified_on": "2026-03-04"},
    )
    await step(education, case_id, "refer", {"path": "ppdb", "referred_on": "2026-03-05"})
    enrol = {"status": "sd", "kelas": 1, "unit_name": "SDN 002 Tenggarong", "on": "2026-07-13"}
    await step(education, case_id, "enroll", enrol)
    resolved = (await education.client.get(url, headers=education.kader)).json()
    assert (resolved["status"], resolved["outcome_code"]) == ("resolved", "enrolled_school")
    assert resolved["resolved_on"] == "2026-07-13"
    assert await history_of(education, child["id"]) == [
        ("out_of_school", "2026-03-02", "kader_census"),
        ("sd", "2026-07-13", "school"),
    ]
