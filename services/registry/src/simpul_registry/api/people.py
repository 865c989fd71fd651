"""Pengurus and kader of a posyandu."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter

from simpul_platform import clock
from simpul_platform.auth import CurrentPrincipal
from simpul_platform.errors import NotFound
from simpul_platform.pseudonym import mask_nik
from simpul_platform.uow import SessionDep, UnitOfWorkDep
from simpul_registry.api.deps import SettingsDep, Writer, load_visible
from simpul_registry.models import Person
from simpul_registry.ops import commit
from simpul_registry.ops.people import (
    assign_person,
    is_active,
    people_of,
    release_person,
)
from simpul_registry.schemas import PersonIn, PersonOut, ReleaseIn

router = APIRouter(prefix="/v1/posyandu/{posyandu_id}/people", tags=["people"])


def to_out(person: Person, today: date) -> PersonOut:
    data = person.model_dump(exclude={"nik"})
    return PersonOut(**data, nik_masked=mask_nik(person.nik), active=is_active(person, today))


@router.post("", status_code=201, response_model=PersonOut, operation_id="assignPerson")
async def assign(posyandu_id: str, body: PersonIn, uow: UnitOfWorkDep, principal: Writer,
                 settings: SettingsDep) -> Any:
    """Appoint a pengurus or kader (by NIK) to a posyandu."""
    posyandu = await load_visible(uow.session, posyandu_id, principal)
    person = await assign_person(uow, posyandu, body, principal.subject,
                                 settings.pseudonym_secret)
    await commit(uow)
    return to_out(person, clock.local_today(settings))


@router.get("", response_model=list[PersonOut], operation_id="listPeople")
async def list_people(posyandu_id: str, session: SessionDep, principal: CurrentPrincipal,
                      settings: SettingsDep) -> Any:
    """Everyone who holds or held a role at the posyandu."""
    posyandu = await load_visible(session, posyandu_id, principal)
    today = clock.local_today(settings)
    return [to_out(p, today) for p in await people_of(session, posyandu.id)]


@router.post("/{person_id}/release", response_model=PersonOut, operation_id="releasePerson")
async def release(posyandu_id: str, person_id: str, body: ReleaseIn, uow: UnitOfWorkDep,
                  principal: Writer, settings: SettingsDep) -> Any:
    """End a person's role at the posyandu."""
    posyandu = await load_visible(uow.session, posyandu_id, principal)
    person = await uow.session.get(Person, person_id)
    if person is None or person.posyandu_id != posyandu.id:
        raise NotFound(f"No person {person_id} at this posyandu.")
    await release_person(uow, posyandu, person, body.end_date, principal.subject)
    await commit(uow)
    return to_out(person, clock.local_today(settings))
