"""The demo's PAUD-HI, literacy and ATS cases, once its children are there
(``simpul_education.demo`` loads the children and statuses, then calls these).

Every child whose current status is PAUD is enrolled at that unit with monthly attendance marks,
some families of under-threes join a BKB class, and each posyandu holds a few literacy sessions;
every child 7–18 out of school gets an ATS case stepped towards a planned end (``ATS_ENDS``), so
every state of the workflow is reached. Everything goes through the service's own operations,
one transaction per posyandu, by the demo's Dinas Pendidikan principal. The seeds are fixed, and
the draws run in the same order on every load (children by NIK, the population's own key, never
by the random ids the service gives them), so for the same posyandu the output does not change.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta

from sqlmodel import col, select

from simpul_education.domain.ats import ProblemDomain
from simpul_education.domain.children import age_years
from simpul_education.domain.literacy import LiteracyKind
from simpul_education.domain.status import KELAS
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
from simpul_education.ops.literacy import create_session
from simpul_education.ops.paud import enrol, join_bkb, record_attendances
from simpul_education.schemas.ats import ClassifyIn, CloseIn, EnrollIn, ReferIn, ResiduIn, VerifyIn
from simpul_education.schemas.literacy import LiteracySessionIn, ParticipantsIn
from simpul_education.schemas.paud import BkbMembershipIn, PaudEnrolmentIn
from simpul_education.settings import EducationSettings
from simpul_platform import replica, tallies
from simpul_platform.auth import NATIONWIDE, Principal
from simpul_platform.clock import local_today
from simpul_platform.db import Database
from simpul_platform.domain import RuleViolation
from simpul_platform.errors import ProblemError
from simpul_platform.outbox import Outbox
from simpul_platform.uow import UnitOfWork

SEED = 2025  # the balita seed health generates with; the demo's other seeds are offsets of it
PRINCIPAL = Principal("demo", frozenset({"opd:education"}), (NATIONWIDE,))
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


async def paud_enrolments(db: Database, settings: EducationSettings) -> dict[str, int]:
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
            async with replica.cached(session), tallies.deferred(session):  # once, not per record
                for child in sorted(children, key=lambda c: c.nik):
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
    given = [
        (month, "attended" if rng.random() < ATTENDED_SHARE else "not_attended")
        for month in range(on.month, last_month + 1)
    ]
    await record_attendances(uow, PRINCIPAL, enrolment, given, today=today)
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


async def ats_cases(db: Database, settings: EducationSettings) -> dict[str, int]:
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
        query = select(Child).where(Child.status == "out_of_school").order_by(col(Child.nik))
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
