"""Siskamling patrol logs: one per poskamling, date and shift at a desa; the Linmas named on
it serve at that desa on the patrol's date (a residents' patrol names nobody and counts who
came)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.auth import Principal
from simpul_platform.clock import now
from simpul_platform.domain import RuleViolation, not_in_future
from simpul_platform.errors import Conflict
from simpul_platform.events import new_id
from simpul_platform.uow import UnitOfWork
from simpul_platform.wilayah import under
from simpul_trantib.domain.linmas import LinmasRules, check_patrol_crew
from simpul_trantib.models import LinmasMember, SiskamlingPatrol
from simpul_trantib.ops.access import posyandu_for_write
from simpul_trantib.ops.linmas_strength import serving_clause
from simpul_trantib.schemas.linmas import PatrolIn
from simpul_trantib.settings import TrantibSettings

Patrol = SiskamlingPatrol
SAME_SHIFT = "This poskamling's patrol of that date and shift is recorded already."


async def record(
    uow: UnitOfWork, principal: Principal, settings: TrantibSettings, body: PatrolIn, today: date
) -> SiskamlingPatrol:
    """Stage a patrol at the posyandu's desa (409 when its shift is recorded already)."""
    not_in_future(body.patrol_date, today, "body.patrol_date", "The patrol")
    present = check_patrol_crew(body.member_ids, body.members_present)
    posyandu = await posyandu_for_write(uow.session, body.posyandu_id, principal)
    desa = str(posyandu["desa_code"])
    await _serving_at(uow.session, LinmasRules.of(settings), desa, body)
    poskamling = " ".join(body.poskamling.split())  # "Pos  RT 5" and "Pos RT 5" are one post
    same = select(Patrol.id).where(
        Patrol.desa_code == desa,
        Patrol.poskamling == poskamling,
        Patrol.patrol_date == body.patrol_date,
        Patrol.shift == body.shift,
    )
    first = (await uow.session.exec(same)).first()
    if first is not None:
        raise Conflict(SAME_SHIFT, patrol_id=first)
    patrol = Patrol(
        id=new_id(),
        desa_code=desa,
        **body.model_dump(exclude={"members_present", "poskamling"}),
        poskamling=poskamling,
        members_present=present,
        created_by=principal.subject,
        created_at=now(),
    )
    uow.session.add(patrol)
    return patrol


async def _serving_at(session: AsyncSession, rules: LinmasRules, desa: str, body: PatrolIn) -> None:
    """Every member named serves at the desa on the patrol's date (422 naming the first who
    does not, by position)."""
    if not body.member_ids:
        return
    query = select(LinmasMember.id).where(
        col(LinmasMember.id).in_(body.member_ids),
        LinmasMember.desa_code == desa,
        serving_clause(body.patrol_date, rules),
    )
    serving = set((await session.exec(query)).all())
    for i, member_id in enumerate(body.member_ids):
        if member_id not in serving:
            raise RuleViolation(
                f"body.member_ids[{i}]",
                "not_a_serving_member",
                f"{member_id} is not a Satlinmas member serving at desa {desa} on "
                f"{body.patrol_date}.",
            )


async def list_patrols(
    session: AsyncSession,
    principal: Principal,
    *,
    wilayah: str | None,
    posyandu_id: str | None,
    since: date | None,
    until: date | None,
    incident: bool | None,
    limit: int,
    offset: int,
) -> Sequence[SiskamlingPatrol]:
    """Patrols in the caller's scope between ``since`` and ``until`` (both included), newest
    first."""
    query = select(Patrol).where(under(col(Patrol.desa_code), principal.visible_scopes(wilayah)))
    if posyandu_id is not None:
        query = query.where(Patrol.posyandu_id == posyandu_id)
    if since is not None:
        query = query.where(col(Patrol.patrol_date) >= since)
    if until is not None:
        query = query.where(col(Patrol.patrol_date) <= until)
    if incident is not None:
        query = query.where(Patrol.incident == incident)
    query = query.order_by(
        col(Patrol.patrol_date).desc(),
        col(Patrol.desa_code),
        col(Patrol.poskamling),
        col(Patrol.id),
    )
    return list((await session.exec(query.offset(offset).limit(limit))).all())
