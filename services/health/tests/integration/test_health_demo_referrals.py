"""The demo's referrals with social. The loader's to social: the population's plan, sent through
the platform's referral operations (kept with the KK at health, announced without it), dated
over the last two months at active posyandu only; social's demo answers them. Social's to
health: the follow-up step waits for them and answers them in every status."""

from __future__ import annotations

import math
from collections import Counter
from datetime import date, timedelta

import pytest
from health_testkit import DESA, OTHER_DESA, Health
from sqlalchemy import func, select, update

from simpul_health.demo import answer_referrals, load_demo
from simpul_platform.clock import local_today
from simpul_platform.devstack.population import generate_adults, generate_balita
from simpul_platform.devstack.population.referrals import (
    OLDEST_DAYS,
    referrals_to_health,
    referrals_to_social,
)
from simpul_platform.events import new_id
from simpul_platform.outbox import outbox_table
from simpul_platform.pseudonym import household_ref, person_ref
from simpul_platform.referrals.domain import is_overdue, resolved_on_time
from simpul_platform.referrals.events import published_by, requested_views
from simpul_platform.referrals.rows import due_date
from simpul_platform.referrals.schemas import ReferralIn
from simpul_platform.referrals.tables import referral, referral_history
from simpul_platform.replica import INACTIVE, posyandu_replica
from simpul_platform.testing.kafka_reader import read_envelopes

pytestmark = pytest.mark.integration


async def test_the_demo_refers_balita_households_to_social(health):
    active = [await health.posyandu("Posyandu Mawar", DESA)]
    active.append(await health.posyandu("Posyandu Melati", OTHER_DESA))
    closed = await health.posyandu("Posyandu Kenanga", DESA)
    db, settings = health.app.state.db, health.settings
    async with db.transaction() as session:
        await session.execute(
            update(posyandu_replica)
            .where(posyandu_replica.c.posyandu_id == closed)
            .values(status=INACTIVE)
        )

    await load_demo(db, settings, months=1, per_posyandu=3, referrals_per_ten_posyandu=30)

    today = local_today(settings)
    kukar = sorted(zip([*active, closed], (DESA, OTHER_DESA, DESA), strict=True))
    children = generate_balita(kukar, seed=2025, per_posyandu=3, secret=settings.pseudonym_secret)
    plan = referrals_to_social(children, set(active), today, per_ten_posyandu=30)
    async with db.sessions() as session:
        rows = (await session.execute(select(referral))).mappings().all()
        steps = (await session.execute(select(referral_history))).mappings().all()
    # 30 per ten active posyandu (rounded up), one per household, no more than the balita.
    assert len(rows) == len(plan) == min(len(active) * 3, math.ceil(len(active) * 30 / 10))
    assert {(r["no_kk"], r["reason_code"], r["requested_on"], str(r["details"])) for r in rows} == {
        (p.no_kk, p.reason_code, p.requested_on, str(p.details)) for p in plan
    }
    secret = settings.pseudonym_secret
    for row in rows:
        assert row["direction"] == "outgoing" and row["target_field"] == "social"
        assert row["status"] == "requested" and row["posyandu_id"] in active
        assert row["household_ref"] == household_ref(secret, row["no_kk"])
        assert today - timedelta(days=OLDEST_DAYS) <= row["requested_on"] <= today
        assert row["reason_code"] in ("dtsen_assessment", "bansos_need")
        assert (row["reason_code"] == "bansos_need") == ("program" in row["details"])
    assert len(steps) == len(rows) and {s["action"] for s in steps} == {"request"}
    late = [is_overdue(r["status"], r["due_on"], today) for r in rows]
    assert any(late) and not all(late)  # some already overdue, one in five not yet due

    # Announced on health's topic (everything health's outbox holds for it, the demo's
    # measurements and screenings too), without the KK.
    topic = settings.topic("simpul.health.v1")
    async with db.sessions() as session:
        queued = (
            await session.execute(
                select(func.count()).select_from(outbox_table).where(outbox_table.c.topic == topic)
            )
        ).scalar_one()
    events = await read_envelopes(settings.kafka_bootstrap_servers, topic, expected=queued)
    sent = [e for e in events if e.type == "health.referral.requested.v1"]
    assert {e.data["referral_id"] for e in sent} == {r["id"] for r in rows}
    assert not any(r["no_kk"] in str(e.data) for r in rows for e in sent)


