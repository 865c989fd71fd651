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
the desa's verification and some verified with an economic problem (referred to social).
Everything is written through the service's own operations (validation, attribution, outbox
events), one transaction per posyandu, by a Dinas Pendidikan principal.

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
from sqlmodel import col, select

from simpul_education.app import MIGRATIONS
from simpul_education.domain.ats import ProblemDomain
from simpul_education.domain.children import age_years
from simpul_education.domain.literacy import LiteracyKind
from simpul_education.domain.status import KELAS, Source, Status
from simpul_education.models import AtsCase, Child, ChildStatus
from simpul_education.ops.ats import (
    classify,
    close,
    enroll,
    mark_residu,
    open_case,
    refer,
    verify,
)
from simpul_education.ops.ats_reads import last_schooling
from simpul_education.ops.children import create_child, record_status
from simpul_education.ops.literacy import create_session
from simpul_education.ops.paud import enrol, join_bkb, record_attendance
from simpul_education.schemas.ats import ClassifyIn, CloseIn, EnrollIn, ReferIn, ResiduIn, VerifyIn
from simpul_education.schemas.children import ChildIn, StatusIn
from simpul_education.schemas.literacy import LiteracySessionIn, ParticipantsIn
from simpul_education.schemas.paud import BkbMembershipIn, PaudEnrolmentIn
from simpul_education.settings import EducationSettings
from simpul_platform.auth import NATIONWIDE, Principal
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
from simpul_platform.domain import RuleViolation
from simpul_platform.errors import ProblemError
from simpul_platform.outbox import Outbox
from simpul_platform.uow import UnitOfWork

SEED = 2025  # the balita seed health generates with: the same children
LOKUS_SEED = SEED + 104  # social draws the lokus desa first from this seed: the same desa
STATUS_SEED = SEED + 103
PRINCIPAL = Principal("demo", frozenset({"opd:education"}), (NATIONWIDE,))


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
PAUD_SEED = SEED + 105
ATS_SEED = SEED + 106
# Where an ATS case ends up (its last step), in proportion; every state is reached.
ATS_ENDS = {
    "detect": 15,
    "classify": 10,
    "verify": 15,
    "refer": 15,
    "enroll": 25,
    "close": 8,
    "mark_residu": 12,
}
ATS_PATH = ["detect", "classify", "verify", "refer", "enroll"]
PROBLEMS: list[ProblemDomain] = ["ekonomi", "sosial", "kesehatan", "lainnya"]
PROBLEM_WEIGHTS = [50, 25, 10, 15]
BKB_SHARE = 0.25  # families of under-threes in a BKB class
ATTENDED_SHARE = 0.85  # PAUD months attended
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
    for posyandu_id in sorted(p.posyandu_id for p in posyandu if p.active):
        async with db.sessions() as session:
            uow = UnitOfWork(session, outbox)
            for person in by_posyandu.get(posyandu_id, []):
                chances = LOKUS_DESA if person["desa_code"] in lokus else OTHER_DESA
                counts += await _child(uow, settings, person, today, rng, chances)
            await uow.commit()
    counts.update(await _paud_enrolments(db, settings))
    counts.update(await _ats_cases(db, settings))
    return {"children": 0, "statuses": 0, **counts}


async def _child(
    uow: UnitOfWork,
    settings: EducationSettings,
    person: dict[str, Any],
    today: date,
    rng: random.Random,
    chances: Chances,
) -> Counter[str]:
    """One child registered and given its statuses, in the posyandu's transaction."""
    plan = statuses_for(person, today, rng, chances)
    try:
        child = await create_child(
            uow, PRINCIPAL, child_in(person), secret=settings.pseudonym_secret, today=today
        )
    except ProblemError:  # a population NIK the service refuses: the demo goes on without it
        return Counter()
    for status in plan:
        await record_status(uow, PRINCIPAL, child, status, today=today)
    return Counter({"children": 1, "statuses": len(plan)})


# --- PAUD-HI, literacy and ATS cases, once the children are there --------------------------


