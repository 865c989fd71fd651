"""Education's slice of the shared demo population (``devstack.population``): the children and
youth 0–18 of every active Kukar posyandu, with their education statuses.

The balita are the population's, generated exactly as the health demo generates them (same
posyandu list from the replica, same seed, same pseudonym secret, same day), so education's
``person_ref`` is health's and social's for the same child; the older children (5–18) come from
the population's own generator for them (``demo_school_age``, which social's demo calls too: it
assesses their households, so the PAUD equity indicator has deciles to group by). Statuses
follow age in realistic proportions: under 3 not yet school age; PAUD from 3 (more at 5–6),
some 6-year-olds already in SD kelas 1; SD, SMP, SMA/SMK by age and kelas; some out of school
from 13 (more at 16–18) and some in Paket A/B/C. PAUD participation is lower and dropping out
more common in the population's lokus desa, where poverty concentrates (the same lokus desa
social's deciles are drawn by). About half the children have a status from a year ago before
the current one (a kelas lower, PAUD before SD, in school before dropping out, out of school
before Paket), and a few have none yet. Then PAUD-HI at the posyandu (every child in PAUD
enrolled with monthly attendance, some under-threes' families in BKB, literacy sessions) and an
ATS case for each child 7–18 out of school, in every state of the workflow, some overdue for
the desa's verification and some verified with an economic problem (referred to social): those
in ``simpul_education.demo_cases``.
Everything is written through the service's own operations (validation, attribution, outbox
events; a posyandu's children in one batch, ``ops.children_batch``), one transaction per
posyandu, by a Dinas Pendidikan principal.

    python -m simpul_education.demo            # reads EDUCATION_* / SIMPUL_* like the service
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import select

from simpul_education.app import MIGRATIONS
from simpul_education.demo_cases import PRINCIPAL, SEED, ats_cases, paud_enrolments
from simpul_education.domain.children import age_years
from simpul_education.domain.status import Source, Status
from simpul_education.models import Child
from simpul_education.ops.children_batch import Plan, register_children
from simpul_education.schemas.children import ChildIn, StatusIn
from simpul_education.settings import EducationSettings
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

LOKUS_SEED = SEED + 104  # social draws the lokus desa first from this seed: the same desa
STATUS_SEED = SEED + 103


@dataclass(frozen=True)
class Chances:
    """How likely a child is in PAUD (3–4, 5–6), already in SD at 6, out of school (7–12,
    13–15, 16–18) and in kesetaraan instead, in one kind of desa."""

    paud_3_4: float
    paud_5_6: float
    out_7_12: float
    out_13_15: float
    out_16_18: float
    sd_at_6: float = 0.35
    paket: float = 0.03


# APK PAUD and APS by age as Kaltim's regional figures run; lower in poor (lokus) desa.
OTHER_DESA = Chances(paud_3_4=0.40, paud_5_6=0.80, out_7_12=0.01, out_13_15=0.06, out_16_18=0.15)
LOKUS_DESA = Chances(paud_3_4=0.20, paud_5_6=0.50, out_7_12=0.03, out_13_15=0.12, out_16_18=0.28)
HISTORY_SHARE = 0.5  # children with a status a year before the current one
UNRECORDED_SHARE = 0.03  # not yet reached by a kader's census

Entry = tuple[Status, int | None]  # (status, kelas)


def _school(age: int, rng: random.Random) -> Entry:
    """The jenjang and kelas of a child of ``age`` in school on time (SD kelas 1 at 7)."""
    kelas = age - 6
    if kelas <= 6:
        return "sd", max(kelas, 1)
    if kelas <= 9:
        return "smp", kelas
    return ("sma" if rng.random() < 0.6 else "smk"), min(kelas, 12)


def current_status(age: int, rng: random.Random, chances: Chances) -> Entry:
    """A child's status today, by age and the desa's chances."""
    draw = rng.random()
    if age < 3:
        return "not_school_age", None
    if age <= 4:
        return ("paud" if draw < chances.paud_3_4 else "not_school_age"), None
    if age <= 6:
        if age == 6 and draw < chances.sd_at_6:
            return "sd", 1
        return ("paud" if rng.random() < chances.paud_5_6 else "not_school_age"), None
    paket: Status
    if age <= 12:
        out, paket = chances.out_7_12, "paket_a"
    elif age <= 15:
        out, paket = chances.out_13_15, "paket_b"
    else:
        out, paket = chances.out_16_18, "paket_c"
    if draw < out:
        return "out_of_school", None
    if draw < out + chances.paket:
        return paket, None
    return _school(age, rng)


def previous_status(age: int, now: Entry, rng: random.Random) -> Entry | None:
    """What the child was doing a year earlier, on the way to ``now`` (None: nothing to say)."""
    status, kelas = now
    if status == "paud" and age >= 4:
        return "not_school_age", None
    if status == "sd" and kelas == 1:
        return "paud", None
    if kelas is not None and kelas > 1:
        jenjang = status if kelas - 1 >= 10 else ("sd" if kelas - 1 <= 6 else "smp")
        return jenjang, kelas - 1
    if status == "out_of_school" and age >= 8:
        return _school(age - 1, rng)  # dropped out during the year
    if status.startswith("paket_"):
        return "out_of_school", None  # brought back through kesetaraan
    return None


def _unit(status: str, desa: str, rng: random.Random) -> dict[str, Any]:
    """The unit a status names (PAUD, school or PKBM), with an NPSN for schools."""
    place = desa[-4:]
    if status == "paud":
        return {"unit_name": f"PAUD Pos {place}"}
    if status.startswith("paket_"):
        return {"unit_name": f"PKBM Desa {place}"}
    if status in ("sd", "smp", "sma", "smk"):
        name = {"sd": "SDN", "smp": "SMPN", "sma": "SMAN", "smk": "SMKN"}[status]
        npsn = f"304{rng.randint(0, 99999):05d}"
        return {"unit_name": f"{name} {rng.randint(1, 30):03d}", "npsn": npsn}
    return {}


def statuses_for(
    person: dict[str, Any], today: date, rng: random.Random, chances: Chances
) -> list[StatusIn]:
    """A child's statuses, oldest first: none, the current one, or last year's and today's."""
    if rng.random() < UNRECORDED_SHARE:
        return []
    age = age_years(person["birth_date"], today)
    now = current_status(age, rng, chances)
    entries: list[tuple[date, Entry]] = [(today - timedelta(days=rng.randint(0, 90)), now)]
    before = previous_status(age, now, rng) if rng.random() < HISTORY_SHARE else None
    if before is not None:
        entries.insert(0, (today - timedelta(days=365 + rng.randint(0, 60)), before))
    return [
        StatusIn(
            status=status,
            kelas=kelas,
            source=_source(status, rng),
            on=on,
            **_unit(status, person["desa_code"], rng),
        )
        for on, (status, kelas) in entries
    ]


