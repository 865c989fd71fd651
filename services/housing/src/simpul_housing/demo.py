"""Housing's slice of the shared demo population (``devstack.population``): a house for every
household of the demo's balita and school-age children, most of them surveyed.

The households are the population's, generated exactly as the health and education demos
generate their children (same posyandu list from the replica, same seeds, same pseudonym
secret), so housing's ``household_ref`` is social's and health's for the same family: a stunted
child's household in health's events is a household housing knows. One house in ten is shared
by two households. Houses are surveyed by a kader over the last eighteen months, three in four
of them; RTLH is more common in the population's lokus desa, where poverty concentrates (the
same lokus desa social's deciles are drawn by). The RTLH pipeline in every state, a demo
disaster and a relocation programme are in ``simpul_housing.demo_cases``. Everything is written
through the service's own operations (validation, attribution, outbox events; a posyandu's
surveyed houses through the survey team's batch, ``ops.survey_batch``), one transaction per
posyandu, by a Dinas Perkim principal.

    python -m simpul_housing.demo            # reads HOUSING_* / SIMPUL_* like the service
    python -m simpul_housing.demo --followup # trantib's banjir: SK Bupati, handling (demo_trantib)
"""

from __future__ import annotations

import asyncio
import random
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from sqlalchemy import func, select

from simpul_housing.app import MIGRATIONS
from simpul_housing.models import House
from simpul_housing.ops.houses import create_house
from simpul_housing.ops.survey_batch import record_batch
from simpul_housing.schemas.assessments import SurveyIn
from simpul_housing.schemas.houses import HouseholdIn, HouseIn
from simpul_housing.settings import HousingSettings
from simpul_platform import tallies
from simpul_platform.auth import Principal
from simpul_platform.clock import local_today
from simpul_platform.db import Database
from simpul_platform.devstack.population import (
    DemoSize,
    demo_school_age,
    generate_balita,
    kukar_posyandu,
    lokus_desa,
    settled_database,
)
from simpul_platform.devstack.population.progress import Progress, timed
from simpul_platform.outbox import Outbox
from simpul_platform.uow import UnitOfWork

SEED = 2025  # the balita seed health generates with: the same children, the same KK
LOKUS_SEED = SEED + 104  # social draws the lokus desa first from this seed: the same desa
HOUSE_SEED = SEED + 151
PRINCIPAL = Principal("demo-perkim", frozenset({"opd:housing"}), ("*",))
SHARED_SHARE = 0.1  # houses two households live in
SURVEYED_SHARE = 0.75
KUKAR_CENTRE = (-0.42, 116.98)  # Tenggarong

Quality = Literal["good", "fair", "poor"]


@dataclass(frozen=True)
class Family:
    kk: str
    stunted: bool


@dataclass(frozen=True)
class Chances:
    """How likely a house is in poor or fair condition in one kind of desa."""

    poor: float
    fair: float


OTHER_DESA = Chances(poor=0.12, fair=0.3)
LOKUS_DESA = Chances(poor=0.4, fair=0.3)


def families(places: list[tuple[str, str]], size: DemoSize, secret: str) -> dict[str, list[Family]]:
    """The population's households per posyandu (each KK once), stunted when any balita is."""
    balita = generate_balita(
        places, seed=SEED, per_posyandu=size.balita_per_posyandu, secret=secret
    )
    older = demo_school_age(places, size, secret=secret)
    people: Iterable[tuple[dict[str, Any], bool]] = [
        *((child.target, child.haz < -2) for child in balita),
        *((person, False) for person in older),
    ]
    found: dict[str, dict[str, bool]] = {}
    for row, stunted in people:
        kks = found.setdefault(row["posyandu_id"], {})
        kks[row["kk"]] = kks.get(row["kk"], False) or stunted
    return {pid: [Family(kk, s) for kk, s in sorted(kks.items())] for pid, kks in found.items()}


def houses_of(family_list: list[Family], rng: random.Random) -> list[list[Family]]:
    """The families grouped into houses: most alone, some two to a house."""
    grouped: list[list[Family]] = []
    for family in family_list:
        if grouped and len(grouped[-1]) == 1 and rng.random() < SHARED_SHARE:
            grouped[-1].append(family)
        else:
            grouped.append([family])
    return grouped


