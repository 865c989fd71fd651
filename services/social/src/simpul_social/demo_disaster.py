"""Social's follow-up of the demo's disaster and fires (``python -m simpul_social.demo
--followup``, run once every demo has loaded): trantib's demo records a flood's households and
closes fires with damaged houses; social's consumer opens a protection case for each household
from trantib's events. This step waits (bounded) until those cases stop arriving, then takes
them part-way, as Dinas Sosial would a few weeks into a disaster: most households served during
the emergency (food, clothing, shelter for the displaced), some served after it, a few closed
or declined, the rest still waiting. Everything goes through social's own operations, by a
Dinsos principal, seeded by the case's id so a second run decides the same.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from datetime import date, timedelta

from sqlalchemy import func
from sqlmodel import col, select

from simpul_platform.auth import Principal
from simpul_platform.clock import local_today
from simpul_platform.db import Database
from simpul_platform.outbox import Outbox
from simpul_platform.uow import UnitOfWork
from simpul_social.models import DisasterProtectionCase
from simpul_social.ops import disaster_protection as steps
from simpul_social.schemas.disaster import CloseIn, DeclineIn, ServeEmergencyIn, ServeRecoveryIn
from simpul_social.settings import SocialSettings

PRINCIPAL = Principal("demo-dinsos-bencana", frozenset({"opd:social"}), ("*",))
SEED = 2025 + 171
WAIT_S = 180.0  # for trantib's events to reach social
QUIET_S = 6.0  # no new case for this long: trantib's demo has sent everything


async def follow_disaster_cases(db: Database, settings: SocialSettings) -> Counter[str]:
    """Wait for the cases trantib's demo opens, then take each part-way; returns what was done."""
    await _settled_cases(db)
    done: Counter[str] = Counter()
    today = local_today(settings)
    async with db.sessions() as session:
        query = select(col(DisasterProtectionCase.id)).where(
            col(DisasterProtectionCase.status) == "opened"
        )
        ids = list((await session.exec(query.order_by(col(DisasterProtectionCase.id)))).all())
    for case_id in ids:
        done[await _follow(db, settings, case_id, today)] += 1
    return done


async def _settled_cases(db: Database) -> int:
    """The number of cases once none has arrived for ``QUIET_S`` (or after ``WAIT_S``)."""
    loop = asyncio.get_running_loop()
    deadline, last, quiet_since = loop.time() + WAIT_S, -1, loop.time()
    while True:
        async with db.sessions() as session:
            count = (await session.exec(select(func.count(col(DisasterProtectionCase.id))))).one()
        now = loop.time()
        if count != last:
            last, quiet_since = count, now
        elif count and now - quiet_since >= QUIET_S:
            return int(count)
        if now >= deadline:
            print(f"demo: waited {WAIT_S:.0f} s for trantib's disaster cases; {count} arrived")
            return int(count)
        await asyncio.sleep(1.0)


async def _follow(db: Database, settings: SocialSettings, case_id: str, today: date) -> str:
    rng = random.Random(f"{SEED}:{case_id}")
    draw = rng.random()
    async with db.sessions() as session:
        uow = UnitOfWork(session, Outbox(settings))
        case = await steps.get_case(session, case_id, PRINCIPAL, lock=True)
        served = min(today, case.opened_on + timedelta(days=rng.randint(0, 3)))
        if draw < 0.05:
            steps.decline(uow, case, DeclineIn(reason="moved", declined_on=served), "demo", today)
            outcome = "declined"
        elif draw < 0.85:
            services = ["permakanan", "sandang", *(["penampungan"] if case.displaced else [])]
            body = ServeEmergencyIn(services=services, served_on=served)
            steps.serve_emergency(uow, case, body, PRINCIPAL.subject, today)
            outcome = _after_emergency(uow, case, rng, served, today)
        else:
            outcome = "waiting"
        await uow.commit()
    return outcome


def _after_emergency(
    uow: UnitOfWork, case: DisasterProtectionCase, rng: random.Random, served: date, today: date
) -> str:
    if rng.random() >= 0.45:
        return "emergency_served"
    later = min(today, served + timedelta(days=rng.randint(5, 20)))
    body = ServeRecoveryIn(services=["jaminan_hidup"], served_on=later)
    steps.serve_recovery(uow, case, body, PRINCIPAL.subject, today)
    if rng.random() < 0.3:
        steps.close(uow, case, CloseIn(closed_on=later), PRINCIPAL.subject, today)
        return "closed"
    return "recovery_served"
