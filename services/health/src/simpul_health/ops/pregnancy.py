"""Ibu hamil: registering a pregnancy, ANC visits K1…K6 with risk flags, the delivery."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import case, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_health.domain.birth import BIRTH_OUTCOMES, check_delivery, delivered_to_standard
from simpul_health.domain.lifecycle import age_in_years
from simpul_health.domain.pregnancy import MaternalObservation, merge_flags, risk_flags
from simpul_health.events import DeliveryRecorded, PregnancyRiskFlagged
from simpul_health.models import AncVisit, Pregnancy, Target
from simpul_health.ops import area_codes, kept, tally
from simpul_health.ops.access import target_at, visible, writable_posyandu
from simpul_health.schemas.pregnancy import AncVisitIn, DeliveryIn, PregnancyIn
from simpul_platform.auth import Principal
from simpul_platform.domain import RuleViolation, not_in_future
from simpul_platform.errors import Conflict
from simpul_platform.events import new_id
from simpul_platform.indicators import Period
from simpul_platform.uow import UnitOfWork

NAEGELE = timedelta(days=280)  # estimated delivery: HPHT + 280 days
MAX_LMP_BEFORE_REGISTRATION = timedelta(days=300)


async def register(
    uow: UnitOfWork, principal: Principal, body: PregnancyIn, today: date
) -> Pregnancy:
    """Stage a woman's pregnancy (the first ANC contact may carry LiLA and Hb)."""
    target, posyandu = await target_at(
        uow.session, principal, body.target_id, body.posyandu_id, in_body=True
    )
    not_in_future(body.registered_on, today, "registered_on")
    if target.sex != "F":
        raise RuleViolation("target_id", "not_a_woman", "Only a woman can be pregnant.")
    if (
        not timedelta(0)
        <= body.registered_on - body.last_menstrual_period
        <= (MAX_LMP_BEFORE_REGISTRATION)
    ):
        raise RuleViolation(
            "last_menstrual_period",
            "implausible_lmp",
            "HPHT must be 0–300 days before registration.",
        )
    await _no_ongoing(uow.session, target.id)
    now = datetime.now(UTC)
    p = Pregnancy(
        id=new_id(),
        target_id=target.id,
        posyandu_id=posyandu["posyandu_id"],
        **area_codes(posyandu["desa_code"]),
        registered_on=body.registered_on,
        last_menstrual_period=body.last_menstrual_period,
        estimated_delivery=body.last_menstrual_period + NAEGELE,
        gravida=body.gravida,
        status="ongoing",
        flags="",
        created_by=principal.subject,
        created_at=now,
        updated_by=principal.subject,
        updated_at=now,
    )
    obs = MaternalObservation(
        age_years=age_in_years(target.birth_date, body.registered_on),
        lila_cm=body.lila_cm,
        hb_g_dl=body.hb_g_dl,
    )
    # Before the row is staged: a statement flushes, and a refusal belongs to the commit.
    await tally.invalidate(uow.session, p.posyandu_id, p.estimated_delivery)
    _flag(uow, p, target, risk_flags(obs), body.registered_on)
    uow.session.add(p)
    return p


async def _no_ongoing(session: AsyncSession, target_id: str) -> None:
    open_one = (
        await session.execute(
            select(col(Pregnancy.id)).where(
                col(Pregnancy.target_id) == target_id, col(Pregnancy.status) == "ongoing"
            )
        )
    ).first()
    if open_one:
        raise Conflict("This woman already has an ongoing pregnancy.", pregnancy_id=open_one[0])


async def record_anc_visit(
    uow: UnitOfWork, principal: Principal, pregnancy_id: str, body: AncVisitIn, today: date
) -> Pregnancy:
    """Stage ANC visit K1…K6 with LiLA, Hb, blood pressure and iron tablets."""
    p = await _ongoing(uow, principal, pregnancy_id, "visited_on", body.visited_on, today)
    target = await uow.session.get(Target, p.target_id)
    assert target is not None
    await tally.invalidate(uow.session, p.posyandu_id, p.estimated_delivery)  # before staging
    flags = risk_flags(
        MaternalObservation(
            age_years=age_in_years(target.birth_date, body.visited_on),
            lila_cm=body.lila_cm,
            hb_g_dl=body.hb_g_dl,
            systolic=body.systolic,
            diastolic=body.diastolic,
        )
    )
    uow.session.add(
        AncVisit(
            id=new_id(),
            pregnancy_id=p.id,
            **body.model_dump(),
            flags=",".join(flags),
            created_by=principal.subject,
            created_at=datetime.now(UTC),
        )
    )
    p.anc_visits = max(p.anc_visits, body.visit_number)
    p.updated_by, p.updated_at = principal.subject, datetime.now(UTC)
    _flag(uow, p, target, flags, body.visited_on)
    uow.session.add(p)
    return p


