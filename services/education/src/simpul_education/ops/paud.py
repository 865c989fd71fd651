"""PAUD enrolments and their monthly attendance, BKB memberships of families, and whether a
child is reached by either (what the stunting → PAUD reaction asks)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_education.domain.children import age_months
from simpul_education.domain.paud import (
    check_attendance_month,
    check_enrolment,
    check_joining,
    check_leaving,
    has_young_child,
    records_status,
)
from simpul_education.events import PaudEnrolled
from simpul_education.models import BkbMembership, Child, ChildStatus, PaudAttendance, PaudEnrolment
from simpul_education.ops import children
from simpul_education.ops.access import posyandu_for_write, visible_child
from simpul_education.schemas.children import StatusIn
from simpul_education.schemas.paud import BkbMembershipIn, PaudEnrolmentIn
from simpul_platform.auth import Principal
from simpul_platform.clock import now
from simpul_platform.domain import RuleViolation
from simpul_platform.errors import Conflict, NotFound
from simpul_platform.events import new_id
from simpul_platform.pseudonym import household_ref as household_pseudonym
from simpul_platform.referrals.automatic import resolve_met
from simpul_platform.uow import UnitOfWork
from simpul_platform.wilayah import under

DUPLICATE_ENROLMENT = "This child already has an enrolment for this year (stored concurrently)."
DUPLICATE_MEMBERSHIP = "This family is already in a BKB class (stored concurrently)."


async def enrol(
    uow: UnitOfWork, principal: Principal, body: PaudEnrolmentIn, *, today: date
) -> tuple[PaudEnrolment, Child, bool]:
    """Stage a child's PAUD enrolment for a year at the child's posyandu, announce it, and
    record the child's status paud when the history does not say so already. Returns the
    enrolment, the child and whether the status was recorded."""
    session = uow.session
    child = await visible_child(session, principal, body.child_id, lock=True)
    group = check_enrolment(child.birth_date, body.enrolled_on, body.year, today, body.age_group)
    await posyandu_for_write(session, child.posyandu_id, principal, field="body.child_id")
    existing = (
        await session.exec(
            select(PaudEnrolment).where(
                PaudEnrolment.child_id == child.id, PaudEnrolment.year == body.year
            )
        )
    ).first()
    if existing is not None:
        raise Conflict(
            f"Child {child.id} already has enrolment {existing.id} for {body.year}.",
            existing_enrolment_id=existing.id,
        )
    actor, moment = principal.subject, now()
    enrolment = PaudEnrolment(
        id=new_id(),
        child_id=child.id,
        posyandu_id=child.posyandu_id,
        desa_code=child.desa_code,
        unit_name=body.unit_name,
        npsn=body.npsn,
        year=body.year,
        enrolled_on=body.enrolled_on,
        age_group=group,
        created_by=actor,
        created_at=moment,
        updated_by=actor,
        updated_at=moment,
    )
    session.add(enrolment)
    recorded = await _record_paud_status(uow, principal, child, body, today)
    if body.year == today.year:  # in PAUD now: a PAUD referral about the child is met
        await resolve_met(
            uow,
            "education",
            person_ref=child.person_ref,
            reason_code="paud_not_enrolled",
            outcome_code="enrolled_paud",
            on=body.enrolled_on,
            actor=principal.subject,
        )
    uow.publish(
        PaudEnrolled(
            enrolment_id=enrolment.id,
            child_id=child.id,
            person_ref=child.person_ref,
            household_ref=child.household_ref,
            posyandu_id=child.posyandu_id,
            desa_code=child.desa_code,
            age_months=age_months(child.birth_date, body.enrolled_on),
            age_group=group,
            npsn=body.npsn,
            year=body.year,
            enrolled_on=body.enrolled_on,
        ),
        subject=child.id,
    )
    return enrolment, child, recorded


async def _record_paud_status(
    uow: UnitOfWork, principal: Principal, child: Child, body: PaudEnrolmentIn, today: date
) -> bool:
    """The child's status paud at the unit, through the status history (so indicators and the
    history see the enrolment), unless the history already says so or has moved on."""
    latest = await _latest_status(uow.session, child.id)
    current_unit = (latest.unit_name, latest.npsn) if latest is not None else (None, None)
    if not records_status(
        (child.status, child.status_on), current_unit, (body.unit_name, body.npsn), body.enrolled_on
    ):
        return False
    status = StatusIn(
        status="paud",
        unit_name=body.unit_name,
        npsn=body.npsn,
        source=body.source,
        on=body.enrolled_on,
    )
    await children.record_status(uow, principal, child, status, today=today)
    return True


async def _latest_status(session: AsyncSession, child_id: str) -> ChildStatus | None:
    query = (
        select(ChildStatus)
        .where(ChildStatus.child_id == child_id)
        .order_by(col(ChildStatus.on).desc(), col(ChildStatus.recorded_at).desc())
        .limit(1)
    )
    return (await session.exec(query)).first()


async def visible_enrolment(
    session: AsyncSession, principal: Principal, enrolment_id: str, *, lock: bool = False
) -> tuple[PaudEnrolment, Child]:
    """An enrolment (and its child) the caller may see; 404 otherwise, as for a child."""
    enrolment = await session.get(PaudEnrolment, enrolment_id, with_for_update=lock or None)
    if enrolment is None or not principal.can_see(enrolment.desa_code):
        raise NotFound(f"No PAUD enrolment {enrolment_id} in your wilayah.")
    child = await session.get(Child, enrolment.child_id)
    assert child is not None  # a foreign key
    return enrolment, child


async def record_attendance(
    uow: UnitOfWork,
    principal: Principal,
    enrolment: PaudEnrolment,
    month: int,
    mark: str,
    *,
    today: date,
) -> PaudAttendance:
    """Set one month's mark (a correction replaces the earlier one), attributed; the month is
    of the enrolment's year, not before the enrolment's month and already begun."""
    check_attendance_month(enrolment.year, month, enrolment.enrolled_on, today)
    await posyandu_for_write(
        uow.session, enrolment.posyandu_id, principal, field="path.enrolment_id"
    )
    actor, moment = principal.subject, now()
    row = await uow.session.get(PaudAttendance, (enrolment.id, month))
    if row is None:
        row = PaudAttendance(
            enrolment_id=enrolment.id, month=month, mark=mark, recorded_by=actor, recorded_at=moment
        )
    else:
        row.mark, row.recorded_by, row.recorded_at = mark, actor, moment
    enrolment.updated_by, enrolment.updated_at = actor, moment
    uow.session.add_all([row, enrolment])
    return row


async def record_attendances(
    uow: UnitOfWork,
    principal: Principal,
    enrolment: PaudEnrolment,
    given: Sequence[tuple[int, str]],
    *,
    today: date,
) -> None:
    """``record_attendance`` for several months (month, mark) of one enrolment: one read of
    its marks, one check of its posyandu."""
    for month, _ in given:
        check_attendance_month(enrolment.year, month, enrolment.enrolled_on, today)
    await posyandu_for_write(
        uow.session, enrolment.posyandu_id, principal, field="path.enrolment_id"
    )
    actor, moment = principal.subject, now()
    query = select(PaudAttendance).where(PaudAttendance.enrolment_id == enrolment.id)
    rows = {row.month: row for row in (await uow.session.exec(query)).all()}
    for month, mark in given:
        if month in rows:  # a correction replaces the earlier mark
            row = rows[month]
            row.mark, row.recorded_by, row.recorded_at = mark, actor, moment
        else:
            rows[month] = PaudAttendance(
                enrolment_id=enrolment.id,
                month=month,
                mark=mark,
                recorded_by=actor,
                recorded_at=moment,
            )
    enrolment.updated_by, enrolment.updated_at = actor, moment
    uow.session.add_all([*rows.values(), enrolment])


async def marks(session: AsyncSession, enrolment_ids: Sequence[str]) -> dict[str, dict[int, str]]:
    """Each enrolment's marks by month."""
    found: dict[str, dict[int, str]] = {i: {} for i in enrolment_ids}
    if not enrolment_ids:
        return found
    query = select(PaudAttendance).where(col(PaudAttendance.enrolment_id).in_(enrolment_ids))
    for row in (await session.exec(query)).all():
        found[row.enrolment_id][row.month] = row.mark
    return found