def _source(status: str, rng: random.Random) -> Source:
    if status in ("sd", "smp", "sma", "smk") and rng.random() < 0.5:
        return "school" if rng.random() < 0.5 else "dapodik_match"
    return "kader_census"


def child_in(person: dict[str, Any]) -> ChildIn:
    return ChildIn(
        nik=person["nik"],
        kk=person["kk"],
        name=person["name"],
        sex="P" if person["sex"] == "F" else "L",
        birth_date=person["birth_date"],
        posyandu_id=person["posyandu_id"],
    )


async def load_demo(
    db: Database, settings: EducationSettings, size: DemoSize | None = None
) -> dict[str, int]:
    """Children 0–18 and their statuses for every active Kukar posyandu in the replica;
    nothing when children are already there (loading twice adds nothing)."""
    async with db.sessions() as session:
        if (await session.execute(select(func.count()).select_from(Child))).scalar_one():
            return {"children": 0}
    size = size or DemoSize()
    posyandu = await kukar_posyandu(db)
    places = [(p.posyandu_id, p.desa_code) for p in posyandu]
    secret = settings.pseudonym_secret
    balita = generate_balita(
        places, seed=SEED, per_posyandu=size.balita_per_posyandu, secret=secret
    )
    older = demo_school_age(places, size, secret=secret)  # social assesses their households
    by_posyandu: dict[str, list[dict[str, Any]]] = {}
    for person in [child.target for child in balita] + older:
        by_posyandu.setdefault(person["posyandu_id"], []).append(person)
    lokus = lokus_desa((p.desa_code for p in posyandu), random.Random(LOKUS_SEED))
    rng, today, outbox = random.Random(STATUS_SEED), local_today(settings), Outbox(settings)
    counts: Counter[str] = Counter()
    active = sorted(p.posyandu_id for p in posyandu if p.active)
    progress = Progress("children with their statuses", len(active), unit="posyandu")
    for posyandu_id in active:
        plans: list[Plan] = [
            (child_in(person), statuses_for(person, today, rng, _chances(person, lokus)))
            for person in by_posyandu.get(posyandu_id, [])
        ]
        async with db.sessions() as session:
            uow = UnitOfWork(session, outbox)
            counts += await _children(uow, settings, plans, today)
            await uow.commit()
        progress.advance()
    progress.done(counts["children"], "children")
    counts.update(await timed("PAUD, BKB and literacy", paud_enrolments(db, settings)))
    counts.update(await timed("ATS cases", ats_cases(db, settings)))
    return {"children": 0, "statuses": 0, **counts}


def _chances(person: dict[str, Any], lokus: set[str]) -> Chances:
    return LOKUS_DESA if person["desa_code"] in lokus else OTHER_DESA


async def _children(
    uow: UnitOfWork, settings: EducationSettings, plans: list[Plan], today: date
) -> Counter[str]:
    """A posyandu's children registered with their statuses in one batch, in its transaction;
    a population NIK the service refuses is left out (the demo goes on without it)."""
    results = await register_children(
        uow, PRINCIPAL, plans, secret=settings.pseudonym_secret, today=today
    )
    made = [
        len(statuses)
        for (_, statuses), r in zip(plans, results, strict=True)
        if isinstance(r, Child)
    ]
    return Counter({"children": len(made), "statuses": sum(made)})


async def _main() -> None:
    settings = EducationSettings()
    db = await settled_database(settings, MIGRATIONS)
    print(f"demo: {await load_demo(db, settings)}")
    await db.dispose()


if __name__ == "__main__":
    asyncio.run(_main())
