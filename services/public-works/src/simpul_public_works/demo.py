"""Public works' slice of the shared demo population (``devstack.population``): a water and
sanitation survey for most households of the demo's balita and school-age children.

The households are the population's, generated exactly as the health, education, social and
housing demos generate them (same posyandu list from the replica, same seeds, same pseudonym
secret), so public works' ``household_ref`` is theirs for the same family: a stunted child's
household in health's events is a household public works knows. A kader surveys four in five
of them over the last eighteen months, one in seven twice (the later survey counts).
Unprotected sources, surface water, latrines into the open and open defecation (BABS) are more
common in the population's lokus desa, where poverty concentrates (the same lokus desa social
and housing draw by), and every level of both ladders is some household's. Everything is
written through the service's own bulk path, a survey team's batch (``ops.survey_batch``:
each item judged by the single route's rules, the derived ladder, attribution, outbox events,
the kept counts once per batch), one transaction per posyandu, by a Dinas PU principal.

    python -m simpul_public_works.demo       # reads PUBLIC_WORKS_* / SIMPUL_* like the service
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlmodel import col

from simpul_platform.auth import Principal
from simpul_platform.clock import local_today
from simpul_platform.db import Database
from simpul_platform.devstack.population import (
    DemoSize,
    ReplicaPosyandu,
    demo_school_age,
    generate_balita,
    kukar_posyandu,
    lokus_desa,
    settled_database,
)
from simpul_platform.devstack.population.progress import Progress, timed
from simpul_platform.errors import Conflict
from simpul_platform.outbox import Outbox
from simpul_platform.uow import UnitOfWork
from simpul_public_works.app import MIGRATIONS
from simpul_public_works.demo_infrastructure import seed_infrastructure
from simpul_public_works.domain.ladder import SANITATION_LEVELS, WATER_LEVELS
from simpul_public_works.models import WashSurvey
from simpul_public_works.ops.survey_batch import record_batch
from simpul_public_works.ops.surveys import is_kelurahan
from simpul_public_works.schemas.surveys import SurveyIn
from simpul_public_works.settings import PublicWorksSettings

SEED = 2025  # the balita seed health generates with: the same children, the same KK
LOKUS_SEED = SEED + 104  # social draws the lokus desa first from this seed: the same desa
SURVEY_SEED = SEED + 161
INFRASTRUCTURE_SEED = SEED + 162
PRINCIPAL = Principal("demo-dpu", frozenset({"opd:public_works"}), ("*",))
SURVEYED_SHARE = 0.8
RESURVEYED_SHARE = 0.15  # of those surveyed: a second visit, months after the first
LAST_DAYS = 540  # eighteen months
RETRIES = 3  # a posyandu's batch sent again after another writer's household (see below)

# Facilities and issues at the demo's posyandu: (db, settings, the active posyandu, the
# principal, today, a seeded rng) -> what was written, counted.
Infrastructure = Callable[
    [Database, PublicWorksSettings, list[dict[str, Any]], Principal, date, random.Random],
    Awaitable[Counter[str]],
]


@dataclass(frozen=True)
class Chances:
    """How likely each level of each ladder is in one kind of desa, best level first."""

    water: tuple[float, ...]
    sanitation: tuple[float, ...]


OTHER_DESA = Chances(
    water=(0.2, 0.45, 0.12, 0.17, 0.06),  # aman, layak_dasar, layak_terbatas, tidak_layak, none
    sanitation=(0.15, 0.45, 0.15, 0.17, 0.08),  # aman, sendiri, bersama, belum_layak, BABS
)
LOKUS_DESA = Chances(water=(0.06, 0.3, 0.14, 0.32, 0.18), sanitation=(0.04, 0.3, 0.14, 0.3, 0.22))


@dataclass
class Levels:
    """What each survey is drawn to find. The first households' latest surveys take each
    level of both ladders in turn, so every level is some household's at any demo size."""

    rng: random.Random
    owed_water: list[str] = field(default_factory=lambda: list(WATER_LEVELS))
    owed_sanitation: list[str] = field(default_factory=lambda: list(SANITATION_LEVELS))

    def draw(self, chances: Chances, latest: bool) -> tuple[str, str]:
        water: str = self.rng.choices(WATER_LEVELS, chances.water)[0]
        sanitation: str = self.rng.choices(SANITATION_LEVELS, chances.sanitation)[0]
        if latest and self.owed_water:
            water = self.owed_water.pop(0)
        if latest and self.owed_sanitation:
            sanitation = self.owed_sanitation.pop(0)
        return water, sanitation


