"""Education's stunting reaction applied a chunk at a time (``on_detected_batch``) writes
exactly what it writes one detection at a time, over the real PostgreSQL: the decisions, the
PAUD referrals with their steps and the outbox events, for a mixed chunk (a child detected
twice, a replayed event, a child in PAUD, one enrolled, one whose family is in BKB, one too
young)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from education_testkit import RAPAK_LAMBUR, Education

from simpul_education.events import StuntingDetected
from simpul_education.ops.stunting_paud import StuntingPaud
from simpul_platform.clock import local_today
from simpul_platform.events import Envelope, new_id
from simpul_platform.pseudonym import household_ref, person_ref
from simpul_platform.testing.stunting_paths import both_paths, received

pytestmark = pytest.mark.integration
BKB_KK = "6402061234560007"
PAUD_AGE = 3 * 365


def detection(
    person: str, posyandu_id: str, household: str | None = None, age_days: int = PAUD_AGE
) -> tuple[Any, Envelope]:
    view = StuntingDetected(
        episode_id=new_id(),
        person_ref=person,
        household_ref=household,
        posyandu_id=posyandu_id,
        desa_code=RAPAK_LAMBUR,
        measured_on=date.today(),
        age_days=age_days,
        severity="stunted",
    )
    return received(view)


async def posted(education: Education, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await education.client.post(path, json=body, headers=education.kader)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


async def test_a_mixed_chunk_decides_the_same_in_bulk_as_one_by_one(education: Education) -> None:
    posyandu_id = await education.known_posyandu()
    secret = education.settings.pseudonym_secret
    today = local_today(education.settings)
    in_paud = await education.child(posyandu_id, "6402065203230001")
    status = {
        "status": "paud",
        "unit_name": "KB Mawar",
        "source": "kader_census",
        "on": "2026-01-05",
    }
    await posted(education, f"/v1/children/{in_paud['id']}/status", status)
    enrolled = await education.child(posyandu_id, "6402065207220009")
    enrolment = {"child_id": enrolled["id"], "unit_name": "KB Mawar", "year": today.year}
    await posted(education, "/v1/paud/enrolments", enrolment | {"enrolled_on": str(today)})
    in_bkb = await education.child(posyandu_id, "6402061001220003", kk=BKB_KK)
    membership = {"kk": BKB_KK, "group_name": "BKB Melati", "joined_on": "2025-02-03"}
    await posted(education, "/v1/bkb/memberships", membership | {"posyandu_id": posyandu_id})
    unknown = person_ref(secret, "6402061506230004")
    replayed = detection(person_ref(secret, "6402061506230005"), posyandu_id)
    run = [
        detection(unknown, posyandu_id),
        detection(in_paud["person_ref"], posyandu_id),
        detection(enrolled["person_ref"], posyandu_id),
        replayed,
        detection(in_bkb["person_ref"], posyandu_id),  # its family, as education knows it
        detection(new_id(), posyandu_id, household_ref(secret, BKB_KK)),  # the family given
        detection(new_id(), posyandu_id, age_days=20 * 30),
        detection(unknown, posyandu_id),  # another episode, its referral open
    ]
    one_by_one, batch = await both_paths(
        education.app.state.db, StuntingPaud(education.settings), run, decided_before=[replayed]
    )
    assert batch == one_by_one
    by_event = {row["event_id"]: row["decision"] for row in batch["decisions"]}
    assert [by_event[event.id] for _, event in run] == [
        "referred",
        "already_in_paud",
        "already_in_paud",
        "referred",  # the replayed event: decided before, once
        "already_in_paud",
        "already_in_paud",
        "out_of_age",
        "referral_open",
    ]
    assert len(batch["referrals"]) == 2 and len(batch["outbox"]) == 2
