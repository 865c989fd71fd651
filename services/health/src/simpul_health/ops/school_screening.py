"""Penjaringan kesehatan of school-age children: one per child per school year (July–June),
to standard when nutrition, vision, hearing and teeth were examined; each write recounts the
usia pendidikan dasar numerator where education places the child."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_health.domain.lifecycle import age_in_years
from simpul_health.domain.school import (
    SCREENING_MAX_AGE,
    SCREENING_MIN_AGE,
    kelas_fits,
    missing_components,
    school_year_label,
    school_year_start,
    to_standard,
)
from simpul_health.domain.screening import bmi, check_blood_pressure
from simpul_health.events import SchoolScreeningRecorded
from simpul_health.models import SchoolScreening, Target
from simpul_health.ops import area_codes
from simpul_health.ops.access import target_at, with_targets
from simpul_health.ops.school_children import recount_people
from simpul_health.schemas.school_screening import SchoolScreeningIn
from simpul_platform import locks
from simpul_platform.auth import Principal
from simpul_platform.domain import RuleViolation, not_in_future
from simpul_platform.errors import Conflict
from simpul_platform.events import new_id
from simpul_platform.indicators import Period
from simpul_platform.uow import UnitOfWork
from simpul_platform.wilayah import under

LOCK_CLASS = 0x5353  # health's school-screening locks, one per target


def check(body: SchoolScreeningIn, birth: date, today: date) -> None:
    """The body's rules beyond its fields' own: a date not ahead, a child of school age, a
    kelas of its jenjang, readings that come in pairs and in order."""
    not_in_future(body.screened_on, today, "screened_on")
    if body.screened_on < birth:
        raise RuleViolation("screened_on", "before_birth", "The child was not born yet.")
    age = age_in_years(birth, body.screened_on)
    if not SCREENING_MIN_AGE <= age <= SCREENING_MAX_AGE:
        raise RuleViolation(
            "target_id",
            "not_school_age",
            f"A school screening is of a child aged {SCREENING_MIN_AGE}–{SCREENING_MAX_AGE} "
            f"on the day (this one is {age}).",
        )
    if not kelas_fits(body.jenjang, body.kelas):
        raise RuleViolation("kelas", "kelas_outside_jenjang", "SD is kelas 1–6, SMP kelas 7–9.")
    check_blood_pressure(body.systolic, body.diastolic)


async def record(
    uow: UnitOfWork, principal: Principal, body: SchoolScreeningIn, today: date
) -> SchoolScreening:
    """Stage a child's school screening, announce it, and recount the child's numerator."""
    return (await record_many(uow, principal, [body], today))[0]


async def record_many(
    uow: UnitOfWork, principal: Principal, bodies: Sequence[SchoolScreeningIn], today: date
) -> list[SchoolScreening]:
    """``record`` for several screenings in the caller's transaction (a school's day, or a
    loader's posyandu): each checked as alone, in order, the one before it counting for the
    school year; the children read once, their locks taken and the numerators recounted once.
    The first refused raises, and the caller's transaction writes nothing."""
    if not bodies:
        return []
    session = uow.session
    ids = sorted({body.target_id for body in bodies})
    await with_targets(session, ids)  # each body's target_at then finds its own in the session
    found = [
        await target_at(session, principal, body.target_id, body.posyandu_id, in_body=True)
        for body in bodies
    ]
    for body, (target, _) in zip(bodies, found, strict=True):
        check(body, target.birth_date, today)
    await locks.hold(session, LOCK_CLASS, ids)  # two at once: the second sees the first
    taken = await _screened(session, ids, [body.screened_on for body in bodies])
    made = []
    for body, (target, posyandu) in zip(bodies, found, strict=True):
        _first_of_school_year(taken, target.id, body.screened_on)
        s = _screening(principal, body, target, posyandu)
        taken[target.id].append((s.id, s.screened_on))
        session.add(s)
        uow.publish(_recorded(s, body), subject=s.id)
        made.append(s)
    await session.flush()
    changes: dict[str, set[date]] = defaultdict(set)
    for s in made:
        changes[s.person_ref].add(s.screened_on)
    await recount_people(session, changes)
    return made


