"""Health's stunting detections on Kafka → priority cases in social, once per episode."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from social_testkit import RAPAK_LAMBUR, Producers, Social, start_social
from sqlalchemy import select

from simpul_platform.clock import local_today
from simpul_platform.events import new_id
from simpul_platform.pseudonym import household_ref, person_ref
from simpul_platform.testing.kafka_reader import read_envelopes
from simpul_platform.testing.polling import eventually
from simpul_social.models import PriorityCase, StuntingReaction
from simpul_social.ops.reaction import due_date

pytestmark = pytest.mark.integration
KK = "6402061234560001"
CHILD_NIK = "6402065503240001"


async def _cases(social: Social) -> list[PriorityCase]:
    async with social.app.state.db.sessions() as session:
        return list((await session.execute(select(PriorityCase))).scalars())


async def test_one_case_per_episode_through_redelivery_and_restart(
    make_settings: Any, postgres_url: str, producers: Producers
) -> None:
    episode = new_id()
    async with start_social(make_settings, postgres_url, producers) as social:
        secret = social.settings.pseudonym_secret
        posyandu_id = await social.known_posyandu()
        await social.household(
            posyandu_id,
            KK,
            decile=2,
            members=[{"nik": CHILD_NIK, "name": "Nur", "relationship": "anak"}],
        )
        first = await producers.stunting(
            episode_id=episode,
            child_ref=person_ref(secret, CHILD_NIK),
            household_ref=household_ref(secret, KK),
            posyandu_id=posyandu_id,
            desa=RAPAK_LAMBUR,
        )
        cases = await eventually(lambda: _cases(social))
        assert len(cases) == 1 and cases[0].severity == "stunted"
    # While social is down: the same event is delivered again, and the episode escalates.
    await producers.redeliver(first)
    await producers.stunting(
        episode_id=episode,
        child_ref=person_ref(secret, CHILD_NIK),
        household_ref=household_ref(secret, KK),
        posyandu_id=posyandu_id,
        desa=RAPAK_LAMBUR,
        severity="severely_stunted",
        escalated=True,
    )
    async with start_social(make_settings, postgres_url, producers) as social:
        runner = social.stunting_runner

        async def escalated() -> list[PriorityCase] | None:
            cases = await _cases(social)
            done = cases and cases[0].severity == "severely_stunted" and runner.duplicates
            return cases if done else None

        cases = await eventually(escalated)
        assert len(cases) == 1 and runner.duplicates == 1
        case = cases[0]
        today = local_today(social.settings)
        assert case.detected_on == today and case.due_on == due_date(social.settings, today)
        assert case.decile == 2 and case.status == "open" and case.escalated_on == today
        async with social.app.state.db.sessions() as session:
            reaction = await session.get(StuntingReaction, episode)
        assert reaction is not None and reaction.detections == 2
        assert reaction.decision == "case_opened"
        topic = social.settings.topic("simpul.social.v1")
        events = await read_envelopes(
            social.settings.kafka_bootstrap_servers, topic, expected=3, timeout=5
        )
        opened = [e for e in events if e.type == "social.priority_case.opened.v1"]
        # At least once on the wire (a relay stopped between the broker's ack and marking the
        # row sent publishes it again after the restart), exactly one event by id.
        assert len({e.id for e in opened}) == 1
        assert opened[0].data == {
            "case_id": case.id,
            "stunting_episode_id": episode,
            "household_ref": household_ref(secret, KK),
            "child_person_ref": person_ref(secret, CHILD_NIK),
            "posyandu_id": posyandu_id,
            "desa_code": RAPAK_LAMBUR,
            "decile": 2,
            "due_on": case.due_on.isoformat(),
            "severity": "stunted",
        }
        assert opened[0].posyandu_id == posyandu_id and opened[0].wilayah == RAPAK_LAMBUR


async def test_decisions_for_every_kind_of_household(social: Social) -> None:
    secret = social.settings.pseudonym_secret
    posyandu_id = await social.known_posyandu()
    await social.program("SEMBAKO", "month", benefit="goods")
    rich = await social.household(posyandu_id, "6402061234560007", decile=7)
    aided = await social.household(posyandu_id, "6402061234560002", decile=1)
    await social.household(posyandu_id, "6402061234560003")  # never assessed
    this_month = local_today(social.settings).strftime("%Y-%m")
    aid = await social.client.post(
        "/v1/distributions",
        headers=social.opd,
        json={
            "household_id": aided["id"],
            "program_code": "SEMBAKO",
            "period": this_month,
            "goods": "beras",
            "distributed_on": local_today(social.settings).isoformat(),
        },
    )
    assert aid.status_code == 201, aid.text
    refs = {
        "not_priority_decile": rich["household_ref"],
        "receiving_bansos": aided["household_ref"],
        "decile_unknown": household_ref(secret, "6402061234560003"),
        "household_unknown": household_ref(secret, "6402069999990001"),
        "no_household_ref": None,
    }
    for kind, ref in refs.items():
        await social.producers.stunting(
            episode_id=f"ep-{kind}",
            child_ref=f"child-{kind}",
            household_ref=ref,
            posyandu_id=posyandu_id,
            desa=RAPAK_LAMBUR,
        )

    async def all_decided() -> list[dict[str, Any]] | None:
        response = await social.client.get("/v1/stunting-reactions", headers=social.opd)
        return response.json() if len(response.json()) == len(refs) else None

    decisions = {r["stunting_episode_id"]: r["decision"] for r in await eventually(all_decided)}
    assert decisions == {
        "ep-not_priority_decile": "not_priority_decile",
        "ep-receiving_bansos": "receiving_bansos",
        "ep-decile_unknown": "unmatched",
        "ep-household_unknown": "unmatched",
        "ep-no_household_ref": "unmatched",
    }
    assert await _cases(social) == []
    leads = (await social.client.get("/v1/stunting-leads", headers=social.kader)).json()
    assert sorted((lead["stunting_episode_id"], lead["reason"]) for lead in leads) == [
        ("ep-decile_unknown", "decile_unknown"),
        ("ep-household_unknown", "household_unknown"),
        ("ep-no_household_ref", "household_unknown"),
    ]
    no_ref = next(lead for lead in leads if lead["stunting_episode_id"] == "ep-no_household_ref")
    found = await social.client.post(
        f"/v1/stunting-leads/{no_ref['id']}/resolve",
        headers=social.kader,
        json={"outcome": "not_found", "note": "pindah ke Samarinda"},
    )
    assert found.status_code == 200 and found.json()["resolved_by"] == "kader-rapak"
    # The kader registers the unknown household: its lead is decided again, a case opens.
    registered = await social.household(
        posyandu_id, "6402069999990001", decile=2, headers=social.kader
    )
    cases = await _cases(social)
    assert [(c.stunting_episode_id, c.household_id) for c in cases] == [
        ("ep-household_unknown", registered["id"])
    ]
    assert cases[0].due_on == due_date(social.settings, local_today(social.settings))
    open_leads = (await social.client.get("/v1/stunting-leads", headers=social.kader)).json()
    assert [lead["stunting_episode_id"] for lead in open_leads] == ["ep-decile_unknown"]
    summary = await social.client.get(
        "/v1/summary",
        params={"posyandu_id": posyandu_id, "period": this_month},
        headers=social.dpmd,
    )
    assert summary.status_code == 200, summary.text
    assert summary.json()["stunting_decisions"] == {
        "not_priority_decile": 1,
        "receiving_bansos": 1,
        "unmatched": 2,
        "case_opened": 1,
    }
    assert summary.json()["open_leads"] == 1
    assert summary.json()["priority_cases"]["open"] == 1
    assert (await social.client.get("/v1/stunting-leads", headers=social.dpmd)).status_code == 403


async def test_overdue_recovery_and_resolution(social: Social) -> None:
    secret = social.settings.pseudonym_secret
    posyandu_id = await social.known_posyandu()
    await social.household(posyandu_id, KK, decile=3)
    long_ago = datetime.now(UTC) - timedelta(days=30)
    await social.producers.stunting(
        episode_id="ep-old",
        child_ref=person_ref(secret, CHILD_NIK),
        household_ref=household_ref(secret, KK),
        posyandu_id=posyandu_id,
        desa=RAPAK_LAMBUR,
        occurred_at=long_ago,
    )
    cases = await eventually(lambda: _cases(social))
    overdue = await social.client.get(
        "/v1/priority-cases", params={"overdue": "true"}, headers=social.opd
    )
    assert [c["id"] for c in overdue.json()] == [cases[0].id] and overdue.json()[0]["overdue"]
    await social.producers.recovered(
        episode_id="ep-old",
        posyandu_id=posyandu_id,
        desa=RAPAK_LAMBUR,
        measurement_id="m-2",
        measured_on=local_today(social.settings),
        haz=-1.8,
    )

    async def noted() -> dict[str, Any] | None:
        case = await social.client.get(f"/v1/priority-cases/{cases[0].id}", headers=social.opd)
        return case.json() if case.json()["recovered_on"] else None

    case = await noted_case(noted)
    assert case["status"] == "open" and "HAZ -1.80" in case["recovery_note"]  # not auto-closed
    url = f"/v1/priority-cases/{case['id']}/resolve"
    body = {"outcome": "enrolled_in_bansos", "note": "Didaftarkan PKH"}
    assert (await social.client.post(url, json=body, headers=social.kader)).status_code == 403
    resolved = await social.client.post(url, json=body, headers=social.opd)
    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["resolved_by"] == "dinsos-kukar" and not resolved.json()["overdue"]
    again = await social.client.post(url, json=body, headers=social.opd)
    assert again.status_code == 409
    assert again.json()["status"] == 409 and again.json()["current_status"] == "resolved"
    topic = social.settings.topic("simpul.social.v1")
    # assessed, the case opened, its referral accepted, the case resolved, its referral resolved
    events = await read_envelopes(social.settings.kafka_bootstrap_servers, topic, expected=5)
    done = [e for e in events if e.type == "social.priority_case.resolved.v1"]
    assert len(done) == 1 and done[0].data["on_time"] is False
    assert done[0].data["outcome"] == "enrolled_in_bansos"
    # The case answered a referral social's rule opened: it ends with it, late as the case.
    referral = [e.data for e in events if e.type.startswith("social.referral.")]
    assert [(r["status"], r["case_ref"]) for r in referral] == [
        ("accepted", case["id"]),
        ("resolved", case["id"]),
    ]
    assert referral[1]["automatic"] and referral[1]["reason_code"] == "stunting_detected"
    assert (
        referral[1]["source_field"] == "health" and referral[1]["outcome_code"] == "bansos_granted"
    )
    assert referral[1]["resolved_on_time"] is False and referral[1]["due_on"] == case["due_on"]


async def noted_case(check: Any) -> dict[str, Any]:
    result: dict[str, Any] = await eventually(check)
    return result