async def _paud_enrolments(db: Database, settings: EducationSettings) -> dict[str, int]:
    """Every child whose current status is PAUD enrolled at that unit for the status's year,
    with a monthly attendance mark since (most attended); some families of under-threes in a
    BKB class; and a few literacy sessions at each posyandu over the last three months. One
    transaction per posyandu, through the service's own operations."""
    today, outbox = local_today(settings), Outbox(settings)
    rng = random.Random(PAUD_SEED)
    counts: Counter[str] = Counter()
    async with db.sessions() as session:
        posyandu_ids = (
            (
                await session.execute(
                    select(Child.posyandu_id).distinct().order_by(Child.posyandu_id)
                )
            )
            .scalars()
            .all()
        )
    for posyandu_id in posyandu_ids:
        async with db.sessions() as session:
            uow = UnitOfWork(session, outbox)
            children = (
                await session.exec(select(Child).where(Child.posyandu_id == posyandu_id))
            ).all()
            for child in sorted(children, key=lambda c: c.id):
                counts += await _paud_of(uow, settings, child, today, rng)
            counts += await _literacy(uow, posyandu_id, today, rng)
            await uow.commit()
    return dict(counts)


async def _paud_of(
    uow: UnitOfWork, settings: EducationSettings, child: Child, today: date, rng: random.Random
) -> Counter[str]:
    """A child in PAUD enrolled with its marks, or an under-three's family in BKB."""
    try:
        if child.status == "paud" and child.status_on is not None:
            return await _enrol(uow, child, child.status_on, today, rng)
        if child.status == "not_school_age" and rng.random() < BKB_SHARE:
            joined = max(child.birth_date, today - timedelta(days=rng.randint(0, 120)))
            body = BkbMembershipIn(
                posyandu_id=child.posyandu_id,
                kk=child.kk,
                group_name=f"BKB Pos {child.desa_code[-4:]}",
                joined_on=joined,
            )
            await join_bkb(uow, PRINCIPAL, body, secret=settings.pseudonym_secret, today=today)
            return Counter({"bkb_families": 1})
    except ProblemError:  # a family already in a class (a sibling's), or a rule the plan missed
        return Counter()
    return Counter()


async def _enrol(
    uow: UnitOfWork, child: Child, on: date, today: date, rng: random.Random
) -> Counter[str]:
    latest = (
        await uow.session.exec(
            select(ChildStatus)
            .where(ChildStatus.child_id == child.id, ChildStatus.status == "paud")
            .order_by(col(ChildStatus.on).desc())
        )
    ).first()
    unit = latest.unit_name if latest is not None and latest.unit_name else "PAUD Pos"
    body = PaudEnrolmentIn(
        child_id=child.id, unit_name=unit, year=on.year, enrolled_on=on, source="kader_census"
    )
    enrolment, _, _ = await enrol(uow, PRINCIPAL, body, today=today)
    last_month = today.month if on.year == today.year else 12
    for month in range(on.month, last_month + 1):
        mark = "attended" if rng.random() < ATTENDED_SHARE else "not_attended"
        await record_attendance(uow, PRINCIPAL, enrolment, month, mark, today=today)
    return Counter({"paud_enrolments": 1, "attendance_marks": last_month - on.month + 1})


async def _literacy(
    uow: UnitOfWork, posyandu_id: str, today: date, rng: random.Random
) -> Counter[str]:
    """Two sessions at the posyandu in the last three months, of two kinds."""
    held = 0
    kinds: tuple[LiteracyKind, ...] = ("reading_session", "taman_bacaan")
    for kind in kinds:
        body = LiteracySessionIn(
            posyandu_id=posyandu_id,
            held_on=today - timedelta(days=rng.randint(0, 90)),
            kind=kind,
            participants=ParticipantsIn(
                age_0_6=rng.randint(3, 15),
                age_7_12=rng.randint(0, 10),
                age_13_18=rng.randint(0, 4),
                adults=rng.randint(2, 12),
            ),
            facilitator="kader",
        )
        try:
            await create_session(uow, PRINCIPAL, body, today=today)
            held += 1
        except ProblemError:  # an inactive posyandu's children stay, its sessions do not
            continue
    return Counter({"literacy_sessions": held})


async def _ats_cases(db: Database, settings: EducationSettings) -> dict[str, int]:
    """An ATS case for every child 7–18 out of school above, detected over the last five
    months by a kader's census or a Dapodik match and taken as far as its planned end
    (``ATS_ENDS``): some still waiting for the desa's verification (overdue when detected
    long enough ago), some classified, verified (an economic problem refers the household to
    social), referred, enrolled back through PPDB or a PKBM, closed as not eligible, or
    residu. One transaction per posyandu, through the service's own operations."""
    today, outbox = local_today(settings), Outbox(settings)
    rng = random.Random(ATS_SEED)
    counts: Counter[str] = Counter()
    async with db.sessions() as session:
        query = select(Child).where(Child.status == "out_of_school").order_by(col(Child.id))
        out = [c for c in (await session.exec(query)).all() if age_years(c.birth_date, today) >= 7]
    by_posyandu: dict[str, list[str]] = {}
    for found in out:
        by_posyandu.setdefault(found.posyandu_id, []).append(found.id)
    for posyandu_id in sorted(by_posyandu):
        async with db.sessions() as session:
            uow = UnitOfWork(session, outbox)
            for child_id in by_posyandu[posyandu_id]:
                child = await session.get(Child, child_id)
                if child is not None:
                    counts += await _ats_case(uow, settings, child, today, rng)
            await uow.commit()
    return dict(counts)