def households(places: list[tuple[str, str]], size: DemoSize, secret: str) -> dict[str, list[str]]:
    """The population's households (No. KK, each once) per posyandu: those of its balita and
    of its children and youth 5–18, as housing and social group them."""
    balita = generate_balita(
        places, seed=SEED, per_posyandu=size.balita_per_posyandu, secret=secret
    )
    older = demo_school_age(places, size, secret=secret)
    people: Iterable[dict[str, Any]] = [*(child.target for child in balita), *older]
    found: dict[str, set[str]] = {}
    for row in people:
        found.setdefault(row["posyandu_id"], set()).add(row["kk"])
    return {pid: sorted(kks) for pid, kks in found.items()}


def survey_dates(today: date, rng: random.Random) -> list[date]:
    """One survey in the last eighteen months, or two: a first visit, a second months later."""
    if rng.random() >= RESURVEYED_SHARE:
        return [today - timedelta(days=rng.randint(1, LAST_DAYS))]
    first = today - timedelta(days=rng.randint(200, LAST_DAYS))
    return [first, first + timedelta(days=rng.randint(60, 190))]


def water_fields(level: str, rng: random.Random) -> dict[str, Any]:
    """A drinking-water source, its distance, fetch time, quantity and quality that the ladder
    places at ``level`` (some basic ones still miss the SPM's 60 litres a person a day)."""
    here: dict[str, Any] = {
        "on_premises": True,
        "fetch_minutes": None,
        "available_24h": rng.random() < 0.8,
    }
    away: dict[str, Any] = {"on_premises": False, "available_24h": False}
    litres = float(rng.randint(45, 120))
    if level == "aman":
        return here | {
            "water_source": "ledeng",
            "available_24h": True,
            "e_coli": "negatif",
            "litres_per_person_day": float(rng.randint(60, 130)),
        }
    if level == "layak_dasar":
        return rng.choice(
            [
                here | {"water_source": "sumur_bor", "distance_to_waste_m": _far(rng)},
                here
                | {"water_source": "isi_ulang", "washing_source": "sumur_terlindung"}
                | {"distance_to_waste_m": _far(rng)},
                away | {"water_source": "kran_umum", "fetch_minutes": rng.randint(5, 30)},
            ]
        ) | {"litres_per_person_day": litres}
    if level == "layak_terbatas":
        return away | {
            "water_source": rng.choice(["kran_umum", "mata_air_terlindung"]),
            "distance_to_waste_m": _far(rng),
            "fetch_minutes": rng.randint(31, 90),
            "litres_per_person_day": float(rng.randint(20, 55)),
        }
    if level == "tidak_layak":
        near = here | {"water_source": "sumur_terlindung", "distance_to_waste_m": _near(rng)}
        open_well = here | {"water_source": "sumur_tidak_terlindung"}
        return rng.choice([near, open_well | {"distance_to_waste_m": _far(rng)}]) | {
            "litres_per_person_day": litres,
            "quality": rng.choice([[], ["keruh"], ["berbau", "berwarna"]]),
        }
    return away | {  # tidak_ada_akses: river, lake or canal water
        "water_source": "air_permukaan",
        "fetch_minutes": rng.randint(5, 60),
        "litres_per_person_day": float(rng.randint(15, 45)),
        "quality": rng.choice([["keruh"], ["keruh", "berwarna"], []]),
    }


def _far(rng: random.Random) -> float:
    return float(rng.randint(11, 40))


