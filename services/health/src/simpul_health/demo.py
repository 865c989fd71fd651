"""Health's slice of the shared demo population (``devstack.population``) for the Kukar demo
posyandu: balita with 12 months of measurements (~15% stunted), and adults with screenings and
pregnancies with ANC visits.

The people are the population's (``generate_balita``, ``generate_adults``: deterministic and
pure); ``monthly_measurements`` turns a child's growth into a weighing through this service's
own WHO tables. The posyandu come from this service's own replica (filled from the registry's
events, i.e. the population's posyandu as the registry loaded them), so ids match whatever the
registry issued.
``load_demo`` first has health's kader refer some of the balita's households to social (DTSEN
assessment, bansos), dated over the last two months (``devstack.population.referrals``): they
name the population's households, not what this loader writes, and social's loader, running
beside this one, answers them once its own data is in. Then it writes through the service
layer (``simpul_health.ops``), one transaction per posyandu: the year's measurements in one
batch (validation, z-scores, episodes, outbox events), the screenings and pregnancies.
Social's referrals to health are sent by social's loader: the follow-up step (``--followup``,
run by ``./simpul up --demo`` after every loader) answers them.

    python -m simpul_health.demo              # reads HEALTH_* / SIMPUL_* like the service
    python -m simpul_health.demo --followup   # answers social's demo referrals
"""

from __future__ import annotations

import asyncio
import logging
import random
import sys
from datetime import date
from typing import Any

from sqlalchemy import func, select

