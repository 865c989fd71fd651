"""The demo's records of the SPM services beyond the first six: each part's loader, run by
``demo.load_demo`` after the balita and adults are in (so the people they need exist)."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import TypeVar

from simpul_health.settings import HealthSettings
from simpul_platform.auth import Principal
from simpul_platform.db import Database
from simpul_platform.devstack.population import DemoAdult, DemoChild
from simpul_platform.devstack.population.progress import timed


@dataclass(frozen=True)
class DemoPeople:
    """What every part's loader sees: the posyandu (id, desa; all and active) and people."""

    posyandu: list[tuple[str, str]]
    active: list[tuple[str, str]]
    children: list[DemoChild]
    adults: list[DemoAdult]

    def children_at(self, posyandu_id: str) -> list[DemoChild]:
        return self._children_by_posyandu.get(posyandu_id, [])

    def adults_at(self, posyandu_id: str) -> list[DemoAdult]:
        return self._adults_by_posyandu.get(posyandu_id, [])

    @cached_property
    def _children_by_posyandu(self) -> dict[str, list[DemoChild]]:
        return _by_posyandu(self.children)

    @cached_property
    def _adults_by_posyandu(self) -> dict[str, list[DemoAdult]]:
        return _by_posyandu(self.adults)


P = TypeVar("P", DemoChild, DemoAdult)


def _by_posyandu(people: list[P]) -> dict[str, list[P]]:
    """Each posyandu's people, in their order (not a scan of everyone per posyandu)."""
    grouped: dict[str, list[P]] = defaultdict(list)
    for person in people:
        grouped[person.target["posyandu_id"]].append(person)
    return grouped


Loader = Callable[
    [Database, HealthSettings, Principal, DemoPeople, date, random.Random], Awaitable[int]
]


async def load_more(
    db: Database,
    settings: HealthSettings,
    principal: Principal,
    people: DemoPeople,
    today: date,
    seed: int,
) -> dict[str, int]:
    """Run every part's loader (each with its own random stream); records made per part."""
    return {
        name: await timed(
            name, loader(db, settings, principal, people, today, random.Random(f"{seed}:{name}"))
        )
        for name, loader in loaders().items()
    }


def loaders() -> dict[str, Loader]:
    """Each part's loader, by name (imported here: each part's module imports DemoPeople)."""
    from simpul_health import demo_births, demo_coverage, demo_programmes, demo_school

    return {
        "coverage": demo_coverage.load_immunisations,
        "births": demo_births.load_births,
        "school": demo_school.load_school,
        "programmes": demo_programmes.load_programmes,
    }
