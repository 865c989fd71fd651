"""Posyandu days: the schedule, the serentak days, the calendar they expand to, each day's
record, and the next open day (the gateway's profile and health's overdue list ask it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import delete, func
from sqlmodel import col, select

from simpul_platform import clock
from simpul_platform.domain import RuleViolation, not_in_future
from simpul_platform.events import new_id
from simpul_platform.settings import ServiceSettings
from simpul_platform.uow import UnitOfWork
from simpul_registry.domain.days import (
    MonthlyRule,
    PlannedDay,
    Weekday,
    check_rule,
    expand,
)
from simpul_registry.domain.fields import decode_fields, encode_fields
from simpul_registry.domain.holidays import holidays
from simpul_registry.domain.lifecycle import Status
from simpul_registry.events import PosyanduDayHeld
from simpul_registry.models import (
    KaderAttendance,
    Posyandu,
    PosyanduDay,
    ScheduleDay,
    ScheduleRule,
    SerentakDay,
    StatusChange,
)
from simpul_registry.ops.day_counts import recount_days
from simpul_registry.schemas_days import DayRecordIn, ScheduleIn, SerentakIn

ONE_OFF, CANCELLED = "one_off", "cancelled"
MAX_SPAN = timedelta(days=400)
LOOKAHEAD = timedelta(days=400)  # how far next_open_day looks


@dataclass
class CalendarEntry:
    planned: PlannedDay
    record: PosyanduDay | None
    present: int


def wilayah_chain(desa_code: str) -> list[str]:
    """The desa code and every code above it: the wilayah a serentak day may name."""
    parts = desa_code.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts) + 1)]


async def put_schedule(uow: UnitOfWork, p: Posyandu, body: ScheduleIn, actor: str) -> None:
    """Replace the posyandu's rules, one-off days and cancellations."""
    rules = [MonthlyRule(r.week, r.weekday.number, r.valid_from, r.valid_until) for r in body.rules]
    for i, rule in enumerate(rules):
        check_rule(rule, f"body.rules[{i}]")
    one_off = {d.day for d in body.one_off}
    for i, item in enumerate(body.cancelled):
        if item.day in one_off:
            raise RuleViolation(
                f"body.cancelled[{i}].day",
                "one_off_and_cancelled",
                f"{item.day} is both a one-off day and a cancelled one.",
            )
    recorded = await _recorded_days(uow.session, p.id, [c.day for c in body.cancelled])
    for i, item in enumerate(body.cancelled):
        if item.day in recorded:
            raise RuleViolation(
                f"body.cancelled[{i}].day",
                "day_recorded",
                f"{item.day} has a record already; a held day is not cancelled.",
            )
    session, at = uow.session, clock.now()
    await session.exec(delete(ScheduleRule).where(col(ScheduleRule.posyandu_id) == p.id))
    await session.exec(delete(ScheduleDay).where(col(ScheduleDay.posyandu_id) == p.id))
    for rule in rules:
        session.add(
            ScheduleRule(
                id=new_id(),
                posyandu_id=p.id,
                week=rule.week,
                weekday=rule.weekday,
                valid_from=rule.valid_from,
                valid_until=rule.valid_until,
                created_by=actor,
                created_at=at,
            )
        )
    for kind, items in ((ONE_OFF, body.one_off), (CANCELLED, body.cancelled)):
        for item in {d.day: d for d in items}.values():
            session.add(
                ScheduleDay(
                    posyandu_id=p.id,
                    day=item.day,
                    kind=kind,
                    note=item.note,
                    created_by=actor,
                    created_at=at,
                )
            )


async def schedule_of(session: Any, posyandu_id: str) -> dict[str, Any]:
    rules = (
        await session.exec(
            select(ScheduleRule)
            .where(col(ScheduleRule.posyandu_id) == posyandu_id)
            .order_by(col(ScheduleRule.valid_from))
        )
    ).all()
    days = (
        await session.exec(
            select(ScheduleDay)
            .where(col(ScheduleDay.posyandu_id) == posyandu_id)
            .order_by(col(ScheduleDay.day))
        )
    ).all()
    weekdays = list(Weekday)
    return {
        "posyandu_id": posyandu_id,
        "rules": [
            {
                "week": r.week,
                "weekday": weekdays[r.weekday],
                "valid_from": r.valid_from,
                "valid_until": r.valid_until,
            }
            for r in rules
        ],
        "one_off": [{"day": d.day, "note": d.note} for d in days if d.kind == ONE_OFF],
        "cancelled": [{"day": d.day, "note": d.note} for d in days if d.kind == CANCELLED],
    }


