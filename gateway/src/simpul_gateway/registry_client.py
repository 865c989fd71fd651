"""What the gateway reads from the registry about a posyandu's days, over its REST API.

The profile shows the posyandu's next open day and its last held day's attendance. Three
calls: the next open day after today, the calendar of the last ``LOOK_BACK`` (the registry's
longest span) with each day's record, and, once the last held day is known, the kader
appointed on it (the expected kader, as the registry's participation counts them).
"""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from urllib.parse import quote

from pydantic import BaseModel, ValidationError

from simpul_gateway.schemas import HeldDay, PosyanduDays
from simpul_gateway.upstream import Answer, Status, Upstream
from simpul_platform.indicators import percent

LOOK_BACK = timedelta(days=400)  # the registry answers at most 400 days of calendar at once


class _Record(BaseModel):
    held: bool
    fields: list[str]
    kader_present: int


class _Day(BaseModel):
    day: date
    record: _Record | None


class _Calendar(BaseModel):
    days: list[_Day]


class _NextOpenDay(BaseModel):
    day: date | None


class _Kader(BaseModel):
    person_id: str


async def posyandu_days(
    registry: Upstream, token: str, posyandu_id: str, today: date
) -> PosyanduDays:
    """The next open day after ``today`` and the last held day up to it. A call the registry
    does not answer leaves the whole section empty with that call's status: a missing last
    day must not read as a posyandu that never held one."""
    base = f"/v1/posyandu/{quote(posyandu_id, safe='')}"
    upcoming, past = await asyncio.gather(
        registry.get(f"{base}/next-open-day", token, {"after": today.isoformat()}),
        registry.get(
            f"{base}/days",
            token,
            {"from": (today - LOOK_BACK).isoformat(), "to": today.isoformat()},
        ),
    )
    try:
        failed = _failed(upcoming) or _failed(past)
        if failed is not None:
            return failed
        next_day = _NextOpenDay.model_validate(upcoming.data).day
        held = [d for d in _Calendar.model_validate(past.data).days if d.record and d.record.held]
        if not held:
            return PosyanduDays(status=Status.OK, next_open_day=next_day, last_held_day=None)
        last = max(held, key=lambda d: d.day)
        kader = await registry.get(f"{base}/kader-activity", token, {"on": last.day.isoformat()})
        failed = _failed(kader)
        if failed is not None:
            return failed
        expected = len([_Kader.model_validate(row) for row in kader.data])
    except (ValidationError, TypeError) as exc:
        return PosyanduDays(
            status=Status.UNAVAILABLE,
            detail=f"registry answered its days in a shape the gateway cannot read ({exc})"[:300],
        )
    assert last.record is not None  # held days are those with a record
    return PosyanduDays(
        status=Status.OK,
        next_open_day=next_day,
        last_held_day=HeldDay(
            day=last.day,
            kader_present=last.record.kader_present,
            kader_expected=expected,
            percent=percent(last.record.kader_present, expected),
            fields=last.record.fields,
        ),
    )


def _failed(answer: Answer) -> PosyanduDays | None:
    if answer.ok:
        return None
    return PosyanduDays(status=answer.status, detail=answer.detail)