THIRD_DESA = "64.02.06.2001"  # Mangkurawang, Tenggarong


async def social_refers(
    health: Health,
    kukar: list[tuple[str, str]],
    active: set[str],
    *,
    per_posyandu: int,
    per_ten_posyandu: int,
) -> list[ReferralIn]:
    """What social's demo loader sends health (the same plan over the same people, as health's
    follow-up step computes it), published as social's outbox relay publishes it: the event
    social's ``referrals.ops.request`` makes, pseudonyms from the plan's NIK / KK with the
    deployment's secret, on social's topic, keyed by posyandu, the referral id as subject."""
    settings = health.settings
    secret = settings.pseudonym_secret
    kukar = sorted(kukar)  # as the loaders generate: in posyandu id order
    children = generate_balita(kukar, seed=2025, per_posyandu=per_posyandu, secret=secret)
    mine = [(pid, desa) for pid, desa in kukar if pid in active]
    adults = generate_adults(mine, seed=2026, secret=secret)
    plan = referrals_to_health(
        adults, children, active, local_today(settings), per_ten_posyandu=per_ten_posyandu
    )
    desa = dict(kukar)
    requested = published_by("social").requested
    (view,) = [v for v in requested_views("health") if v.event_type == requested.event_type]
    async with health.peer("social") as social:
        for body in plan:
            assert body.requested_on is not None and body.target_field == "health"
            event = requested(
                referral_id=new_id(),
                source_field="social",
                target_field="health",
                posyandu_id=body.posyandu_id,
                desa_code=desa[body.posyandu_id],
                reason_code=body.reason_code,
                details=body.details,
                person_ref=person_ref(secret, body.nik) if body.nik else None,
                household_ref=household_ref(secret, body.no_kk) if body.no_kk else None,
                requested_on=body.requested_on,
                due_on=due_date(settings, "health", body.requested_on),
            )
            # Health's view of it, travelling with everything social's event carries.
            await social.send(
                view.model_validate(event.model_dump()),
                subject=event.referral_id,
                extra=event.model_dump(mode="json"),
            )
    return plan


