"""Housing's demo follow-up for trantib's banjir: it waits for the consumer to open the
disaster's houses (a clear error when none come in time), then fixes them with an SK Bupati and
takes some into handling and some to completion through housing's operations, leaving trantib's
fires alone; run twice, it adds nothing."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Callable
from datetime import date, timedelta
from typing import Any

import pytest
from housing_testkit import MANGKURAWANG, RAPAK_LAMBUR, Housing
from housing_trantib_calls import Damaged, assessed, fire, houses, opened, steps
from sqlalchemy import select

from simpul_housing.demo_trantib import SK_AFTER_DAYS, NoTrantibDisaster, follow_trantib
from simpul_housing.models import DisasterEvent, HousingAid
from simpul_platform.clock import local_today
from simpul_platform.events import new_id
from simpul_platform.settings import ServiceSettings
from simpul_platform.testing.peers import Peer
from simpul_platform.testing.polling import eventually

pytestmark = pytest.mark.integration
DAMAGE = ("rr", "rs", "rb", "hilang", "none")


@pytest.fixture
async def trantib(make_settings: Callable[..., Any]) -> AsyncIterator[Peer]:
    settings = make_settings(ServiceSettings, service_name="peer")
    async with Peer.running(settings, "trantib") as peer:
        yield peer


async def test_the_follow_up_waits_for_the_banjir_then_fixes_and_handles_its_houses(
    housing: Housing, trantib: Peer
) -> None:
    db, settings = housing.app.state.db, housing.settings
    with pytest.raises(NoTrantibDisaster, match=r"housing\.trantib-damage consumer"):
        await follow_trantib(db, settings, timeout=0.3, poll=0.1)

    here = await housing.known_posyandu()
    there = await housing.known_posyandu(MANGKURAWANG)
    kks = [f"640206{n:010d}" for n in range(1, 26)]
    for kk in kks[:10]:  # most demo households have a house housing recorded
        await housing.house(here, kks=(kk,))
    damaged: list[Damaged] = [
        (housing.household_ref(kk), here if n < 15 else there,
         RAPAK_LAMBUR if n < 15 else MANGKURAWANG, DAMAGE[n % len(DAMAGE)])
        for n, kk in enumerate(kks)
    ]  # fmt: skip
    burned: list[Damaged] = [(housing.household_ref("6402069999990001"), here, RAPAK_LAMBUR, "rb")]
    incident, disaster = new_id(), new_id()
    await fire(trantib, incident, here, RAPAK_LAMBUR, burned)
    await assessed(trantib, disaster, damaged, kind="banjir")
    await eventually(opened(housing, 21))  # 20 damaged by the banjir, 1 by the fire

    counts = await follow_trantib(db, settings, timeout=30, poll=0.2)
    assert await follow_trantib(db, settings, timeout=30, poll=0.2) == {
        "trantib_disaster_houses": 0
    }  # twice adds nothing
    found = await houses(housing)
    flood = [h for h, e in found if e.source_event_id == disaster]
    burnt = [h for h, e in found if e.source_event_id == incident]
    assert len(flood) == counts["trantib_disaster_houses"] == 20
    by_status = Counter(h.status for h in flood)
    assert set(by_status) == {"fixed", "in_handling", "completed"}
    assert {k: counts[f"trantib_disaster_{k}"] for k in by_status} == dict(by_status)
    assert {h.status for h in burnt} == {"assessed"}  # a fire is not the banjir

    today = local_today(settings)
    async with db.sessions() as session:
        event = (
            await session.execute(
                select(DisasterEvent).where(DisasterEvent.source_event_id == disaster)
            )
        ).scalar_one()
        aid = list((await session.execute(select(HousingAid))).scalars())
    assert event.sk_number is not None and event.planned_year == today.year
    assert event.sk_date == date(2026, 2, 8) + timedelta(days=SK_AFTER_DAYS)  # as trantib sent
    assert all(h.planned_year == today.year for h in flood)
    completed = [h for h in flood if h.status == "completed"]
    assert {a.case_id for a in aid} == {h.id for h in completed}
    for house in flood:
        if house.status != "fixed":
            assert event.sk_date <= house.handling_started_on <= today
        if house.completed_on is not None:
            assert house.handling_started_on <= house.completed_on <= today
    actions = Counter(
        action for h, action, *_ in await steps(housing) if h in {f.id for f in flood}
    )
    assert actions["fix"] == 20
    assert actions["handle"] == by_status["in_handling"] + by_status["completed"]
    assert actions["complete"] == by_status["completed"]
