"""The demo's school screenings: a few of education's school-age children per active posyandu
screened this school year through the service layer; once education's events for the same
people arrive, the usia pendidikan dasar indicator has figures equal to a hand count."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from health_school_kit import Education, child_row, kept_rows_match_a_recount, spm
from health_testkit import DESA, OTHER_DESA, TODAY
from sqlalchemy import select, update

from simpul_health.demo import load_demo
from simpul_health.demo_school import PER_POSYANDU
from simpul_health.domain.lifecycle import age_in_years
from simpul_health.domain.school import school_year_start
from simpul_health.models import SchoolScreening
from simpul_platform.devstack.population import DemoSize, demo_school_age
from simpul_platform.indicators import Period
from simpul_platform.replica import INACTIVE, posyandu_replica
from simpul_platform.testing.polling import eventually

pytestmark = pytest.mark.integration


async def test_the_demo_screens_educations_children_and_the_indicator_has_figures(health):
    mawar = await health.posyandu("Posyandu Mawar", DESA)
    melati = await health.posyandu("Posyandu Melati", OTHER_DESA)
    closed = await health.posyandu("Posyandu Kenanga", DESA)
    db, settings = health.app.state.db, health.settings
    async with db.transaction() as session:
        await session.execute(
            update(posyandu_replica)
            .where(posyandu_replica.c.posyandu_id == closed)
            .values(status=INACTIVE)
        )
    await load_demo(db, settings, months=1, per_posyandu=2)

    async with db.sessions() as session:
        screenings = list((await session.execute(select(SchoolScreening))).scalars())
    # Education's people (as its demo generates them for every Kukar posyandu, in id order).
    places = sorted([(mawar, DESA), (melati, OTHER_DESA), (closed, DESA)])
    people = demo_school_age(places, DemoSize(), secret=settings.pseudonym_secret)
    by_ref = {p["person_ref"]: p for p in people}
    assert screenings and all(s.person_ref in by_ref for s in screenings)
    per_posyandu = Counter(s.posyandu_id for s in screenings)
    assert set(per_posyandu) <= {mawar, melati} and max(per_posyandu.values()) <= PER_POSYANDU
    assert len(screenings) >= PER_POSYANDU  # most of the 2 × 4 chosen are screened
    assert all(school_year_start(TODAY) <= s.screened_on <= TODAY for s in screenings)
    assert any(s.to_standard for s in screenings)

    # Education announces its children (birth year only, as it registers them).
    async with health.peer("education") as peer:
        education = Education(peer)
        for person in people:
            child_id = person["id"]
            await education.register(
                person["posyandu_id"],
                person["desa_code"],
                person["person_ref"],
                person["birth_date"].year,
                child_id=child_id,
            )
        for person in people:
            await eventually(lambda p=person: child_row(health, p["id"]))

    figures = []
    for label in (f"{TODAY:%Y-%m}", f"{TODAY.year}"):
        period = Period.parse(label)
        group = [p for p in people if counted(p, period.end)]
        screened = {
            s.person_ref
            for s in screenings
            if s.to_standard and period.start <= s.screened_on <= period.end
        }
        numerator = sum(p["person_ref"] in screened for p in group)
        assert await spm(health, label, wilayah="64.02") == (numerator, len(group))
        figures.append(numerator)
        for pid in (mawar, melati, closed):
            mine = [p for p in group if p["posyandu_id"] == pid]
            expected = (sum(p["person_ref"] in screened for p in mine), len(mine))
            assert await spm(health, label, posyandu_id=pid) == expected
    assert any(figures)  # the scorecard shows a figure
    await kept_rows_match_a_recount(health)


def counted(person: dict, end: date) -> bool:
    """Aged 7–15 at ``end``, born 1 July of the year education gave."""
    return 7 <= age_in_years(date(person["birth_date"].year, 7, 1), end) <= 15