def _near(rng: random.Random) -> float:
    return float(rng.randint(2, 10))  # at 10 m a ground source is still too near


def sanitation_fields(
    level: str, surveyed_on: date, kelurahan: bool, rng: random.Random
) -> dict[str, Any]:
    """A toilet, its type and where the faeces go that the ladder places at ``level``."""
    own: dict[str, Any] = {"toilet_facility": "sendiri", "toilet_type": "leher_angsa"}
    if level == "aman":
        emptied = surveyed_on - timedelta(days=rng.randint(30, 4 * 365))
        return rng.choice(
            [
                own | {"faeces_disposal": "ipal"},
                own | {"faeces_disposal": "tangki_septik", "septic_emptied_on": emptied},
            ]
        )
    if level == "layak_sendiri":
        never_or_long_ago = rng.choice(
            [None, surveyed_on - timedelta(days=rng.randint(6 * 365, 10 * 365))]
        )
        choices = [
            own | {"faeces_disposal": "tangki_septik", "septic_emptied_on": never_or_long_ago},
            own | {"faeces_disposal": "spal"},
        ]
        if not kelurahan:  # a pit is a basic latrine in a desa only
            choices.append(own | {"faeces_disposal": "lubang_tanah"})
        return rng.choice(choices)
    if level == "layak_bersama":
        return {
            "toilet_facility": rng.choice(["bersama", "mck_komunal", "mck_umum"]),
            "toilet_type": "leher_angsa",
            "faeces_disposal": rng.choice(["tangki_septik", "ipal"]),
        }
    if level == "belum_layak":
        return rng.choice(
            [
                own | {"toilet_type": "cemplung_cubluk", "faeces_disposal": "lubang_tanah"},
                own | {"toilet_type": "plengsengan", "faeces_disposal": "lubang_tanah"},
                own | {"faeces_disposal": "kolam_sawah_sungai_danau_laut"},
            ]
        )
    return rng.choice(  # babs: no toilet, or one nobody uses
        [
            {
                "toilet_facility": "tidak_ada",
                "toilet_type": "tidak_ada",
                "faeces_disposal": rng.choice(
                    ["pantai_tanah_lapang_kebun", "kolam_sawah_sungai_danau_laut"]
                ),
            },
            {
                "toilet_facility": "ada_tidak_digunakan",
                "toilet_type": "cemplung_cubluk",
                "faeces_disposal": "lubang_tanah",
            },
        ]
    )


def survey_body(
    kk: str,
    place: ReplicaPosyandu,
    surveyed_on: date,
    found: tuple[str, str],
    rng: random.Random,
) -> SurveyIn:
    water, sanitation = found
    return SurveyIn.model_validate(
        {
            "kk": kk,
            "posyandu_id": place.posyandu_id,
            "surveyed_on": surveyed_on,
            "occupants": rng.randint(2, 7),
            **water_fields(water, rng),
            **sanitation_fields(sanitation, surveyed_on, is_kelurahan(place.desa_code), rng),
        }
    )


