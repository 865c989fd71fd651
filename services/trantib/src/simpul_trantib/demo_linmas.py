"""The demo's Satlinmas, siskamling patrols and APAR.

- **Satlinmas**: every desa with an active posyandu has its members, appointed by one SK of the
  kepala desa some months or years ago: most desa at strength (10–14, every squad manned), some
  under the minimum of 10 and some at strength with a squad nobody is in (``STRENGTH_ROUND``;
  the smallest demo shows both). Members are the population's adults of the desa who are of
  age and below the service age (health's people: the same NIK), topped up with generated
  residents (a NIK that encodes their birth date) where the desa has too few.
- **Siskamling**: a third of the desa log a few patrols of the last two months, by the Linmas
  serving then (or the residents counted), some with findings.
- **APAR**: at most posyandu, one extinguisher (and at some, one at the kantor desa), refilled
  within the last eighteen months and good for a year: those refilled longest ago have expired
  by today (the first one always has).

One transaction per desa for Satlinmas and patrols, one for the APAR.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from simpul_platform.devstack.population import nik
from simpul_platform.uow import UnitOfWork
from simpul_trantib.demo import DAMKAR, SATPOLPP, Adult, Demo, rounds
from simpul_trantib.domain.linmas import SQUADS, age_on
from simpul_trantib.models import LinmasMember
from simpul_trantib.ops import apar as apar_ops
from simpul_trantib.ops import linmas, siskamling
from simpul_trantib.schemas.apar import AparIn
from simpul_trantib.schemas.linmas import MemberIn, PatrolIn

STRENGTH_ROUND = ("full",) * 7 + ("under", "under", "empty_squad")
STRENGTH_FIRST = ("under", "empty_squad")
EDUCATION = {"sd": 20, "smp": 30, "sma": 40, "diploma": 5, "sarjana": 5}
EXTRA_SERIAL = 7000  # generated residents' NIK sequence: past the population's adults
PATROLLED_SHARE = 1 / 3
FINDINGS = (
    "Lampu jalan RT padam.",
    "Pemuda berkumpul minum di pos ronda, dibubarkan.",
    "Rumah kosong ditinggal mudik, pintu terbuka.",
    "Kabel listrik menjuntai di jalan desa.",
    "Pedagang tanpa izin di bahu jalan.",
)
APAR_SHARE = 0.75
OFFICE_SHARE = 0.25
EXPIRY_ROUND = ("good", "good", "expired")


async def seed_linmas(demo: Demo) -> None:
    rng = demo.rng("linmas")
    plans = rounds(STRENGTH_ROUND, len(demo.desa), rng, STRENGTH_FIRST)
    taken: set[str] = set()
    serial = EXTRA_SERIAL
    for desa, plan in zip(demo.desa, plans, strict=True):
        size = rng.randint(3, 9) if plan == "under" else rng.randint(10, 14)
        squads: list[str] = list(SQUADS)
        if plan == "empty_squad":
            squads.remove(rng.choice(SQUADS))
        sk_date = demo.today - timedelta(days=rng.randint(60, 5 * 365))
        people = _eligible(demo.adults.get(desa, []), sk_date, demo.today, taken)[:size]
        while len(people) < size:
            serial += 1
            people.append(_resident(desa, demo, sk_date, serial, rng))
        taken.update(p.nik for p in people)

        async def write(
            uow: UnitOfWork,
            desa: str = desa,
            people: list[Adult] = people,
            squads: list[str] = squads,
            sk_date: date = sk_date,
        ) -> int:
            members = await _appoint(uow, demo, desa, people, squads, sk_date, rng)
            return await _patrols(uow, demo, desa, members, rng)

        patrols = await demo.write(write)
        demo.counts.update({"linmas_members": len(people), "siskamling_patrols": patrols})
        demo.counts[f"linmas_desa_{plan}"] += 1


def _eligible(adults: list[Adult], sk_date: date, today: date, taken: set[str]) -> list[Adult]:
    """The desa's adults who are 18 by the SK and will not reach 60 within a year of today."""
    return [
        a
        for a in adults
        if a.nik not in taken
        and age_on(a.birth_date, sk_date) >= 18
        and age_on(a.birth_date, today + timedelta(days=365)) < 60
    ]


