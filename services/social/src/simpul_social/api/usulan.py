"""The usulan workflow: kader proposes → musyawarah desa verifies → Dinas Sosial decides."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.clock import local_today
from simpul_platform.errors import Forbidden
from simpul_platform.uow import SessionDep, UnitOfWorkDep
from simpul_platform.wilayah import WilayahQuery, under
from simpul_social.api.deps import OPD, Opd, Reader, SettingsDep, Village, Writer
from simpul_social.domain.usulan import UsulanStatus
from simpul_social.models import Usulan
from simpul_social.ops import usulan as ops
from simpul_social.ops.households import assess, get_visible
from simpul_social.schemas.households import DecileIn
from simpul_social.schemas.usulan import (
    RejectIn,
    UsulanIn,
    UsulanOut,
    UsulanStepOut,
    ValidateIn,
    VerifyIn,
)

router = APIRouter(prefix="/v1/usulan", tags=["usulan"])


async def _out(session: AsyncSession, usulan: Usulan) -> UsulanOut:
    history = await ops.history_of(session, usulan.id)
    return UsulanOut.model_validate(
        {**usulan.model_dump(), "history": [UsulanStepOut.model_validate(h) for h in history]}
    )


@router.post("", status_code=201, response_model=UsulanOut, operation_id="proposeHousehold")
async def propose(body: UsulanIn, uow: UnitOfWorkDep, principal: Writer) -> Any:
    """Propose a household as poor (usulan); one open usulan per household."""
    household = await get_visible(
        uow.session, body.household_id, principal, field="body.household_id"
    )
    usulan = await ops.propose(uow, household, body.reason, principal.subject)
    await uow.commit()
    return await _out(uow.session, usulan)


@router.get("", response_model=list[UsulanOut], operation_id="listUsulan")
async def list_usulan(
    session: SessionDep,
    principal: Reader,
    status: UsulanStatus | None = None,
    wilayah: WilayahQuery = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> Any:
    """Usulan in the caller's wilayah, oldest first (without history; read one for it)."""
    query = select(Usulan).where(under(Usulan.desa_code, principal.visible_scopes(wilayah)))
    if status is not None:
        query = query.where(Usulan.status == status)
    query = query.order_by(col(Usulan.proposed_at), col(Usulan.id)).limit(limit)
    return [UsulanOut.model_validate(u) for u in (await session.exec(query)).all()]


@router.get("/{usulan_id}", response_model=UsulanOut, operation_id="getUsulan")
async def get(usulan_id: str, session: SessionDep, principal: Reader) -> Any:
    """One usulan with its full history."""
    return await _out(session, await ops.get_usulan(session, usulan_id, principal))


@router.post("/{usulan_id}/verify", response_model=UsulanOut, operation_id="verifyUsulan")
async def verify(
    usulan_id: str, body: VerifyIn, uow: UnitOfWorkDep, principal: Village, settings: SettingsDep
) -> Any:
    """Record that the musyawarah desa verified the usulan."""
    usulan = await ops.get_usulan(uow.session, usulan_id, principal, lock=True)
    await ops.verify(uow, usulan, body, principal.subject, local_today(settings))
    await uow.commit()
    return await _out(uow.session, usulan)


@router.post("/{usulan_id}/validate", response_model=UsulanOut, operation_id="validateUsulan")
async def validate(
    usulan_id: str, body: ValidateIn, uow: UnitOfWorkDep, principal: Opd, settings: SettingsDep
) -> Any:
    """Dinas Sosial validates a verified usulan (optionally giving the household's decile)."""
    usulan = await ops.get_usulan(uow.session, usulan_id, principal, lock=True)
    household = await ops.validate(uow, usulan, body.note, principal.subject)
    if body.decile is not None:
        decile = DecileIn(decile=body.decile, source="usulan", assessed_on=local_today(settings))
        await assess(uow, settings, household, decile, principal.subject)
    await uow.commit()
    return await _out(uow.session, usulan)


@router.post("/{usulan_id}/reject", response_model=UsulanOut, operation_id="rejectUsulan")
async def reject(usulan_id: str, body: RejectIn, uow: UnitOfWorkDep, principal: Village) -> Any:
    """Reject with a reason: the village at musyawarah desa, or Dinas Sosial once verified."""
    usulan = await ops.get_usulan(uow.session, usulan_id, principal, lock=True)
    ops.check_step(usulan, "reject")
    if usulan.status == "verified" and not principal.has_any_role(OPD):
        raise Forbidden("Only Dinas Sosial (opd:social) rejects a verified usulan.")
    await ops.reject(uow, usulan, body.reason, principal.subject)
    await uow.commit()
    return await _out(uow.session, usulan)