from simpul_health.demo_births import delivery_setting
from simpul_health.demo_more import DemoPeople, load_more
from simpul_health.domain.zscores import value_at_z
from simpul_health.models import Target
from simpul_health.ops import kept, pregnancy, screening, targets
from simpul_health.ops.access import with_targets
from simpul_health.ops.measurement_batch import record_measurements
from simpul_health.schemas.measurements import MeasurementIn
from simpul_health.schemas.pregnancy import AncVisitIn, DeliveryIn, PregnancyIn
from simpul_health.schemas.screening import ScreeningIn
from simpul_health.settings import HealthSettings
from simpul_platform import replica, tallies
from simpul_platform.auth import NATIONWIDE, Principal
from simpul_platform.clock import local_today
from simpul_platform.db import Database
from simpul_platform.devstack.population import (
    DemoAdult,
    DemoChild,
    DemoSize,
    generate_adults,
    generate_balita,
    month_ends,
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
from simpul_platform.outbox import Outbox
from simpul_platform.replica import INACTIVE, posyandu_replica
from simpul_platform.uow import UnitOfWork

logger = logging.getLogger("simpul.health.demo")
KUKAR = "64.02"


def monthly_measurements(
    child: DemoChild, month_end: date, rng: random.Random
) -> MeasurementIn | None:
    """The weighing in the month ending ``month_end`` (day 5–25), or None (unborn/absent)."""
    on = month_end.replace(day=rng.randint(5, 25))
    birth: date = child.target["birth_date"]
    age = (on - birth).days
    if age < 0 or age > 1826 or on > date.today() or rng.random() < 0.08:
        return None
    haz = max(-4.5, min(3.0, child.haz + rng.gauss(0, 0.08)))
    length = value_at_z("lhfa", child.target["sex"], age, haz)
    waz = max(-4.0, min(3.0, 0.6 * haz + 0.8 * child.whz + rng.gauss(0, 0.15)))
    weight = value_at_z("wfa", child.target["sex"], age, waz)
    position = "recumbent" if age < 731 else "standing"
    return MeasurementIn(
        target_id=child.target["id"],
        measured_on=on,
        weight_kg=round(weight, 1),
        height_cm=round(length, 1),
        measure_position=position,
        confirmed_implausible=True,
        vitamin_a=on.month in (2, 8),
    )


async def load_demo(
    db: Database,
    settings: HealthSettings,
    *,
    months: int = 12,
    per_posyandu: int = 20,
    seed: int = 2025,
    referrals_per_ten_posyandu: int = PER_TEN_POSYANDU,
) -> int:
    """Targets and 12 months of measurements for every Kukar posyandu in the replica, the
    adults' screenings and pregnancies, and referrals of balita's households to social."""
    async with db.sessions() as session:
        if (await session.execute(select(func.count()).select_from(Target))).scalar_one():
            logger.info("demo data already present")
            return 0
    posyandu, active, children, adults = await _people(db, settings, per_posyandu, seed)
    people = DemoPeople(posyandu, active, children, adults)
    rng = random.Random(seed)
    outbox, principal = (
        Outbox(settings),
        Principal("demo", frozenset({"opd:health"}), (NATIONWIDE,)),
    )
    today = local_today(settings)
    # The referrals first: they name the population's households, not what this loader
    # writes, and social's loader, running beside this one, waits for them.
    referrals = referrals_to_social(
        children, {pid for pid, _ in active}, today, per_ten_posyandu=referrals_per_ten_posyandu
    )
    await timed("referrals to social", send_referrals(db, settings, "health", referrals, principal))
    total = 0
    progress = Progress("balita's measurements, adults' records", len(posyandu), unit="posyandu")
    for pid, desa in posyandu:
        mine = people.children_at(pid)
        async with db.sessions() as session:
            uow = UnitOfWork(session, outbox)
            await targets.insert_many(session, [c.target for c in mine])
            at = {"posyandu_id": pid, "desa_code": desa}
            # The year's weighings in one batch (the bulk path a posyandu's upload takes): it
            # takes each child's in date order, as twelve monthly batches would.
            items = [
                m
                for month_end in month_ends(months, today)
                for c in mine
                if (m := monthly_measurements(c, month_end, rng))
            ]
            results = await record_measurements(
                uow, principal, at, list(enumerate(items)), today=today
            )
            total += sum(r.status == "created" for r in results)
            await uow.commit()
            mine_adults = people.adults_at(pid)
            await _load_adults(uow, principal, mine_adults, today)
        progress.advance()
    progress.done(total, "measurements")
    await load_more(db, settings, principal, people, today, seed)
    return total


People = tuple[list[tuple[str, str]], list[tuple[str, str]], list[DemoChild], list[DemoAdult]]


async def _people(db: Database, settings: HealthSettings, per_posyandu: int, seed: int) -> People:
    """The Kukar posyandu in the replica (all, and the active ones), their balita and the
    active ones' adults: the population, as every loader of this service sees it."""
    async with db.sessions() as session:
        rows = (
            await session.execute(
                select(
                    posyandu_replica.c.posyandu_id,
                    posyandu_replica.c.desa_code,
                    posyandu_replica.c.status,
                )
                .where(posyandu_replica.c.kabupaten_code == KUKAR)
                .order_by(posyandu_replica.c.posyandu_id)
            )
        ).all()
    posyandu = [(r[0], r[1]) for r in rows]
    children = generate_balita(
        posyandu, seed=seed, per_posyandu=per_posyandu, secret=settings.pseudonym_secret
    )
    # The balita are history; an inactive posyandu takes no new screenings or pregnancies.
    active = [(r[0], r[1]) for r in rows if r[2] != INACTIVE]
    adults = generate_adults(active, seed=seed + 1, secret=settings.pseudonym_secret)
    return posyandu, active, children, adults


async def answer_referrals(
    db: Database,
    settings: HealthSettings,
    *,
    per_posyandu: int = 20,
    seed: int = 2025,
    referrals_per_ten_posyandu: int = PER_TEN_POSYANDU,
    wait_s: float = WAIT_S,
) -> dict[str, int]:
    """The follow-up step, after social's loader: wait (bounded) until social's demo referrals
    have reached health, and answer them in every status as social answers health's."""
    _, active, children, adults = await _people(db, settings, per_posyandu, seed)
    today = local_today(settings)
    expected = referrals_to_health(
        adults,
        children,
        {pid for pid, _ in active},
        today,
        per_ten_posyandu=referrals_per_ten_posyandu,
    )
    await wait_for_requests(db, "social", len(expected), timeout_s=wait_s)
    principal = Principal("demo", frozenset({"opd:health"}), (NATIONWIDE,))
    answered = await answer_requests(db, settings, "health", "social", principal, today)
    return {f"referrals_from_social_{kind}": n for kind, n in answered.items()}


async def _load_adults(
    uow: UnitOfWork, principal: Principal, adults: list[DemoAdult], today: date
) -> None:
    """The adults' targets, then their screenings (the posyandu's in one batch) and
    pregnancies through the service layer (validation, flags, events), in the posyandu's one
    transaction."""
    if not adults:  # an inactive posyandu
        return
    await targets.insert_many(uow.session, [a.target for a in adults])
    await with_targets(uow.session, [a.target["id"] for a in adults if a.pregnancy is not None])
    readings = [
        ScreeningIn(target_id=a.target["id"], **reading) for a in adults for reading in a.screenings
    ]
    await screening.record_many(uow, principal, readings, today)
    # Each period counted once, the tallies dropped once, the posyandu read once: not per record.
    session = uow.session
    async with kept.deferred(session), tallies.deferred(session), replica.cached(session):
        for adult in adults:
            if adult.pregnancy is not None:
                await _load_pregnancy(uow, principal, adult.target["id"], adult.pregnancy, today)
    await uow.commit()


async def _load_pregnancy(
    uow: UnitOfWork, principal: Principal, target_id: str, plan: dict[str, Any], today: date
) -> None:
    body = PregnancyIn(
        target_id=target_id,
        registered_on=plan["registered_on"],
        last_menstrual_period=plan["lmp"],
        gravida=plan["gravida"],
    )
    p = await pregnancy.register(uow, principal, body, today)
    for number, day in enumerate(plan["visits"], start=1):
        visit = AncVisitIn(visit_number=number, visited_on=day, iron_tablets=30)
        await pregnancy.record_anc_visit(uow, principal, p.id, visit, today)
    if plan["delivered_on"] is not None:
        place, attendants = delivery_setting(target_id)
        delivery = DeliveryIn.model_validate(
            {
                "delivered_on": plan["delivered_on"],
                "outcome": "live_birth",
                "birth_weight_kg": 3.1,
                "delivery_place": place,
                "delivery_attendants": attendants,
            }
        )
        await pregnancy.record_delivery(uow, principal, p.id, delivery, today)


async def _main(followup: bool) -> None:
    settings = HealthSettings()
    from simpul_health.app import MIGRATIONS

    db = await settled_database(settings, MIGRATIONS)  # every posyandu, as social will see them
    per_posyandu = DemoSize().balita_per_posyandu
    if followup:
        answered = await answer_referrals(db, settings, per_posyandu=per_posyandu)
        print(f"demo: answered social's referrals {answered}")
    else:
        loaded = await load_demo(db, settings, per_posyandu=per_posyandu)
        print(f"demo: {loaded} measurements")
    await db.dispose()


if __name__ == "__main__":
    asyncio.run(_main(followup="--followup" in sys.argv[1:]))
