"""Moving a posyandu through its registration lifecycle, with history and events."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import select

from simpul_platform import clock
from simpul_platform.errors import Conflict
from simpul_platform.uow import UnitOfWork
from simpul_registry.domain.lifecycle import LIFECYCLE, Action, Status
from simpul_registry.domain.registration import check_registration_number
from simpul_registry.events import PosyanduDeactivated, PosyanduStatusChanged
from simpul_registry.models import Posyandu, StatusChange
from simpul_registry.ops.posyandu import publish, touch
from simpul_registry.schemas import SubmitIn


async def apply_action(
    uow: UnitOfWork,
    p: Posyandu,
    action: Action,
    actor: str,
    *,
    reason: str | None = None,
    documents: SubmitIn | None = None,
    registration_number: str | None = None,
    at: datetime | None = None,
) -> Posyandu:
    """Take ``action``; TransitionRefused (a 409 naming the allowed ones) when the status
    does not permit it."""
    current = Status(p.status)
    target = LIFECYCLE.next(current, action)
    if action is Action.submit and documents is not None:
        for key, value in documents.model_dump().items():
            setattr(p, key, value)
    if action is Action.register:
        assert registration_number is not None
        number = check_registration_number(registration_number, p.desa_code)
        taken = await uow.session.exec(
            select(Posyandu.id).where(Posyandu.registration_number == number,
                                      Posyandu.id != p.id)
        )
        if taken.first() is not None:
            raise Conflict(f"Registration number {number} is already held by another posyandu.")
        p.registration_number = number
    now = at or clock.now()
    p.status = target.value
    touch(p, actor)
    p.updated_at = now
    uow.session.add(p)
    uow.session.add(StatusChange(
        posyandu_id=p.id, action=action.value, from_status=current.value,
        to_status=target.value, note=reason, actor=actor, at=now,
    ))
    publish(uow, PosyanduStatusChanged, p, action=action.value, from_status=current.value,
            to_status=target.value)
    if target is Status.inactive:
        publish(uow, PosyanduDeactivated, p)
    return p