async def list_enrolments(
    session: AsyncSession,
    principal: Principal,
    *,
    wilayah: str | None,
    posyandu_id: str | None,
    year: int | None,
    limit: int,
    offset: int,
) -> list[tuple[PaudEnrolment, Child]]:
    """Enrolments inside the caller's scope, by year (newest first), then the child's name."""
    query = (
        select(PaudEnrolment, Child)
        .join(Child, col(Child.id) == col(PaudEnrolment.child_id))
        .where(under(col(PaudEnrolment.desa_code), principal.visible_scopes(wilayah)))
    )
    if posyandu_id is not None:
        query = query.where(PaudEnrolment.posyandu_id == posyandu_id)
    if year is not None:
        query = query.where(PaudEnrolment.year == year)
    query = (
        query.order_by(col(PaudEnrolment.year).desc(), col(Child.name), col(PaudEnrolment.id))
        .offset(offset)
        .limit(limit)
    )
    return [(e, c) for e, c in (await session.exec(query)).all()]


# --- BKB ------------------------------------------------------------------------------------


async def join_bkb(
    uow: UnitOfWork, principal: Principal, body: BkbMembershipIn, *, secret: str, today: date
) -> BkbMembership:
    """Stage a family's membership of a BKB class at a posyandu the caller may write to.

    BKB serves families of children 0–6 (BKKBN), so the family must be known to the field
    through such a child: one registered with this No. KK in the posyandu's desa and aged 0–6
    on the joining date (the desa, not the posyandu, since a desa's families may register their
    children at any of its posyandu). One open membership per family."""
    check_joining(body.joined_on, today)
    posyandu = await posyandu_for_write(uow.session, body.posyandu_id, principal)
    ref = household_pseudonym(secret, body.kk)
    births = (
        await uow.session.exec(
            select(col(Child.birth_date)).where(
                Child.household_ref == ref, Child.desa_code == posyandu["desa_code"]
            )
        )
    ).all()
    if not has_young_child(list(births), body.joined_on):
        raise RuleViolation(
            "body.kk",
            "no_young_child_known",
            "BKB is for families of children 0–6: no child of this No. KK aged 0–6 on the "
            "joining date is registered in education in this posyandu's desa.",
        )
    existing = await _open_membership(uow.session, ref)
    if existing is not None:
        raise Conflict(
            f"This family is already in BKB class membership {existing.id}.",
            existing_membership_id=existing.id,
        )
    actor, moment = principal.subject, now()
    membership = BkbMembership(
        id=new_id(),
        **body.model_dump(),
        household_ref=ref,
        desa_code=posyandu["desa_code"],
        created_by=actor,
        created_at=moment,
        updated_by=actor,
        updated_at=moment,
    )
    uow.session.add(membership)
    return membership