async def load_demo(
    db: Database,
    settings: PublicWorksSettings,
    size: DemoSize | None = None,
    infrastructure: Infrastructure | None = None,
) -> dict[str, int]:
    """Households and their surveys for every active Kukar posyandu in the replica, then the
    facilities and issues ``infrastructure`` writes. Loads nothing when its surveys exist (a
    restart keeps the demo)."""
    async with db.sessions() as session:
        # Its own surveys, not any household: housing's house surveys reach public works as
        # surveys of source housing while the demo stack is still starting.
        own = select(func.count()).where(col(WashSurvey.recorded_by) == PRINCIPAL.subject)
        if (await session.execute(own)).scalar_one():
            return {"households": 0}
    size = size or DemoSize()
    posyandu = await kukar_posyandu(db)
    lokus = lokus_desa((p.desa_code for p in posyandu), random.Random(LOKUS_SEED))
    by_posyandu = households(
        [(p.posyandu_id, p.desa_code) for p in posyandu], size, settings.pseudonym_secret
    )
    outbox, today, rng = Outbox(settings), local_today(settings), random.Random(SURVEY_SEED)
    levels, counts = Levels(rng), Counter[str]()
    active = sorted(
        (p for p in posyandu if p.active and p.posyandu_id in by_posyandu),
        key=lambda p: p.posyandu_id,
    )
    progress = Progress("households' water and sanitation", len(active), unit="posyandu")
    for place in active:
        chances = LOKUS_DESA if place.desa_code in lokus else OTHER_DESA
        plans = [_plan(kk, place, chances, levels, today) for kk in by_posyandu[place.posyandu_id]]
        counts += await _record_posyandu(db, outbox, settings, plans, today)
        progress.advance()
    progress.done(counts["surveys"], "surveys")
    if infrastructure is not None:
        random_infrastructure = random.Random(INFRASTRUCTURE_SEED)
        places = [{"id": p.posyandu_id, "desa_code": p.desa_code} for p in active]
        made = infrastructure(db, settings, places, PRINCIPAL, today, random_infrastructure)
        counts.update(await timed("facilities and issues", made))
    return dict(counts)


def _plan(
    kk: str, place: ReplicaPosyandu, chances: Chances, levels: Levels, today: date
) -> list[SurveyIn]:
    """A household's surveys, oldest first (none: not surveyed)."""
    rng = levels.rng
    if rng.random() >= SURVEYED_SHARE:
        return []
    dates = survey_dates(today, rng)
    return [
        survey_body(kk, place, surveyed_on, levels.draw(chances, latest=n == len(dates)), rng)
        for n, surveyed_on in enumerate(dates, start=1)
    ]


async def _record_posyandu(
    db: Database,
    outbox: Outbox,
    settings: PublicWorksSettings,
    plans: list[list[SurveyIn]],
    today: date,
) -> Counter[str]:
    """A posyandu's surveys in one transaction, sent again when the batch says another writer
    recorded one of its households meanwhile (housing's surveys of the same households reach
    this service's consumer while its loader runs beside this one); the second time, those
    households are known and the survey is recorded on them."""
    attempt = 1
    while True:
        async with db.sessions() as session:
            uow = UnitOfWork(session, outbox)
            try:
                counts = await _record(uow, settings, plans, today)
                await uow.commit()
                return counts
            except Conflict:
                await uow.rollback()
                if attempt == RETRIES:
                    raise
        attempt += 1


async def _record(
    uow: UnitOfWork, settings: PublicWorksSettings, plans: list[list[SurveyIn]], today: date
) -> Counter[str]:
    """A posyandu's surveys through the survey team's batch (``record_batch``: a No. KK once
    a batch), the first visits in one and the second in another; counted by each household's
    latest's levels."""
    latest: dict[int, Any] = {}
    for visit in range(max((len(plan) for plan in plans), default=0)):
        mine = [(n, plan[visit]) for n, plan in enumerate(plans) if len(plan) > visit]
        raw = [body.model_dump() for _, body in mine]
        out = await record_batch(uow, PRINCIPAL, raw, settings=settings, today=today)
        for (n, _), result in zip(mine, out.results, strict=True):
            if result.status not in ("created", "recorded"):
                raise RuntimeError(f"the demo's survey was refused: {result}")
            latest[n] = result
    counts: Counter[str] = Counter()
    if skipped := sum(not plan for plan in plans):
        counts["not_surveyed"] = skipped
    for n, result in latest.items():
        counts.update(
            {
                "households": 1,
                "surveys": len(plans[n]),
                f"water_{result.water_level}": 1,
                f"sanitation_{result.sanitation_level}": 1,
                "basic_water": int(bool(result.basic_water)),
            }
        )
    return counts


async def _main() -> None:
    settings = PublicWorksSettings()
    db = await settled_database(settings, MIGRATIONS)
    counts = await load_demo(db, settings, infrastructure=seed_infrastructure)
    print(f"demo: {dict(sorted(counts.items()))}")
    await db.dispose()


if __name__ == "__main__":
    asyncio.run(_main())