def add_serentak(uow: UnitOfWork, body: SerentakIn, actor: str) -> SerentakDay:
    row = SerentakDay(
        id=new_id(),
        wilayah_code=body.wilayah,
        day=body.day,
        note=body.note,
        created_by=actor,
        created_at=clock.now(),
    )
    uow.session.add(row)
    return row


async def _recorded_days(session: Any, posyandu_id: str, days: list[date]) -> set[date]:
    if not days:
        return set()
    found = await session.exec(
        select(col(PosyanduDay.day)).where(
            col(PosyanduDay.posyandu_id) == posyandu_id, col(PosyanduDay.day).in_(days)
        )
    )
    return set(found.all())


async def serentak_dates(session: Any, desa_code: str, start: date, end: date) -> set[date]:
    found = await session.exec(
        select(col(SerentakDay.day)).where(
            col(SerentakDay.wilayah_code).in_(wilayah_chain(desa_code)),
            col(SerentakDay.day) >= start,
            col(SerentakDay.day) <= end,
        )
    )
    return set(found.all())


async def calendar(
    session: Any, p: Posyandu, start: date, end: date, settings: ServiceSettings
) -> list[CalendarEntry]:
    """Recurring, one-off and serentak days in [start, end], each with its record if any."""
    if end < start:
        raise RuleViolation("query.to", "before_start", "to is before from.")
    if end - start > MAX_SPAN:
        raise RuleViolation("query.to", "span_too_long", "Ask for at most 400 days at once.")
    rules = (
        await session.exec(select(ScheduleRule).where(col(ScheduleRule.posyandu_id) == p.id))
    ).all()
    days = (
        await session.exec(select(ScheduleDay).where(col(ScheduleDay.posyandu_id) == p.id))
    ).all()
    records = {
        r.day: r
        for r in (
            await session.exec(
                select(PosyanduDay).where(
                    col(PosyanduDay.posyandu_id) == p.id,
                    col(PosyanduDay.day) >= start,
                    col(PosyanduDay.day) <= end,
                )
            )
        ).all()
    }
    present = await present_counts(session, p.id, start, end)
    planned = expand(
        [MonthlyRule(r.week, r.weekday, r.valid_from, r.valid_until) for r in rules],
        start,
        end,
        holidays=holidays(settings, range(start.year - 1, end.year + 2)),
        one_off=[d.day for d in days if d.kind == ONE_OFF],
        serentak=await serentak_dates(session, p.desa_code, start, end),
        cancelled={d.day for d in days if d.kind == CANCELLED},
        recorded=records,
    )
    return [CalendarEntry(d, records.get(d.day), present.get(d.day, 0)) for d in planned]


async def present_counts(session: Any, posyandu_id: str, start: date, end: date) -> dict[date, int]:
    found = await session.exec(
        select(col(KaderAttendance.day), func.count())
        .where(
            col(KaderAttendance.posyandu_id) == posyandu_id,
            col(KaderAttendance.status) == "present",
            col(KaderAttendance.day) >= start,
            col(KaderAttendance.day) <= end,
        )
        .group_by(col(KaderAttendance.day))
    )
    return {day: int(n) for day, n in found.all()}


async def next_open_day(
    session: Any, p: Posyandu, after: date, settings: ServiceSettings
) -> date | None:
    """The posyandu's first planned day after ``after`` not recorded as not held (None when its
    calendar has none within 400 days)."""
    for entry in await calendar(session, p, after + timedelta(days=1), after + LOOKAHEAD, settings):
        if entry.record is None or entry.record.held:
            return entry.planned.day
    return None


async def is_cancelled(session: Any, posyandu_id: str, day: date) -> bool:
    found = await session.get(ScheduleDay, (posyandu_id, day))
    return found is not None and found.kind == CANCELLED


