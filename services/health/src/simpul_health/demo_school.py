"""The demo's school screenings (usia pendidikan dasar): a few of education's school-age
children at each active posyandu (``demo_school_age``: the same people, so the same
``person_ref``, as education's demo loads and announces) become health's sasaran, and most of
them are screened in the current school year through the service layer, a posyandu's at once
(``school_screening.record_many``). The indicator's denominator comes from education's events;
its numerator is these screenings, counted at the posyandu education places each child (on
the screening's write, or when education's event arrives later)."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from sqlmodel import col, select

from simpul_health.demo_more import DemoPeople
from simpul_health.domain.lifecycle import age_in_years
from simpul_health.domain.school import MAX_AGE, MIN_AGE, school_year_start
from simpul_health.models import Target
from simpul_health.ops import kept, school_screening, targets
from simpul_health.schemas.school_screening import SchoolScreeningIn
from simpul_health.settings import HealthSettings
from simpul_platform import replica
from simpul_platform.auth import Principal
from simpul_platform.db import Database
from simpul_platform.devstack.population import DemoSize, demo_school_age
from simpul_platform.outbox import Outbox
from simpul_platform.uow import UnitOfWork

PER_POSYANDU = 4  # children of the target group made sasaran at each active posyandu
# Up to 13 today: none of them reaches 15 before the year ends, so none enters the usia
# produktif group (15–59) the adults' part of the demo is counted by.
OLDEST = 13
SCREENED_SHARE = 0.8
TO_STANDARD_SHARE = 0.9  # the rest miss the hearing test


def school_children(
    people: DemoPeople, settings: HealthSettings, today: date
) -> list[dict[str, Any]]:
    """The first ``PER_POSYANDU`` children aged 7–13 today at each active posyandu, as person
    rows of education's demo population."""
    active = {pid for pid, _ in people.active}
    rows = demo_school_age(people.posyandu, DemoSize(), secret=settings.pseudonym_secret)
    chosen: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        age = age_in_years(row["birth_date"], today)
        pid = row["posyandu_id"]
        if (
            pid in active
            and MIN_AGE <= age <= min(OLDEST, MAX_AGE)
            and len(chosen[pid]) < PER_POSYANDU
        ):
            chosen[pid].append(row)
    return [row for pid in sorted(chosen) for row in chosen[pid]]


def screening_of(row: dict[str, Any], today: date, rng: random.Random) -> SchoolScreeningIn:
    """A screening this school year (in its last 60 days at most), kelas from the age."""
    first = max(school_year_start(today), today - timedelta(days=60))
    on = first + timedelta(days=rng.randint(0, (today - first).days))
    kelas = min(9, max(1, age_in_years(row["birth_date"], on) - 6))
    height = 115 + 5.5 * (kelas - 1) + rng.gauss(0, 4)
    caries = rng.random() < 0.4
    return SchoolScreeningIn(
        target_id=row["id"],
        screened_on=on,
        jenjang="sd" if kelas <= 6 else "smp",
        kelas=kelas,
        weight_kg=round(max(15.0, 18 * (height / 115) ** 3 + rng.gauss(0, 2)), 1),
        height_cm=round(height, 1),
        vision="impaired" if rng.random() < 0.1 else "normal",
        hearing=None if rng.random() > TO_STANDARD_SHARE else "normal",
        dental="caries" if caries else "healthy",
        findings=["caries"] if caries else [],
        follow_up="referred_to_puskesmas" if caries else "none",
    )


async def load_school(
    db: Database,
    settings: HealthSettings,
    principal: Principal,
    people: DemoPeople,
    today: date,
    rng: random.Random,
) -> int:
    """Sasaran and school screenings, one transaction per posyandu; screenings made."""
    children = school_children(people, settings, today)
    by_posyandu: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in children:
        by_posyandu[row["posyandu_id"]].append(row)
    made = 0
    outbox = Outbox(settings)
    for rows in by_posyandu.values():
        async with db.sessions() as session:
            uow = UnitOfWork(session, outbox)
            taken = await session.execute(
                select(col(Target.nik)).where(col(Target.nik).in_([r["nik"] for r in rows]))
            )
            known = set(taken.scalars())
            new = [r for r in rows if r["nik"] not in known]  # a NIK another slice holds
            await targets.insert_many(session, new)
            bodies = [screening_of(r, today, rng) for r in new if rng.random() < SCREENED_SHARE]
            async with kept.deferred(session), replica.cached(session):  # once, not per record
                await school_screening.record_many(uow, principal, bodies, today)
            made += len(bodies)
            await uow.commit()
    return made
