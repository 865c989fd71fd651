"""The usulan workflow on the database: every step kept in usulan_history."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import partial

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.auth import Principal
from simpul_platform.clock import now
from simpul_platform.domain import not_in_future
from simpul_platform.errors import Conflict
from simpul_platform.events import new_id
from simpul_platform.uow import UnitOfWork
from simpul_social.domain.dates import not_before
from simpul_social.domain.usulan import OPEN_STATUSES, USULAN, UsulanAction
from simpul_social.events import (
    HouseholdProposed,
    HouseholdRejected,
    HouseholdValidated,
    HouseholdVerified,
)
from simpul_social.models import Household, Usulan, UsulanHistory
from simpul_social.ops.access import get_in_wilayah
from simpul_social.ops.households import flush_or_conflict
from simpul_social.ops.workflows import History, advance, log, step
from simpul_social.schemas.usulan import VerifyIn


def _history(usulan: Usulan) -> History:
    return partial(UsulanHistory, usulan_id=usulan.id)


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
        status=step(USULAN, None, "propose"),
        reason=reason,
        proposed_by=actor,
        proposed_at=moment,
        updated_by=actor,
        updated_at=moment,
    )
    uow.session.add(usulan)
    await flush_or_conflict(uow, "Household already has an open usulan (concurrently).")
    log(uow, _history(usulan), "propose", None, usulan.status, reason, actor)
    uow.publish(HouseholdProposed(**_common(usulan, household)), subject=usulan.id)
    return usulan


def check_step(usulan: Usulan, action: UsulanAction) -> None:
    """409 before any field is touched when the action is not allowed now."""
    step(USULAN, usulan.status, action)


async def _household(session: AsyncSession, usulan: Usulan) -> Household:
    household = await session.get(Household, usulan.household_id)
    assert household is not None  # foreign key
    return household


async def verify(
    uow: UnitOfWork, usulan: Usulan, body: VerifyIn, actor: str, today: date
) -> Household:
    """The musyawarah desa's verification (dated between the proposal and today)."""
    check_step(usulan, "verify")
    not_in_future(body.musdes_date, today, "body.musdes_date")
    not_before(body.musdes_date, usulan.proposed_at.date(), "body.musdes_date", "the proposal")
    usulan.musdes_date, usulan.musdes_reference = body.musdes_date, body.musdes_reference
    household = await _household(uow.session, usulan)
    advance(uow, USULAN, usulan, "verify", actor, body.note, _history(usulan))
    verified = HouseholdVerified(**_common(usulan, household), musdes_date=body.musdes_date)
    uow.publish(verified, subject=usulan.id)
    return household


async def validate(uow: UnitOfWork, usulan: Usulan, note: str | None, actor: str) -> Household:
    """Dinas Sosial's validation of a verified usulan; returns the household (for its decile)."""
    check_step(usulan, "validate")
    household = await _household(uow.session, usulan)
    advance(uow, USULAN, usulan, "validate", actor, note, _history(usulan))
    uow.publish(HouseholdValidated(**_common(usulan, household)), subject=usulan.id)
    return household


async def reject(uow: UnitOfWork, usulan: Usulan, reason: str, actor: str) -> None:
    """Turned down by the musyawarah desa (proposed) or by Dinas Sosial (verified)."""
    check_step(usulan, "reject")
    usulan.rejection_reason = reason
    household = await _household(uow.session, usulan)
    source = advance(uow, USULAN, usulan, "reject", actor, reason, _history(usulan))
    stage = "desa" if source == "proposed" else "dinas_sosial"
    rejected = HouseholdRejected(**_common(usulan, household), stage=stage, reason=reason)
    uow.publish(rejected, subject=usulan.id)


async def get_usulan(
    session: AsyncSession, usulan_id: str, principal: Principal, lock: bool = False
) -> Usulan:
    return await get_in_wilayah(session, Usulan, usulan_id, principal, "usulan", lock=lock)


async def history_of(session: AsyncSession, usulan_id: str) -> Sequence[UsulanHistory]:
    query = (
        select(UsulanHistory)
        .where(UsulanHistory.usulan_id == usulan_id)
        .order_by(col(UsulanHistory.at), col(UsulanHistory.id))
    )
    return list((await session.exec(query)).all())
