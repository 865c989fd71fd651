"""Pengurus and kader: people by NIK, one role (and for kader/ketua bidang one field) each."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from sqlmodel import col, select

from simpul_platform import clock
from simpul_platform.errors import Conflict, InvalidInput
from simpul_platform.events import new_id
from simpul_platform.pseudonym import person_ref
from simpul_platform.uow import UnitOfWork
from simpul_registry.domain.fields import (
    SINGLE_HOLDER_ROLES,
    Role,
    check_role_field,
    decode_fields,
)
from simpul_registry.domain.nik import check_gender, check_nik
from simpul_registry.events import KaderAssigned, KaderEvent, KaderReleased
from simpul_registry.models import Person, Posyandu
from simpul_registry.ops.day_counts import recount_days
from simpul_registry.schemas import FieldStaff, PersonIn


def is_active(person: Person, on: date) -> bool:
    return person.start_date <= on and (person.end_date is None or person.end_date >= on)


async def people_of(session: object, posyandu_id: str) -> list[Person]:
    result = await session.exec(  # type: ignore[attr-defined]
        select(Person).where(Person.posyandu_id == posyandu_id)
        .order_by(col(Person.role), col(Person.created_at))
    )
    return list(result.all())


async def assign_person(
    uow: UnitOfWork, p: Posyandu, data: PersonIn, actor: str, secret: str,
    today: date | None = None,
) -> Person:
    """Validate the NIK (+40 day for women), the role's field, and who already holds it.
    ``today`` defaults to the deployment's date."""
    (person,) = await assign_people(uow, p, [data], actor, secret, today)
    return person


async def assign_people(
    uow: UnitOfWork, p: Posyandu, people: list[PersonIn], actor: str, secret: str,
    today: date | None = None,
) -> list[Person]:
    """``assign_person`` for each of ``people`` in turn, each checked against the posyandu's
    open roles and the ones assigned before it: the roles read once, the kader's days
    recounted once over all their spans (a posyandu's pengurus and kader set up at once)."""
    today = today or clock.local_today(uow.outbox.settings)
    current = [x for x in await people_of(uow.session, p.id) if x.end_date is None]
    assigned = [_assigned(p, data, current, actor, secret, today) for data in people]
    uow.session.add_all(assigned)
    kader = [person for person in assigned if person.role == Role.kader.value]
    if kader:  # expected on the days recorded in their spans
        ends = [person.end_date for person in kader]
        end = None if None in ends else max(e for e in ends if e is not None)
        await recount_days(uow.session, p.id, min(x.start_date for x in kader), end)
    for person in assigned:
        _publish(uow, p, person, KaderAssigned(
            posyandu_id=p.id, person_ref=person.person_ref, role=person.role,
            field=person.field, start_date=person.start_date))
    return assigned


def _assigned(
    p: Posyandu, data: PersonIn, current: list[Person], actor: str, secret: str, today: date
) -> Person:
    """The person ``data`` makes, once it passes the checks against ``current`` (the open
    roles, which it joins when it is open too)."""
    facts = check_nik(data.nik, today=today)
    check_gender(facts, data.gender)
    check_role_field(data.role, data.field)
    field = data.field.value if data.field else None
    if field is not None and field not in decode_fields(p.fields):
        raise InvalidInput.field("field", "field_not_run",
                                 f"This posyandu does not run the {field} field.")
    if data.end_date is not None and data.end_date < data.start_date:
        raise InvalidInput.field("end_date", "before_start", "end_date is before start_date.")
    if any(x.nik == facts.nik for x in current):
        raise Conflict("This person already holds an open role at this posyandu.")
    if data.role in SINGLE_HOLDER_ROLES and any(
        x.role == data.role.value and x.field == field for x in current
    ):
        raise Conflict(f"This posyandu already has an active {data.role.value}"
                       + (f" for {field}" if field else "") + "; release them first.")
    at = clock.now()
    person = Person(
        id=new_id(), posyandu_id=p.id, nik=facts.nik,
        person_ref=person_ref(secret, facts.nik), name=data.name.strip(), gender=facts.gender,
        birth_date=facts.birth_date, role=data.role.value, field=field,
        start_date=data.start_date, end_date=data.end_date, created_by=actor, created_at=at,
        updated_by=actor, updated_at=at,
    )
    if person.end_date is None:
        current.append(person)
    return person


async def release_person(
    uow: UnitOfWork, p: Posyandu, person: Person, end_date: date, actor: str
) -> Person:
    if person.end_date is not None:
        raise Conflict(f"This person was already released on {person.end_date}.")
    if end_date < person.start_date:
        raise InvalidInput.field("end_date", "before_start", "end_date is before start_date.")
    person.end_date = end_date
    person.updated_by = actor
    person.updated_at = clock.now()
    uow.session.add(person)
    if person.role == Role.kader.value:  # no longer expected on the days after the end
        await recount_days(uow.session, p.id, end_date + timedelta(days=1), None)
    _publish(uow, p, person, KaderReleased(
        posyandu_id=p.id, person_ref=person.person_ref, role=person.role, field=person.field,
        end_date=end_date))
    return person


def _publish(uow: UnitOfWork, p: Posyandu, person: Person, event: KaderEvent) -> None:
    uow.publish(event, wilayah=p.desa_code, subject=person.id)


def staffing(p: Posyandu, people: list[Person], on: date) -> list[FieldStaff]:
    """Per field the posyandu runs: its ketua bidang and active kader, with the gaps flagged."""
    active = [x for x in people if is_active(x, on)]
    kader = Counter(x.field for x in active if x.role == Role.kader.value)
    heads = {x.field: x.id for x in active if x.role == Role.ketua_bidang.value}
    return [
        FieldStaff(field=f, ketua_bidang=heads.get(f), active_kader=kader.get(f, 0),
                   missing_ketua_bidang=f not in heads, no_kader=kader.get(f, 0) == 0)
        for f in decode_fields(p.fields)
    ]

