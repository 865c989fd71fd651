"""PPKS cases: identified → assessed → served → closed, every step kept in history."""

from __future__ import annotations

from datetime import date

import lokal

from simpul_platform.auth import Principal
from simpul_platform.clock import local_today, now
from simpul_platform.domain import not_in_future
from simpul_platform.errors import Conflict, InvalidInput, NotFound
from simpul_platform.events import new_id
from simpul_platform.pseudonym import person_ref
from simpul_platform.uow import UnitOfWork
from simpul_social.domain.dates import not_before
from simpul_social.domain.ppks import (
    CaseTransitionRefused,
    PpksAction,
    next_status,
    outcome_allowed,
)
from simpul_social.events import CaseClosed, CaseOpened
from simpul_social.models import PpksCase, PpksCaseHistory
from simpul_social.ops.households import get_visible
from simpul_social.ops.posyandu import posyandu_for_write
from simpul_social.schemas_services import AssessIn, CloseIn, PpksCaseIn, ServeIn
from simpul_social.settings import SocialSettings


def _log(
    uow: UnitOfWork, case: PpksCase, action: str, source: str | None, note: str | None, actor: str
) -> None:
    uow.session.add(
        PpksCaseHistory(
            case_id=case.id,
            action=action,
            from_status=source,
            to_status=case.status,
            note=note,
            actor=actor,
            at=now(),
        )
    )


async def identify(
    uow: UnitOfWork, settings: SocialSettings, body: PpksCaseIn, principal: Principal
) -> PpksCase:
    posyandu = await posyandu_for_write(uow.session, body.posyandu_id, principal)
    not_in_future(body.identified_on, local_today(settings), "body.identified_on")
    if body.household_id is not None:
        await get_visible(uow.session, body.household_id, principal, field="body.household_id")
    if body.nik is not None and not lokal.parse_nik(body.nik).valid:
        raise InvalidInput.field("body.nik", "invalid_nik", "Not a valid NIK.")
    moment = now()
    case = PpksCase(
        id=new_id(),
        category=body.category,
        status="identified",
        posyandu_id=posyandu["posyandu_id"],
        desa_code=posyandu["desa_code"],
        household_id=body.household_id,
        nik=body.nik,
        person_ref=person_ref(settings.pseudonym_secret, body.nik) if body.nik else None,
        name=body.name,
        identified_on=body.identified_on,
        created_by=principal.subject,
        created_at=moment,
        updated_by=principal.subject,
        updated_at=moment,
    )
    uow.session.add(case)
    await uow.session.flush()
    _log(uow, case, "identify", None, body.note, principal.subject)
    uow.publish(
        CaseOpened(
            case_id=case.id,
            person_ref=case.person_ref,
            posyandu_id=case.posyandu_id,
            desa_code=case.desa_code,
            category=case.category,
            opened_on=case.identified_on,
        ),
        subject=case.id,
    )
    return case


async def get_case(uow: UnitOfWork, case_id: str, principal: Principal) -> PpksCase:
    case = await uow.session.get(PpksCase, case_id, with_for_update=True)
    if case is None or not principal.can_see(case.desa_code):
        raise NotFound(f"No PPKS case {case_id} in your wilayah.")
    return case


def _advance(
    uow: UnitOfWork, case: PpksCase, action: PpksAction, note: str | None, actor: str
) -> str:
    source = case.status
    try:
        case.status = next_status(case.status, action)  # type: ignore[arg-type]
    except CaseTransitionRefused as refused:
        raise Conflict(
            f"Cannot {action} a PPKS case that is {source}.",
            status=source,
            allowed_actions=refused.allowed,
        ) from refused
    case.updated_by = actor
    case.updated_at = now()
    uow.session.add(case)
    _log(uow, case, action, source, note, actor)
    return source


def _dated(
    settings: SocialSettings, day: date, previous: date | None, field: str, what: str
) -> None:
    not_in_future(day, local_today(settings), field)
    not_before(day, previous, field, what)


def assess(
    uow: UnitOfWork, settings: SocialSettings, case: PpksCase, body: AssessIn, actor: str
) -> None:
    _dated(settings, body.assessed_on, case.identified_on, "body.assessed_on", "identification")
    _advance(uow, case, "assess", body.needs, actor)
    case.assessed_on = body.assessed_on
    case.needs = body.needs


def serve(
    uow: UnitOfWork, settings: SocialSettings, case: PpksCase, body: ServeIn, actor: str
) -> None:
    _dated(settings, body.served_on, case.assessed_on, "body.served_on", "assessment")
    _advance(uow, case, "serve", body.service, actor)
    case.served_on = body.served_on
    case.service = body.service


def close(
    uow: UnitOfWork, settings: SocialSettings, case: PpksCase, body: CloseIn, actor: str
) -> None:
    previous = case.served_on or case.assessed_on or case.identified_on
    _dated(settings, body.closed_on, previous, "body.closed_on", "the previous step")
    if case.status != "closed" and not outcome_allowed(case.status, body.outcome):  # type: ignore[arg-type]
        raise InvalidInput.field(
            "body.outcome", "not_served", f"'{body.outcome}' needs the case to have been served."
        )
    _advance(uow, case, "close", body.note, actor)
    case.closed_on = body.closed_on
    case.outcome = body.outcome
    uow.publish(
        CaseClosed(
            case_id=case.id,
            person_ref=case.person_ref,
            posyandu_id=case.posyandu_id,
            desa_code=case.desa_code,
            category=case.category,
            closed_on=body.closed_on,
            outcome=body.outcome,
            served=case.served_on is not None,
        ),
        subject=case.id,
    )
