"""The demo loader: households for the population's balita (health's children), linked by
household_ref."""

from __future__ import annotations

from datetime import date

import pytest
from social_testkit import MANGKURAWANG, RAPAK_LAMBUR, SEBULU, Social
from sqlalchemy import func, select

from simpul_platform.devstack.population import DemoSize, generate_balita
from simpul_social.demo import load_demo
from simpul_social.models import Distribution, Household, PpksCase

pytestmark = pytest.mark.integration


async def test_demo_households_are_the_health_demo_children(social: Social) -> None:
    posyandu = [await social.known_posyandu(desa) for desa in (RAPAK_LAMBUR, MANGKURAWANG)]
    closed = await social.known_posyandu(SEBULU, status="inactive")  # its children: skipped
    db, settings = social.app.state.db, social.settings
    counts = await load_demo(db, settings)
    assert counts["households"] == 2 * DemoSize().balita_per_posyandu  # one per child
    assert counts["distributions"] > 0
    assert (await load_demo(db, settings)) == {"households": 0}  # loading twice is harmless
    async with db.sessions() as session:
        refs = set((await session.execute(select(Household.household_ref))).scalars())
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
    # Health generates for every Kukar posyandu in its replica, in posyandu id order.
    kukar = sorted(zip([*posyandu, closed], (RAPAK_LAMBUR, MANGKURAWANG, SEBULU), strict=True))
    children = generate_balita(
        kukar,
        seed=2025,
        per_posyandu=DemoSize().balita_per_posyandu,
        secret=settings.pseudonym_secret,
    )
    expected = {c.target["household_ref"] for c in children if c.target["posyandu_id"] != closed}
    assert expected == refs
