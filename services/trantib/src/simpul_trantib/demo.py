"""Trantib's slice of the shared demo population (``devstack.population``): Kutai Kartanegara's
fire posts and their WMK, a year of fires, Satlinmas in every desa, siskamling patrols, APAR,
public-order reports and deteksi dini notes, flood hazard zones with their risk outreach, and
one banjir whose households go on to housing, social and education.

The households are the population's, generated exactly as the health, education, social,
housing and public works demos generate them (the same posyandu list from the replica, the same
seeds and pseudonym secret), so a household a fire or the banjir damaged is one housing has a
house for: its ``household_ref`` in trantib's events is housing's and social's. Satlinmas
members are the population's adults (health's ``generate_adults``: the same NIK), topped up
with generated people where a desa has too few. What each part writes:

- ``demo_places``: fire posts at most kecamatan capitals and a point for every desa;
- ``demo_linmas``: Satlinmas per desa (some under strength, one squad empty in some),
  siskamling patrols, APAR at posyandu (some expired);
- ``demo_fires``: a year of fires (more in the dry months; some late, some outside any WMK,
  a few with no arrival), each closed, some with damaged houses;
- ``demo_order``: public-order reports in every state and deteksi dini notes (one escalated);
- ``demo_disaster``: flood hazard zones along the Mahakam with outreach, and the banjir.

Everything is written through the service's own operations (validation, attribution, kept
counts, outbox events) by Damkar, Satpol PP and BPBD principals of the kabupaten; the seeds are
fixed, so a run loads the same records. Loads nothing when its fire posts exist (a restart
keeps the demo).

    python -m simpul_trantib.demo            # reads TRANTIB_* / SIMPUL_* like the service
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import func, select

from simpul_platform.auth import Principal
from simpul_platform.clock import local_today
from simpul_platform.db import Database
from simpul_platform.devstack.population import (
    KUKAR,
    DemoSize,
    ReplicaPosyandu,
    demo_school_age,
    generate_adults,
    generate_balita,
    kukar_posyandu,
    settled_database,
)
from simpul_platform.outbox import Outbox
from simpul_platform.uow import UnitOfWork
from simpul_trantib.app import MIGRATIONS
from simpul_trantib.models import FirePost
from simpul_trantib.settings import TrantibSettings

SEED = 2025  # the balita seed health generates with: the same children, the same KK
ADULT_SEED = SEED + 1  # health's adults: the same NIK
TRANTIB_SEED = SEED + 171
DAMKAR = Principal("demo-damkar", frozenset({"opd:trantib:damkar"}), (KUKAR,))
SATPOLPP = Principal("demo-satpolpp", frozenset({"opd:trantib:satpolpp"}), (KUKAR,))
BPBD = Principal("demo-bpbd", frozenset({"opd:trantib:bpbd"}), (KUKAR,))
FIRES_PER_YEAR = 150
T = TypeVar("T")


@dataclass(frozen=True)
class Child:
    """A school-age child of a household (education's, by NIK)."""

    nik: str
    birth_date: date


@dataclass(frozen=True)
class Family:
    """A household of the population at its posyandu, with its school-age children."""

    kk: str
    posyandu_id: str
    desa_code: str
    children: tuple[Child, ...] = ()


@dataclass(frozen=True)
class Adult:
    """An adult of the population who may serve in Satlinmas."""

    nik: str
    name: str
    birth_date: date
    woman: bool
    posyandu_id: str


@dataclass
class Demo:
    """What every part of the demo reads: the database, the day, the active posyandu and the
    population at them, and the counts of what was written."""

    db: Database
    settings: TrantibSettings
    today: date
    posyandu: list[ReplicaPosyandu]  # active, in id order
    families: dict[str, list[Family]]  # by posyandu id, in No. KK order
    adults: dict[str, list[Adult]]  # by desa code, in the population's order
    fires: int = FIRES_PER_YEAR
    points: dict[str, tuple[float, float]] = field(default_factory=dict)  # by desa code
    inside: set[str] = field(default_factory=set)  # desa whose point is inside a WMK
    counts: Counter[str] = field(default_factory=Counter)

    def rng(self, part: str) -> random.Random:
        """A generator of its own for each part: a part's draws do not move another's."""
        return random.Random(f"{TRANTIB_SEED}:{part}")

    @property
    def desa(self) -> list[str]:
        """The desa with an active posyandu, in code order."""
        return sorted({p.desa_code for p in self.posyandu})

    def posyandu_of(self, desa: str) -> list[ReplicaPosyandu]:
        return [p for p in self.posyandu if p.desa_code == desa]

    async def write(self, step: Callable[[UnitOfWork], Awaitable[Any]]) -> Any:
        """One transaction: the step's writes and events, committed together."""
        async with self.db.sessions() as session:
            uow = UnitOfWork(session, Outbox(self.settings))
            done = await step(uow)
            await uow.commit()
            return done


def rounds(plan: Sequence[T], n: int, rng: random.Random, first: Sequence[T] = ()) -> list[T]:
    """``n`` items: ``first`` (what even the smallest demo must show), then shuffled rounds of
    ``plan``."""
    out: list[T] = list(first)
    while len(out) < n:
        chosen = list(plan)
        rng.shuffle(chosen)
        out.extend(chosen)
    return out[:n]


def families_of(
    places: list[tuple[str, str]], size: DemoSize, secret: str
) -> dict[str, list[Family]]:
    """The population's households (each No. KK once) per posyandu: those of its balita and of
    its children and youth 5–18, as housing, social and public works group them."""
    balita = generate_balita(
        places, seed=SEED, per_posyandu=size.balita_per_posyandu, secret=secret
    )
    found: dict[str, dict[str, list[Child]]] = {}
    for child in balita:
        row = child.target
        found.setdefault(row["posyandu_id"], {}).setdefault(row["kk"], [])
    for row in demo_school_age(places, size, secret=secret):
        kids = found.setdefault(row["posyandu_id"], {}).setdefault(row["kk"], [])
        kids.append(Child(row["nik"], row["birth_date"]))
    desa = dict(places)
    return {
        pid: [Family(kk, pid, desa[pid], tuple(kids)) for kk, kids in sorted(kks.items())]
        for pid, kks in found.items()
    }


def adults_of(active: list[tuple[str, str]], secret: str) -> dict[str, list[Adult]]:
    """Health's adults at the active posyandu, by desa."""
    found: dict[str, list[Adult]] = {}
    for adult in generate_adults(active, seed=ADULT_SEED, secret=secret):
        row = adult.target
        found.setdefault(row["desa_code"], []).append(
            Adult(row["nik"], row["name"], row["birth_date"], row["sex"] == "F", row["posyandu_id"])
        )
    return found


async def population(db: Database, settings: TrantibSettings, size: DemoSize, fires: int) -> Demo:
    posyandu = await kukar_posyandu(db)
    places = [(p.posyandu_id, p.desa_code) for p in posyandu]
    active = [p for p in posyandu if p.active]
    secret = settings.pseudonym_secret
    families = families_of(places, size, secret)
    adults = adults_of([(p.posyandu_id, p.desa_code) for p in active], secret)
    today = local_today(settings)
    return Demo(db, settings, today, active, families, adults, fires=fires)


async def load_demo(
    db: Database,
    settings: TrantibSettings,
    size: DemoSize | None = None,
    *,
    fires: int = FIRES_PER_YEAR,
) -> dict[str, int]:
    """Every part of the demo for the active Kukar posyandu in the replica (``fires`` over the
    year); what was written, counted. Loads nothing when fire posts exist."""
    from simpul_trantib import demo_disaster, demo_fires, demo_linmas, demo_order, demo_places

    async with db.sessions() as session:
        if (await session.execute(select(func.count()).select_from(FirePost))).scalar_one():
            return {"fire_posts": 0}
    demo = await population(db, settings, size or DemoSize(), fires)
    if not demo.posyandu:
        return {}
    parts = (
        ("places", demo_places.seed_places),
        ("Satlinmas", demo_linmas.seed_linmas),
        ("APAR", demo_linmas.seed_apar),
        ("fires", demo_fires.seed_fires),
        ("public order", demo_order.seed_order),
        ("hazard zones", demo_disaster.seed_hazard),
        ("banjir", demo_disaster.seed_disaster),
    )
    for name, part in parts:
        started = time.monotonic()
        await part(demo)
        print(f"{name}: in {time.monotonic() - started:.0f} s", flush=True)
    return dict(demo.counts)


async def _main() -> None:
    settings = TrantibSettings()
    db = await settled_database(settings, MIGRATIONS)
    counts = await load_demo(db, settings)
    print(f"demo: {dict(sorted(counts.items()))}")
    await db.dispose()


if __name__ == "__main__":
    asyncio.run(_main())