def check_record(p: Posyandu, day: date, body: DayRecordIn, today: date) -> list[str]:
    """The day's record keeps its rules: held days are past or today and name the fields they
    served (fields the posyandu runs); a day not held names a reason and no fields."""
    fields = [f.value for f in body.fields]
    if body.held:
        not_in_future(day, today, "path.day", "A held day")
        if not fields:
            raise RuleViolation(
                "body.fields", "fields_required", "A held day names the SPM fields it served."
            )
        if body.reason is not None:
            raise RuleViolation(
                "body.reason", "reason_not_allowed", "A held day has no reason for not being held."
            )
        run = decode_fields(p.fields)
        for i, f in enumerate(fields):
            if f not in run:
                raise RuleViolation(
                    f"body.fields[{i}]",
                    "field_not_run",
                    f"This posyandu does not run the {f} field.",
                )
    else:
        if body.reason is None:
            raise RuleViolation(
                "body.reason", "reason_required", "A day not held names a reason code."
            )
        if fields:
            raise RuleViolation(
                "body.fields", "fields_not_allowed", "A day not held served no field."
            )
    return fields


async def not_after_deactivation(
    session: Any, p: Posyandu, day: date, settings: ServiceSettings
) -> None:
    """An inactive posyandu holds no day from the date it was deactivated; the days before
    can still be recorded late."""
    if p.status != Status.inactive:
        return
    since = await session.scalar(
        select(func.max(col(StatusChange.at))).where(
            col(StatusChange.posyandu_id) == p.id, col(StatusChange.to_status) == Status.inactive
        )
    )
    if since is not None and day >= (closed := clock.local_day(settings, since)):
        raise RuleViolation(
            "path.day",
            "posyandu_inactive",
            f"This posyandu is inactive since {closed}: reactivate it to record {day}.",
        )


async def record_day(
    uow: UnitOfWork,
    p: Posyandu,
    day: date,
    body: DayRecordIn,
    actor: str,
    settings: ServiceSettings,
) -> tuple[PosyanduDay, int]:
    """Write the day's record (a date off the calendar becomes a one-off day); publish
    ``posyandu_day.held`` when it says held and that is news."""
    fields = check_record(p, day, body, clock.local_today(settings))
    if body.held:
        await not_after_deactivation(uow.session, p, day, settings)
    if await is_cancelled(uow.session, p.id, day):
        raise RuleViolation(
            "path.day",
            "day_cancelled",
            f"{day} is cancelled in the schedule; take it out of the cancellations first.",
        )
    found = await uow.session.exec(
        select(PosyanduDay)
        .where(col(PosyanduDay.posyandu_id) == p.id, col(PosyanduDay.day) == day)
        .with_for_update()
    )
    row: PosyanduDay | None = found.first()
    at = clock.now()
    news = body.held and (row is None or not row.held or row.fields != encode_fields(fields))
    if row is None:
        row = PosyanduDay(
            id=new_id(),
            posyandu_id=p.id,
            day=day,
            held=body.held,
            recorded_by=actor,
            recorded_at=at,
            updated_by=actor,
            updated_at=at,
        )
    row.held, row.reason = body.held, body.reason.value if body.reason else None
    row.fields, row.note = encode_fields(fields), body.note
    row.updated_by, row.updated_at = actor, at
    uow.session.add(row)
    await recount_days(uow.session, p.id, day, day)
    await uow.session.refresh(row, ["kader_expected", "kader_present"])
    present = (await present_counts(uow.session, p.id, day, day)).get(day, 0)
    if news:
        await publish_held(uow, p, row, present)
    return row, present


async def publish_held(uow: UnitOfWork, p: Posyandu, row: PosyanduDay, present: int) -> None:
    serentak = bool(await serentak_dates(uow.session, p.desa_code, row.day, row.day))
    uow.publish(
        PosyanduDayHeld(
            posyandu_id=p.id,
            desa_code=p.desa_code,
            day=row.day,
            fields=decode_fields(row.fields),
            kader_present=present,
            serentak=serentak,
        ),
        subject=row.id,
    )