async def _open_membership(session: AsyncSession, ref: str) -> BkbMembership | None:
    query = select(BkbMembership).where(
        BkbMembership.household_ref == ref, col(BkbMembership.left_on).is_(None)
    )
    return (await session.exec(query)).first()


async def visible_membership(
    session: AsyncSession, principal: Principal, membership_id: str, *, lock: bool = False
) -> BkbMembership:
    """A membership the caller may see; 404 otherwise (a family's existence is sensitive)."""
    row = await session.get(BkbMembership, membership_id, with_for_update=lock or None)
    if row is None or not principal.can_see(row.desa_code):
        raise NotFound(f"No BKB membership {membership_id} in your wilayah.")
    return row


def leave_bkb(
    uow: UnitOfWork, principal: Principal, membership: BkbMembership, left_on: date, *, today: date
) -> None:
    """End a membership. Only the caller's wilayah is checked, not that the posyandu is still
    active: a class ends with its posyandu too."""
    if membership.left_on is not None:
        raise Conflict(
            f"This membership already ended on {membership.left_on}.",
            left_on=membership.left_on.isoformat(),
        )
    check_leaving(membership.joined_on, left_on, today)
    membership.left_on = left_on
    membership.updated_by, membership.updated_at = principal.subject, now()
    uow.session.add(membership)


async def list_memberships(
    session: AsyncSession,
    principal: Principal,
    *,
    wilayah: str | None,
    posyandu_id: str | None,
    active_on: date | None,
    limit: int,
    offset: int,
) -> Sequence[BkbMembership]:
    """Memberships inside the caller's scope, optionally one posyandu's or those active on a
    day, oldest joining first."""
    query = select(BkbMembership).where(
        under(col(BkbMembership.desa_code), principal.visible_scopes(wilayah))
    )
    if posyandu_id is not None:
        query = query.where(BkbMembership.posyandu_id == posyandu_id)
    if active_on is not None:
        query = query.where(
            col(BkbMembership.joined_on) <= active_on,
            (col(BkbMembership.left_on).is_(None)) | (col(BkbMembership.left_on) > active_on),
        )
    query = (
        query.order_by(col(BkbMembership.joined_on), col(BkbMembership.id))
        .offset(offset)
        .limit(limit)
    )
    return list((await session.exec(query)).all())


# --- Reached by PAUD-HI -----------------------------------------------------------------------


async def in_paud_or_bkb(
    session: AsyncSession, *, person_ref: str, household_ref: str | None, on: date
) -> bool:
    """Whether a child (by pseudonym) is reached by PAUD Holistik Integratif on ``on``: its
    current status is paud, or it has an enrolment for ``on``'s year, or its household (given,
    or else the one the field knows for the child) is in a BKB class that day."""
    child = (await session.exec(select(Child).where(Child.person_ref == person_ref))).first()
    if child is not None:
        if child.status == "paud":
            return True
        enrolled = await session.exec(
            select(PaudEnrolment.id).where(
                PaudEnrolment.child_id == child.id, PaudEnrolment.year == on.year
            )
        )
        if enrolled.first() is not None:
            return True
        household_ref = household_ref or child.household_ref
    if household_ref is None:
        return False
    member = await session.exec(
        select(BkbMembership.id).where(
            BkbMembership.household_ref == household_ref,
            col(BkbMembership.joined_on) <= on,
            (col(BkbMembership.left_on).is_(None)) | (col(BkbMembership.left_on) > on),
        )
    )
    return member.first() is not None
