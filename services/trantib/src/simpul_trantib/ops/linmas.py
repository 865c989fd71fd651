"""Satlinmas members: appointed at a posyandu's desa by Satpol PP, extended past the service
age, moved between squads, ended; every change recounts the desa's strength
(``ops.linmas_strength``). Reads: members in the caller's wilayah with the NIK masked.

Writes of one desa are taken one at a time (an advisory lock on the desa), so two changes at
once recount in turn and publish each figure once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform import locks
from simpul_platform.auth import Principal
from simpul_platform.clock import now
from simpul_platform.domain import RuleViolation, not_in_future
from simpul_platform.errors import Conflict, NotFound
from simpul_platform.events import new_id
from simpul_platform.pseudonym import mask_nik, person_ref
from simpul_platform.uow import UnitOfWork
from simpul_platform.wilayah import under
from simpul_trantib.domain.linmas import (
    Candidate,
    LinmasRules,
    age_on,
    birthday,
    check_appointment,
    check_extension,
    serves_on,
    service_ends_on,
)
from simpul_trantib.models import LinmasMember
from simpul_trantib.ops import tallies
from simpul_trantib.ops.access import posyandu_for_write
from simpul_trantib.ops.linmas_strength import recount, serving_clause
from simpul_trantib.schemas.linmas import EndIn, ExtendIn, MemberIn, MemberOut
from simpul_trantib.settings import TrantibSettings

LOCK_CLASS = 0x11A5  # the first key of the Satlinmas desa locks (the second: the desa code)


async def hold_desa(session: AsyncSession, desa_code: str) -> None:
    await locks.hold(session, LOCK_CLASS, [desa_code])


async def appoint(
    uow: UnitOfWork, principal: Principal, settings: TrantibSettings, body: MemberIn, today: date
) -> LinmasMember:
    """Stage a member appointed at the posyandu's desa: the requirements met (422 naming the
    rule), no other active membership of the NIK (409), the desa recounted."""
    not_in_future(body.sk_date, today, "body.sk_date", "The SK date")
    not_in_future(body.appointed_on, today, "body.appointed_on", "The appointment")
    if body.birth_date >= body.appointed_on:
        raise RuleViolation("body.birth_date", "not_born", "Born before the appointment.")
    rules = LinmasRules.of(settings)
    check_appointment(
        Candidate(
            body.nik, body.birth_date, body.married, body.education, body.sk_date, body.appointed_on
        ),
        rules,
    )
    posyandu = await posyandu_for_write(uow.session, body.posyandu_id, principal)
    desa = str(posyandu["desa_code"])
    await hold_desa(uow.session, desa)
    await _refuse_second_membership(uow.session, principal, body.nik)
    actor, moment = principal.subject, now()
    member = LinmasMember(
        id=new_id(),
        person_ref=person_ref(settings.pseudonym_secret, body.nik),
        desa_code=desa,
        **body.model_dump(),
        created_by=actor,
        created_at=moment,
        updated_by=actor,
        updated_at=moment,
    )
    uow.session.add(member)
    await uow.session.flush()
    await tallies.invalidate(uow.session, member.posyandu_id, member.appointed_on)
    await recount(uow, rules, desa, today)
    return member


async def _refuse_second_membership(session: AsyncSession, principal: Principal, nik: str) -> None:
    query = select(LinmasMember).where(
        LinmasMember.nik == nik, col(LinmasMember.ended_on).is_(None)
    )
    other = (await session.exec(query)).first()
    if other is not None:
        shown = other.id if principal.can_see(other.desa_code) else None
        raise Conflict(
            "This NIK is already an active Satlinmas member; end that membership first.",
            member_id=shown,
        )


async def visible_member(
    session: AsyncSession, principal: Principal, member_id: str, *, lock: bool = False
) -> LinmasMember:
    row = await session.get(LinmasMember, member_id, with_for_update=lock or None)
    if row is None or not principal.can_see(row.desa_code):
        raise NotFound(f"No Satlinmas member {member_id} in your wilayah.")
    return row


def _still_active(member: LinmasMember) -> None:
    if member.ended_on is not None:
        raise Conflict(
            f"Member {member.id} ended on {member.ended_on} ({member.end_reason}).",
            ended_on=member.ended_on.isoformat(),
        )


def _touch(member: LinmasMember, principal: Principal) -> None:
    member.updated_by, member.updated_at = principal.subject, now()


async def extend(
    uow: UnitOfWork,
    principal: Principal,
    settings: TrantibSettings,
    member: LinmasMember,
    body: ExtendIn,
    today: date,
) -> None:
    """Extend service to ``body.until`` (the extended age's birthday at the latest)."""
    _still_active(member)
    rules = LinmasRules.of(settings)
    decided = body.extended_on or today
    not_in_future(decided, today, "body.extended_on", "The extension")
    check_extension(member, body.until, decided, rules)
    await hold_desa(uow.session, member.desa_code)
    member.extended_until = body.until
    _touch(member, principal)
    # Counts change from the day service would have ended.
    since = min(birthday(member.birth_date, rules.service_until_age), today)
    await tallies.invalidate(uow.session, member.posyandu_id, since)
    await recount(uow, rules, member.desa_code, today)


async def end(
    uow: UnitOfWork,
    principal: Principal,
    settings: TrantibSettings,
    member: LinmasMember,
    body: EndIn,
    today: date,
) -> None:
    """End the membership from ``ended_on`` (the first day not serving)."""
    _still_active(member)
    on = body.ended_on or today
    not_in_future(on, today, "body.ended_on", "The end")
    if on < member.appointed_on:
        raise RuleViolation(
            "body.ended_on", "before_appointment", f"Not before {member.appointed_on}."
        )
    await hold_desa(uow.session, member.desa_code)
    member.ended_on, member.end_reason = on, body.reason
    _touch(member, principal)
    await tallies.invalidate(uow.session, member.posyandu_id, on)
    await recount(uow, LinmasRules.of(settings), member.desa_code, today)


async def move(
    uow: UnitOfWork,
    principal: Principal,
    settings: TrantibSettings,
    member: LinmasMember,
    squad: str,
    today: date,
) -> None:
    """Move an active member to another squad (from today)."""
    _still_active(member)
    if squad == member.squad:
        raise RuleViolation("body.squad", "same_squad", f"The member is in {squad} already.")
    await hold_desa(uow.session, member.desa_code)
    member.squad = squad
    _touch(member, principal)
    await tallies.invalidate(uow.session, member.posyandu_id, today)
    await recount(uow, LinmasRules.of(settings), member.desa_code, today)


async def list_members(
    session: AsyncSession,
    principal: Principal,
    rules: LinmasRules,
    *,
    wilayah: str | None,
    squad: str | None,
    serving: bool | None,
    on: date,
    limit: int,
    offset: int,
) -> Sequence[LinmasMember]:
    """Members in the caller's scope (``wilayah``: any area, a desa included), by desa and
    name."""
    query = select(LinmasMember).where(
        under(col(LinmasMember.desa_code), principal.visible_scopes(wilayah))
    )
    if squad is not None:
        query = query.where(LinmasMember.squad == squad)
    if serving is not None:
        clause = serving_clause(on, rules)
        query = query.where(clause if serving else ~clause)
    query = query.order_by(
        col(LinmasMember.desa_code), col(LinmasMember.name), col(LinmasMember.id)
    )
    return list((await session.exec(query.offset(offset).limit(limit))).all())


def member_out(member: LinmasMember, rules: LinmasRules, on: date) -> MemberOut:
    return MemberOut.model_validate(
        {
            **member.model_dump(exclude={"nik", "person_ref", "birth_date"}),
            "nik_masked": mask_nik(member.nik),
            "age": age_on(member.birth_date, on),
            "serving": serves_on(member, on, rules),
            "service_ends_on": service_ends_on(member, rules),
        }
    )
