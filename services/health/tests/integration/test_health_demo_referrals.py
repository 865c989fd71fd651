"""The demo loader's referrals to social: the population's plan, sent through the platform's
referral operations (kept with the KK at health, announced without it), dated over the last two
months at active posyandu only; social's demo answers them."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest
from health_testkit import DESA, OTHER_DESA
from sqlalchemy import func, select, update

from simpul_health.demo import load_demo
from simpul_platform.clock import local_today
from simpul_platform.devstack.population import generate_balita
from simpul_platform.devstack.population.referrals import OLDEST_DAYS, referrals_to_social
from simpul_platform.outbox import outbox_table
from simpul_platform.pseudonym import household_ref
from simpul_platform.referrals.domain import is_overdue
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