def _screening(
    principal: Principal, body: SchoolScreeningIn, target: Target, posyandu: Any
) -> SchoolScreening:
    values = body.model_dump(exclude={"target_id", "posyandu_id", "findings"})
    return SchoolScreening(
        id=new_id(),
        target_id=target.id,
        person_ref=target.person_ref,
        posyandu_id=posyandu["posyandu_id"],
        **area_codes(posyandu["desa_code"]),
        **values,
        findings=",".join(dict.fromkeys(body.findings)),
        to_standard=to_standard(values),
        created_by=principal.subject,
        created_at=datetime.now(UTC),
    )


def _recorded(s: SchoolScreening, body: SchoolScreeningIn) -> SchoolScreeningRecorded:
    return SchoolScreeningRecorded(
        screening_id=s.id,
        person_ref=s.person_ref,
        posyandu_id=s.posyandu_id,
        desa_code=s.desa_code,
        screened_on=s.screened_on,
        jenjang=body.jenjang,
        kelas=s.kelas,
        to_standard=s.to_standard,
        follow_up=s.follow_up,
    )


def _school_year(day: date) -> tuple[date, date]:
    start = school_year_start(day)
    return start, start.replace(year=start.year + 1) - timedelta(days=1)


async def _screened(
    session: AsyncSession, target_ids: list[str], days: list[date]
) -> dict[str, list[tuple[str, date]]]:
    """The children's screenings (id, day) in the school years of ``days``."""
    years = {_school_year(day) for day in days}
    first, last = min(start for start, _ in years), max(end for _, end in years)
    rows = await session.execute(
        select(
            col(SchoolScreening.target_id),
            col(SchoolScreening.id),
            col(SchoolScreening.screened_on),
        )
        .where(
            col(SchoolScreening.target_id).in_(target_ids),
            col(SchoolScreening.screened_on).between(first, last),
        )
        .order_by(col(SchoolScreening.screened_on))
    )
    taken: dict[str, list[tuple[str, date]]] = defaultdict(list)
    for target_id, screening_id, day in rows:
        taken[target_id].append((screening_id, day))
    return taken


def _first_of_school_year(
    taken: dict[str, list[tuple[str, date]]], target_id: str, day: date
) -> None:
    start, end = _school_year(day)
    found = next(((i, on) for i, on in taken[target_id] if start <= on <= end), None)
    if found:
        raise Conflict(
            f"The child was screened in school year {school_year_label(day)} already "
            f"(on {found[1].isoformat()}).",
            screening_id=found[0],
            school_year=school_year_label(day),
        )


async def list_screenings(
    session: AsyncSession,
    principal: Principal,
    *,
    posyandu_id: str | None,
    wilayah: str | None,
    period: Period | None,
    limit: int,
    offset: int,
) -> list[SchoolScreening]:
    """School screenings of a posyandu or wilayah inside the caller's scope, latest first."""
    query = (
        select(SchoolScreening)
        .where(under(col(SchoolScreening.desa_code), principal.visible_scopes(wilayah)))
        .order_by(col(SchoolScreening.screened_on).desc(), col(SchoolScreening.id))
        .limit(limit)
        .offset(offset)
    )
    if posyandu_id:
        query = query.where(col(SchoolScreening.posyandu_id) == posyandu_id)
    if period:
        query = query.where(col(SchoolScreening.screened_on).between(period.start, period.end))
    return list((await session.execute(query)).scalars().all())


def shaped(s: SchoolScreening) -> dict[str, Any]:
    """The screening as the API shows it: its findings as a list, BMI and what is missing."""
    values = s.model_dump()
    return {
        **values,
        "findings": [f for f in s.findings.split(",") if f],
        "school_year": school_year_label(s.screened_on),
        "bmi": bmi(s.weight_kg, s.height_cm),
        "missing_components": missing_components(values),
    }
