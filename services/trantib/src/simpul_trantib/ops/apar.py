"""APAR at posyandu and public buildings: recorded (from an ``apar_needed`` referral, which it
accepts and resolves with ``apar_installed``), refilled, checked, retired; listed with the
expiry judged by the deployment's date and a count per desa."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import case, func
from sqlalchemy.engine import RowMapping
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.auth import Principal
from simpul_platform.clock import now
from simpul_platform.domain import not_in_future
from simpul_platform.errors import Conflict, NotFound
from simpul_platform.events import new_id
from simpul_platform.referrals import intake
from simpul_platform.referrals.rows import Step, locked, take
from simpul_platform.uow import UnitOfWork
from simpul_platform.wilayah import under
from simpul_trantib.domain.apar import (
    APAR_INSTALLED,
    APAR_NEEDED,
    check_dates,
    check_not_before,
    is_expired,
)
from simpul_trantib.models import Apar
from simpul_trantib.ops import tallies
from simpul_trantib.ops.access import posyandu_for_write
from simpul_trantib.schemas.apar import AparDesaCount, AparIn, AparOut, CheckIn, RefillIn

FIELD = "trantib"


async def install(uow: UnitOfWork, principal: Principal, body: AparIn, today: date) -> Apar:
    """Stage an APAR at the posyandu's desa; the referral it answers, if named, is accepted
    with it and resolved."""
    if body.last_refilled_on is not None:
        not_in_future(body.last_refilled_on, today, "body.last_refilled_on", "The refill")
    check_dates(body.last_refilled_on, body.expires_on)
    posyandu = await posyandu_for_write(uow.session, body.posyandu_id, principal)
    desa = str(posyandu["desa_code"])
    asked = None
    if body.referral_id is not None:
        expected = intake.Expected(APAR_NEEDED, desa, record="APAR")
        asked = await intake.incoming(uow, principal, body.referral_id, expected)
    actor, moment = principal.subject, now()
    apar = Apar(
        id=new_id(),
        desa_code=desa,
        **body.model_dump(exclude={"referral_id"}),
        created_by=actor,
        created_at=moment,
        updated_by=actor,
        updated_at=moment,
    )
    uow.session.add(apar)
    await uow.session.flush()
    await tallies.invalidate(
        uow.session, apar.posyandu_id, min(body.last_refilled_on or today, today)
    )
    if asked is not None:
        await _answer(uow, principal, asked, apar.id, today)
    return apar


async def _answer(
    uow: UnitOfWork, principal: Principal, row: RowMapping, apar_id: str, today: date
) -> None:
    """Accept the referral with the APAR (unless accepted already), then resolve it."""
    day = max(today, row["requested_on"])
    await intake.link(uow, FIELD, principal, row, apar_id, day)
    accepted = await locked(uow.session, row["id"], "incoming")
    if accepted is None:  # held by this transaction since it was found: cannot happen
        raise Conflict(f"Referral {row['id']} is gone.")
    await take(uow, FIELD, accepted, Step("resolve", principal.subject, day, APAR_INSTALLED))


async def visible_apar(
    session: AsyncSession, principal: Principal, apar_id: str, *, lock: bool = False
) -> Apar:
    row = await session.get(Apar, apar_id, with_for_update=lock or None)
    if row is None or not principal.can_see(row.desa_code):
        raise NotFound(f"No APAR {apar_id} in your wilayah.")
    return row


def _in_service(apar: Apar) -> None:
    if apar.retired_on is not None:
        raise Conflict(
            f"APAR {apar.id} was retired on {apar.retired_on}.",
            retired_on=apar.retired_on.isoformat(),
        )


def _touch(apar: Apar, principal: Principal) -> None:
    apar.updated_by, apar.updated_at = principal.subject, now()


async def refill(
    uow: UnitOfWork, principal: Principal, apar: Apar, body: RefillIn, today: date
) -> None:
    _in_service(apar)
    on = body.refilled_on or today
    not_in_future(on, today, "body.refilled_on", "The refill")
    check_not_before(on, apar.last_refilled_on, "body.refilled_on", "A refill")
    check_dates(on, body.expires_on)
    apar.last_refilled_on, apar.expires_on = on, body.expires_on
    _touch(apar, principal)
    await tallies.invalidate(uow.session, apar.posyandu_id, on)


async def check(
    uow: UnitOfWork, principal: Principal, apar: Apar, body: CheckIn, today: date
) -> None:
    _in_service(apar)
    on = body.checked_on or today
    not_in_future(on, today, "body.checked_on", "The check")
    check_not_before(on, apar.last_checked_on, "body.checked_on", "A check")
    apar.last_checked_on, apar.pressure_ok = on, body.pressure_ok
    _touch(apar, principal)
    await tallies.invalidate(uow.session, apar.posyandu_id, on)


async def retire(
    uow: UnitOfWork, principal: Principal, apar: Apar, on: date | None, today: date
) -> None:
    _in_service(apar)
    day = on or today
    not_in_future(day, today, "body.retired_on", "The retirement")
    apar.retired_on = day
    _touch(apar, principal)
    await tallies.invalidate(uow.session, apar.posyandu_id, day)


def apar_out(apar: Apar, today: date) -> AparOut:
    return AparOut.model_validate(
        {**apar.model_dump(), "expired": is_expired(apar.expires_on, today)}
    )


async def list_apar(
    session: AsyncSession,
    principal: Principal,
    *,
    wilayah: str | None,
    posyandu_id: str | None,
    expired: bool | None,
    retired: bool,
    today: date,
    limit: int,
    offset: int,
) -> Sequence[Apar]:
    """APAR in the caller's scope (in service unless ``retired``), soonest expiry first."""
    query = select(Apar).where(under(col(Apar.desa_code), principal.visible_scopes(wilayah)))
    query = query.where(
        col(Apar.retired_on).is_not(None) if retired else col(Apar.retired_on).is_(None)
    )
    if posyandu_id is not None:
        query = query.where(Apar.posyandu_id == posyandu_id)
    if expired is not None:
        # ``domain.apar.is_expired`` as SQL.
        query = query.where(
            col(Apar.expires_on) < today if expired else col(Apar.expires_on) >= today
        )
    query = query.order_by(col(Apar.expires_on), col(Apar.desa_code), col(Apar.id))
    return list((await session.exec(query.offset(offset).limit(limit))).all())


async def by_desa(
    session: AsyncSession, principal: Principal, wilayah: str | None, today: date
) -> list[AparDesaCount]:
    """Per desa of the caller's scope: APAR in service, expired, without pressure."""
    expired = func.sum(case((col(Apar.expires_on) < today, 1), else_=0))
    flat = func.sum(case((col(Apar.pressure_ok).is_(False), 1), else_=0))
    query = (
        select(Apar.desa_code, func.count(), expired, flat)
        .where(
            under(col(Apar.desa_code), principal.visible_scopes(wilayah)),
            col(Apar.retired_on).is_(None),
        )
        .group_by(col(Apar.desa_code))
        .order_by(col(Apar.desa_code))
    )
    return [
        AparDesaCount(desa_code=d, total=int(t), expired=int(e or 0), pressure_not_ok=int(p or 0))
        for d, t, e, p in (await session.exec(query)).all()
    ]
