"""Housing's demo follow-up (``python -m simpul_housing.demo --followup``): trantib's demo banjir,
part-way through housing.

Trantib's demo declares a banjir and records its affected households; housing's
``housing.trantib-damage`` consumer opens a disaster house, assessed with trantib's class, for
each household whose house was damaged. Once every demo has loaded, this step waits until those
houses are there (housing's own database: the disaster of source ``trantib`` that is not a
fire, with its houses, their number steady over two polls), then does what Dinas Perkim does
next: the SK Bupati fixing their classes for this year's handling (``SK_AFTER_DAYS`` after the
disaster, not before its last assessment, never after today), and for some houses the handling
begun and for some completed (``TRANTIB_ROUND``), dated in order up to today, through housing's
own operations in one transaction. A disaster that has its SK already is left as it is (a
restart keeps the demo).

Social's disaster-protection cases from the same banjir are social's follow-up to make.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from datetime import date, timedelta

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_housing.demo import PRINCIPAL, SEED
from simpul_housing.demo_programmes import FUNDERS, HANDLINGS, RENT, STIMULANT, rounds
from simpul_housing.domain.trantib_damage import FIRE
from simpul_housing.models import DisasterEvent, DisasterHouse
from simpul_housing.ops import disaster as disaster_ops
from simpul_housing.ops.trantib_damage import SOURCE
from simpul_housing.schemas.disaster import CompleteIn, HandleIn, SkIn
from simpul_housing.settings import HousingSettings
from simpul_platform.clock import local_today
from simpul_platform.db import Database
from simpul_platform.outbox import Outbox
from simpul_platform.uow import UnitOfWork

TRANTIB_SEED = SEED + 155
SK_AFTER_DAYS = 18
# Where each fixed house ends up: most wait for their handling, some are being handled, some done.
TRANTIB_ROUND = ("fixed",) * 5 + ("in_handling",) * 3 + ("completed",) * 2
WAIT_SECONDS = 300.0
POLL_SECONDS = 2.0


class NoTrantibDisaster(RuntimeError):
    """Trantib's demo disaster did not reach housing in time."""


async def follow_trantib(
    db: Database,
    settings: HousingSettings,
    *,
    timeout: float = WAIT_SECONDS,
    poll: float = POLL_SECONDS,
) -> dict[str, int]:
    """Wait for trantib's disaster houses, then fix them and take some on; counted."""
    event_id = await _wait(db, timeout, poll)
    today, rng = local_today(settings), random.Random(TRANTIB_SEED)
    async with db.sessions() as session:
        uow = UnitOfWork(session, Outbox(settings))
        event = await session.get(DisasterEvent, event_id, with_for_update=True)
        assert event is not None
        if event.sk_number is not None:
            return {"trantib_disaster_houses": 0}
        last = await _last_assessed(session, event_id) or event.occurred_on
        sk_date = min(today, max(last, event.occurred_on + timedelta(days=SK_AFTER_DAYS)))
        number = f"100.3.3.2/K.{rng.randint(100, 899)}/HK/{sk_date.year}"
        sk = SkIn(sk_number=number, sk_date=sk_date, planned_year=today.year)
        fixed = await disaster_ops.set_sk(uow, PRINCIPAL, event, sk, today)
        for house, end in zip(fixed, rounds(TRANTIB_ROUND, len(fixed), rng), strict=True):
            await _take_on(uow, event, house, end, sk_date, today, rng)
        await uow.commit()
    counts = Counter(f"trantib_disaster_{house.status}" for house in fixed)
    counts["trantib_disaster_houses"] = len(fixed)
    return dict(counts)


async def _wait(db: Database, timeout: float, poll: float) -> str:
    """The id of trantib's (latest) disaster once its houses have stopped arriving."""
    deadline = time.monotonic() + timeout
    seen: tuple[str, int] | None = None
    while True:
        async with db.sessions() as session:
            found = await _trantib_disaster(session)
        if found is not None and found == seen:
            return found[0]
        seen = found
        if time.monotonic() >= deadline:
            raise NoTrantibDisaster(
                f"No disaster houses from trantib's demo disaster reached housing within "
                f"{timeout:.0f} s: is trantib's demo loaded (its banjir declared and assessed) "
                "and housing's housing.trantib-damage consumer running on the same broker?"
            )
        await asyncio.sleep(poll)


async def _trantib_disaster(session: AsyncSession) -> tuple[str, int] | None:
    """Trantib's latest disaster (not a fire) with houses, and how many it has."""
    query = (
        select(DisasterEvent.id, func.count(col(DisasterHouse.id)))
        .join(DisasterHouse, col(DisasterHouse.event_id) == col(DisasterEvent.id))
        .where(DisasterEvent.source == SOURCE, DisasterEvent.kind != FIRE)
        .group_by(col(DisasterEvent.id))
        .order_by(col(DisasterEvent.occurred_on).desc(), col(DisasterEvent.id))
    )
    row = (await session.exec(query)).first()
    return (row[0], int(row[1])) if row is not None else None


async def _last_assessed(session: AsyncSession, event_id: str) -> date | None:
    query = select(func.max(DisasterHouse.assessed_on)).where(DisasterHouse.event_id == event_id)
    return (await session.exec(query)).first()


async def _take_on(
    uow: UnitOfWork,
    event: DisasterEvent,
    house: DisasterHouse,
    end: str,
    sk_date: date,
    today: date,
    rng: random.Random,
) -> None:
    """The handling begun a few days after the SK (``in_handling``) and done (``completed``)."""
    if end == "fixed" or house.damage not in HANDLINGS:
        return
    handling = rng.choice(HANDLINGS[house.damage])
    started = min(today, sk_date + timedelta(days=rng.randint(2, 8)))
    await disaster_ops.handle(
        uow, PRINCIPAL, event, house, HandleIn(handling=handling, started_on=started), today
    )
    if end != "completed":
        return
    program = rng.choices(list(FUNDERS), weights=list(FUNDERS.values()))[0]
    amount = RENT if handling == "rental_access" else STIMULANT[house.damage]
    done = CompleteIn(
        program=program,
        amount=amount,
        completed_on=min(today, started + timedelta(days=rng.randint(5, 12))),
    )
    await disaster_ops.complete(uow, PRINCIPAL, event, house, done, today)
