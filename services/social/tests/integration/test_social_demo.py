"""The demo loader: households for the population's balita (health's children) and for its
school-age children (education's), linked by household_ref, with DTSEN deciles announced on
Kafka; referrals to health, and answers to health's referrals in every status."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from social_testkit import MANGKURAWANG, RAPAK_LAMBUR, SEBULU, Social
from sqlalchemy import func, select

from simpul_platform.clock import local_today
from simpul_platform.devstack.population import DemoSize, demo_school_age, generate_balita
from simpul_platform.devstack.population.referrals import (
    OLDEST_DAYS,
    PER_TEN_POSYANDU,
    referrals_to_social,
)
from simpul_platform.events import new_id
from simpul_platform.outbox import outbox_table
from simpul_platform.pseudonym import household_ref
from simpul_platform.referrals.domain import is_overdue, resolved_on_time
from simpul_platform.referrals.events import requested_views
from simpul_platform.referrals.schemas import ReferralIn
from simpul_platform.referrals.tables import referral, referral_history
from simpul_platform.testing.kafka_reader import read_envelopes
from simpul_social.demo import load_demo
from simpul_social.models import Distribution, Household, PpksCase

pytestmark = pytest.mark.integration

SIZE = DemoSize(balita_per_posyandu=6, school_age_per_posyandu=40)  # education's demo test's


async def health_refers(
    social: Social,
    kukar: list[tuple[str, str]],
    active: set[str],
    per_ten_posyandu: int = PER_TEN_POSYANDU,
) -> list[ReferralIn]:
    """What health's demo loader sends social (the same plan over the same children), published
    as health's outbox relay publishes it: social's loader waits for these."""
    settings = social.settings
    children = generate_balita(
        sorted(kukar),  # as health generates: in posyandu id order
        seed=2025,
        per_posyandu=SIZE.balita_per_posyandu,
        secret=settings.pseudonym_secret,
    )
    plan = referrals_to_social(
        children, active, local_today(settings), per_ten_posyandu=per_ten_posyandu
    )
    desa = dict(kukar)
    (requested,) = [v for v in requested_views("social") if v.event_type.startswith("health.")]
    for body in plan:
        assert body.no_kk is not None and body.requested_on is not None
        await social.producers.health.send(
            requested(
                referral_id=new_id(),
                source_field="health",
                target_field="social",
                posyandu_id=body.posyandu_id,
                desa_code=desa[body.posyandu_id],
                reason_code=body.reason_code,
                details=body.details,
                household_ref=household_ref(settings.pseudonym_secret, body.no_kk),
                requested_on=body.requested_on,
            )
        )
    return plan


async def test_demo_households_are_the_health_demo_children(social: Social) -> None:
    posyandu = [await social.known_posyandu(desa) for desa in (RAPAK_LAMBUR, MANGKURAWANG)]
    closed = await social.known_posyandu(SEBULU, status="inactive")  # its children: skipped
    db, settings = social.app.state.db, social.settings
    # Health generates for every Kukar posyandu in its replica, in posyandu id order.
    kukar = sorted(zip([*posyandu, closed], (RAPAK_LAMBUR, MANGKURAWANG, SEBULU), strict=True))
    await health_refers(social, kukar, set(posyandu))  # what social's loader waits for
    counts = await load_demo(db, settings, SIZE)
    # One household per child, balita and school-age alike (each has its own No. KK).
    assert counts["school_age_households"] == 2 * SIZE.school_age_per_posyandu
    assert counts["households"] == 2 * (SIZE.balita_per_posyandu + SIZE.school_age_per_posyandu)
    assert counts["distributions"] > 0
    assert (await load_demo(db, settings, SIZE)) == {"households": 0}  # loading twice is harmless
    async with db.sessions() as session:
        deciles = dict(
            (await session.execute(select(Household.household_ref, Household.decile))).all()
        )
        assert (
            await session.execute(select(func.count()).select_from(Distribution))
        ).scalar_one() == counts["distributions"]
        cases = (await session.execute(select(PpksCase))).scalars().all()
    # PPKS cases through social's own steps: every one assessed, dates in order, at active
    # posyandu only.
    assert len(cases) == counts["ppks_cases"] > 0
    for case in cases:
        assert case.posyandu_id in posyandu and case.status in ("assessed", "served", "closed")
        assert case.identified_on <= case.assessed_on <= (case.served_on or date.max)
        assert case.closed_on is None or case.served_on <= case.closed_on
    secret = settings.pseudonym_secret
    children = generate_balita(
        kukar, seed=2025, per_posyandu=SIZE.balita_per_posyandu, secret=secret
    )
    balita = {c.target["household_ref"] for c in children if c.target["posyandu_id"] != closed}
    # Education's children 5–18 (the same generator call as its demo's), at the active posyandu.
    older = demo_school_age(kukar, SIZE, secret=secret)
    school_age = {p["household_ref"] for p in older if p["posyandu_id"] != closed}
    assert balita | school_age == set(deciles) and not balita & school_age
    await _school_age_deciles(social, {ref: deciles[ref] for ref in school_age})


async def _school_age_deciles(social: Social, deciles: dict[str, int | None]) -> None:
    """The school-age households' deciles span the poorest and the richest (what the PAUD
    equity indicator compares), and each assessed one reached Kafka as
    ``social.household.assessed.v1`` with its decile: what education's replica of them hears."""
    assessed = {ref: decile for ref, decile in deciles.items() if decile is not None}
    assert {1, 2} & set(assessed.values()) and {9, 10} & set(assessed.values())
    topic = social.settings.topic("simpul.social.v1")
    async with social.app.state.db.sessions() as session:
        published = (
            await session.execute(
                select(func.count()).select_from(outbox_table).where(outbox_table.c.topic == topic)
            )
        ).scalar_one()
    events = await read_envelopes(
        social.settings.kafka_bootstrap_servers, topic, expected=published
    )
    announced = {
        e.data["household_ref"]: e.data["decile"]
        for e in events
        if e.type == "social.household.assessed.v1"
    }
    assert {ref: announced.get(ref) for ref in assessed} == assessed