async def test_the_follow_up_answers_socials_referrals_in_every_status(health: Health) -> None:
    # Three active posyandu: nine requests, seven of them ten days old or more (past due), so
    # the answers' turn reaches "resolved late" even when a long holiday keeps one not yet due.
    active = [await health.posyandu("Posyandu Mawar", DESA)]
    active.append(await health.posyandu("Posyandu Melati", OTHER_DESA))
    active.append(await health.posyandu("Posyandu Anggrek", THIRD_DESA))
    closed = await health.posyandu("Posyandu Kenanga", DESA)
    db, settings = health.app.state.db, health.settings
    async with db.transaction() as session:
        await session.execute(
            update(posyandu_replica)
            .where(posyandu_replica.c.posyandu_id == closed)
            .values(status=INACTIVE)
        )
    await load_demo(db, settings, months=1, per_posyandu=3, referrals_per_ten_posyandu=30)
    kukar = list(zip([*active, closed], (DESA, OTHER_DESA, THIRD_DESA, DESA), strict=True))
    plan = await social_refers(health, kukar, set(active), per_posyandu=3, per_ten_posyandu=30)
    # 30 per ten active posyandu (rounded up), no more than the candidates.
    assert len(plan) == math.ceil(len(active) * 30 / 10)

    counts = await answer_referrals(
        db, settings, per_posyandu=3, referrals_per_ten_posyandu=30, wait_s=60
    )
    # The demo started again over its data: the first mix stands, requested ones too.
    again = await answer_referrals(
        db, settings, per_posyandu=3, referrals_per_ten_posyandu=30, wait_s=60
    )
    assert not any(again.values())

    today = local_today(settings)
    async with db.sessions() as session:
        rows = (
            (await session.execute(select(referral).where(referral.c.direction == "incoming")))
            .mappings()
            .all()
        )
        steps = (
            (await session.execute(select(referral_history).order_by(referral_history.c.id)))
            .mappings()
            .all()
        )
    # Every request of the plan arrived as sent (pseudonyms only), and nothing else came in.
    secret = settings.pseudonym_secret
    assert all(p.nik and p.no_kk is None for p in plan)  # each a person
    assert {
        (r["source_field"], r["person_ref"], r["reason_code"], r["requested_on"], str(r["details"]))
        for r in rows
    } == {
        ("social", person_ref(secret, str(p.nik)), p.reason_code, p.requested_on, str(p.details))
        for p in plan
    }
    assert len(rows) == len(plan)
    assert not any(r["automatic"] or r["nik"] or r["no_kk"] for r in rows)
    assert all(r["posyandu_id"] in active and r["target_field"] == "health" for r in rows)

    # Answered in the demo's mix: every status, overdue ones, resolved on time and late.
    statuses = Counter(r["status"] for r in rows)
    assert set(statuses) == {"requested", "accepted", "rejected", "resolved"}
    assert any(is_overdue(r["status"], r["due_on"], today) for r in rows)
    on_time = [r for r in rows if resolved_on_time(r["status"], r["due_on"], r["resolved_on"])]
    assert on_time and len(on_time) < statuses["resolved"]  # some resolved late too
    assert all(r["rejection_code"] for r in rows if r["status"] == "rejected")
    assert all(r["outcome_code"] for r in rows if r["status"] == "resolved")
    assert counts == {
        "referrals_from_social_requested": statuses["requested"],
        "referrals_from_social_accepted": statuses["accepted"],
        "referrals_from_social_rejected": statuses["rejected"],
        "referrals_from_social_resolved_on_time": len(on_time),
        "referrals_from_social_resolved_late": statuses["resolved"] - len(on_time),
    }
    for row in rows:  # every step between the request and today, in order
        dates = [row["accepted_on"], row["rejected_on"], row["resolved_on"]]
        assert all(row["requested_on"] <= d <= today for d in dates if d is not None)
        assert row["resolved_on"] is None or (row["accepted_on"] or date.min) <= row["resolved_on"]
        history = [s for s in steps if s["referral_id"] == row["id"]]
        assert history[0]["action"] == "request" and history[0]["step_on"] == row["requested_on"]
        assert history[-1]["to_status"] == row["status"]
        assert [s["step_on"] for s in history] == sorted(s["step_on"] for s in history)
        assert all(row["requested_on"] <= s["step_on"] <= today for s in history)
        assert all(s["actor"] == "demo" for s in history[1:])

    # What DPMD reads equals the rows.
    summary = await health.client.get(
        "/v1/referrals/summary",
        headers=health.dpmd,
        params={"direction": "incoming", "wilayah": "64.02"},
    )
    assert summary.status_code == 200, summary.text
    assert summary.json()["totals"] == {
        "total": len(rows),
        "open": statuses["requested"] + statuses["accepted"],
        "overdue": sum(is_overdue(r["status"], r["due_on"], today) for r in rows),
        "rejected": statuses["rejected"],
        "resolved": statuses["resolved"],
        "resolved_on_time": len(on_time),
    }

    # Each answer announced on health's topic, step by step, without a NIK.
    topic = settings.topic("simpul.health.v1")
    async with db.sessions() as session:
        queued = (
            await session.execute(
                select(func.count()).select_from(outbox_table).where(outbox_table.c.topic == topic)
            )
        ).scalar_one()
    events = await read_envelopes(settings.kafka_bootstrap_servers, topic, expected=queued)
    assert len(events) == queued
    kinds = {f"health.referral.{verb}.v1" for verb in ("accepted", "rejected", "resolved")}
    answers = [e for e in events if e.type in kinds]
    for row in rows:
        mine = [e for e in answers if e.data["referral_id"] == row["id"]]
        history = [s for s in steps if s["referral_id"] == row["id"]][1:]
        assert [(e.type, e.data["step_on"]) for e in mine] == [
            (f"health.referral.{s['to_status']}.v1", s["step_on"].isoformat()) for s in history
        ]
        for event in mine:
            assert event.data["source_field"] == "social" and event.data["target_field"] == "health"
            assert event.posyandu_id == row["posyandu_id"]
            assert event.data["due_on"] == row["due_on"].isoformat()
        if row["status"] == "resolved":
            on_time_flag = resolved_on_time("resolved", row["due_on"], row["resolved_on"])
            assert mine[-1].data["resolved_on_time"] is on_time_flag
    ids = {r["id"] for r in rows}
    assert {e.data["referral_id"] for e in answers} == {
        r["id"] for r in rows if r["status"] != "requested"
    }
    assert len(answers) == sum(s["action"] != "request" for s in steps if s["referral_id"] in ids)
    niks = [str(p.nik) for p in plan]
    assert not any(n in str(e.data) for n in niks for e in answers)
    assert not any("nik" in e.data for e in answers)
