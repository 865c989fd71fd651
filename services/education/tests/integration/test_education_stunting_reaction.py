"""Health's stunting detections on Kafka → a PAUD referral in education for a stunted child
aged 2–6 in neither PAUD nor BKB, once per detection through redelivery and restart; every
other detection a recorded decision."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from education_testkit import RAPAK_LAMBUR, Education, Producers, start_education
from sqlalchemy import select

from simpul_education.consumers import STUNTING_PAUD_CONSUMER
from simpul_education.domain.stunting_paud import age_at_detection
from simpul_education.events import StuntingDetected
from simpul_education.models import StuntingPaudDecision
from simpul_platform.clock import local_today
from simpul_platform.consumer import ConsumerRunner
from simpul_platform.events import Envelope, new_id
from simpul_platform.pseudonym import household_ref, person_ref
from simpul_platform.referrals.tables import referral
from simpul_platform.testing.kafka_reader import read_envelopes
from simpul_platform.testing.polling import eventually

pytestmark = pytest.mark.integration
KK = "6402061234560001"
PAUD_AGE_NIK = "6402065203230001"  # P, 2023-03-12


async def detected(
    producers: Producers,
    *,
    person: str,
    posyandu_id: str,
    age_days: int,
    household: str | None = None,
    episode_id: str | None = None,
) -> Envelope:
    """``health.stunting.detected.v1`` as health publishes it (the fields education does not
    read included)."""
    view = StuntingDetected(
        episode_id=episode_id or new_id(),
        person_ref=person,
        household_ref=household,
        posyandu_id=posyandu_id,
        desa_code=RAPAK_LAMBUR,
        measured_on=date.today(),
        age_days=age_days,
        severity="stunted",
    )
    extra = {"measurement_id": new_id(), "sex": "F", "haz": -2.41, "escalated": False}
    return await producers.health.send(view, extra=extra)


def runner(education: Education) -> ConsumerRunner:
    runners: list[ConsumerRunner] = education.app.state.runners
    return next(r for r in runners if r.consumer.name == STUNTING_PAUD_CONSUMER)


async def decisions(education: Education) -> list[StuntingPaudDecision]:
    async with education.app.state.db.sessions() as session:
        query = select(StuntingPaudDecision).order_by(StuntingPaudDecision.decided_at)
        return list((await session.execute(query)).scalars())


async def referrals(education: Education) -> list[dict[str, Any]]:
    async with education.app.state.db.sessions() as session:
        rows = await session.execute(select(referral).where(referral.c.direction == "incoming"))
        return [dict(r) for r in rows.mappings()]


def duplicates(count: int, education: Education) -> Callable[[], Any]:
    async def check() -> bool:
        return runner(education).duplicates == count

    return check


def until(count: int, education: Education) -> Callable[[], Any]:
    async def check() -> list[StuntingPaudDecision] | None:
        found = await decisions(education)
        return found if len(found) >= count else None

    return check


async def test_one_referral_per_detection_through_redelivery_and_restart(
    make_settings: Any, postgres_url: str, producers: Producers
) -> None:
    age_days = 3 * 365 + 20  # three years old
    async with start_education(make_settings, postgres_url, producers) as education:
        posyandu_id = await education.known_posyandu()
        secret = education.settings.pseudonym_secret
        child, family = person_ref(secret, "6402065207220009"), household_ref(secret, KK)
        sent = await detected(
            producers, person=child, household=family, posyandu_id=posyandu_id, age_days=age_days
        )
        [decision] = await eventually(until(1, education))
        await producers.health.redeliver(sent)  # the same event again, while running
        await eventually(duplicates(1, education))
    await producers.health.redeliver(sent)  # and once more while education is down
    async with start_education(make_settings, postgres_url, producers) as education:
        await eventually(duplicates(1, education))
        assert [d.id for d in await decisions(education)] == [decision.id]
        assert decision.decision == "referred" and decision.event_id == sent.id
        today = local_today(education.settings)
        assert decision.age_months == age_at_detection(age_days, today) == 36
        [row] = await referrals(education)
        assert row["id"] == decision.referral_id and row["case_ref"] == decision.id
        assert (row["source_field"], row["reason_code"], row["automatic"]) == (
            "health",
            "paud_not_enrolled",
            True,
        )
        assert (row["person_ref"], row["household_ref"]) == (child, family)
        assert row["details"] == {"age_months": 36}

        listed = await education.client.get(
            "/v1/referrals",
            headers=education.kader,
            params={"direction": "incoming", "other_field": "health"},
        )
        assert listed.status_code == 200, listed.text
        [seen] = listed.json()
        assert seen["id"] == row["id"] and seen["reason_code"] == "paud_not_enrolled"
        assert seen["status"] == "accepted" and seen["source_field"] == "health"
        resolved = await education.client.post(
            f"/v1/referrals/{row['id']}/resolve",
            headers=education.kader,
            json={"outcome_code": "enrolled_paud"},
        )
        assert resolved.status_code == 200, resolved.text

        topic = education.settings.topic("simpul.education.v1")
        bootstrap = education.settings.kafka_bootstrap_servers

        async def both_answers() -> list[Envelope] | None:  # at least once: maybe repeated
            events = await read_envelopes(bootstrap, topic, expected=3, timeout=2.0)
            found = [e for e in events if e.type.startswith("education.referral.")]
            return found if "education.referral.resolved.v1" in {e.type for e in found} else None

        answers = await eventually(both_answers)
        # At least once on the wire, exactly one event per step by id.
        assert [e.type for e in {e.id: e for e in answers}.values()] == [
            "education.referral.accepted.v1",
            "education.referral.resolved.v1",
        ]
        assert answers[0].data["referral_id"] == row["id"]
        assert answers[0].data["reason_code"] == "paud_not_enrolled"


async def test_out_of_age_in_paud_and_already_referred_are_decided_without_a_referral(
    education: Education,
) -> None:
    posyandu_id = await education.known_posyandu()
    secret = education.settings.pseudonym_secret
    in_paud = await education.child(posyandu_id, PAUD_AGE_NIK, name="Dinda")
    recorded = await education.client.post(
        f"/v1/children/{in_paud['id']}/status",
        headers=education.kader,
        json={
            "status": "paud",
            "unit_name": "KB Mawar",
            "source": "kader_census",
            "on": "2026-01-05",
        },
    )
    assert recorded.status_code == 201, recorded.text
    referred = person_ref(secret, "6402061506230004")  # unknown to education
    sent = [
        (person_ref(secret, "6402061001250002"), 20 * 30),  # twenty months: too young
        (person_ref(secret, "6402061001180003"), 7 * 365 + 30),  # seven: SD age
        (in_paud["person_ref"], 3 * 365),
        (referred, 2 * 365 + 40),
        (referred, 2 * 365 + 70),  # another episode of the same child, the referral open
    ]
    for person, age_days in sent:
        await detected(
            producers=education.producers, person=person, posyandu_id=posyandu_id, age_days=age_days
        )
    found = await eventually(until(len(sent), education))
    assert [(d.person_ref, d.decision) for d in found] == [
        (sent[0][0], "out_of_age"),
        (sent[1][0], "out_of_age"),
        (in_paud["person_ref"], "already_in_paud"),
        (referred, "referred"),
        (referred, "referral_open"),
    ]
    [row] = await referrals(education)
    assert row["person_ref"] == referred and row["id"] == found[3].referral_id
    assert all(d.referral_id is None for d in found if d.decision != "referred")


async def test_enrolling_the_child_in_paud_resolves_its_paud_referral(
    make_settings: Any, postgres_url: str, producers: Producers
) -> None:
    """The referral's need is met when the child is enrolled in PAUD this year: resolved
    ``enrolled_paud`` by whoever enrolled it, and health hears the answer."""
    async with start_education(make_settings, postgres_url, producers) as education:
        posyandu_id = await education.known_posyandu()
        child = await education.child(posyandu_id, "6402065207220009")  # P, 2022-07-12
        today = local_today(education.settings)
        age_days = (today - date(2022, 7, 12)).days
        await detected(
            producers, person=child["person_ref"], posyandu_id=posyandu_id, age_days=age_days
        )
        [decision] = await eventually(until(1, education))
        assert decision.decision == "referred"
        enrolment = {
            "child_id": child["id"],
            "unit_name": "KB Mawar",
            "year": today.year,
            "enrolled_on": today.isoformat(),
        }
        response = await education.client.post(
            "/v1/paud/enrolments", json=enrolment, headers=education.kader
        )
        assert response.status_code == 201, response.text
        [row] = await referrals(education)
        assert (row["status"], row["outcome_code"]) == ("resolved", "enrolled_paud")
        assert row["resolved_on"] == today
        seen = await education.client.get(f"/v1/referrals/{row['id']}", headers=education.kader)
        steps = [(s["action"], s["actor"]) for s in seen.json()["history"]]
        assert steps[-1] == ("resolve", "kader-rapak")  # the kader who enrolled the child
        again = await education.client.post(  # a second enrolment year later finds none open
            "/v1/paud/enrolments",
            json={**enrolment, "year": today.year - 1, "enrolled_on": f"{today.year - 1}-12-01"},
            headers=education.kader,
        )
        assert again.status_code == 201, again.text
        assert [r["status"] for r in await referrals(education)] == ["resolved"]