def house_body(posyandu_id: str, living: list[Family], rng: random.Random) -> HouseIn:
    members = [rng.randint(2, 6) for _ in living]
    tenure = rng.choices(
        ["milik_sendiri", "kontrak_sewa", "bebas_sewa", "bukan_milik_sendiri"], [75, 10, 10, 5]
    )[0]
    land = rng.choices(
        [
            "milik_sendiri",
            "milik_keluarga_waris",
            "bukan_milik_sendiri",
            "tanah_negara",
            "tanah_ilegal",
        ],
        [70, 15, 8, 5, 2],
    )[0]
    latitude = round(KUKAR_CENTRE[0] + rng.uniform(-0.8, 0.8), 5)
    longitude = round(KUKAR_CENTRE[1] + rng.uniform(-0.8, 0.8), 5)
    return HouseIn(
        posyandu_id=posyandu_id,
        dusun=f"Dusun {rng.randint(1, 5)}",
        rt=f"{rng.randint(1, 20):03d}",
        rw=f"{rng.randint(1, 6):03d}",
        latitude=latitude,
        longitude=longitude,
        tenure=tenure,
        land_status=land,
        occupants=sum(members),
        households=[HouseholdIn(kk=f.kk, members=m) for f, m in zip(living, members, strict=True)],
    )


def quality(rng: random.Random, chances: Chances) -> Quality:
    draw = rng.random()
    return (
        "poor" if draw < chances.poor else "fair" if draw < chances.poor + chances.fair else "good"
    )


def survey_body(occupants: int, grade: Quality, surveyed_on: date, rng: random.Random) -> SurveyIn:
    """A survey of a house in ``grade`` condition: good passes both rule sets, fair fails one or
    two of PUPR's health criteria, poor fails several of both."""
    fields: dict[str, Any] = {
        "kind": "initial",
        "surveyed_on": surveyed_on,
        "pondasi": rng.choice(["batu_belah", "beton", "batako"]),
        "kolom": rng.choice(["beton", "kayu"]),
        "balok": rng.choice(["beton", "kayu"]),
        "rangka_atap": rng.choice(["kayu", "baja_ringan"]),
        "plafon": rng.choice(["gypsum", "triplek"]),
        "sloof": True,
        "atap": rng.choice(["genteng", "seng", "sirap_kayu"]),
        "atap_condition": "layak",
        "dinding": rng.choice(["tembok", "kayu"]),
        "dinding_condition": "layak",
        "lantai": rng.choice(["keramik", "plester", "ubin"]),
        "lantai_condition": "layak",
        "jendela": True,
        "ventilasi": True,
        "floor_area_m2": float(occupants * rng.randint(10, 18)),
        "occupants": occupants,
        "water_source": rng.choice(["perpipaan", "sumur_bor", "sumur_terlindung", "kemasan"]),
        "water_to_faeces_m": float(rng.randint(10, 30)),
        "bathroom": "sendiri",
        "toilet_type": "leher_angsa",
        "faeces_disposal": "tangki_septik",
        "electricity": "pln_meteran",
        "kawasan": [],
    }
    if grade == "fair":
        fields |= rng.choice(
            [
                {"water_to_faeces_m": float(rng.randint(3, 9)), "water_source": "sumur_terlindung"},
                {"toilet_type": "cemplung_cubluk", "faeces_disposal": "lubang_tanah"},
                {"ventilasi": False, "atap_condition": "agak_layak"},
            ]
        )
    elif grade == "poor":
        fields |= {
            "pondasi": rng.choice(["tidak_ada", "batu_belah"]),
            "kolom": "kayu",
            "balok": rng.choice(["kayu", "bambu"]),
            "sloof": False,
            "plafon": "tidak_ada",
            "atap": rng.choice(["rumbia", "daun", "seng"]),
            "atap_condition": rng.choice(["kurang_layak", "tidak_layak"]),
            "dinding": rng.choice(["bambu", "kayu"]),
            "dinding_condition": rng.choice(["agak_layak", "kurang_layak"]),
            "lantai": rng.choice(["tanah", "kayu", "bambu"]),
            "lantai_condition": rng.choice(["agak_layak", "kurang_layak"]),
            "jendela": rng.random() < 0.5,
            "ventilasi": False,
            "floor_area_m2": float(occupants * rng.randint(5, 8)),
            "water_source": rng.choice(["sumur_tidak_terlindung", "air_permukaan", "air_hujan"]),
            "water_to_faeces_m": float(rng.randint(2, 12)),
            "bathroom": rng.choice(["tidak_ada", "mck_umum", "bersama"]),
            "toilet_type": "cemplung_cubluk",
            "faeces_disposal": rng.choice(["lubang_tanah", "kolam_sawah_sungai_danau_laut"]),
            "electricity": rng.choice(["pln_tanpa_meteran", "non_pln"]),
        }
        if fields["bathroom"] == "tidak_ada":
            fields["toilet_type"] = "tidak_ada"
    return SurveyIn.model_validate(fields)


