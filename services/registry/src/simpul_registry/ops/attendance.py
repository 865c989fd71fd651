"""Kader attendance on a posyandu's open days: the bulk answer row by row, each kader's last
present day, and the inactivity flag published once per transition."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import Any

from sqlalchemy import ColumnElement, Table, and_, delete, func, or_, select
from sqlmodel import col

from simpul_platform.auth import Principal
from simpul_platform.batches import rows as batch_rows
from simpul_platform.batches.items import Batch, BatchItem, FirstItems, written
from simpul_platform.domain import RuleViolation, not_in_future
from simpul_platform.uow import UnitOfWork
from simpul_platform.wilayah import under
from simpul_registry.domain.days import inactive_from, is_inactive
from simpul_registry.domain.fields import Role
from simpul_registry.events import KaderActiveAgain, KaderInactive
from simpul_registry.models import KaderActivityFlag, KaderAttendance, Person, Posyandu
from simpul_registry.ops.day_counts import recount_days
from simpul_registry.ops.days import (
    calendar,
    not_after_deactivation,
    present_counts,
    publish_held,
)
from simpul_registry.schemas_days import (
    AttendanceItem,
    AttendanceOut,
    AttendanceResult,
    InactivityCheckOut,
    KaderActivity,
)
from simpul_registry.settings import RegistrySettings

A: Table = KaderAttendance.__table__  # type: ignore[attr-defined]
CONCURRENT = "Another request recorded this day's attendance at the same moment; send it again."


@dataclass(kw_only=True)
class AttendanceBatch(Batch[AttendanceResult]):
    result_type = AttendanceResult
    posyandu: Posyandu
    day: date
    rows: list[dict[str, Any]] = field(default_factory=list)


def check_item(
    people: FirstItems[str], index: int, where: str, given: AttendanceItem
) -> BatchItem[AttendanceItem]:
    people.check(given.person_id, f"{where}.person_id", "This kader is in item {item} already.")
    people.take([given.person_id], index)
    return BatchItem(index, where, given)


def take_one(
    batch: AttendanceBatch, kader: dict[str, Person], item: BatchItem[AttendanceItem]
) -> None:
    """A row is this posyandu's kader, appointed on the day."""
    where, person = f"{item.where}.person_id", kader.get(item.given.person_id)
    if person is None or person.role != Role.kader.value:
        raise RuleViolation(where, "not_a_kader", "This person is not a kader of this posyandu.")
    if person.start_date > batch.day:
        raise RuleViolation(
            where, "not_yet_started", f"This kader started on {person.start_date}, after the day."
        )
    if person.end_date is not None and person.end_date < batch.day:
        raise RuleViolation(
            where,
            "ended_before_day",
            f"This kader's role ended on {person.end_date}, before the day.",
        )
    batch.rows.append(
        {
            "posyandu_id": batch.posyandu.id,
            "day": batch.day,
            "person_id": person.id,
            "status": item.given.status,
            **batch.stamp("recorded"),
        }
    )
    batch.results.add(item.index, "recorded", person_id=person.id, attendance=item.given.status)


async def put_attendance(
    uow: UnitOfWork,
    principal: Principal,
    p: Posyandu,
    day: date,
    raw: Sequence[dict[str, Any]],
    settings: RegistrySettings,
    today: date,
) -> AttendanceOut:
    """Record the kader's attendance on an open day (one of its calendar, not in the future,
    not recorded as not held); rows already there for a kader are replaced."""
    not_in_future(day, today, "path.day", "The day")
    entries = await calendar(uow.session, p, day, day, settings)
    if not entries:
        raise RuleViolation(
            "path.day",
            "not_an_open_day",
            f"{day} is not on this posyandu's calendar: add it as a one-off "
            "day, or record the day first.",
        )
    await not_after_deactivation(uow.session, p, day, settings)
    record = entries[0].record
    if record is not None and not record.held:
        raise RuleViolation(
            "path.day", "day_not_held", f"{day} is recorded as not held: nobody attended."
        )
    batch = AttendanceBatch(uow=uow, principal=principal, posyandu=p, day=day)
    items = batch.checked(raw, AttendanceItem, partial(check_item, FirstItems[str]()))
    ids = [i.given.person_id for i in items]
    found = await uow.session.execute(
        select(Person).where(col(Person.id).in_(ids), col(Person.posyandu_id) == p.id)
    )
    kader = {person.id: person for person in found.scalars()}
    batch.take_each(items, partial(take_one, batch, kader))
    if batch.rows:
        await uow.session.execute(
            delete(KaderAttendance).where(
                col(KaderAttendance.posyandu_id) == p.id,
                col(KaderAttendance.day) == day,
                col(KaderAttendance.person_id).in_([r["person_id"] for r in batch.rows]),
            )
        )
        before = entries[0].present
        await written(batch_rows.insert_rows(uow.session, A, batch.rows), CONCURRENT)
        if record is not None:  # an unrecorded day is counted when its record is written
            await recount_days(uow.session, p.id, day, day)
        after = (await present_counts(uow.session, p.id, day, day)).get(day, 0)
        if record is not None and after != before:  # the held event's count follows
            await publish_held(uow, p, record, after)
    return batch.results.answer(AttendanceOut, ("recorded",))