def _resident(desa: str, demo: Demo, sk_date: date, serial: int, rng: random.Random) -> Adult:
    """A generated resident of the desa, 20–50 at the SK."""
    birth = sk_date - timedelta(days=rng.randint(20 * 365 + 5, 50 * 365))
    woman = rng.random() < 0.2
    pid = demo.posyandu_of(desa)[0].posyandu_id
    return Adult(
        nik(desa, birth, woman=woman, serial=serial), f"Linmas {serial}", birth, woman, pid
    )


async def _appoint(
    uow: UnitOfWork,
    demo: Demo,
    desa: str,
    people: list[Adult],
    squads: list[str],
    sk_date: date,
    rng: random.Random,
) -> list[LinmasMember]:
    number = f"141/{rng.randint(10, 99):03d}/SK-LINMAS/{sk_date.year}"
    members = []
    for index, person in enumerate(people):
        body = MemberIn.model_validate(
            {
                "nik": person.nik,
                "name": person.name,
                "birth_date": person.birth_date,
                "married": rng.random() < 0.7,
                "education": rng.choices(list(EDUCATION), list(EDUCATION.values()))[0],
                "posyandu_id": person.posyandu_id,
                "squad": squads[index % len(squads)],
                "sk_number": number,
                "sk_date": sk_date,
                "appointed_on": min(demo.today, sk_date + timedelta(days=rng.randint(0, 14))),
            }
        )
        members.append(await linmas.appoint(uow, SATPOLPP, demo.settings, body, demo.today))
    return members


async def _patrols(
    uow: UnitOfWork, demo: Demo, desa: str, members: list[LinmasMember], rng: random.Random
) -> int:
    """A few patrols of the last two months at a third of the desa."""
    if not members or rng.random() >= PATROLLED_SHARE:
        return 0
    days = sorted(rng.sample(range(1, 61), rng.randint(2, 5)))
    poskamling = f"Poskamling RT {rng.randint(1, 12):02d}"
    for back in days:
        on = demo.today - timedelta(days=back)
        serving = [m.id for m in members if m.appointed_on <= on]
        crew = rng.sample(serving, min(len(serving), rng.randint(2, 4)))
        found = rng.random() < 0.3
        body = PatrolIn.model_validate(
            {
                "posyandu_id": members[0].posyandu_id,
                "poskamling": poskamling,
                "patrol_date": on,
                "shift": rng.choice(["malam", "malam", "dini_hari"]),
                "member_ids": crew,
                "members_present": len(crew) + rng.randint(0 if crew else 2, 4),
                "findings": rng.choice(FINDINGS) if found else None,
                "incident": found and rng.random() < 0.3,
            }
        )
        await siskamling.record(uow, SATPOLPP, demo.settings, body, demo.today)
    return len(days)


async def seed_apar(demo: Demo) -> None:
    rng = demo.rng("apar")
    chosen = [p for p in demo.posyandu if rng.random() < APAR_SHARE] or demo.posyandu[:1]
    places: list[tuple[str, str, str]] = []  # posyandu id, building kind, building name
    for index, place in enumerate(chosen, start=1):
        places.append((place.posyandu_id, "posyandu", f"Posyandu {index}"))
        if rng.random() < OFFICE_SHARE:
            places.append((place.posyandu_id, "kantor_desa", "Kantor Desa"))
    plans = rounds(EXPIRY_ROUND, len(places), rng, ("expired",))

    async def write(uow: UnitOfWork) -> None:
        for (pid, kind, name), plan in zip(places, plans, strict=True):
            back = rng.randint(370, 540) if plan == "expired" else rng.randint(10, 360)
            refilled = demo.today - timedelta(days=back)
            body = AparIn.model_validate(
                {
                    "posyandu_id": pid,
                    "building_kind": kind,
                    "building_name": name,
                    "location": rng.choice(["Dekat pintu masuk", "Dinding ruang tunggu"]),
                    "agent": rng.choices(["powder", "co2", "foam"], [7, 2, 1])[0],
                    "capacity_kg": rng.choice([1.0, 3.0, 3.0, 6.0]),
                    "last_refilled_on": refilled,
                    "expires_on": refilled + timedelta(days=365),
                }
            )
            await apar_ops.install(uow, DAMKAR, body, demo.today)
            demo.counts["apar_expired" if plan == "expired" else "apar_good"] += 1

    await demo.write(write)
    demo.counts["apar"] = len(places)
