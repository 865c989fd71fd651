"""Children by NIK at a posyandu, and their education statuses with the history."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy.engine import RowMapping
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_education.domain.children import Identity, age_months, check_identity
from simpul_education.domain.status import StatusEntry, check_entry, check_status_date
from simpul_education.events import ChildRegistered, ChildStatusChanged
from simpul_education.models import Child, ChildStatus
from simpul_education.ops.access import posyandu_for_write
from simpul_education.ops.tallies import invalidate
from simpul_education.schemas.children import ChildIn, StatusIn
from simpul_platform.auth import Principal
from simpul_platform.clock import now
from simpul_platform.errors import Conflict
from simpul_platform.events import new_id
from simpul_platform.pseudonym import household_ref, person_ref
from simpul_platform.uow import UnitOfWork
from simpul_platform.wilayah import under

DUPLICATE_NIK = "A child with this NIK is already known (registered concurrently)."


async def create_child(
    uow: UnitOfWork, principal: Principal, body: ChildIn, *, secret: str, today: date
) -> Child:
    """Stage a child at a posyandu the caller may write to; NIK and KK stay here, their keyed
    pseudonyms (``secret``) go on the row and the event."""
    check_identity(Identity(body.nik, body.sex, body.birth_date), today)
    posyandu = await posyandu_for_write(uow.session, body.posyandu_id, principal)
    existing = (await uow.session.exec(select(Child).where(Child.nik == body.nik))).first()
    if existing is not None:
        raise Conflict(
            f"This NIK is already known as child {existing.id}.", existing_child_id=existing.id
        )
    await invalidate(uow.session, body.posyandu_id, body.birth_date)  # it counts from birth
    return stage_child(uow, principal, body, posyandu, secret=secret, today=today)


def stage_child(
    uow: UnitOfWork,
    principal: Principal,
    body: ChildIn,
    posyandu: RowMapping,
    *,
    secret: str,
    today: date,
) -> Child:
    """The checked child's row staged and announced (its kept counts already invalidated)."""
    actor, moment = principal.subject, now()
    child = Child(
        id=new_id(),
        **body.model_dump(),
        person_ref=person_ref(secret, body.nik),
        household_ref=household_ref(secret, body.kk),
        desa_code=posyandu["desa_code"],
        created_by=actor,
        created_at=moment,
        updated_by=actor,
        updated_at=moment,
    )
    uow.session.add(child)
    uow.publish(
        ChildRegistered(
            child_id=child.id,
            person_ref=child.person_ref,
            household_ref=child.household_ref,
            posyandu_id=child.posyandu_id,
            desa_code=child.desa_code,
            birth_year=child.birth_date.year,
            registered_on=today,
        ),
        subject=child.id,
    )
    return child


async def record_status(
    uow: UnitOfWork, principal: Principal, child: Child, body: StatusIn, *, today: date
) -> ChildStatus:
    """A status on a day that has come, not before the last one: kept in the history, made
    the child's current status, and announced. The child's posyandu must still be active and
    in the caller's wilayah."""
    jenjang = check_status(body, child.birth_date, child.status_on, today)
    await posyandu_for_write(uow.session, child.posyandu_id, principal, field="posyandu_id")
    await invalidate(uow.session, child.posyandu_id, body.on)  # its months from then on
    return stage_status(uow, principal, child, body, jenjang)


def check_status(body: StatusIn, birth_date: date, last_on: date | None, today: date) -> str | None:
    """The status's jenjang, once its entry and date are allowed."""
    jenjang = check_entry(StatusEntry(body.status, body.kelas, body.unit_name, body.npsn))
    check_status_date(body.on, today, birth_date, last_on)
    return jenjang


def stage_status(
    uow: UnitOfWork, principal: Principal, child: Child, body: StatusIn, jenjang: str | None
) -> ChildStatus:
    """The checked status staged as the child's current one and announced."""
    actor, moment = principal.subject, now()
    row = ChildStatus(
        id=new_id(),
        child_id=child.id,
        **body.model_dump(),
        jenjang=jenjang,
        recorded_by=actor,
        recorded_at=moment,
    )
    previous = child.status
    child.status, child.status_on = body.status, body.on
    child.updated_by, child.updated_at = actor, moment
    uow.session.add_all([row, child])
    uow.publish(
        ChildStatusChanged(
            child_id=child.id,
            person_ref=child.person_ref,
            household_ref=child.household_ref,
            posyandu_id=child.posyandu_id,
            desa_code=child.desa_code,
            age_months=age_months(child.birth_date, body.on),
            status=body.status,
            jenjang=jenjang,
            kelas=body.kelas,
            source=body.source,
            on=body.on,
            previous_status=previous,
        ),
        subject=child.id,
    )
    return row


async def history(session: AsyncSession, child_id: str) -> Sequence[ChildStatus]:
    """A child's statuses, oldest first (by date, then as recorded)."""
    query = (
        select(ChildStatus)
        .where(ChildStatus.child_id == child_id)
        .order_by(col(ChildStatus.on), col(ChildStatus.recorded_at), col(ChildStatus.id))
    )
    return list((await session.exec(query)).all())


async def list_children(
    session: AsyncSession,
    principal: Principal,
    *,
    wilayah: str | None,
    posyandu_id: str | None,
    status: str | None,
    limit: int,
    offset: int,
) -> Sequence[Child]:
    """Children inside the caller's scope, optionally one posyandu's or one status's, by name."""
    query = select(Child).where(under(col(Child.desa_code), principal.visible_scopes(wilayah)))
    if posyandu_id is not None:
        query = query.where(Child.posyandu_id == posyandu_id)
    if status is not None:
        query = query.where(Child.status == status)
    query = query.order_by(col(Child.name), col(Child.id)).offset(offset).limit(limit)
    return list((await session.exec(query)).all())
