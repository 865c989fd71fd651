"""The demo loader against the running service: fire posts and desa points, a year of closed
fires (some late inside a WMK, some outside every WMK, some with no arrival; damaged houses of
the population's households), Satlinmas in every desa (some under strength, some with an empty
squad; the population's adults among them), APAR (some expired by the deployment's date),
public-order reports in every state, an escalated deteksi dini note, flood zones with outreach,
and the banjir with the population's households and its displaced children referred; written
by the OPD's principals, announced on Kafka; loading twice adds nothing."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from sqlalchemy import func, select
from trantib_testkit import MANGKURAWANG, RAPAK_LAMBUR, TENGGARONG_KELURAHAN, Trantib

from simpul_platform.clock import local_today
from simpul_platform.devstack.population import DemoSize, generate_adults
from simpul_platform.outbox import outbox_table
from simpul_platform.testing.peers import until_replicated
from simpul_trantib.demo import ADULT_SEED, families_of, load_demo
from simpul_trantib.demo_places import POSTED
from simpul_trantib.events import TOPIC
from simpul_trantib.models import (
    Apar,
    DesaPoint,
    Disaster,
    DisasterHousehold,
    DisplacedChild,
    EarlyDetectionNote,
    FireDamagedHouse,
    FireIncident,
    FirePost,
    HazardZone,
    LinmasMember,
    LinmasStrength,
    OrderReport,
    OrderReporter,
    RiskOutreach,
    SiskamlingPatrol,
)

pytestmark = pytest.mark.integration

TABANG = "64.02.12.2001"  # far up the Mahakam
SEBULU = "64.02.07.2001"  # an inactive posyandu's desa: nothing is written there
SIZE = DemoSize(balita_per_posyandu=6, school_age_per_posyandu=10)
FIRES = 40


async def rows(trantib: Trantib, model: Any) -> list[Any]:
    async with trantib.app.state.db.sessions() as session:
        return list((await session.execute(select(model))).scalars())


async def test_the_demo_loads_every_part_through_the_services_operations(
    trantib: Trantib,
) -> None:
    desa = (RAPAK_LAMBUR, MANGKURAWANG, TENGGARONG_KELURAHAN, TABANG)
    active = [await trantib.known_posyandu(d) for d in desa]
    closed = await trantib.producers.registry.register(SEBULU, status="inactive")
    await until_replicated(trantib.app.state.db, closed)
    db, settings = trantib.app.state.db, trantib.settings
    today = local_today(settings)

    counts = await load_demo(db, settings, SIZE, fires=FIRES)
    assert await load_demo(db, settings, SIZE, fires=FIRES) == {"fire_posts": 0}

    # Posts and points: every desa with an active posyandu has its point.
    assert len(await rows(trantib, FirePost)) == len(POSTED) == counts["fire_posts"]
    points = await rows(trantib, DesaPoint)
    assert {p.desa_code for p in points} == set(desa)

    # The fires: all closed, some late inside a WMK, some outside, some with no arrival.
    fires: list[FireIncident] = await rows(trantib, FireIncident)
    assert len(fires) == FIRES == counts["fires"]
    assert {f.status for f in fires} == {"closed"}
    assert {f.posyandu_id for f in fires} <= set(active)
    assert any(f.inside_wmk and f.response_met is False for f in fires)
    assert any(not f.inside_wmk for f in fires)
    assert any(f.arrived_at is None for f in fires)
    assert any(f.response_met for f in fires)
    assert all(0 < (today - f.report_received_at.date()).days <= 366 for f in fires)
    houses: list[FireDamagedHouse] = await rows(trantib, FireDamagedHouse)
    places = sorted(zip([*active, closed], [*desa, SEBULU], strict=True))  # the replica's order
    population = families_of(places, SIZE, settings.pseudonym_secret)
    kks = {f.kk for families in population.values() for f in families}
    assert houses and {h.kk for h in houses} <= kks
    assert len({h.kk for h in houses}) == len(houses)  # no house burnt twice in the year

    # Satlinmas: under strength and an empty squad present; the population's adults serve.
    strengths: list[LinmasStrength] = await rows(trantib, LinmasStrength)
    assert {s.desa_code for s in strengths} == set(desa)
    assert any(s.under_strength for s in strengths)
    assert any(s.empty_squads and not s.under_strength for s in strengths)
    members: list[LinmasMember] = await rows(trantib, LinmasMember)
    adults = generate_adults(
        sorted(zip(active, desa, strict=True)), seed=ADULT_SEED, secret=settings.pseudonym_secret
    )
    assert {m.nik for m in members} & {a.target["nik"] for a in adults}
    assert len(members) == counts["linmas_members"]
    assert len(await rows(trantib, SiskamlingPatrol)) == counts["siskamling_patrols"]

    # APAR: some expired by the deployment's date, some good.
    apar: list[Apar] = await rows(trantib, Apar)
    assert any(a.expires_on < today for a in apar) and any(a.expires_on >= today for a in apar)

    # Public order: every state, rejected ones among the closed, some reporters sealed.
    reports: list[OrderReport] = await rows(trantib, OrderReport)
    assert {r.status for r in reports} == {"reported", "verified", "handled", "served", "closed"}
    assert {r.close_reason for r in reports if r.status == "closed"} - {"selesai"}
    assert 0 < len(await rows(trantib, OrderReporter)) < len(reports)
    notes: list[EarlyDetectionNote] = await rows(trantib, EarlyDetectionNote)
    escalated = [n for n in notes if n.report_id is not None]
    assert len(escalated) == 1 and escalated[0].level == "tinggi"
    assert any(r.source == "deteksi_dini" for r in reports)

    # Flood zones in Tenggarong, none up in Tabang; outreach in some.
    zones: list[HazardZone] = await rows(trantib, HazardZone)
    assert zones and {z.desa_code[:8] for z in zones} == {"64.02.06"}
    assert len(await rows(trantib, RiskOutreach)) == counts["risk_outreach"]

    # The banjir: in recovery, its households the population's at the flooded desa.
    (disaster,) = await rows(trantib, Disaster)
    assert disaster.kind == "banjir" and disaster.status == "recovery"
    assert disaster.wilayah_code.startswith("64.02.06")
    households: list[DisasterHousehold] = await rows(trantib, DisasterHousehold)
    assert len(households) == counts["disaster_households"] > 0
    assert {h.kk for h in households} <= kks
    assert {h.desa_code for h in households} <= set(disaster.affected_desa)
    assert {"none", "rr", "rs"} <= {h.damage for h in households}
    assert any(h.displaced for h in households)
    assert 0 < disaster.evacuated <= disaster.needing_evacuation
    children = await rows(trantib, DisplacedChild)
    assert len(children) == counts["disaster_children_referred"] > 0

    # Written by the OPD's principals, announced on trantib's topic.
    assert {f.created_by for f in fires} == {"demo-damkar"}
    assert {m.created_by for m in members} == {"demo-satpolpp"}
    assert disaster.created_by == "demo-bpbd"
    topic = settings.topic(TOPIC)
    async with db.sessions() as session:
        query = select(func.count()).where(outbox_table.c.topic == topic)
        published = (await session.execute(query)).scalar_one()
    events = await trantib.events(published)
    types = Counter(e.type for e in events)
    assert types["trantib.fire.attended.v1"] == FIRES
    assert types["trantib.fire.reported.v1"] == FIRES
    assert types["trantib.disaster.declared.v1"] == 1
    assert types["trantib.disaster.assessed.v1"] == 2  # the totals, then the households
    assert types["trantib.linmas.strength_changed.v1"] >= len(desa)
    assessed = [e for e in events if e.type == "trantib.disaster.assessed.v1"]
    named = max(assessed, key=lambda e: len(e.data["households"]))
    assert len(named.data["households"]) == len(households)
    assert not any("kk" in h for h in named.data["households"])
