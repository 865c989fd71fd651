"""Demo data for Kutai Kartanegara (64.02): the shared population's posyandu
(``devstack.population``: every desa of its real 20 kecamatan), with their pengurus, kader and
registration statuses, and a year of posyandu days with kader attendance (``demo_days``).

``load_demo`` writes the registry's slice of the population into its own database through the
service's own write operations (the same code the API runs: validation, history, attribution,
outbox events), in batches of one transaction each. That is much faster than ~10,000 HTTP calls
and needs no running server. Loading is skipped when the kabupaten already has posyandu, so
running it twice is harmless.

    python -m simpul_registry.demo          # reads REGISTRY_* / SIMPUL_* like the service
    python -m simpul_registry.demo --days   # then the year of posyandu days and the roster
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections import Counter
from datetime import date

from sqlalchemy import func
from sqlmodel import col, select

from simpul_platform.clock import local_today, now
from simpul_platform.db import Database
from simpul_platform.devstack.population import (
    KUKAR,
    KUKAR_POSYANDU,
    DemoPerson,
    DemoPosyandu,
    generate_kukar,
)
from simpul_platform.devstack.population.progress import Progress, timed
from simpul_platform.migrations import upgrade
from simpul_platform.outbox import Outbox
from simpul_platform.uow import UnitOfWork
from simpul_registry.demo_days import load_days, load_roster
from simpul_registry.domain.fields import Role, SpmField
from simpul_registry.domain.lifecycle import Action
from simpul_registry.models import Posyandu, Target
from simpul_registry.ops.lifecycle import apply_action
from simpul_registry.ops.people import assign_people
from simpul_registry.ops.posyandu import create_posyandu
from simpul_registry.schemas import PersonIn, PosyanduIn, SubmitIn
from simpul_registry.settings import RegistrySettings

ACTIONS_TO = {
    "draft": [],
    "submitted": [Action.submit],
    "verified": [Action.submit, Action.verify],
    "registered": [Action.submit, Action.verify, Action.register],
    "inactive": [Action.submit, Action.verify, Action.register, Action.deactivate],
}
DOCUMENTS = SubmitIn(
    sk_tp_number="141/SK-TP/2025",
    sk_tp_date=date(2025, 7, 1),
    sk_kepengurusan_number="141/SK-KP/2025",
    sk_kepengurusan_date=date(2025, 7, 2),
    rekap_number="REKAP/2025",
    rekap_date=date(2025, 7, 3),
)


def posyandu_in(item: DemoPosyandu) -> PosyanduIn:
    """The population's posyandu as a TP PKK would send it to the API."""
    return PosyanduIn(
        name=item.name,
        desa_code=item.desa_code,
        dusun=item.dusun,
        rt=item.rt,
        rw=item.rw,
        latitude=item.latitude,
        longitude=item.longitude,
        fields=[SpmField(f) for f in item.fields],
    )


def person_in(person: DemoPerson) -> PersonIn:
    return PersonIn(
        nik=person.nik,
        name=person.name,
        gender="P" if person.gender == "P" else "L",
        role=Role(person.role),
        field=SpmField(person.field) if person.field else None,
        start_date=person.start_date,
    )


async def load_demo(
    db: Database,
    settings: RegistrySettings,
    *,
    actor: str = "demo-loader",
    progress: bool = False,
    **sizes: int,
) -> int:
    """Write the demo into the registry's database (``sizes``: ``load_posyandu``'s seed,
    count and batch); returns how many posyandu were created."""
    created = await load_posyandu(db, settings, actor=actor, progress=progress, **sizes)
    await load_year(db, settings, actor=actor, progress=progress)
    return created


async def load_posyandu(
    db: Database,
    settings: RegistrySettings,
    *,
    seed: int = 827,
    count: int = KUKAR_POSYANDU,
    batch: int = 50,
    actor: str = "demo-loader",
    progress: bool = False,
) -> int:
    """The posyandu with their people and statuses, and DPMD's targets: what every field's
    loader needs (in its replica) before it starts."""
    async with db.sessions() as session:
        existing = (
            await session.exec(
                select(func.count())
                .select_from(Posyandu)
                .where(col(Posyandu.kabupaten_code) == KUKAR)
            )
        ).one()
    if existing:
        return 0
    items = generate_kukar(seed, count)
    outbox = Outbox(settings)
    bar = Progress("posyandu with pengurus and kader", len(items)) if progress else None
    for start in range(0, len(items), batch):
        async with db.sessions() as session:
            uow = UnitOfWork(session, outbox)
            for item in items[start : start + batch]:
                p = await create_posyandu(uow, posyandu_in(item), actor)
                people = [person_in(person) for person in item.people]
                await assign_people(uow, p, people, actor, settings.pseudonym_secret)
                for action in ACTIONS_TO[item.status]:
                    await apply_action(
                        uow,
                        p,
                        action,
                        actor,
                        documents=DOCUMENTS,
                        registration_number=item.registration_number,
                        reason="demo" if action is Action.deactivate else None,
                    )
            await uow.commit()
        if bar is not None:
            bar.advance(min(batch, len(items) - start))
    if bar is not None:
        bar.done()
    await _set_kukar_targets(db, actor, items, local_today(settings).year)
    return len(items)


async def load_year(
    db: Database, settings: RegistrySettings, *, actor: str = "demo-loader", progress: bool = False
) -> None:
    """A year of posyandu days and last month's kader roster: no field's loader needs them, so
    ``./simpul up --demo`` runs this part (``--days``) beside theirs."""
    days = load_days(db, settings, actor=actor)
    await (timed("a year of posyandu days", days) if progress else days)
    await load_roster(db, settings, actor=actor)


async def _set_kukar_targets(
    db: Database, actor: str, items: list[DemoPosyandu], year: int
) -> None:
    """The DPMD's targets: every Kukar posyandu registered by the end of October, set for
    the kabupaten and for each kecamatan (its own posyandu), as the Ringkasan shows them."""
    per_kecamatan = Counter(item.desa_code[:8] for item in items)
    due = date(year, 10, 31)
    async with db.transaction() as session:
        for code, target in [(KUKAR, len(items)), *sorted(per_kecamatan.items())]:
            session.add(
                Target(wilayah_code=code, target=target, due_date=due, set_by=actor, set_at=now())
            )


async def _main() -> None:
    from simpul_registry.app import MIGRATIONS

    settings = RegistrySettings()
    await upgrade(MIGRATIONS, settings.resolved_database_url)
    db = Database(settings.resolved_database_url, batch=True)
    started = time.perf_counter()
    try:
        if "--days" in sys.argv[1:]:
            await load_year(db, settings, progress=True)
            return
        created = await load_posyandu(db, settings, progress=True)
    finally:
        await db.dispose()
    took = time.perf_counter() - started
    print(
        f"demo: {created} posyandu loaded into Kutai Kartanegara in {took:.1f} s"
        if created
        else "demo: Kutai Kartanegara already has posyandu; nothing loaded"
    )


if __name__ == "__main__":
    asyncio.run(_main())
