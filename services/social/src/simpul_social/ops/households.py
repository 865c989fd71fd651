"""Households by No. KK, members by NIK, DTSEN deciles with their history."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import lokal
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.auth import Principal
from simpul_platform.clock import local_today, now
from simpul_platform.domain import not_in_future
from simpul_platform.errors import Conflict, FieldError, InvalidInput, NotFound
from simpul_platform.events import new_id
from simpul_platform.pseudonym import household_ref, person_ref
from simpul_platform.uow import UnitOfWork
from simpul_social.events import HouseholdAssessed
from simpul_social.models import Assessment, Household, Member
from simpul_social.ops import tallies
from simpul_social.ops.access import posyandu_for_write
from simpul_social.ops.reaction import Reaction
from simpul_social.schemas.households import DecileIn, HouseholdIn, MemberIn
from simpul_social.settings import SocialSettings


def check_member(member: MemberIn, today: date, field: str) -> tuple[str, date]:
    """Validate a NIK with lokal-id's parse_nik; returns (sex, birth date) it agrees with."""
    info = lokal.parse_nik(member.nik, reference_date=today)
    if not info.valid or info.birth_date is None or info.gender is None:
        issues = "; ".join(issue.message for issue in info.errors) or "not a NIK"
        raise InvalidInput.field(f"{field}.nik", "invalid_nik", issues)
    encoded = date.fromisoformat(info.birth_date)
    sex = member.sex or info.gender
    birth = member.birth_date or encoded
    if sex != info.gender:
        raise InvalidInput.field(f"{field}.sex", "nik_mismatch", "Sex differs from the NIK.")
    # The NIK holds DDMMYY only: compare day and month, and the year modulo 100.
    if (birth.day, birth.month, birth.year % 100) != (
        encoded.day,
        encoded.month,
        encoded.year % 100,
    ):
        raise InvalidInput.field(
            f"{field}.birth_date", "nik_mismatch", "Birth date differs from the NIK."
        )
    not_in_future(birth, today, f"{field}.birth_date", "The birth date")
    return sex, birth


def _member(
    settings: SocialSettings, household_id: str, body: MemberIn, actor: str, today: date, field: str
) -> Member:
    sex, birth = check_member(body, today, field)
    return Member(
        id=new_id(),
        household_id=household_id,
        nik=body.nik,
        person_ref=person_ref(settings.pseudonym_secret, body.nik),
        name=body.name,
        sex=sex,
        birth_date=birth,
        relationship=body.relationship,
        created_by=actor,
        created_at=now(),
    )


def record_decile(uow: UnitOfWork, household: Household, decile: DecileIn, actor: str) -> None:
    """Set the household's current decile, keep it in the history, and announce it."""
    uow.session.add(
        Assessment(
            household_id=household.id,
            decile=decile.decile,
            source=decile.source,
            assessed_on=decile.assessed_on,
            recorded_by=actor,
            recorded_at=now(),
        )
    )
    newer = (
        household.decile_assessed_on is None or decile.assessed_on >= household.decile_assessed_on
    )
    if newer:
        household.decile = decile.decile
        household.decile_source = decile.source
        household.decile_assessed_on = decile.assessed_on
    household.updated_by = actor
    household.updated_at = now()
    uow.session.add(household)
    uow.publish(
        HouseholdAssessed(
            household_ref=household.household_ref,
            posyandu_id=household.posyandu_id,
            desa_code=household.desa_code,
            decile=decile.decile,
            source=decile.source,
            assessed_on=decile.assessed_on,
        ),
        subject=household.id,
    )


async def assessed(uow: UnitOfWork, household: Household, decile: DecileIn, actor: str) -> None:
    """``record_decile``, and the household's posyandu's kept coverage dropped: it counts the
    household under its current decile in every month (``ops.tallies``)."""
    await tallies.invalidate(uow.session, household.posyandu_id, tallies.ALL_MONTHS)
    record_decile(uow, household, decile, actor)


async def flush_or_conflict(uow: UnitOfWork, detail: str) -> None:
    try:
        await uow.session.flush()
    except IntegrityError as exc:
        await uow.rollback()
        raise Conflict(detail) from exc


