"""Literacy sessions at the posyandu: recorded by the field's writers, read by aggregate
readers too (they hold no personal data)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_education.domain.literacy import Participants, check_range, check_session
from simpul_education.models import LiteracySession
from simpul_education.ops.access import posyandu_for_write
from simpul_education.schemas.literacy import LiteracySessionIn
from simpul_platform.auth import Principal
from simpul_platform.clock import now
from simpul_platform.errors import Conflict, NotFound
from simpul_platform.events import new_id
from simpul_platform.uow import UnitOfWork
from simpul_platform.wilayah import under

DUPLICATE_SESSION = (
    "This posyandu already has a session of this kind that day (stored concurrently)."
)


async def create_session(
    uow: UnitOfWork, principal: Principal, body: LiteracySessionIn, *, today: date
) -> LiteracySession:
    """Stage a session at a posyandu the caller may write to; one of a kind per posyandu and
    day, so a form sent twice is not counted twice."""
    counts = Participants(**body.participants.model_dump())
    check_session(body.held_on, counts, today)
    posyandu = await posyandu_for_write(uow.session, body.posyandu_id, principal)
    existing = (
        await uow.session.exec(
            select(LiteracySession).where(
                LiteracySession.posyandu_id == body.posyandu_id,
                LiteracySession.held_on == body.held_on,
                LiteracySession.kind == body.kind,
            )
        )
    ).first()
    if existing is not None:
        raise Conflict(
            f"Session {existing.id} is this posyandu's {body.kind} on {body.held_on}.",
            existing_session_id=existing.id,
        )
    row = LiteracySession(
        id=new_id(),
        posyandu_id=body.posyandu_id,
        desa_code=posyandu["desa_code"],
        held_on=body.held_on,
        kind=body.kind,
        participants_0_6=counts.age_0_6,
        participants_7_12=counts.age_7_12,
        participants_13_18=counts.age_13_18,
        participants_adults=counts.adults,
        facilitator=body.facilitator,
        created_by=principal.subject,
        created_at=now(),
    )
    uow.session.add(row)
    return row


async def visible_session(
    session: AsyncSession, principal: Principal, session_id: str
) -> LiteracySession:
    row = await session.get(LiteracySession, session_id)
    if row is None or not principal.can_see(row.desa_code):
        raise NotFound(f"No literacy session {session_id} in your wilayah.")
    return row


async def list_sessions(
    session: AsyncSession,
    principal: Principal,
    *,
    wilayah: str | None,
    posyandu_id: str | None,
    kind: str | None,
    held_from: date | None,
    held_to: date | None,
    limit: int,
    offset: int,
) -> Sequence[LiteracySession]:
    """Sessions inside the caller's scope, optionally one posyandu's, one kind's or in a date
    range (both ends included), newest first."""
    check_range(held_from, held_to)
    query = select(LiteracySession).where(
        under(col(LiteracySession.desa_code), principal.visible_scopes(wilayah))
    )
    if posyandu_id is not None:
        query = query.where(LiteracySession.posyandu_id == posyandu_id)
    if kind is not None:
        query = query.where(LiteracySession.kind == kind)
    if held_from is not None:
        query = query.where(col(LiteracySession.held_on) >= held_from)
    if held_to is not None:
        query = query.where(col(LiteracySession.held_on) <= held_to)
    query = (
        query.order_by(col(LiteracySession.held_on).desc(), col(LiteracySession.id))
        .offset(offset)
        .limit(limit)
    )
    return list((await session.exec(query)).all())
