"""Ibu hamil: pregnancy registration, ANC visits K1…K6, risk flags, delivery outcome."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from fastapi import APIRouter
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from simpul_health.api.deps import HealthUser, codes, visible_target, writable_posyandu
from simpul_health.domain.lifecycle import age_in_years
from simpul_health.domain.pregnancy import MaternalObservation, merge_flags, risk_flags
from simpul_health.events import PregnancyRiskFlagged
from simpul_health.models import AncVisit, Pregnancy, Target
from simpul_health.schemas import AncVisitIn, DeliveryIn, PregnancyIn, PregnancyOut
from simpul_platform.auth import Principal
from simpul_platform.errors import Conflict, InvalidInput, NotFound
from simpul_platform.uow import SessionDep, UnitOfWork, UnitOfWorkDep

router = APIRouter(prefix="/v1/pregnancies", tags=["ibu hamil"])


def _not_future(field: str, day: date) -> None:
    if day > date.today():
        raise InvalidInput.field(field, "date_in_future", "The date is in the future.")


async def _out(session: Any, p: Pregnancy) -> dict[str, Any]:
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
        "iron_tablets_total": sum(v.iron_tablets for v in visits),
        "visits": [
            {**v.model_dump(), "flags": [f for f in v.flags.split(",") if f]} for v in visits
        ],
    }


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
            posyandu_id=p.posyandu_id,
            wilayah=p.desa_code,
            subject=p.id,
        )


async def _pregnancy(session: Any, principal: Principal, pregnancy_id: str) -> Pregnancy:
    p = await session.get(Pregnancy, pregnancy_id)
    if p is None:
        raise NotFound(f"No pregnancy {pregnancy_id}.")
    principal.require_wilayah(p.desa_code, hide=True)
    assert isinstance(p, Pregnancy)
    return p


@router.post("", status_code=201, response_model=PregnancyOut, operation_id="registerPregnancy")
async def register_pregnancy(body: PregnancyIn, uow: UnitOfWorkDep, principal: HealthUser) -> Any:
    """Register a pregnancy (the first ANC contact may carry LiLA and Hb)."""
    target = await visible_target(uow.session, principal, body.target_id)
    posyandu = await writable_posyandu(
        uow.session, principal, body.posyandu_id or target.posyandu_id
    )
    _not_future("registered_on", body.registered_on)
    if target.sex != "F":
        raise InvalidInput.field("target_id", "not_a_woman", "Only a woman can be pregnant.")
    if not timedelta(0) <= body.registered_on - body.last_menstrual_period <= timedelta(days=300):
        raise InvalidInput.field(
            "last_menstrual_period",
            "implausible_lmp",
            "HPHT must be 0–300 days before registration.",
        )
    open_one = (
        await uow.session.execute(
            select(col(Pregnancy.id)).where(
                col(Pregnancy.target_id) == target.id, col(Pregnancy.status) == "ongoing"
            )
        )
    ).first()
    if open_one:
        raise Conflict("This woman already has an ongoing pregnancy.", pregnancy_id=open_one[0])
    now = datetime.now(UTC)
    p = Pregnancy(
        id=str(uuid.uuid4()),
        target_id=target.id,
        posyandu_id=posyandu["posyandu_id"],
        **codes(posyandu["desa_code"]),
        registered_on=body.registered_on,
        last_menstrual_period=body.last_menstrual_period,
        estimated_delivery=body.last_menstrual_period + timedelta(days=280),  # Naegele
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
    _flag(uow, p, target, risk_flags(obs), body.registered_on)
    uow.session.add(p)
    await uow.commit()
    return await _out(uow.session, p)


@router.post(
    "/{pregnancy_id}/anc-visits",
    status_code=201,
    response_model=PregnancyOut,
    operation_id="recordAncVisit",
)
async def record_anc_visit(
    pregnancy_id: str, body: AncVisitIn, uow: UnitOfWorkDep, principal: HealthUser
) -> Any:
    """Record ANC visit K1…K6 with LiLA, Hb, blood pressure and iron tablets."""
    p = await _pregnancy(uow.session, principal, pregnancy_id)
    await writable_posyandu(uow.session, principal, p.posyandu_id)
    _not_future("visited_on", body.visited_on)
    if p.status != "ongoing":
        raise Conflict(f"The pregnancy is {p.status}.")
    if body.visited_on < p.last_menstrual_period:
        raise InvalidInput.field("visited_on", "before_pregnancy", "The visit is before HPHT.")
    target = await uow.session.get(Target, p.target_id)
    assert target is not None
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
            id=str(uuid.uuid4()),
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
    try:
        await uow.commit()
    except IntegrityError as exc:
        await uow.rollback()
        raise Conflict(f"K{body.visit_number} is already recorded.") from exc
    return await _out(uow.session, p)


@router.post("/{pregnancy_id}/delivery", response_model=PregnancyOut, operation_id="recordDelivery")
async def record_delivery(
    pregnancy_id: str, body: DeliveryIn, uow: UnitOfWorkDep, principal: HealthUser
) -> Any:
    """Record how the pregnancy ended."""
    p = await _pregnancy(uow.session, principal, pregnancy_id)
    await writable_posyandu(uow.session, principal, p.posyandu_id)
    _not_future("delivered_on", body.delivered_on)
    if p.status != "ongoing":
        raise Conflict(f"The pregnancy is already {p.status}.")
    if body.delivered_on < p.last_menstrual_period:
        raise InvalidInput.field("delivered_on", "before_pregnancy", "Delivery before HPHT.")
    p.status = "delivered" if body.outcome in ("live_birth", "stillbirth") else "ended"
    p.delivered_on, p.outcome, p.birth_weight_kg = (
        body.delivered_on,
        body.outcome,
        body.birth_weight_kg,
    )
    p.updated_by, p.updated_at = principal.subject, datetime.now(UTC)
    uow.session.add(p)
    await uow.commit()
    return await _out(uow.session, p)


@router.get("/{pregnancy_id}", response_model=PregnancyOut, operation_id="getPregnancy")
async def get_pregnancy(pregnancy_id: str, session: SessionDep, principal: HealthUser) -> Any:
    """Read one pregnancy with its ANC visits."""
    return await _out(session, await _pregnancy(session, principal, pregnancy_id))