async def create_household(
    uow: UnitOfWork, settings: SocialSettings, body: HouseholdIn, principal: Principal
) -> Household:
    posyandu = await posyandu_for_write(uow.session, body.posyandu_id, principal)
    today = local_today(settings)
    check_household(body, today)
    existing = (await uow.session.exec(select(Household).where(Household.kk == body.kk))).first()
    if existing is not None:
        raise Conflict(
            f"No. KK is already registered as household {existing.id}.",
            existing_household_id=existing.id,
        )
    household, members = new_household(settings, body, posyandu, principal.subject, today)
    uow.session.add(household)
    await flush_or_conflict(uow, "No. KK is already registered (concurrently).")
    uow.session.add_all(members)
    await flush_or_conflict(uow, "A member's NIK is already registered in another household.")
    if body.decile is not None:
        await assessed(uow, household, body.decile, principal.subject)
    await rematch(uow, settings, household)
    return household


def check_household(body: HouseholdIn, today: date) -> None:
    """A decile assessed on a day that has come, each member's NIK once (the members' own
    checks come with their rows, ``new_household``)."""
    if body.decile is not None:
        not_in_future(body.decile.assessed_on, today, "body.decile.assessed_on")
    if len({m.nik for m in body.members}) != len(body.members):
        raise InvalidInput.field("body.members", "duplicate_nik", "A NIK appears twice.")


def new_household(
    settings: SocialSettings,
    body: HouseholdIn,
    posyandu: Mapping[Any, Any],
    actor: str,
    today: date,
) -> tuple[Household, list[Member]]:
    """The household's row and its members' (not staged); a member's NIK that does not agree
    with it is refused here (``check_member``)."""
    moment = now()
    household = Household(
        id=new_id(),
        kk=body.kk,
        household_ref=household_ref(settings.pseudonym_secret, body.kk),
        posyandu_id=posyandu["posyandu_id"],
        desa_code=posyandu["desa_code"],
        address=body.address,
        rt=body.rt,
        rw=body.rw,
        created_by=actor,
        created_at=moment,
        updated_by=actor,
        updated_at=moment,
    )
    members = [
        _member(settings, household.id, m, actor, today, f"body.members[{i}]")
        for i, m in enumerate(body.members)
    ]
    return household, members


async def assess(
    uow: UnitOfWork, settings: SocialSettings, household: Household, body: DecileIn, actor: str
) -> None:
    """A decile assessed on a day that has come; the household's waiting leads are decided
    again with it."""
    not_in_future(body.assessed_on, local_today(settings), "body.assessed_on")
    await assessed(uow, household, body, actor)
    await rematch(uow, settings, household)


async def rematch(uow: UnitOfWork, settings: SocialSettings, household: Household) -> int:
    """Decide again the stunting leads waiting for this household (registered or assessed)."""
    await uow.session.flush()
    return await Reaction(uow.session, uow.outbox, settings).rematch(household)


async def add_member(
    uow: UnitOfWork, settings: SocialSettings, household: Household, body: MemberIn, actor: str
) -> Member:
    member = _member(settings, household.id, body, actor, local_today(settings), "body")
    uow.session.add(member)
    await flush_or_conflict(uow, "This NIK is already registered as a member of a household.")
    return member


async def get_visible(
    session: AsyncSession, household_id: str, principal: Principal, *, field: str | None = None
) -> Household:
    """The household, or 404 (also when outside the caller's wilayah), or 422 for a body field."""
    household = await session.get(Household, household_id)
    if household is None or not principal.can_see(household.desa_code):
        if field is not None:
            raise InvalidInput(
                f"No household {household_id} in your wilayah.",
                errors=[
                    FieldError(field=field, rule="unknown_household", message="no such household")
                ],
            )
        raise NotFound(f"No household {household_id} in your wilayah.")
    return household


async def members_of(session: AsyncSession, household_id: str) -> Sequence[Member]:
    query = (
        select(Member).where(Member.household_id == household_id).order_by(col(Member.created_at))
    )
    return list((await session.exec(query)).all())


async def assessments_of(session: AsyncSession, household_id: str) -> Sequence[Assessment]:
    query = (
        select(Assessment)
        .where(Assessment.household_id == household_id)
        .order_by(col(Assessment.assessed_on), col(Assessment.id))
    )
    return list((await session.exec(query)).all())