def appointed_on(on: date) -> ColumnElement[bool]:
    return and_(
        col(Person.role) == Role.kader.value,
        col(Person.start_date) <= on,
        or_(col(Person.end_date).is_(None), col(Person.end_date) >= on),
    )


async def kader_activity(
    session: Any,
    on: date,
    months: int,
    *,
    posyandu_id: str | None = None,
    scopes: Sequence[str] = (),
) -> list[tuple[Person, str, KaderActivity]]:
    """Each kader appointed on ``on`` (of one posyandu, or under ``scopes``) with their last
    present day on or before it, and whether that makes them inactive; with the desa code."""
    last = (
        select(
            col(KaderAttendance.person_id), func.max(col(KaderAttendance.day)).label("last_present")
        )
        .where(col(KaderAttendance.status) == "present", col(KaderAttendance.day) <= on)
        .group_by(col(KaderAttendance.person_id))
        .subquery()
    )
    query = (
        select(Person, col(Posyandu.desa_code), last.c.last_present)
        .join(Posyandu, col(Posyandu.id) == col(Person.posyandu_id))
        .outerjoin(last, last.c.person_id == col(Person.id))
        .where(appointed_on(on))
        .order_by(col(Person.posyandu_id), col(Person.id))
    )
    if posyandu_id is not None:
        query = query.where(col(Person.posyandu_id) == posyandu_id)
    else:
        query = query.where(under(col(Posyandu.desa_code), scopes))
    found = []
    for person, desa, last_present in (await session.execute(query)).all():
        since = inactive_from(last_present or person.start_date, months)
        found.append(
            (
                person,
                desa,
                KaderActivity(
                    person_id=person.id,
                    person_ref=person.person_ref,
                    field=person.field,
                    last_present_on=last_present,
                    inactive_from=since,
                    inactive=is_inactive(last_present or person.start_date, on, months),
                ),
            )
        )
    return found


async def inactivity_check(
    uow: UnitOfWork, scopes: Sequence[str], on: date, months: int
) -> InactivityCheckOut:
    """Flag the kader under ``scopes`` whose state changed since the last check, and publish
    each change once: ``kader.inactive`` or ``kader.active_again``. Nobody is removed."""
    activity = await kader_activity(uow.session, on, months, scopes=scopes)
    ids = [person.id for person, _, _ in activity]
    flags = {
        f.person_id: f
        for f in (
            await uow.session.execute(
                select(KaderActivityFlag).where(col(KaderActivityFlag.person_id).in_(ids))
            )
        ).scalars()
    }
    out = InactivityCheckOut(
        on=on, checked=len(activity), inactive=0, became_inactive=0, active_again=0
    )
    for person, desa, state in activity:
        flag = flags.get(person.id)
        out.inactive += state.inactive
        common = {
            "posyandu_id": person.posyandu_id,
            "person_ref": person.person_ref,
            "field": person.field,
            "last_present_on": state.last_present_on,
        }
        if state.inactive and (flag is None or not flag.inactive):
            event: KaderInactive | KaderActiveAgain = KaderInactive(
                **common, inactive_since=state.inactive_from
            )
            since = state.inactive_from
            out.became_inactive += 1
        elif not state.inactive and flag is not None and flag.inactive:
            event = KaderActiveAgain(**common)
            since = state.last_present_on or on
            out.active_again += 1
        else:
            continue
        uow.publish(event, wilayah=desa, subject=person.id)
        flag = flag or KaderActivityFlag(
            person_id=person.id, inactive=False, since=since, checked_on=on
        )
        flag.inactive, flag.since, flag.checked_on = state.inactive, since, on
        uow.session.add(flag)
    return out