async def test_demo_referrals_with_health_are_in_every_status(social: Social) -> None:
    desa = (RAPAK_LAMBUR, MANGKURAWANG, SEBULU)
    kukar = [(await social.known_posyandu(d), d) for d in desa]
    db, settings = social.app.state.db, social.settings
    today = local_today(settings)
    plan = await health_refers(social, kukar, {pid for pid, _ in kukar}, per_ten_posyandu=50)
    counts = await load_demo(db, settings, referrals_per_ten_posyandu=50)

    async with db.sessions() as session:
        rows = (await session.execute(select(referral))).mappings().all()
        steps = (
            (await session.execute(select(referral_history).order_by(referral_history.c.id)))
            .mappings()
            .all()
        )
    # Health's requests (not social's own automatic ones), every one arrived and answered in
    # the demo's mix.
    incoming = [r for r in rows if r["direction"] == "incoming" and not r["automatic"]]
    outgoing = [r for r in rows if r["direction"] == "outgoing"]
    assert len(incoming) == len(plan) > 0
    assert {r["source_field"] for r in incoming} == {"health"}
    answered = {k: n for k, n in counts.items() if k.startswith("referrals_from_health_")}
    assert sum(answered.values()) == len(incoming)
    statuses = Counter(r["status"] for r in incoming)
    assert set(statuses) == {"requested", "accepted", "rejected", "resolved"}
    overdue = [r for r in incoming if is_overdue(r["status"], r["due_on"], today)]
    assert {r["status"] for r in overdue} == {"requested", "accepted"}
    assert any(r["status"] == "requested" and r["due_on"] >= today for r in incoming)
    on_time = [r for r in incoming if resolved_on_time(r["status"], r["due_on"], r["resolved_on"])]
    assert on_time and len(on_time) < statuses["resolved"]  # some resolved late too
    assert all(r["rejection_code"] for r in incoming if r["status"] == "rejected")
    assert all(r["outcome_code"] for r in incoming if r["status"] == "resolved")
    for row in incoming:  # every step between the request and today, in order
        dates = [row["requested_on"], row["accepted_on"], row["rejected_on"], row["resolved_on"]]
        assert all(row["requested_on"] <= d <= today for d in dates if d is not None)
        assert row["resolved_on"] is None or (row["accepted_on"] or date.min) <= row["resolved_on"]
        history = [s for s in steps if s["referral_id"] == row["id"]]
        assert history[0]["action"] == "request" and history[-1]["to_status"] == row["status"]
        assert [s["step_on"] for s in history] == sorted(s["step_on"] for s in history)

    # Social's own to health: sent with the population's NIK, left requested (health's loader
    # has run), some overdue and some not yet due.
    assert len(outgoing) == counts["referrals_to_health"] > 0
    assert {r["target_field"] for r in outgoing} == {"health"}
    assert {r["status"] for r in outgoing} == {"requested"}
    assert all(r["nik"] and r["person_ref"] for r in outgoing)
    assert {r["reason_code"] for r in outgoing} <= {
        "lansia_not_screened",
        "pregnancy_without_anc",
        "child_not_weighed",
    }
    late = [is_overdue(r["status"], r["due_on"], today) for r in outgoing]
    assert any(late) and not all(late)
    oldest = today - timedelta(days=OLDEST_DAYS)
    assert all(oldest <= r["requested_on"] <= today for r in rows)

    # What DPMD reads equals the rows, in both directions.
    every_incoming = [r for r in rows if r["direction"] == "incoming"]
    for direction, mine in (("incoming", every_incoming), ("outgoing", outgoing)):
        summary = await social.client.get(
            "/v1/referrals/summary",
            headers=social.dpmd,
            params={"direction": direction, "wilayah": "64.02"},
        )
        assert summary.status_code == 200, summary.text
        assert summary.json()["totals"] == {
            "total": len(mine),
            "open": sum(r["status"] in ("requested", "accepted") for r in mine),
            "overdue": sum(is_overdue(r["status"], r["due_on"], today) for r in mine),
            "rejected": sum(r["status"] == "rejected" for r in mine),
            "resolved": sum(r["status"] == "resolved" for r in mine),
            "resolved_on_time": sum(
                resolved_on_time(r["status"], r["due_on"], r["resolved_on"]) for r in mine
            ),
        }
