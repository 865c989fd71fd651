"""The demo's immunisation histories, so that coverage (IDL, the baduta boosters, each dose)
and the overdue lists have figures: every demo child of an active posyandu gets the doses of
the schedule that fell due by today, the way a posyandu's records look.

Most children (about 78%) get each dose within three weeks of its due age; some (12%) late,
up to four months (so some MR 1 come after the first birthday, outside IDL); the rest drop
out after a random dose. About two thirds get the 18-month boosters, up to three months late.
Rows follow ``ops.immunisation.record_dose``'s rules (a scheduled antigen and dose, between
birth and today) and go in per posyandu in one statement: a demo of Kutai Kartanegara holds
a few hundred thousand doses.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Table

from simpul_health.demo_more import DemoPeople
from simpul_health.domain.coverage import BOOSTER_AT_DAYS
from simpul_health.domain.immunisation import ScheduledDose, load_schedule
from simpul_health.models import Immunisation
from simpul_health.settings import HealthSettings
from simpul_platform.auth import Principal
from simpul_platform.clock import now
from simpul_platform.db import Database, bulk_insert
from simpul_platform.events import new_id

IMMUNISATIONS: Table = Immunisation.__table__  # type: ignore[attr-defined]
ON_TIME, LATE = 0.78, 0.90  # cumulative shares: on time, late, dropping out
BOOSTED = 0.65


async def load_immunisations(
    db: Database,
    settings: HealthSettings,
    principal: Principal,
    people: DemoPeople,
    today: date,
    rng: random.Random,
) -> int:
    """Each active posyandu's children's doses; how many were stored."""
    schedule = load_schedule(settings.immunisation_schedule_file)
    active = dict(people.active)
    total = 0
    for posyandu_id, desa_code in sorted(active.items()):
        mine = [c.target for c in people.children_at(posyandu_id)]
        stamp = {"created_by": principal.subject, "created_at": now()}
        at = {"posyandu_id": posyandu_id, "desa_code": desa_code, **stamp}
        rows = [
            {"id": new_id(), "target_id": target["id"], **at, **dose}
            for target in mine
            for dose in history(target["birth_date"], schedule, today, rng)
        ]
        async with db.transaction() as session:
            await bulk_insert(session, IMMUNISATIONS, rows)
        total += len(rows)
    return total


def history(
    birth: date, schedule: tuple[ScheduledDose, ...], today: date, rng: random.Random
) -> Iterator[dict[str, Any]]:
    """The doses one child was given by ``today`` (antigen, dose, given_on)."""
    profile = rng.random()
    max_delay = 21 if profile < ON_TIME else 120
    stop = len(schedule) if profile < LATE else rng.randrange(len(schedule))
    boosted = rng.random() < BOOSTED
    for index, dose in enumerate(schedule):
        if index >= stop:
            return
        if dose.due_age_days >= BOOSTER_AT_DAYS:
            if not boosted:
                continue
            delay = rng.randint(0, 90)
        else:
            delay = rng.randint(0, max_delay)
        given_on = birth + timedelta(days=dose.due_age_days + delay)
        if given_on <= today:
            yield {"antigen": dose.antigen, "dose": dose.dose, "given_on": given_on}
