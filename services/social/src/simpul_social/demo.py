"""Social's slice of the shared demo population (``devstack.population``): households for the demo
balita and the demo's school-age children, their DTSEN deciles, bansos and PPKS cases.

The children, their NIK and No. KK are the population's balita, generated exactly as the
health demo generates them (same posyandu list from the replica, same seed, same pseudonym
secret, same day), so social's households are the demo children's households and the
``household_ref`` in health's stunting events matches. Likewise the children and youth 5–18
are education's (``demo_school_age``): DTSEN ranks every household, so theirs are registered
and assessed too, and education's replica of the deciles (``social.household.assessed.v1``)
groups its children by them (the PAUD equity indicator). Each kind has its own random draws,
so adding one leaves the other's deciles and bansos as they were. Deciles are the
population's: poverty and stunting overlap more in some desa (the "lokus" desa) than in
others. Everything is written through the service's own operations (validation, attribution,
outbox events), one transaction per posyandu; open stunting leads from health's events are
decided again as households appear.

Referrals (``devstack.population.referrals``, whose docstring has the whole design): social's
kader refer lansia, pregnant women and balita of the population to health, dated over the last
two months; health's follow-up step answers them. Then, as the target,
social waits (bounded) until the referrals health's loader sent have reached its incoming table
through Kafka (it knows how many from the same plan) and answers them: accepted, rejected,
resolved on time or late, or left requested, so some are overdue.

    python -m simpul_social.demo            # reads SOCIAL_* / SIMPUL_* like the service
    python -m simpul_social.demo --followup # takes trantib's disaster cases part-way
"""

from __future__ import annotations

import asyncio
import random
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select

from simpul_platform import tallies
from simpul_platform.auth import Principal
from simpul_platform.clock import local_today
from simpul_platform.db import Database
from simpul_platform.devstack.population import (
    DemoChild,
    DemoSize,
    ReplicaPosyandu,
    decile_for,
    demo_school_age,
    generate_adults,
    generate_balita,
    kukar_posyandu,
    lokus_desa,
    settled_database,
)
from simpul_platform.devstack.population.progress import Progress, timed
from simpul_platform.devstack.population.referrals import (
    PER_TEN_POSYANDU,
    WAIT_S,
    answer_requests,
    referrals_to_health,
    referrals_to_social,
    send_referrals,
    wait_for_requests,
)
from simpul_platform.errors import ProblemError
from simpul_platform.outbox import Outbox
from simpul_platform.uow import UnitOfWork
from simpul_social.app import MIGRATIONS
from simpul_social.demo_disaster import follow_disaster_cases
from simpul_social.domain.periods import PeriodType, label_of
from simpul_social.domain.ppks import PPKS_CATEGORIES
from simpul_social.models import Household, Program
from simpul_social.ops import ppks
from simpul_social.ops.bansos import create_program, record_distribution
from simpul_social.ops.households import check_household, check_member
from simpul_social.ops.households_batch import create_households
from simpul_social.schemas.bansos import DistributionIn, ProgramIn
from simpul_social.schemas.households import DecileIn, HouseholdIn, MemberIn
from simpul_social.schemas.ppks import AssessIn, CloseIn, PpksCaseIn, ServeIn
from simpul_social.settings import SocialSettings

SEED = 2025  # the balita seed health generates with: the same children
ADULT_SEED = SEED + 1  # and its adults'
OLDER_SEED = SEED + 106  # the draws for the school-age children's households
PROGRAMS = [
    ProgramIn(
        code="PKH",
        name="Program Keluarga Harapan",
        period_type="quarter",
        benefit="cash",
        funder="Kemensos",
    ),
    ProgramIn(
        code="SEMBAKO",
        name="Bantuan Pangan Non Tunai (Sembako)",
        period_type="month",
        benefit="goods",
        funder="Kemensos",
    ),
    ProgramIn(
        code="PBI-JK",
        name="Penerima Bantuan Iuran Jaminan Kesehatan",
        period_type="month",
        benefit="service",
        funder="Kemensos",
    ),
    ProgramIn(
        code="BLT-DESA",
        name="BLT Dana Desa",
        period_type="month",
        benefit="cash",
        funder="Dana Desa",
    ),
    ProgramIn(
        code="PERMAKANAN-LANSIA",
        name="Permakanan lansia",
        period_type="month",
        benefit="goods",
        funder="Kemensos",
    ),
]
# (program, chance for a deciles 1–4 household, amount, goods)
AID: list[tuple[str, float, int | None, str | None]] = [
    ("PKH", 0.35, 750_000, None),
    ("SEMBAKO", 0.30, None, "beras 10 kg, telur 1 kg"),
    ("BLT-DESA", 0.15, 300_000, None),
]


async def _programs(db: Database, outbox: Outbox) -> None:
    async with db.sessions() as session:
        uow = UnitOfWork(session, outbox)
        for program in PROGRAMS:
            if await session.get(Program, program.code) is None:
                await create_program(uow, program, "demo")
        await uow.commit()


