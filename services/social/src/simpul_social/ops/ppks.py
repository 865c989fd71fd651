"""PPKS cases: identified → assessed → served → closed, every step kept in history."""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import cast

import lokal
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.auth import Principal
from simpul_platform.clock import local_today, now
from simpul_platform.domain import not_in_future
from simpul_platform.errors import InvalidInput
from simpul_platform.events import new_id
from simpul_platform.pseudonym import person_ref
from simpul_platform.uow import UnitOfWork
from simpul_social.domain.dates import not_before
from simpul_social.domain.ppks import PPKS, PpksStatus, check_outcome
from simpul_social.events import CaseClosed, CaseOpened
from simpul_social.models import PpksCase, PpksCaseHistory
from simpul_social.ops.access import get_in_wilayah, posyandu_for_write
from simpul_social.ops.households import get_visible
from simpul_social.ops.workflows import History, advance, log, step
from simpul_social.schemas.ppks import AssessIn, CloseIn, PpksCaseIn, ServeIn
from simpul_social.settings import SocialSettings


def _history(case: PpksCase) -> History:
    return partial(PpksCaseHistory, case_id=case.id)


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
        status=step(PPKS, None, "identify"),
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
    log(uow, _history(case), "identify", None, case.status, body.note, principal.subject)
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


async def get_case(
    session: AsyncSession, case_id: str, principal: Principal, lock: bool = False
) -> PpksCase:
    return await get_in_wilayah(session, PpksCase, case_id, principal, "PPKS case", lock=lock)


def _dated(
    settings: SocialSettings, day: date, previous: date | None, field: str, what: str
) -> None:
    not_in_future(day, local_today(settings), field)
    not_before(day, previous, field, what)


def assess(
    uow: UnitOfWork, settings: SocialSettings, case: PpksCase, body: AssessIn, actor: str
) -> None:
    _dated(settings, body.assessed_on, case.identified_on, "body.assessed_on", "identification")
    advance(uow, PPKS, case, "assess", actor, body.needs, _history(case))
    case.assessed_on = body.assessed_on
    case.needs = body.needs


def serve(
    uow: UnitOfWork, settings: SocialSettings, case: PpksCase, body: ServeIn, actor: str
) -> None:
    _dated(settings, body.served_on, case.assessed_on, "body.served_on", "assessment")
    advance(uow, PPKS, case, "serve", actor, body.service, _history(case))
    case.served_on = body.served_on
    case.service = body.service


def close(
    uow: UnitOfWork, settings: SocialSettings, case: PpksCase, body: CloseIn, actor: str
) -> None:
    previous = case.served_on or case.assessed_on or case.identified_on
    _dated(settings, body.closed_on, previous, "body.closed_on", "the previous step")
    if case.status != "closed":  # a closed case is refused as a step (409), below
        check_outcome(cast(PpksStatus, case.status), body.outcome)
    advance(uow, PPKS, case, "close", actor, body.note, _history(case))
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
