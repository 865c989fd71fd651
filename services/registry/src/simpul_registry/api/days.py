"""A posyandu's days: its schedule, its calendar, each day's record and kader attendance."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from pydantic import BaseModel

from simpul_platform import clock
from simpul_platform.auth import CurrentPrincipal
from simpul_platform.uow import SessionDep, UnitOfWorkDep
from simpul_registry.api.deps import DayWriter, SettingsDep, load_visible
from simpul_registry.domain.days import DayKind, NotHeldReason
from simpul_registry.domain.fields import decode_fields
from simpul_registry.models import PosyanduDay
from simpul_registry.ops import commit
from simpul_registry.ops.attendance import kader_activity, put_attendance
from simpul_registry.ops.days import (
    CalendarEntry,
    calendar,
    next_open_day,
    put_schedule,
    record_day,
    schedule_of,
)
from simpul_registry.schemas_days import (
    AttendanceIn,
    AttendanceOut,
    CalendarDay,
    CalendarOut,
    DayRecordIn,
    DayRecordOut,
    IsoDay,
    KaderActivity,
    ScheduleIn,
    ScheduleOut,
)

router = APIRouter(prefix="/v1/posyandu/{posyandu_id}", tags=["posyandu days"])
DEFAULT_SPAN = timedelta(days=92)
DateQuery = Annotated[IsoDay | None, Query(description="YYYY-MM-DD")]


class NextOpenDayOut(BaseModel):
    posyandu_id: str
    after: date
    day: date | None


def record_out(row: PosyanduDay, present: int) -> DayRecordOut:
    return DayRecordOut(
        held=row.held,
        reason=NotHeldReason(row.reason) if row.reason else None,
        fields=decode_fields(row.fields),
        note=row.note,
        kader_present=present,
        recorded_by=row.recorded_by,
        updated_by=row.updated_by,
    )


def day_out(entry: CalendarEntry) -> CalendarDay:
    planned = entry.planned
    return CalendarDay(
        day=planned.day,
        kinds=sorted(planned.kinds, key=list(DayKind).index),
        planned_on=planned.planned_on,
        holiday=planned.holiday,
        record=record_out(entry.record, entry.present) if entry.record else None,
    )


@router.put("/schedule", response_model=ScheduleOut, operation_id="putPosyanduSchedule")
async def put(posyandu_id: str, body: ScheduleIn, uow: UnitOfWorkDep, principal: DayWriter) -> Any:
    """Replace the posyandu's monthly rules, one-off days and cancellations."""
    posyandu = await load_visible(uow.session, posyandu_id, principal)
    await put_schedule(uow, posyandu, body, principal.subject)
    await commit(uow)
    return await schedule_of(uow.session, posyandu.id)


@router.get("/schedule", response_model=ScheduleOut, operation_id="getPosyanduSchedule")
async def get_schedule(posyandu_id: str, session: SessionDep, principal: CurrentPrincipal) -> Any:
    """The posyandu's monthly rules, one-off days and cancellations."""
    posyandu = await load_visible(session, posyandu_id, principal)
    return await schedule_of(session, posyandu.id)


@router.get("/days", response_model=CalendarOut, operation_id="listPosyanduDays")
async def list_days(
    posyandu_id: str,
    session: SessionDep,
    principal: CurrentPrincipal,
    settings: SettingsDep,
    start: Annotated[IsoDay | None, Query(alias="from", description="default: today")] = None,
    end: Annotated[IsoDay | None, Query(alias="to", description="default: from + 92 days")] = None,
) -> Any:
    """The expanded calendar (recurring, one-off, serentak), each day with its record if any."""
    posyandu = await load_visible(session, posyandu_id, principal)
    start = start or clock.local_today(settings)
    end = end or start + DEFAULT_SPAN
    entries = await calendar(session, posyandu, start, end, settings)
    return CalendarOut(
        posyandu_id=posyandu.id, start=start, end=end, days=[day_out(e) for e in entries]
    )


@router.put("/days/{day}", response_model=CalendarDay, operation_id="putPosyanduDayRecord")
async def put_record(
    posyandu_id: str,
    day: IsoDay,
    body: DayRecordIn,
    uow: UnitOfWorkDep,
    principal: DayWriter,
    settings: SettingsDep,
) -> Any:
    """Record whether the day was held (or why not) and the SPM fields it served."""
    posyandu = await load_visible(uow.session, posyandu_id, principal)
    await record_day(uow, posyandu, day, body, principal.subject, settings)
    await commit(uow)
    entries = await calendar(uow.session, posyandu, day, day, settings)
    return day_out(entries[0])


@router.put(
    "/days/{day}/attendance", response_model=AttendanceOut, operation_id="putKaderAttendance"
)
async def put_day_attendance(
    posyandu_id: str,
    day: IsoDay,
    uow: UnitOfWorkDep,
    principal: DayWriter,
    settings: SettingsDep,
    body: Annotated[AttendanceIn, Body()],
) -> Any:
    """The kader's attendance on an open day, in bulk; each row answered on its own."""
    posyandu = await load_visible(uow.session, posyandu_id, principal)
    answer = await put_attendance(
        uow, principal, posyandu, day, body.items, settings, clock.local_today(settings)
    )
    await commit(uow)
    return answer


@router.get("/kader-activity", response_model=list[KaderActivity], operation_id="listKaderActivity")
async def list_activity(
    posyandu_id: str,
    session: SessionDep,
    principal: CurrentPrincipal,
    settings: SettingsDep,
    on: DateQuery = None,
) -> Any:
    """Each kader appointed on the day (default today): last present day, inactive or not."""
    posyandu = await load_visible(session, posyandu_id, principal)
    found = await kader_activity(
        session,
        on or clock.local_today(settings),
        settings.kader_inactive_months,
        posyandu_id=posyandu.id,
    )
    return [state for _, _, state in found]


@router.get("/next-open-day", response_model=NextOpenDayOut, operation_id="getNextOpenDay")
async def get_next_open_day(
    posyandu_id: str,
    session: SessionDep,
    principal: CurrentPrincipal,
    settings: SettingsDep,
    after: DateQuery = None,
) -> Any:
    """The posyandu's next planned day after the date (default today) not recorded as not held."""
    posyandu = await load_visible(session, posyandu_id, principal)
    after = after or clock.local_today(settings)
    return NextOpenDayOut(
        posyandu_id=posyandu.id,
        after=after,
        day=await next_open_day(session, posyandu, after, settings),
    )
