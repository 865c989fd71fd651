"""The demo loader: a house for each household of the population at the active posyandu (the
same household_ref as social's and health's), most surveyed, RTLH commoner in lokus desa;
written through housing's own operations; loading twice adds nothing."""

from __future__ import annotations

import pytest
from housing_testkit import MANGKURAWANG, RAPAK_LAMBUR, SEBULU, Housing
from sqlalchemy import select

from simpul_housing.demo import load_demo
from simpul_housing.models import Assessment, House, HouseHousehold
from simpul_platform.clock import local_today
from simpul_platform.devstack.population import DemoSize, generate_balita

pytestmark = pytest.mark.integration

SIZE = DemoSize(balita_per_posyandu=6, school_age_per_posyandu=20)


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
    assert len(surveys) == counts["surveyed"] and 0.6 * len(houses) < len(surveys) < len(houses)
    assert counts["rtlh_pupr"] == sum(s.rtlh_pupr for s in surveys) > 0
    assert counts["rtlh_rutilahu"] == sum(s.rtlh_rutilahu for s in surveys) > 0
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
