"""The demo loader: a house for each household of the population at the active posyandu (the
same household_ref as social's and health's), most surveyed, RTLH commoner in lokus desa; RTLH
cases in every status, a disaster's houses in every class and state, a relocation programme's
households in every state (``demo_checks``), and the SPM figures equal to hand counts over
them; written through housing's own operations, announced on Kafka; loading twice adds
nothing."""

from __future__ import annotations

from collections import Counter

import pytest
from demo_checks import check_disaster, check_relocation, check_rtlh, rows, spm_by_hand
from housing_testkit import MANGKURAWANG, RAPAK_LAMBUR, SEBULU, Housing
from sqlalchemy import func, select

from simpul_housing.demo import load_demo
from simpul_housing.models import Assessment, House, HouseHousehold, RtlhCaseHistory
from simpul_platform.clock import local_today
from simpul_platform.devstack.population import DemoSize, generate_balita
from simpul_platform.outbox import outbox_table

pytestmark = pytest.mark.integration

# Enough houses at the two posyandu (both in Tenggarong) for a round of every plan.
SIZE = DemoSize(balita_per_posyandu=6, school_age_per_posyandu=40)


async def test_demo_houses_are_the_populations_households(housing: Housing) -> None:
    posyandu = [await housing.known_posyandu(desa) for desa in (RAPAK_LAMBUR, MANGKURAWANG)]
    closed = await housing.known_posyandu(SEBULU, status="inactive")  # its households: skipped
    db, settings = housing.app.state.db, housing.settings
    today = local_today(settings)
    counts = await load_demo(db, settings, SIZE)
    assert (await load_demo(db, settings, SIZE)) == {"houses": 0}  # twice adds nothing
    async with db.sessions() as session:
        houses = (await session.execute(select(House))).scalars().all()
        living = (await session.execute(select(HouseHousehold))).scalars().all()
        surveys = (await session.execute(select(Assessment))).scalars().all()
    assert len(houses) == counts["houses"] and len(living) == counts["households"]
    assert {h.posyandu_id for h in houses} == set(posyandu)
    assert len({h.household_ref for h in living}) == len(living)  # one house per household
    assert counts["households"] > counts["houses"]  # some houses are shared
    kader = [s for s in surveys if s.kind == "initial"]  # the cases add resurveys and after-works
    assert len(kader) == counts["surveyed"] and 0.6 * len(houses) < len(kader) < len(houses)
    assert counts["rtlh_pupr"] == sum(s.rtlh_pupr for s in kader) > 0
    assert counts["rtlh_rutilahu"] == sum(s.rtlh_rutilahu for s in kader) > 0
    assert all(s.surveyed_on <= today for s in surveys)
    for house in houses:
        assert house.occupants >= 2
        if house.latest_assessment_id is not None:
            latest = next(s for s in surveys if s.id == house.latest_assessment_id)
            assert (house.rtlh_pupr, house.rtlh_rutilahu) == (
                latest.rtlh_pupr,
                latest.rtlh_rutilahu,
            )

    # The households are health's children's: the same household_ref.
    kukar = sorted(zip([*posyandu, closed], (RAPAK_LAMBUR, MANGKURAWANG, SEBULU), strict=True))
    balita = generate_balita(
        kukar, seed=2025, per_posyandu=6, secret=settings.pseudonym_secret, end=today
    )
    expected = {b.target["household_ref"] for b in balita if b.target["posyandu_id"] != closed}
    assert expected <= {h.household_ref for h in living}


async def test_demo_cases_reach_every_state(housing: Housing) -> None:
    for desa in (RAPAK_LAMBUR, MANGKURAWANG):
        await housing.known_posyandu(desa)
    db, settings = housing.app.state.db, housing.settings
    today = local_today(settings)
    counts = await load_demo(db, settings, SIZE)
    cases = await check_rtlh(db, settings, counts, today)
    units = await check_disaster(db, counts, today, cases)
    moved = await check_relocation(db, counts, today)

    response = await housing.client.get(
        "/v1/indicators",
        headers=housing.dpmd,
        params={"wilayah": "64.02", "period": str(today.year)},
    )
    assert response.status_code == 200, response.text
    figures = {i["code"]: (i["numerator"], i["denominator"]) for i in response.json()}
    by_hand = spm_by_hand(units, moved, today.year)
    assert {code: figures[code] for code in by_hand} == by_hand
    assert all(denominator > 0 for _, denominator in by_hand.values())

    # Every step announced on Kafka, with the household's pseudonym only.
    async with db.sessions() as session:
        written = (await session.execute(select(func.count()).select_from(outbox_table))).one()[0]
    events = await housing.events(written)
    announced = Counter(e.type for e in events)
    assert announced["housing.rtlh.status_changed.v1"] == len(await rows(db, RtlhCaseHistory))
    assert announced["housing.disaster_house.completed.v1"] == counts["disaster_completed"]
    assert announced["housing.relocation.facilitated.v1"] == sum(
        m.facilitated_on is not None for m in moved
    )
    assert not any("kk" in e.data or "address" in e.data for e in events)