async def load_demo(
    db: Database,
    settings: SocialSettings,
    size: DemoSize | None = None,
    *,
    referrals_per_ten_posyandu: int = PER_TEN_POSYANDU,
    referral_wait_s: float = WAIT_S,
) -> dict[str, int]:
    """Households (of the balita and of the school-age children), deciles, distributions and
    PPKS cases for every active Kukar posyandu in the replica; referrals to health; answers to
    health's referrals (``referral_wait_s`` is how long it waits for them to arrive; health's
    loader sent them with the same ``referrals_per_ten_posyandu``)."""
    async with db.sessions() as session:
        if (await session.execute(select(func.count()).select_from(Household))).scalar_one():
            return {"households": 0}
    size = size or DemoSize()
    posyandu = await kukar_posyandu(db)
    places = [(p.posyandu_id, p.desa_code) for p in posyandu]
    children = generate_balita(
        places, seed=SEED, per_posyandu=size.balita_per_posyandu, secret=settings.pseudonym_secret
    )
    older = demo_school_age(places, size, secret=settings.pseudonym_secret)
    active = {p.posyandu_id for p in posyandu if p.active}
    balita = _by_posyandu((child.target, child.haz < -2) for child in children)
    school_age = _by_posyandu((person, False) for person in older)
    rng = random.Random(SEED + 104)
    lokus = lokus_desa((p.desa_code for p in posyandu), rng)
    outbox = Outbox(settings)
    principal = Principal("demo", frozenset({"opd:social"}), ("*",))
    await _programs(db, outbox)
    today = local_today(settings)
    counts = {"households": 0, "school_age_households": 0, "distributions": 0, "ppks_cases": 0}
    ppks_rng = random.Random(SEED + 105)  # its own, so the households' draws stay as they were
    older_rng = random.Random(OLDER_SEED)  # and the older children's households' own, too
    progress = Progress("households, deciles, bansos, PPKS", len(active), unit="posyandu")
    seen: set[str] = set()  # none before: the demo loads into a social without households
    for posyandu_id in sorted(active):
        progress.advance()
        async with db.sessions() as session:
            uow = UnitOfWork(session, outbox)
            place = Place(uow, settings, principal, lokus, today, seen)
            async with tallies.deferred(session):  # its counts dropped once, not per record
                theirs = await _households(place, balita.get(posyandu_id, []), rng)
                olders = await _households(place, school_age.get(posyandu_id, []), older_rng)
            await uow.commit()
            for key in ("households", "distributions"):
                counts[key] += theirs[key] + olders[key]
            counts["school_age_households"] += olders["households"]
            counts["ppks_cases"] += await _ppks_cases(
                uow, settings, principal, posyandu_id, ppks_rng
            )
    progress.done(counts["households"], "households")
    counts |= await _referrals(
        db,
        settings,
        principal,
        posyandu,
        children,
        per_ten_posyandu=referrals_per_ten_posyandu,
        wait_s=referral_wait_s,
    )
    return counts


Person = tuple[dict[str, Any], bool]  # a person row and whether the child is stunted


def _by_posyandu(people: Iterable[Person]) -> dict[str, list[Person]]:
    grouped: dict[str, list[Person]] = {}
    for person in people:
        grouped.setdefault(person[0]["posyandu_id"], []).append(person)
    return grouped


@dataclass(frozen=True)
class Place:
    """What registering a posyandu's households needs: its transaction, who writes, the lokus
    desa (poverty more common) and the day."""

    uow: UnitOfWork
    settings: SocialSettings
    principal: Principal
    lokus: set[str]
    today: date
    seen: set[str]  # the No. KK registered so far


async def _households(place: Place, people: list[Person], rng: random.Random) -> Counter[str]:
    """A household for each (person, stunted): their No. KK with them as its member, a DTSEN
    decile for most, and for deciles 1–4 some bansos; the posyandu's in one batch
    (``create_households``). ``rng`` is drawn in the same order for the same people, so a plan
    stays as it was when another is added: a household the service would refuse (``place.seen``
    foresees it) draws no bansos."""
    plans: list[tuple[HouseholdIn, bool, list[dict[str, Any]]]] = []  # the aid: DistributionIn
    for person, stunted in people:
        decile = decile_for(rng, lokus=person["desa_code"] in place.lokus, stunted=stunted)
        body = _household_body(place, person, decile, rng)
        taken = _taken(place, body)
        poor = taken and decile is not None and decile <= 4
        plans.append((body, taken, _aid(place, rng) if poor else []))
    made = await create_households(
        place.uow, place.settings, [body for body, _, _ in plans], place.principal
    )
    counts: Counter[str] = Counter()
    for (_, taken, aid), household in zip(plans, made, strict=True):
        if isinstance(household, Household) != taken:
            raise RuntimeError(f"the demo foresaw its household wrongly: {household}")
        if isinstance(household, Household):
            counts["households"] += 1
            for given in aid:
                bansos = DistributionIn(household_id=household.id, **given)
                await record_distribution(place.uow, place.settings, bansos, household, "demo")
                counts["distributions"] += 1
    return counts


