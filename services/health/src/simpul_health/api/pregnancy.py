"""Ibu hamil: pregnancy registration, ANC visits K1…K6, risk flags, delivery outcome."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from simpul_health.api.deps import HealthUser, Today
from simpul_health.models import Pregnancy
from simpul_health.ops import commit, pregnancy
from simpul_health.ops.access import visible
from simpul_health.schemas.pregnancy import AncVisitIn, DeliveryIn, PregnancyIn, PregnancyOut
from simpul_platform.uow import SessionDep, UnitOfWorkDep

router = APIRouter(prefix="/v1/pregnancies", tags=["ibu hamil"])


@router.post("", status_code=201, response_model=PregnancyOut, operation_id="registerPregnancy")
async def register_pregnancy(
    body: PregnancyIn, uow: UnitOfWorkDep, principal: HealthUser, today: Today
) -> Any:
    """Register a pregnancy (the first ANC contact may carry LiLA and Hb)."""
    p = await pregnancy.register(uow, principal, body, today)
    await uow.commit()
    return await pregnancy.with_visits(uow.session, p)


@router.post(
    "/{pregnancy_id}/anc-visits",
    status_code=201,
    response_model=PregnancyOut,
    operation_id="recordAncVisit",
)
async def record_anc_visit(
    pregnancy_id: str, body: AncVisitIn, uow: UnitOfWorkDep, principal: HealthUser, today: Today
) -> Any:
    """Record ANC visit K1…K6 with LiLA, Hb, blood pressure and iron tablets."""
    p = await pregnancy.record_anc_visit(uow, principal, pregnancy_id, body, today)
    await commit(uow, f"K{body.visit_number} is already recorded.")
    return await pregnancy.with_visits(uow.session, p)


@router.post("/{pregnancy_id}/delivery", response_model=PregnancyOut, operation_id="recordDelivery")
async def record_delivery(
    pregnancy_id: str, body: DeliveryIn, uow: UnitOfWorkDep, principal: HealthUser, today: Today
) -> Any:
    """Record how the pregnancy ended; a birth names its place and attendants."""
    p = await pregnancy.record_delivery(uow, principal, pregnancy_id, body, today)
    await uow.commit()
    return await pregnancy.with_visits(uow.session, p)


@router.get("/{pregnancy_id}", response_model=PregnancyOut, operation_id="getPregnancy")
async def get_pregnancy(pregnancy_id: str, session: SessionDep, principal: HealthUser) -> Any:
    """Read one pregnancy with its ANC visits."""
    p = await visible(session, principal, Pregnancy, pregnancy_id, "pregnancy")
    return await pregnancy.with_visits(session, p)
