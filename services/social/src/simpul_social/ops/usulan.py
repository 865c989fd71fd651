"""The usulan workflow on the database: every step kept in usulan_history."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.auth import Principal
from simpul_platform.clock import now
from simpul_platform.errors import Conflict, NotFound
from simpul_platform.events import new_id
from simpul_platform.uow import UnitOfWork
from simpul_social.domain.usulan import (
    OPEN_STATUSES,
    TransitionRefused,
    UsulanAction,
    UsulanStatus,
    next_status,
)
from simpul_social.events import (
    HouseholdProposed,
    HouseholdRejected,
    HouseholdValidated,
    HouseholdVerified,
    UsulanEvent,
)
from simpul_social.models import Household, Usulan, UsulanHistory
from simpul_social.ops.households import flush_or_conflict


def _transition(usulan: Usulan | None, action: UsulanAction) -> UsulanStatus:
    current = None if usulan is None else usulan.status
    try:
        return next_status(current, action)  # type: ignore[arg-type]
    except TransitionRefused as refused:
        raise Conflict(
            f"Cannot {action} an usulan that is {current}.",
            status=current,
            allowed_actions=refused.allowed,
        ) from refused


def _log(
    uow: UnitOfWork, usulan: Usulan, action: str, source: str | None, note: str | None, actor: str
) -> None:
    uow.session.add(
        UsulanHistory(
            usulan_id=usulan.id,
            action=action,
            from_status=source,
            to_status=usulan.status,
            note=note,
            actor=actor,
            at=now(),
        )
    )


def _publish(uow: UnitOfWork, usulan: Usulan, payload: UsulanEvent) -> None:
    uow.publish(payload, subject=usulan.id)


def _common(usulan: Usulan, household: Household) -> dict[str, str]:
    return {
        "usulan_id": usulan.id,
        "household_ref": household.household_ref,
        "posyandu_id": usulan.posyandu_id,
        "desa_code": usulan.desa_code,
    }


async def propose(uow: UnitOfWork, household: Household, reason: str, actor: str) -> Usulan:
    """Open an usulan; one open usulan per household at a time (409 otherwise)."""
    open_one = (
        await uow.session.exec(
            select(Usulan).where(
                Usulan.household_id == household.id, col(Usulan.status).in_(OPEN_STATUSES)
            )
        )
    ).first()
    if open_one is not None:
        raise Conflict(
            f"Household already has an open usulan {open_one.id}.", existing_usulan_id=open_one.id
        )
    moment = now()
    usulan = Usulan(
        id=new_id(),
        household_id=household.id,
        posyandu_id=household.posyandu_id,
        desa_code=household.desa_code,
        status=_transition(None, "propose"),
        reason=reason,
        proposed_by=actor,
        proposed_at=moment,
        updated_by=actor,
        updated_at=moment,
    )
    uow.session.add(usulan)
    await flush_or_conflict(uow, "Household already has an open usulan (concurrently).")
    _log(uow, usulan, "propose", None, reason, actor)
    _publish(uow, usulan, HouseholdProposed(**_common(usulan, household)))
    return usulan


def advance(
    uow: UnitOfWork,
    usulan: Usulan,
    household: Household,
    action: UsulanAction,
    actor: str,
    note: str | None,
) -> None:
    """Apply verify/validate/reject after the caller set the step's own fields."""
    source = usulan.status
    usulan.status = _transition(usulan, action)
    usulan.updated_by = actor
    usulan.updated_at = now()
    uow.session.add(usulan)
    _log(uow, usulan, action, source, note, actor)
    common = _common(usulan, household)
    if action == "verify":
        assert usulan.musdes_date is not None
        _publish(uow, usulan, HouseholdVerified(**common, musdes_date=usulan.musdes_date))
    elif action == "validate":
        _publish(uow, usulan, HouseholdValidated(**common))
    else:
        stage = "desa" if source == "proposed" else "dinas_sosial"
        _publish(uow, usulan, HouseholdRejected(**common, stage=stage, reason=note or ""))


def check_transition(usulan: Usulan, action: UsulanAction) -> None:
    """409 before any field is touched when the action is not allowed now."""
    _transition(usulan, action)


async def get_usulan(
    session: AsyncSession, usulan_id: str, principal: Principal, lock: bool = False
) -> Usulan:
    usulan = await session.get(Usulan, usulan_id, with_for_update=lock or None)
    if usulan is None or not principal.can_see(usulan.desa_code):
        raise NotFound(f"No usulan {usulan_id} in your wilayah.")
    return usulan


async def history_of(session: AsyncSession, usulan_id: str) -> Sequence[UsulanHistory]:
    query = (
        select(UsulanHistory)
        .where(UsulanHistory.usulan_id == usulan_id)
        .order_by(col(UsulanHistory.at), col(UsulanHistory.id))
    )
    return list((await session.exec(query)).all())
