"""The demo's births: where and by whom the demo pregnancies were delivered (most at a
facility by a midwife, some at home), and for each live birth a newborn with its neonatal
visits (most with KN1–KN3, some missing KN3, the youngest only as far as their age allows).

The loader runs after every pregnancy is in: per active posyandu, its live births' newborns
and visits go through the service layer (rules, events, kept counts) in one transaction.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING

from sqlmodel import col, select

from simpul_health.models import Pregnancy
from simpul_health.ops import kept, newborns
from simpul_health.schemas.newborns import NeonatalVisitIn, NewbornIn
from simpul_health.settings import HealthSettings
from simpul_platform import replica
from simpul_platform.auth import Principal
from simpul_platform.db import Database
from simpul_platform.outbox import Outbox
from simpul_platform.uow import UnitOfWork

if TYPE_CHECKING:
    from simpul_health.demo_more import DemoPeople

MISSING_KN3 = 0.15  # about one newborn in seven not seen in days 8–28
# (place, attendants, weight): about 85 % at a facility by competent staff (SPM ibu bersalin).
SETTINGS: tuple[tuple[str, tuple[str, ...], int], ...] = (
    ("puskesmas", ("midwife", "nurse"), 40),
    ("midwife_practice", ("midwife",), 25),
    ("hospital", ("obgyn", "midwife"), 15),
    ("clinic", ("doctor", "midwife"), 5),
    ("home", ("midwife",), 7),
    ("home", ("traditional_birth_attendant", "family"), 8),
)


def delivery_setting(pregnancy_seed: str) -> tuple[str, list[str]]:
    """A demo delivery's place and attendants, fixed by ``pregnancy_seed`` (the mother's id)."""
    rng = random.Random(f"delivery:{pregnancy_seed}")
    place, attendants, _ = rng.choices(SETTINGS, weights=[w for *_, w in SETTINGS])[0]
    return place, list(attendants)


async def load_births(
    db: Database,
    settings: HealthSettings,
    principal: Principal,
    people: DemoPeople,
    today: date,
    rng: random.Random,
) -> int:
    """Newborns and neonatal visits of the demo's live births; records made."""
    outbox, made = Outbox(settings), 0
    now = datetime.now(UTC)
    for posyandu_id, _ in people.active:
        async with db.sessions() as session:
            births = (
                await session.execute(
                    select(Pregnancy)
                    .where(
                        col(Pregnancy.posyandu_id) == posyandu_id,
                        col(Pregnancy.outcome) == "live_birth",
                    )
                    .order_by(col(Pregnancy.id))
                )
            ).scalars()
            uow = UnitOfWork(session, outbox)
            async with kept.deferred(session), replica.cached(session):  # once, not per record
                for p in list(births):
                    assert p.delivered_on is not None
                    made += await _newborn(uow, principal, p, settings.zone, now, rng)
            await uow.commit()
    return made


async def _newborn(
    uow: UnitOfWork,
    principal: Principal,
    p: Pregnancy,
    zone: tzinfo,
    now: datetime,
    rng: random.Random,
) -> int:
    """One pregnancy's newborn and the visits that have happened by ``now``."""
    assert p.delivered_on is not None
    local = datetime.combine(p.delivered_on, time(rng.randint(0, 22), rng.randint(0, 59)), zone)
    born_at = min(local, now - timedelta(minutes=1))
    if born_at.astimezone(zone).date() != p.delivered_on:  # delivered today, before midnight
        return 0
    body = NewbornIn(
        pregnancy_id=p.id,
        born_at=born_at,
        sex=rng.choice("MF"),
        birth_weight_kg=round(rng.gauss(3.1, 0.45), 2),
    )
    nb = await newborns.register(uow, principal, body, zone)
    made = 1
    for at in _visit_times(born_at, rng):
        if at > now:
            break
        await newborns.record_visit(uow, principal, nb.id, NeonatalVisitIn(visited_at=at), zone)
        made += 1
    return made


def _visit_times(born_at: datetime, rng: random.Random) -> list[datetime]:
    """KN1 at 6–40 hours, KN2 on days 3–6, KN3 on days 9–25 (unless missed)."""
    times = [
        born_at + timedelta(hours=rng.randint(6, 40)),
        born_at + timedelta(hours=rng.randint(60, 150)),
    ]
    if rng.random() >= MISSING_KN3:
        times.append(born_at + timedelta(days=rng.randint(9, 25)))
    return times