def _household_body(
    place: Place, person: dict[str, Any], decile: int | None, rng: random.Random
) -> HouseholdIn:
    """The person's household, assessed 90 days ago when a decile is given."""
    return HouseholdIn(
        kk=person["kk"],
        posyandu_id=person["posyandu_id"],
        address=f"RT {rng.randint(1, 20)}",
        members=[
            MemberIn(
                nik=person["nik"],
                name=person["name"],
                relationship="anak",
                sex="P" if person["sex"] == "F" else "L",
                birth_date=person["birth_date"],
            )
        ],
        decile=DecileIn(decile=decile, source="DTSEN", assessed_on=place.today - timedelta(days=90))
        if decile
        else None,
    )


def _taken(place: Place, body: HouseholdIn) -> bool:
    """Whether social registers it: its body passes, its No. KK is not in ``place.seen``."""
    try:
        check_household(body, place.today)
        for member in body.members:
            check_member(member, place.today, "body.members")
    except ProblemError:
        return False
    if body.kk in place.seen:
        return False
    place.seen.add(body.kk)
    return True


def _aid(place: Place, rng: random.Random) -> list[dict[str, Any]]:
    """A poor household's bansos this month or quarter, program by program (``AID``)."""
    given = []
    for code, chance, amount, goods in AID:
        if rng.random() >= chance:
            continue
        period_type: PeriodType = "quarter" if code == "PKH" else "month"
        day = place.today - timedelta(days=rng.randint(0, 20))
        given.append(
            {
                "program_code": code,
                "period": label_of(period_type, day),
                "amount_idr": amount,
                "goods": goods,
                "distributed_on": day,
            }
        )
    return given


async def _referrals(
    db: Database,
    settings: SocialSettings,
    principal: Principal,
    posyandu: list[ReplicaPosyandu],
    children: list[DemoChild],
    *,
    per_ten_posyandu: int,
    wait_s: float,
) -> dict[str, int]:
    """Social's referrals to health, then its answers to health's (once they have arrived)."""
    today = local_today(settings)
    active = {p.posyandu_id for p in posyandu if p.active}
    # Health generates its adults for the active posyandu, in id order, with the next seed.
    adults = generate_adults(
        [(p.posyandu_id, p.desa_code) for p in posyandu if p.active],
        seed=ADULT_SEED,
        secret=settings.pseudonym_secret,
    )
    to_health = referrals_to_health(
        adults, children, active, today, per_ten_posyandu=per_ten_posyandu
    )
    sent = await timed(
        "referrals to health", send_referrals(db, settings, "social", to_health, principal)
    )
    expected = len(referrals_to_social(children, active, today, per_ten_posyandu=per_ten_posyandu))
    print(f"waiting for health's {expected} referrals ...", flush=True)
    await wait_for_requests(db, "health", expected, timeout_s=wait_s)
    answered = await timed(
        "answers to health", answer_requests(db, settings, "social", "health", principal, today)
    )
    return {
        "referrals_to_health": sent,
        **{f"referrals_from_health_{kind}": n for kind, n in answered.items()},
    }


async def _ppks_cases(
    uow: UnitOfWork,
    settings: SocialSettings,
    principal: Principal,
    posyandu_id: str,
    rng: random.Random,
) -> int:
    """About one PPKS person in two posyandu, found by a kader in the last ten months, taken
    through social's own case steps as far as the dates allow: assessed within ten days, most
    served within three weeks of that, some closed. One transaction per case."""
    if rng.random() >= 0.5:
        return 0
    today, actor = local_today(settings), principal.subject
    found = today - timedelta(days=rng.randint(20, 300))
    body = PpksCaseIn(
        category=rng.choice(PPKS_CATEGORIES),
        posyandu_id=posyandu_id,
        name=f"Warga PPKS {rng.randint(1, 9999)}",
        identified_on=found,
    )
    case = await ppks.identify(uow, settings, body, principal)
    assessed = found + timedelta(days=rng.randint(1, 10))
    ppks.assess(uow, settings, case, AssessIn(assessed_on=assessed, needs="pendampingan"), actor)
    if rng.random() < 0.8:
        served = min(today, assessed + timedelta(days=rng.randint(3, 21)))
        ppks.serve(uow, settings, case, ServeIn(served_on=served, service="permakanan"), actor)
        if rng.random() < 0.4:
            closed = min(today, served + timedelta(days=rng.randint(7, 60)))
            ppks.close(
                uow, settings, case, CloseIn(closed_on=closed, outcome="rehabilitated"), actor
            )
    await uow.commit()
    return 1


async def _main(followup: bool) -> None:
    settings = SocialSettings()
    db = await settled_database(settings, MIGRATIONS)
    if followup:
        print(f"demo: disaster protection {dict(await follow_disaster_cases(db, settings))}")
    else:
        print(f"demo: {await load_demo(db, settings)}")
    await db.dispose()


if __name__ == "__main__":
    asyncio.run(_main(followup="--followup" in sys.argv[1:]))