async def _ats_case(
    uow: UnitOfWork, settings: EducationSettings, child: Child, today: date, rng: random.Random
) -> Counter[str]:
    """One child's case, detected on or after its out-of-school status and stepped towards a
    planned end; a step the rules refuse (no Paket fits, say) leaves it where it got to."""
    end = rng.choices(list(ATS_ENDS), weights=list(ATS_ENDS.values()))[0]
    since = child.status_on or today
    day = max(since, today - timedelta(days=rng.randint(3, 150)))
    source = "dapodik_match" if rng.random() < 0.3 else "kader_census"
    try:
        case = await open_case(
            uow, PRINCIPAL, settings, child, source=source, detected_on=day, today=today
        )
    except (ProblemError, RuleViolation):  # past 18 on the detection day, say
        return Counter()
    try:
        for step in _plan(end, rng):
            day = min(today, day + timedelta(days=rng.randint(0, 12)))
            await _ats_step(uow, settings, case, child, step, day, today, rng)
    except (ProblemError, RuleViolation):  # where the rules stop it, it stays
        pass
    return Counter({"ats_cases": 1, f"ats_{case.status}": 1})


def _plan(end: str, rng: random.Random) -> list[str]:
    """The steps after detection that take a case to ``end``: along the path, or part of it
    and then closed (possible until referred) or residu (until verified)."""
    if end in ATS_PATH:
        return ATS_PATH[1 : ATS_PATH.index(end) + 1]
    reach = rng.randint(0, 3 if end == "close" else 2)
    return [*ATS_PATH[1 : reach + 1], end]


async def _ats_step(
    uow: UnitOfWork,
    settings: EducationSettings,
    case: AtsCase,
    child: Child,
    step: str,
    day: date,
    today: date,
    rng: random.Random,
) -> None:
    """Take one step of ``case`` on ``day`` with plausible codes."""
    if step == "classify":
        schooled = await last_schooling(uow.session, child.id) is not None
        category = ("do" if rng.random() < 0.7 else "ltm") if schooled else "bpb"
        body = ClassifyIn(category=category, classified_on=day)
        await classify(uow, PRINCIPAL, case, body, today)
    elif step == "verify":
        problem = rng.choices(PROBLEMS, weights=PROBLEM_WEIGHTS)[0]
        reason = {"ekonomi": "biaya", "kesehatan": "sakit_disabilitas"}.get(problem, "lingkungan")
        verified = VerifyIn(reason_code=reason, problem_domain=problem, verified_on=day)
        await verify(uow, PRINCIPAL, settings, case, verified, today)
    elif step == "refer":
        path = "spnf_pkbm" if age_years(child.birth_date, day) >= 13 else "ppdb"
        await refer(uow, PRINCIPAL, settings, case, ReferIn(path=path, referred_on=day), today)
    elif step == "enroll":
        await enroll(uow, PRINCIPAL, case, _enrolment(case, child, day), today)
    elif step == "close":
        await close(uow, PRINCIPAL, case, CloseIn(reason="moved", closed_on=day), today)
    elif step == "mark_residu":
        await mark_residu(uow, PRINCIPAL, case, ResiduIn(on=day), today)


def _enrolment(case: AtsCase, child: Child, day: date) -> EnrollIn:
    """Back at school at the kelas its age fits (PPDB), or in the Paket it was referred to."""
    place = child.desa_code[-4:]
    if case.paket is not None:
        return EnrollIn(status=case.paket, unit_name=f"PKBM Desa {place}", on=day)
    age = age_years(child.birth_date, day)
    status = "sd" if age <= 12 else "smp" if age <= 15 else "sma"
    low, high = KELAS[status]
    kelas = min(high, max(low, age - 6))
    return EnrollIn(status=status, kelas=kelas, unit_name=f"SDN {place}", on=day)


async def _main() -> None:
    settings = EducationSettings()
    db = await settled_database(settings, MIGRATIONS)
    print(f"demo: {await load_demo(db, settings)}")
    await db.dispose()


if __name__ == "__main__":
    asyncio.run(_main())
