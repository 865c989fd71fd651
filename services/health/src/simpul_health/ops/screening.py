"""Screening of remaja, usia produktif and lansia; its follow-up."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.engine import RowMapping
from sqlmodel import col, select

from simpul_health.domain.lifecycle import age_in_years, life_cycle_group
from simpul_health.domain.screening import (
    SCREENING_FLAGS,
    ScreeningInput,
    bmi,
    check_blood_pressure,
    initial_follow_up,
    screening_flags,
)
from simpul_health.events import ScreeningRecorded
from simpul_health.models import Screening, Target
from simpul_health.ops import area_codes, tally
from simpul_health.ops.access import target_at, visible, writable_posyandu
from simpul_health.schemas.screening import FollowUpIn, ScreeningIn
from simpul_platform.auth import Principal
from simpul_platform.domain import RuleViolation, not_in_future
from simpul_platform.events import new_id
from simpul_platform.uow import UnitOfWork

MIN_AGE_YEARS = 10  # remaja onwards


def check_measures(body: ScreeningIn) -> None:
    """Readings that only make sense together come together, and in order."""
    if (body.glucose_mg_dl is None) != (body.glucose_kind is None):
        raise RuleViolation(
            "glucose_kind",
            "glucose_kind_required",
            "Send glucose_mg_dl together with glucose_kind.",
        )
    check_blood_pressure(body.systolic, body.diastolic)


async def record(
    uow: UnitOfWork, principal: Principal, body: ScreeningIn, today: date
) -> Screening:
    """Stage a screening (blood pressure, glucose, Hb, BMI) with its flags, and announce it."""
    target, posyandu = await target_at(
        uow.session, principal, body.target_id, body.posyandu_id, in_body=True
    )
    s = _screening(principal, target, posyandu, body, today, datetime.now(UTC))
    # The person counts where registered, wherever screened.
    await tally.invalidate(uow.session, target.posyandu_id, body.screened_on)
    _stage(uow, target, s)
    return s


async def record_many(
    uow: UnitOfWork, principal: Principal, bodies: Sequence[ScreeningIn], today: date
) -> list[Screening]:
    """``record`` for a posyandu day's screenings (or a year's, as the demo loads them): the
    same rules, rows and events, with one read of the targets and the posyandu and one
    invalidation per registering posyandu. The first refusal refuses them all."""
    found = await uow.session.execute(
        select(Target).where(col(Target.id).in_({b.target_id for b in bodies}))
    )
    targets = {t.id: t for t in found.scalars()}
    places: dict[str, RowMapping] = {}
    now, staged = datetime.now(UTC), []
    for body in bodies:
        target = targets.get(body.target_id)
        if target is None or not principal.can_see(target.desa_code):
            raise RuleViolation("target_id", "unknown_target", "No such target.")
        where = body.posyandu_id or target.posyandu_id
        if where not in places:
            places[where] = await writable_posyandu(uow.session, principal, where)
        staged.append((target, _screening(principal, target, places[where], body, today, now)))
    earliest: dict[str, date] = {}
    for target, s in staged:
        earliest[target.posyandu_id] = min(
            s.screened_on, earliest.get(target.posyandu_id, s.screened_on)
        )
    for posyandu_id, since in earliest.items():
        await tally.invalidate(uow.session, posyandu_id, since)
    for target, s in staged:
        _stage(uow, target, s)
    return [s for _, s in staged]


def _screening(
    principal: Principal,
    target: Target,
    posyandu: RowMapping,
    body: ScreeningIn,
    today: date,
    now: datetime,
) -> Screening:
    """The screening's row with its flags, once the rules allow it."""
    not_in_future(body.screened_on, today, "screened_on")
    age = age_in_years(target.birth_date, body.screened_on)
    if age < MIN_AGE_YEARS:
        raise RuleViolation(
            "target_id",
            "too_young_for_screening",
            "Screening is for remaja (10+), usia produktif and lansia.",
        )
    check_measures(body)
    flags = screening_flags(
        ScreeningInput(
            age,
            target.sex,  # type: ignore[arg-type]
            body.systolic,
            body.diastolic,
            body.glucose_mg_dl,
            body.glucose_kind,
            body.hb_g_dl,
            body.weight_kg,
            body.height_cm,
        )
    )
    return Screening(
        id=new_id(),
        target_id=target.id,
        posyandu_id=posyandu["posyandu_id"],
        **area_codes(posyandu["desa_code"]),
        screened_on=body.screened_on,
        life_cycle_group=life_cycle_group(target.birth_date, body.screened_on),
        age_years=age,
        **body.model_dump(exclude={"target_id", "screened_on", "posyandu_id"}),
        bmi=bmi(body.weight_kg, body.height_cm),
        **_flag_columns(flags),
        follow_up=initial_follow_up(flags),
        created_by=principal.subject,
        created_at=now,
        updated_by=principal.subject,
        updated_at=now,
    )


def _stage(uow: UnitOfWork, target: Target, s: Screening) -> None:
    uow.session.add(s)
    uow.publish(
        ScreeningRecorded(
            screening_id=s.id,
            person_ref=target.person_ref,
            posyandu_id=s.posyandu_id,
            desa_code=s.desa_code,
            life_cycle_group=s.life_cycle_group,
            screened_on=s.screened_on,
            flags=[f for f in SCREENING_FLAGS if getattr(s, f)],
            follow_up=s.follow_up,
        ),
        subject=s.id,
    )


async def follow_up(
    uow: UnitOfWork, principal: Principal, screening_id: str, body: FollowUpIn
) -> Screening:
    """Stage a screening's follow-up status (referred → visited/treated/declined)."""
    s = await visible(uow.session, principal, Screening, screening_id, "screening")
    s.follow_up, s.updated_by, s.updated_at = body.follow_up, principal.subject, datetime.now(UTC)
    uow.session.add(s)
    return s


def _flag_columns(flags: list[str]) -> dict[str, Any]:
    return {f: f in flags for f in SCREENING_FLAGS}


def with_flags(s: Screening) -> dict[str, Any]:
    """The screening with its flags as a list."""
    return {**s.model_dump(), "flags": [f for f in SCREENING_FLAGS if getattr(s, f)]}