async def load_demo(
    db: Database, settings: HousingSettings, size: DemoSize | None = None
) -> dict[str, int]:
    """Houses, households and surveys for every active Kukar posyandu in the replica; then the
    cases of ``demo_cases``. Loads nothing when houses exist (a restart keeps the demo)."""
    from simpul_housing.demo_cases import load_cases  # it builds on this module's surveys

    async with db.sessions() as session:
        if (await session.execute(select(func.count()).select_from(House))).scalar_one():
            return {"houses": 0}
    size = size or DemoSize()
    posyandu = await kukar_posyandu(db)
    places = [(p.posyandu_id, p.desa_code) for p in posyandu]
    lokus = lokus_desa((p.desa_code for p in posyandu), random.Random(LOKUS_SEED))
    by_posyandu = families(places, size, settings.pseudonym_secret)
    outbox, today, rng = Outbox(settings), local_today(settings), random.Random(HOUSE_SEED)
    counts: Counter[str] = Counter()
    active = [p for p in posyandu if p.active and p.posyandu_id in by_posyandu]
    progress = Progress("houses, households and surveys", len(active), unit="posyandu")
    for place in sorted(active, key=lambda p: p.posyandu_id):
        progress.advance()
        chances = LOKUS_DESA if place.desa_code in lokus else OTHER_DESA
        plans = [
            _plan(place.posyandu_id, living, chances, today, rng)
            for living in houses_of(by_posyandu[place.posyandu_id], rng)
        ]
        async with db.sessions() as session:
            uow = UnitOfWork(session, outbox)
            async with tallies.deferred(session):  # its counts dropped once, not per record
                counts += await _houses(uow, settings, plans, today)
            await uow.commit()
    progress.done(counts["houses"], "houses")
    counts.update(await timed("RTLH cases, disaster, relocation", load_cases(db, settings, lokus)))
    return dict(counts)


def _plan(
    posyandu_id: str, living: list[Family], chances: Chances, today: date, rng: random.Random
) -> tuple[HouseIn, SurveyIn | None]:
    """A house and, for three in four, its survey."""
    body = house_body(posyandu_id, living, rng)
    if rng.random() >= SURVEYED_SHARE:
        return body, None
    grade = quality(rng, chances)
    surveyed_on = today - timedelta(days=rng.randint(1, 540))
    return body, survey_body(body.occupants or 1, grade, surveyed_on, rng)


async def _houses(
    uow: UnitOfWork,
    settings: HousingSettings,
    plans: list[tuple[HouseIn, SurveyIn | None]],
    today: date,
) -> Counter[str]:
    """A posyandu's houses: those not surveyed one by one (``create_house``), the surveyed
    ones with their surveys in one survey team's batch (``record_batch``)."""
    counts: Counter[str] = Counter()
    for body, survey in plans:
        counts.update({"houses": 1, "households": len(body.households)})
        if survey is None:
            await create_house(uow, PRINCIPAL, body, secret=settings.pseudonym_secret)
    raw = [
        {"house": body.model_dump(), "survey": survey.model_dump()}
        for body, survey in plans
        if survey is not None
    ]
    if not raw:
        return counts
    out = await record_batch(uow, PRINCIPAL, raw, settings=settings, today=today)
    for result in out.results:
        if result.status != "created":
            raise RuntimeError(f"the demo's survey was refused: {result}")
        counts.update(
            {
                "surveyed": 1,
                "rtlh_pupr": int(bool(result.rtlh_pupr)),
                "rtlh_rutilahu": int(bool(result.rtlh_rutilahu)),
            }
        )
    return counts


async def _main(followup: bool) -> None:
    settings = HousingSettings()
    db = await settled_database(settings, MIGRATIONS)
    if followup:  # once every demo has loaded: trantib's banjir reached housing by now
        from simpul_housing.demo_trantib import follow_trantib

        print(f"demo: trantib's disaster {await follow_trantib(db, settings)}")
    else:
        print(f"demo: {await load_demo(db, settings)}")
    await db.dispose()


if __name__ == "__main__":
    asyncio.run(_main(followup="--followup" in sys.argv[1:]))
