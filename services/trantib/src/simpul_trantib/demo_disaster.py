"""The demo's flood hazard zones and its one disaster.

- **Hazard zones**: most desa of the kecamatan along the Mahakam that flood most years
  (Tenggarong, Loa Kulu, Kota Bangun) are banjir zones for this year, with their people; in
  most of them BPBD gave risk information (sosialisasi, simulasi, ...) once to three times this
  year, each reaching a part of the people.
- **The banjir**: ``DISASTER_WEEKS`` ago the Mahakam flooded the zone desa of Tenggarong (or,
  in a replica without Tenggarong, the desa of the kecamatan with the most posyandu), declared
  with BPBD's status SK the next day. The rapid assessment two days on counted the people, the
  houses by class and the facilities, and recorded the affected households: most of the
  population's households at the posyandu of those desa (a few hundred; No. KK, damage rr / rs
  / rb / hilang / none, displaced, members, evacuated), the displaced households' school-age
  children referred to education. Evacuation, emergency response and, with the transition SK,
  recovery follow. Housing opens a disaster house for every damaged household from the
  assessment's event, and social a protection case (their consumers); housing's demo follow-up
  fixes them with an SK Bupati and takes some towards completion (``simpul_housing.demo_trantib``).

Social's demo follow-up (``simpul_social.demo_disaster``) takes its cases part-way: most served
in the emergency (shelter for the displaced), some after it, a few closed or declined.

One transaction for the zones and their outreach, one for the disaster.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta
from typing import Any

from simpul_platform.uow import UnitOfWork
from simpul_trantib.demo import BPBD, TRANTIB_SEED, Demo, Family
from simpul_trantib.demo_places import CAPITALS
from simpul_trantib.models import Disaster
from simpul_trantib.ops import disaster_households, disasters, hazard
from simpul_trantib.schemas.disaster import (
    MAX_HOUSEHOLDS,
    AssessmentIn,
    DisasterIn,
    EvacuateIn,
    StepIn,
)
from simpul_trantib.schemas.hazard import HazardZoneIn, RiskOutreachIn

FLOOD_KECAMATAN = ("64.02.06", "64.02.02", "64.02.08")  # Tenggarong, Loa Kulu, Kota Bangun
TENGGARONG = "64.02.06"
ZONE_SHARE = 0.7
OUTREACH_SHARE = 0.7
METHODS = ("sosialisasi", "sosialisasi", "simulasi", "kunjungan", "media")
DISASTER_WEEKS = 6
HOUSEHOLD_SHARE = 0.6  # of the population's households in the flooded desa
DAMAGE = {"none": 30, "rr": 35, "rs": 20, "rb": 12, "hilang": 3}
DISPLACED = {"none": 0.05, "rr": 0.2, "rs": 0.6, "rb": 1.0, "hilang": 1.0}
EVACUATED_SHARE = 0.85  # of the displaced households
BULAN = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
         "September", "Oktober", "November", "Desember")  # fmt: skip


def flood_zone(desa: str) -> bool:
    """Whether a desa of a flood-prone kecamatan lies low enough to flood (drawn per desa)."""
    if desa[:8] not in FLOOD_KECAMATAN:
        return False
    return random.Random(f"{TRANTIB_SEED}:flood:{desa}").random() < ZONE_SHARE


async def seed_hazard(demo: Demo) -> None:
    rng = demo.rng("hazard")
    zones = [desa for desa in demo.desa if flood_zone(desa)]
    year_start = date(demo.today.year, 1, 1)

    async def write(uow: UnitOfWork) -> None:
        for desa in zones:
            people = rng.randint(1500, 9000)
            body = HazardZoneIn(
                desa_code=desa, hazard="banjir", population=people, year=year_start.year
            )
            await hazard.add_zone(uow, BPBD, body, demo.today)
            if rng.random() >= OUTREACH_SHARE:
                continue
            for _ in range(rng.randint(1, 3)):
                held = year_start + timedelta(days=rng.randint(0, (demo.today - year_start).days))
                outreach = RiskOutreachIn.model_validate(
                    {
                        "posyandu_id": rng.choice(demo.posyandu_of(desa)).posyandu_id,
                        "hazard": "banjir",
                        "held_on": held,
                        "method": rng.choice(METHODS),
                        "people_reached": rng.randint(people // 20, people // 6),
                    }
                )
                await hazard.record_outreach(uow, BPBD, outreach, demo.today)
                demo.counts["risk_outreach"] += 1

    await demo.write(write)
    demo.counts["hazard_zones"] = len(zones)


def struck_desa(demo: Demo) -> list[str]:
    """Tenggarong's flood-zone desa (all of its desa when none is a zone), else the desa of the
    kecamatan with the most active posyandu."""
    by_kecamatan = Counter(p.desa_code[:8] for p in demo.posyandu)
    area = TENGGARONG
    if TENGGARONG not in by_kecamatan:
        area = max(sorted(by_kecamatan), key=lambda code: by_kecamatan[code])
    desa = [d for d in demo.desa if d.startswith(area + ".")]
    return [d for d in desa if flood_zone(d)] or desa


async def seed_disaster(demo: Demo) -> None:
    rng = demo.rng("disaster")
    desa = struck_desa(demo)
    families = [
        family
        for place in demo.posyandu
        if place.desa_code in desa
        for family in demo.families.get(place.posyandu_id, [])
        if rng.random() < HOUSEHOLD_SHARE
    ][:MAX_HOUSEHOLDS]
    households = [_household(family, rng) for family in families]
    occurred = demo.today - timedelta(weeks=DISASTER_WEEKS)

    async def write(uow: UnitOfWork) -> Disaster:
        disaster = await _declare(uow, demo, desa, occurred, rng)
        assessed = occurred + timedelta(days=2)
        body = _assessment(households, assessed, rng)
        await disasters.assess(uow, BPBD, disaster, body, demo.today)
        if households:
            answer = await disaster_households.record_batch(
                uow,
                BPBD,
                disaster,
                households,
                assessed_on=assessed,
                settings=demo.settings,
                today=demo.today,
            )
            demo.counts["disaster_children_referred"] = answer.children_referred
        evacuated = sum(h["members"] for h in households if h["evacuated"])
        steps: list[tuple[Any, StepIn]] = [
            ("evacuate", EvacuateIn(on=occurred + timedelta(days=3), evacuated=evacuated)),
            ("respond", StepIn(on=occurred + timedelta(days=4), note="Status tanggap darurat")),
            ("recover", StepIn(on=occurred + timedelta(days=24), note="SK transisi darurat")),
        ]
        for action, step in steps:
            await disasters.take_step(uow, BPBD, disaster, action, step, demo.today)
        return disaster

    disaster = await demo.write(write)
    demo.counts.update(
        {"disasters": 1, "disaster_households": len(households), "disaster_desa": len(desa)}
    )
    demo.counts.update(f"disaster_damage_{h['damage']}" for h in households)
    demo.counts["disaster_displaced"] = sum(h["displaced"] for h in households)
    demo.counts[f"disaster_{disaster.status}"] += 1


def _household(family: Family, rng: random.Random) -> dict[str, Any]:
    damage = rng.choices(list(DAMAGE), list(DAMAGE.values()))[0]
    displaced = rng.random() < DISPLACED[damage]
    return {
        "kk": family.kk,
        "posyandu_id": family.posyandu_id,
        "damage": damage,
        "displaced": displaced,
        "members": rng.randint(2, 7),
        "evacuated": displaced and rng.random() < EVACUATED_SHARE,
        "school_age_children": [
            {"nik": child.nik, "birth_date": child.birth_date.isoformat()}
            for child in family.children
        ],
    }


async def _declare(
    uow: UnitOfWork, demo: Demo, desa: list[str], occurred: date, rng: random.Random
) -> Disaster:
    kecamatan = CAPITALS.get(desa[0][:8], ("Kutai Kartanegara",))[0]
    sk_date = occurred + timedelta(days=1)
    body = DisasterIn.model_validate(
        {
            "kind": "banjir",
            "name": f"Banjir {kecamatan} {BULAN[occurred.month - 1]} {occurred.year}",
            "occurred_on": occurred,
            "affected_desa": desa,
            "status_sk_number": f"360/{rng.randint(100, 899)}/BPBD/{sk_date.year}",
            "status_sk_date": sk_date,
            "emergency_level": "tanggap_darurat",
        }
    )
    return await disasters.declare(uow, BPBD, body, demo.today)


def _assessment(households: list[dict[str, Any]], on: date, rng: random.Random) -> AssessmentIn:
    """BNPB's totals from the households found (a lost house counts as rusak berat)."""
    damage = Counter(h["damage"] for h in households)
    displaced = sum(h["members"] for h in households if h["displaced"])
    return AssessmentIn.model_validate(
        {
            "assessed_on": on,
            "dead": rng.choice([0, 0, 1]),
            "injured": rng.randint(0, 8),
            "displaced": displaced,
            "affected": sum(h["members"] for h in households),
            "houses_rr": damage["rr"],
            "houses_rs": damage["rs"],
            "houses_rb": damage["rb"] + damage["hilang"],
            "facilities": {
                "pendidikan": rng.randint(1, 3),
                "peribadatan": rng.randint(0, 2),
                "jembatan": rng.randint(0, 1),
            },
            "needing_evacuation": displaced,
        }
    )
