"""The demo loader: a water and sanitation survey for most households of the population at the
active posyandu (the same household_ref as housing's, social's and health's), some surveyed
twice with the later survey the household's, every level of both ladders present; written
through public works' own operations and announced on Kafka with the household's pseudonym
only; facilities and issues in every state at the active posyandu; loading twice adds nothing."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime

import pytest
from public_works_testkit import MANGKURAWANG, RAPAK_LAMBUR, PublicWorks
from sqlalchemy import select

from simpul_platform.clock import local_today
from simpul_platform.devstack.population import (
    DemoSize,
    demo_school_age,
    generate_balita,
)
from simpul_platform.events import new_id
from simpul_platform.testing.peers import until_replicated
from simpul_public_works.demo import PRINCIPAL, load_demo
from simpul_public_works.demo_infrastructure import seed_infrastructure
from simpul_public_works.domain.ladder import SANITATION_LEVELS, WATER_LEVELS
from simpul_public_works.models import Household, InfrastructureIssue, WashSurvey
from simpul_public_works.settings import PublicWorksSettings

pytestmark = pytest.mark.integration

SEBULU = "64.02.08.2001"  # an inactive posyandu's desa: its households are skipped
# Enough households at the two posyandu (both in Tenggarong) for a second visit or two.
SIZE = DemoSize(balita_per_posyandu=6, school_age_per_posyandu=30)


async def test_demo_surveys_the_populations_households_on_every_level(
    public_works: PublicWorks,
) -> None:
    posyandu = [await public_works.known_posyandu(desa) for desa in (RAPAK_LAMBUR, MANGKURAWANG)]
    closed = await public_works.producers.registry.register(SEBULU, status="inactive")
    await until_replicated(public_works.app.state.db, closed)
    db, settings = public_works.app.state.db, public_works.settings
    today = local_today(settings)
    counts = await load_demo(db, settings, SIZE)
    assert (await load_demo(db, settings, SIZE)) == {"households": 0}  # twice adds nothing
    async with db.sessions() as session:
        households = (await session.execute(select(Household))).scalars().all()
        surveys = (await session.execute(select(WashSurvey))).scalars().all()
    assert len(households) == counts["households"] and len(surveys) == counts["surveys"]
    assert {h.posyandu_id for h in households} == set(posyandu)
    population = refs_of_population(settings, [*posyandu, closed], today)
    known = population[posyandu[0]] | population[posyandu[1]]
    assert {h.household_ref for h in households} <= known
    assert 0.6 * len(known) < len(households) < len(known)  # most, not all
    assert counts["not_surveyed"] == len(known) - len(households)

    # The latest survey by date is the household's, and its levels are the household's.
    by_household: dict[str, list[WashSurvey]] = {}
    for survey in surveys:
        by_household.setdefault(survey.household_id, []).append(survey)
    assert any(len(twice) == 2 for twice in by_household.values())
    for household in households:
        latest = max(by_household[household.id], key=lambda s: s.surveyed_on)
        assert household.latest_survey_id == latest.id
        assert (household.water_level, household.sanitation_level) == (
            latest.water_level,
            latest.sanitation_level,
        )
        assert all(0 <= (today - s.surveyed_on).days <= 540 for s in by_household[household.id])
    assert {h.water_level for h in households} == set(WATER_LEVELS)
    assert {h.sanitation_level for h in households} == set(SANITATION_LEVELS)
    for level, n in Counter(h.water_level for h in households).items():
        assert counts[f"water_{level}"] == n
    for level, n in Counter(h.sanitation_level for h in households).items():
        assert counts[f"sanitation_{level}"] == n
    assert counts["basic_water"] == sum(bool(h.basic_water) for h in households) > 0
    assert {s.source for s in surveys} == {"kader"}

    events = await public_works.events(len(surveys))
    assessed = [e for e in events if e.type == "public_works.household.wash_assessed.v1"]
    assert len(assessed) == len(surveys)
    assert {e.data["household_ref"] for e in assessed} == {h.household_ref for h in households}
    assert not any("kk" in e.data for e in assessed)


async def test_the_demo_start_loads_facilities_and_issues_at_the_active_posyandu(
    public_works: PublicWorks,
) -> None:
    """Also when housing's house surveys reached public works first (as they do while the
    demo stack starts): a household known by pseudonym alone does not stop the demo."""
    posyandu = await public_works.known_posyandu(RAPAK_LAMBUR)
    db, settings = public_works.app.state.db, public_works.settings
    async with db.sessions() as session, session.begin():
        session.add(from_housing(posyandu))
    counts = await load_demo(db, settings, SIZE, infrastructure=seed_infrastructure)
    assert counts["households"] > 0 and counts["facilities"] == 3 and counts["issues"] == 8
    async with db.sessions() as session:
        issues = list((await session.execute(select(InfrastructureIssue))).scalars())
    assert {i.posyandu_id for i in issues} == {posyandu}
    assert {i.created_by for i in issues} == {PRINCIPAL.subject}
    again = await load_demo(db, settings, SIZE, infrastructure=seed_infrastructure)
    assert again == {"households": 0}


def from_housing(posyandu_id: str) -> Household:
    moment = datetime.now(UTC)
    return Household(
        id=new_id(),
        household_ref="a-household-housing-surveyed",
        posyandu_id=posyandu_id,
        desa_code=RAPAK_LAMBUR,
        created_by="system:housing-surveys",
        created_at=moment,
        updated_by="system:housing-surveys",
        updated_at=moment,
    )


def refs_of_population(
    settings: PublicWorksSettings, posyandu: list[str], today: date
) -> dict[str, set[str]]:
    """The population's household_ref per posyandu, as health and education generate them."""
    desa = {posyandu[0]: RAPAK_LAMBUR, posyandu[1]: MANGKURAWANG, posyandu[2]: SEBULU}
    places = sorted(desa.items())
    secret = settings.pseudonym_secret
    balita = generate_balita(places, seed=2025, per_posyandu=6, secret=secret, end=today)
    people = [*(b.target for b in balita), *demo_school_age(places, SIZE, secret=secret)]
    found: dict[str, set[str]] = {pid: set() for pid in posyandu}
    for person in people:
        found[person["posyandu_id"]].add(person["household_ref"])
    return found