async def record_delivery(
    uow: UnitOfWork, principal: Principal, pregnancy_id: str, body: DeliveryIn, today: date
) -> Pregnancy:
    """Stage how the pregnancy ended; a birth says where and who attended it, which decides
    whether it was to standard (SPM ibu bersalin), and is announced."""
    p = await _ongoing(uow, principal, pregnancy_id, "delivered_on", body.delivered_on, today)
    attendants = check_delivery(body.outcome, body.delivery_place, body.delivery_attendants)
    birth = body.outcome in BIRTH_OUTCOMES
    p.status = "delivered" if birth else "ended"
    p.delivered_on, p.outcome, p.birth_weight_kg = (
        body.delivered_on,
        body.outcome,
        body.birth_weight_kg,
    )
    p.delivery_place = body.delivery_place
    p.delivery_attendants = ",".join(attendants) or None
    p.delivered_to_standard = birth and delivered_to_standard(body.delivery_place, attendants)
    p.updated_by, p.updated_at = principal.subject, datetime.now(UTC)
    uow.session.add(p)
    if birth:
        # A miscarriage or an abortion stays in health: only a birth goes on the wire.
        target = await uow.session.get(Target, p.target_id)
        assert target is not None
        uow.publish(
            DeliveryRecorded(
                pregnancy_id=p.id,
                person_ref=target.person_ref,
                posyandu_id=p.posyandu_id,
                desa_code=p.desa_code,
                delivered_on=body.delivered_on,
                outcome=body.outcome,
                delivery_place=p.delivery_place,
                delivered_to_standard=p.delivered_to_standard,
            ),
            subject=p.id,
        )
    since = min(body.delivered_on, p.estimated_delivery)  # no longer due: counted delivered
    await tally.invalidate(uow.session, p.posyandu_id, since)
    await kept.recount(uow.session, "ibu_bersalin", p.posyandu_id, [body.delivered_on])
    return p


def delivery_counts(posyandu_id: str, period: Period) -> Any:
    """SPM ibu bersalin for one posyandu and period: (births to standard, births recorded),
    a birth being a live birth or a stillbirth delivered in the period."""
    P = Pregnancy
    return select(
        func.coalesce(func.sum(case((col(P.delivered_to_standard), 1), else_=0)), 0),
        func.count(),
    ).where(
        col(P.posyandu_id) == posyandu_id,
        col(P.outcome).in_(BIRTH_OUTCOMES),
        col(P.delivered_on).between(period.start, period.end),
    )


async def _ongoing(
    uow: UnitOfWork, principal: Principal, pregnancy_id: str, field: str, day: date, today: date
) -> Pregnancy:
    """The pregnancy a visit or delivery on ``day`` (``field``) is recorded against: visible,
    at a posyandu the caller may write to, still ongoing, and ``day`` within it."""
    p = await visible(uow.session, principal, Pregnancy, pregnancy_id, "pregnancy")
    await writable_posyandu(uow.session, principal, p.posyandu_id)
    not_in_future(day, today, field)
    if p.status != "ongoing":
        raise Conflict(f"The pregnancy is {p.status}.")
    if day < p.last_menstrual_period:
        raise RuleViolation(field, "before_pregnancy", "The date is before HPHT.")
    return p


def _flag(uow: UnitOfWork, p: Pregnancy, target: Target, new: list[str], on: date) -> None:
    """Raise the pregnancy's flags; announce when the set grew."""
    before = [f for f in p.flags.split(",") if f]
    merged = merge_flags(before, new)
    p.flags = ",".join(merged)
    if set(merged) - set(before):
        uow.publish(
            PregnancyRiskFlagged(
                pregnancy_id=p.id,
                person_ref=target.person_ref,
                household_ref=target.household_ref,
                posyandu_id=p.posyandu_id,
                desa_code=p.desa_code,
                flags=merged,
                recorded_on=on,
            ),
            subject=p.id,
        )


async def with_visits(session: AsyncSession, p: Pregnancy) -> dict[str, Any]:
    """The pregnancy with its ANC visits, flags as lists and the iron tablets given."""
    visits = (
        (
            await session.execute(
                select(AncVisit)
                .where(col(AncVisit.pregnancy_id) == p.id)
                .order_by(col(AncVisit.visit_number))
            )
        )
        .scalars()
        .all()
    )
    return {
        **p.model_dump(),
        "flags": [f for f in p.flags.split(",") if f],
        "delivery_attendants": [a for a in (p.delivery_attendants or "").split(",") if a],
        "iron_tablets_total": sum(v.iron_tablets for v in visits),
        "visits": [
            {**v.model_dump(), "flags": [f for f in v.flags.split(",") if f]} for v in visits
        ],
    }
