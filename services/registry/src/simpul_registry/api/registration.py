"""The registration lifecycle: submit, verify or return, register, deactivate, reactivate."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlmodel import col, select

from simpul_platform.auth import CurrentPrincipal, Principal
from simpul_platform.uow import SessionDep, UnitOfWork, UnitOfWorkDep
from simpul_registry.api.deps import Verifier, Writer, load_visible
from simpul_registry.api.posyandu import to_out
from simpul_registry.domain.lifecycle import Action
from simpul_registry.models import StatusChange
from simpul_registry.ops import commit
from simpul_registry.ops.lifecycle import apply_action
from simpul_registry.schemas import (
    OptionalReasonIn,
    PosyanduOut,
    ReasonIn,
    RegisterIn,
    StatusChangeOut,
    SubmitIn,
)

router = APIRouter(prefix="/v1/posyandu/{posyandu_id}", tags=["registration"])


async def _take(uow: UnitOfWork, posyandu_id: str, principal: Principal, action: Action,
                **details: Any) -> PosyanduOut:
    """Load the posyandu the caller may see, take the step, commit, answer its new state."""
    posyandu = await load_visible(uow.session, posyandu_id, principal)
    await apply_action(uow, posyandu, action, principal.subject, **details)
    await commit(uow)
    return to_out(posyandu)


@router.post("/submit", response_model=PosyanduOut, operation_id="submitPosyandu")
async def submit(posyandu_id: str, body: SubmitIn, uow: UnitOfWorkDep, principal: Writer) -> Any:
    """Submit a draft for kecamatan verification with its supporting documents."""
    return await _take(uow, posyandu_id, principal, Action.submit, documents=body)


@router.post("/verify", response_model=PosyanduOut, operation_id="verifyPosyandu")
async def verify(
    posyandu_id: str, body: OptionalReasonIn, uow: UnitOfWorkDep, principal: Verifier
) -> Any:
    """The kecamatan's TP Posyandu confirms a submitted posyandu."""
    return await _take(uow, posyandu_id, principal, Action.verify, reason=body.reason)


@router.post("/return", response_model=PosyanduOut, operation_id="returnPosyandu")
async def return_(posyandu_id: str, body: ReasonIn, uow: UnitOfWorkDep,
                  principal: Verifier) -> Any:
    """The kecamatan's TP Posyandu sends a submission back to draft, with the reason."""
    return await _take(uow, posyandu_id, principal, Action.return_, reason=body.reason)


@router.post("/register", response_model=PosyanduOut, operation_id="registerPosyandu")
async def register(posyandu_id: str, body: RegisterIn, uow: UnitOfWorkDep,
                   principal: Writer) -> Any:
    """Record the Kemendagri registration number of a verified posyandu."""
    return await _take(uow, posyandu_id, principal, Action.register,
                       registration_number=body.registration_number)


@router.post("/deactivate", response_model=PosyanduOut, operation_id="deactivatePosyandu")
async def deactivate(posyandu_id: str, body: ReasonIn, uow: UnitOfWorkDep,
                     principal: Writer) -> Any:
    """Mark a registered posyandu inactive, with the reason."""
    return await _take(uow, posyandu_id, principal, Action.deactivate, reason=body.reason)


@router.post("/reactivate", response_model=PosyanduOut, operation_id="reactivatePosyandu")
async def reactivate(posyandu_id: str, body: OptionalReasonIn, uow: UnitOfWorkDep,
                     principal: Writer) -> Any:
    """Bring an inactive posyandu back to registered."""
    return await _take(uow, posyandu_id, principal, Action.reactivate, reason=body.reason)


@router.get("/history", response_model=list[StatusChangeOut], operation_id="getPosyanduHistory")
async def history(posyandu_id: str, session: SessionDep, principal: CurrentPrincipal) -> Any:
    """Every status change: who, when, from, to, why."""
    posyandu = await load_visible(session, posyandu_id, principal)
    rows = await session.exec(
        select(StatusChange).where(StatusChange.posyandu_id == posyandu.id)
        .order_by(col(StatusChange.id))
    )
    return [StatusChangeOut(action=h.action, from_status=h.from_status, to_status=h.to_status,
                            reason=h.note, actor=h.actor, at=h.at) for h in rows.all()]
