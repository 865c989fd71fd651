"""What a field does with its referrals: send one, receive one, take a step on one it owns,
hear the answers to the ones it sent. Rows are ``referral`` and ``referral_history``
(tables.py); events are in events.py. Shared by every field service that mounts referrals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from sqlalchemy import insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from simpul_platform.auth import Principal
from simpul_platform.clock import local_today, now
from simpul_platform.domain import RuleViolation, not_in_future
from simpul_platform.errors import Conflict, NotFound
from simpul_platform.events import Envelope, new_id
from simpul_platform.pseudonym import household_ref, person_ref
from simpul_platform.referrals.catalogue import Catalogue, catalogue_for, check_request
from simpul_platform.referrals.domain import REFERRAL, Action
from simpul_platform.referrals.events import AnswerView, RequestedView
from simpul_platform.referrals.events import published_by as events_of
from simpul_platform.referrals.rows import (
    Step,
    due_date,
    locked,
    new_row,
    not_before,
    record,
    step_row,
    take,
)
from simpul_platform.referrals.schemas import AcceptIn, ReferralIn, RejectIn, ResolveIn
from simpul_platform.referrals.tables import need_key, referral, referral_history
from simpul_platform.replica import require_active_posyandu
from simpul_platform.settings import ServiceSettings
from simpul_platform.uow import UnitOfWork

# --- the source -------------------------------------------------------------------------


async def request(
    uow: UnitOfWork, settings: ServiceSettings, field: str, body: ReferralIn, principal: Principal
) -> str:
    """Send a referral: checked against the target's catalogue, one open per need, kept here
    with its NIK, KK and note, and announced without them. Returns its id."""
    need = _checked(settings, field, body, local_today(settings))
    places = await _active_posyandu(uow, {body.posyandu_id}, principal)
    await _refuse_open_duplicate(uow.session, need.key)
    row = _new_request(settings, field, body, need, places[body.posyandu_id], principal)
    try:
        async with uow.session.begin_nested():
            await uow.session.execute(insert(referral).values(row))
    except IntegrityError:
        # The same need, sent by a concurrent request that committed first: name it.
        await _refuse_open_duplicate(uow.session, need.key)
        raise
    step = Step("request", principal.subject, need.requested_on, need.reason, body.note)
    await record(uow.session, row["id"], None, "requested", step)
    _announce(uow, field, row, need)
    return cast(str, row["id"])


async def request_many(
    uow: UnitOfWork,
    settings: ServiceSettings,
    field: str,
    bodies: Sequence[ReferralIn],
    principal: Principal,
) -> list[str]:
    """Send many referrals at once (a batch's), each checked as ``request`` checks one; a need
    still open (sent earlier, or twice in ``bodies``) gives that referral's id instead of a 409.
    Rows and their history are written in one statement each; the ids come back in order."""
    today = local_today(settings)
    places = await _active_posyandu(uow, {body.posyandu_id for body in bodies}, principal)
    needs = [_checked(settings, field, body, today) for body in bodies]
    open_ids = await _open_needs(uow.session, [need.key for need in needs])
    rows: list[dict[str, Any]] = []
    ids: list[str] = []
    for body, need in zip(bodies, needs, strict=True):
        if need.key not in open_ids:
            row = _new_request(settings, field, body, need, places[body.posyandu_id], principal)
            rows.append(row)
            open_ids[need.key] = row["id"]
            _announce(uow, field, row, need)
        ids.append(open_ids[need.key])
    await _insert_requests(uow.session, rows, principal.subject)
    return ids


@dataclass(frozen=True)
class _Need:
    target: str
    reason: str
    refs: tuple[str | None, str | None]
    key: str
    requested_on: date


def _checked(settings: ServiceSettings, field: str, body: ReferralIn, today: date) -> _Need:
    target = _target(field, body)
    reason = check_request(
        target,
        body.reason_code,
        person=body.nik is not None,
        household=body.no_kk is not None,
        details=body.details,
    )
    requested_on = body.requested_on or today
    not_in_future(requested_on, today, "body.requested_on")
    refs = _refs(settings, body)
    key = need_key(field, target.field, reason.code, *refs)
    return _Need(target.field, reason.code, refs, key, requested_on)


async def _active_posyandu(
    uow: UnitOfWork, posyandu_ids: set[str], principal: Principal
) -> dict[str, RowMapping]:
    places: dict[str, RowMapping] = {}
    for posyandu_id in sorted(posyandu_ids):
        row = await require_active_posyandu(uow.session, posyandu_id, field="body.posyandu_id")
        principal.require_wilayah(row["desa_code"])
        places[posyandu_id] = row
    return places


async def _open_needs(session: AsyncSession, keys: list[str]) -> dict[str, str]:
    """The open outgoing referral of each of these needs."""
    found: dict[str, str] = {}
    for start in range(0, len(keys), 1000):
        query = select(referral.c.need_key, referral.c.id).where(
            referral.c.direction == "outgoing",
            referral.c.need_key.in_(keys[start : start + 1000]),
            referral.c.status.in_(("requested", "accepted")),
        )
        found |= {key: id_ for key, id_ in (await session.execute(query)).all()}
    return found


def _new_request(
    settings: ServiceSettings,
    field: str,
    body: ReferralIn,
    need: _Need,
    posyandu: RowMapping,
    principal: Principal,
) -> dict[str, Any]:
    row = new_row(
        id=new_id(),
        direction="outgoing",
        source_field=field,
        target_field=need.target,
        automatic=False,
        posyandu_id=posyandu["posyandu_id"],
        desa_code=posyandu["desa_code"],
        reason_code=need.reason,
        details=dict(body.details),
        refs=need.refs,
        need=need.key,
        requested_on=need.requested_on,
        due_on=due_date(settings, need.target, need.requested_on),
        actor=principal.subject,
    )
    return row | {"nik": body.nik, "no_kk": body.no_kk, "note": body.note}


def _announce(uow: UnitOfWork, field: str, row: dict[str, Any], need: _Need) -> None:
    uow.publish(
        events_of(field).requested(
            referral_id=row["id"],
            source_field=field,
            target_field=need.target,
            posyandu_id=row["posyandu_id"],
            desa_code=row["desa_code"],
            reason_code=need.reason,
            details=row["details"],
            person_ref=need.refs[0],
            household_ref=need.refs[1],
            requested_on=need.requested_on,
            due_on=row["due_on"],
        ),
        subject=row["id"],
    )


async def _insert_requests(session: AsyncSession, rows: list[dict[str, Any]], actor: str) -> None:
    if not rows:
        return
    steps = [
        step_row(
            row["id"],
            None,
            "requested",
            Step("request", actor, row["requested_on"], row["reason_code"], row["note"]),
        )
        for row in rows
    ]
    try:
        async with session.begin_nested():
            await session.execute(insert(referral), rows)
    except IntegrityError as exc:
        raise Conflict(
            "A concurrent request sent one of these referrals first; send them again.",
            current_status=None,
        ) from exc
    await session.execute(insert(referral_history), steps)


def _target(field: str, body: ReferralIn) -> Catalogue:
    if body.target_field == field:
        raise RuleViolation(
            "body.target_field", "own_field", f"A referral goes to another field than {field}."
        )
    try:
        return catalogue_for(body.target_field)
    except RuleViolation as exc:
        raise RuleViolation(f"body.{exc.field}", exc.rule, exc.message) from exc


def _refs(settings: ServiceSettings, body: ReferralIn) -> tuple[str | None, str | None]:
    secret = settings.pseudonym_secret
    return (
        person_ref(secret, body.nik) if body.nik else None,
        household_ref(secret, body.no_kk) if body.no_kk else None,
    )


async def _refuse_open_duplicate(session: AsyncSession, key: str) -> None:
    query = select(referral.c.id, referral.c.status).where(
        referral.c.direction == "outgoing",
        referral.c.need_key == key,
        referral.c.status.in_(("requested", "accepted")),
    )
    open_one = (await session.execute(query)).first()
    if open_one is not None:
        raise Conflict(
            f"Referral {open_one.id} for the same need is still {open_one.status}.",
            open_referral_id=open_one.id,
            current_status=open_one.status,
        )


async def hear_answer(session: AsyncSession, field: str, view: AnswerView, event: Envelope) -> None:
    """The target's step on a referral this field sent: its copy follows, with the step kept.
    An answer to a referral this field did not send (the target's own rule opened it) is not
    this field's to keep; a step it already has (a replay) changes nothing."""
    if view.source_field != field:
        return
    row = await locked(session, view.referral_id, "outgoing")
    if row is None or row["target_field"] != view.target_field:
        return  # not sent from here, or answered by a field it was not sent to
    if row["status"] == view.status or row["status"] in REFERRAL.final:
        return
    values: dict[str, Any] = {
        "status": view.status,
        "due_on": view.due_on,
        "updated_at": now(),
        f"{view.status}_on": view.step_on,
    }
    if view.case_ref is not None:
        values["case_ref"] = view.case_ref
    code = view.rejection_code or view.outcome_code
    if view.rejection_code is not None:
        values["rejection_code"] = view.rejection_code
    if view.outcome_code is not None:
        values["outcome_code"] = view.outcome_code
    await session.execute(update(referral).where(referral.c.id == row["id"]).values(values))
    action = cast(
        Action, {"accepted": "accept", "rejected": "reject", "resolved": "resolve"}[view.status]
    )
    await record(
        session,
        row["id"],
        row["status"],
        view.status,
        Step(action, f"field:{view.target_field}", view.step_on, code),
    )


# --- the target -------------------------------------------------------------------------


async def receive(
    session: AsyncSession, settings: ServiceSettings, field: str, view: RequestedView
) -> None:
    """A request addressed to this field becomes its own referral, due N working days after it
    was requested under this deployment's calendar. Requests to other fields are theirs."""
    if view.target_field != field:
        return
    if (
        await session.execute(select(referral.c.id).where(referral.c.id == view.referral_id))
    ).first():
        return
    refs = (view.person_ref, view.household_ref)
    row = new_row(
        id=view.referral_id,
        direction="incoming",
        source_field=view.source_field,
        target_field=field,
        automatic=False,
        posyandu_id=view.posyandu_id,
        desa_code=view.desa_code,
        reason_code=view.reason_code,
        details=view.details,
        refs=refs,
        need=need_key(view.source_field, field, view.reason_code, *refs),
        requested_on=view.requested_on,
        due_on=due_date(settings, field, view.requested_on),
        actor=f"field:{view.source_field}",
    )
    await session.execute(insert(referral).values(row))
    step = Step("request", row["requested_by"], view.requested_on, view.reason_code)
    await record(session, row["id"], None, "requested", step)


async def answer(
    uow: UnitOfWork,
    settings: ServiceSettings,
    field: str,
    referral_id: str,
    body: AcceptIn | RejectIn | ResolveIn,
    principal: Principal,
) -> None:
    """Accept, reject or resolve a referral this field owns, in the caller's wilayah."""
    row = await locked(uow.session, referral_id, "incoming")
    if row is None or not principal.can_see(row["desa_code"]):
        if row is None and await _is_outgoing(uow.session, referral_id):
            raise Conflict(
                f"Referral {referral_id} was sent by {field}: its target answers it.",
                current_status=None,
            )
        raise NotFound(f"No incoming referral {referral_id} in your wilayah.")
    catalogue = catalogue_for(field)
    action, on, code = _step_of(catalogue, body, local_today(settings))
    previous = row["accepted_on"] or row["requested_on"]
    not_before(on, previous, _date_field(body))
    await take(
        uow, field, row, Step(action, principal.subject, on, code, body.note), _case_ref(body)
    )


async def _is_outgoing(session: AsyncSession, referral_id: str) -> bool:
    query = select(referral.c.id).where(
        referral.c.id == referral_id, referral.c.direction == "outgoing"
    )
    return (await session.execute(query)).first() is not None


def _step_of(
    catalogue: Catalogue, body: AcceptIn | RejectIn | ResolveIn, today: date
) -> tuple[Action, date, str | None]:
    if isinstance(body, AcceptIn):
        on, action, code = body.accepted_on, "accept", None
    elif isinstance(body, RejectIn):
        on, action, code = body.rejected_on, "reject", catalogue.rejection(body.rejection_code).code
    else:
        on, action, code = body.resolved_on, "resolve", catalogue.outcome(body.outcome_code).code
    day = on or today
    not_in_future(day, today, _date_field(body))
    return cast(Action, action), day, code


def _date_field(body: AcceptIn | RejectIn | ResolveIn) -> str:
    if isinstance(body, AcceptIn):
        return "body.accepted_on"
    return "body.rejected_on" if isinstance(body, RejectIn) else "body.resolved_on"


def _case_ref(body: AcceptIn | RejectIn | ResolveIn) -> str | None:
    return body.case_ref if isinstance(body, AcceptIn) else None
