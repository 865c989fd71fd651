"""A year of posyandu days for the demo kabupaten: each posyandu's monthly rule, DPMD's monthly
serentak day, each day's record and its kader's attendance (about 93 % present, as the seeds
report for posyandu serentak), from a fixed seed.

Rows go in with one COPY per table (``batches.rows.insert_rows``), and the held events in one
outbox statement: a year for 827 posyandu in seconds, not one request per kader per day.
Loading is skipped when the kabupaten already has serentak days. Last month's kader
incentive roster is computed from them as a draft (``load_roster``).
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Table, func
from sqlmodel import col, select

from simpul_platform.batches.rows import insert_rows
from simpul_platform.clock import local_today, now
from simpul_platform.db import Database
from simpul_platform.devstack.population import KUKAR
from simpul_platform.events import new_id
from simpul_platform.outbox import Outbox
from simpul_platform.uow import UnitOfWork
from simpul_registry.domain.days import (
    MonthlyRule,
    NotHeldReason,
    expand,
    next_working_day,
    nth_weekday,
)
from simpul_registry.domain.fields import Role, decode_fields, encode_fields
from simpul_registry.domain.holidays import holidays
from simpul_registry.domain.lifecycle import Status
from simpul_registry.events import PosyanduDayHeld
from simpul_registry.models import (
    KaderAttendance,
    Person,
    Posyandu,
    PosyanduDay,
    ScheduleRule,
    SerentakDay,
)
from simpul_registry.ops.roster import compute, find
from simpul_registry.settings import RegistrySettings

SERENTAK_RULE = (2, 3)  # DPMD's day: the second Thursday of each month
NOT_HELD = [
    NotHeldReason.weather,
    NotHeldReason.disaster,
    NotHeldReason.no_health_worker,
    NotHeldReason.community_event,
]


def table(model: Any) -> Table:
    found: Table = model.__table__
    return found


def the_year(today: date) -> tuple[date, date]:
    """The twelve whole months before today's."""
    end = today.replace(day=1) - timedelta(days=1)
    if end.month == 12:
        return date(end.year, 1, 1), end
    return date(end.year - 1, end.month + 1, 1), end


async def load_days(
    db: Database,
    settings: RegistrySettings,
    *,
    seed: int = 93,
    actor: str = "demo-loader",
    today: date | None = None,
) -> int:
    """Write the year; returns how many posyandu days were recorded."""
    start, end = the_year(today or local_today(settings))
    async with db.sessions() as session:
        if (
            await session.exec(
                select(func.count())
                .select_from(SerentakDay)
                .where(col(SerentakDay.wilayah_code) == KUKAR)
            )
        ).one():
            return 0
        posyandu = (
            await session.exec(
                select(Posyandu)
                .where(
                    col(Posyandu.kabupaten_code) == KUKAR,
                    col(Posyandu.status) != Status.inactive.value,
                )
                .order_by(col(Posyandu.desa_code), col(Posyandu.name_key))
            )
        ).all()
        kader: dict[str, list[Person]] = defaultdict(list)
        for person in (
            await session.exec(
                select(Person).where(col(Person.role) == Role.kader.value).order_by(col(Person.nik))
            )
        ).all():
            kader[person.posyandu_id].append(person)
        rng, at = random.Random(seed), now()
        free = holidays(settings, range(start.year - 1, end.year + 1))
        serentak = serentak_days(start, end, free)
        writes = Writes()
        for row in serentak:
            writes.serentak.append(
                {
                    "id": new_id(),
                    "wilayah_code": KUKAR,
                    "day": row,
                    "note": "Posyandu serentak",
                    "created_by": actor,
                    "created_at": at,
                }
            )
        for p in posyandu:
            rule = MonthlyRule(rng.randint(1, 4), rng.randint(0, 4), start)
            writes.rules.append(
                {
                    "id": new_id(),
                    "posyandu_id": p.id,
                    "week": rule.week,
                    "weekday": rule.weekday,
                    "valid_from": start,
                    "valid_until": None,
                    "created_by": actor,
                    "created_at": at,
                }
            )
            for planned in expand([rule], start, end, holidays=free, serentak=serentak):
                writes.day(
                    rng, p, planned.day, kader[p.id], actor, at, serentak=planned.day in serentak
                )
        uow = UnitOfWork(session, Outbox(settings))
        for model, rows in (
            (SerentakDay, writes.serentak),
            (ScheduleRule, writes.rules),
            (PosyanduDay, writes.days),
            (KaderAttendance, writes.attendance),
        ):
            await insert_rows(session, table(model), rows)
        for event in writes.events:
            uow.publish_data(PosyanduDayHeld, event, subject=event.pop("subject"))
        await uow.commit()
    return len(writes.days)


def serentak_days(start: date, end: date, free: frozenset[date]) -> list[date]:
    week, weekday = SERENTAK_RULE
    days, month = [], start
    while month <= end:
        days.append(next_working_day(nth_weekday(month.year, month.month, week, weekday), free))
        month = (month + timedelta(days=32)).replace(day=1)
    return days


class Writes:
    """The rows and events of the year, gathered for one COPY per table."""

    def __init__(self) -> None:
        self.serentak: list[dict[str, Any]] = []
        self.rules: list[dict[str, Any]] = []
        self.days: list[dict[str, Any]] = []
        self.attendance: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []

    def day(
        self,
        rng: random.Random,
        p: Posyandu,
        day: date,
        kader: list[Person],
        actor: str,
        at: Any,
        *,
        serentak: bool,
    ) -> None:
        held = rng.random() < (0.99 if serentak else 0.96)
        run = decode_fields(p.fields)
        fields = [f for f in run if f == "health" or rng.random() < 0.8] if held else []
        row_id = new_id()
        # The kept counts, as ops/day_counts.py would recount them: the kader appointed on the
        # day whether held or not, and (below) those present.
        appointed = [
            person
            for person in kader
            if person.start_date <= day and (person.end_date is None or person.end_date >= day)
        ]
        row: dict[str, Any] = {
            "id": row_id,
            "posyandu_id": p.id,
            "day": day,
            "held": held,
            "reason": None if held else rng.choice(NOT_HELD).value,
            "fields": encode_fields(fields),
            "note": None,
            "recorded_by": actor,
            "recorded_at": at,
            "updated_by": actor,
            "updated_at": at,
            "kader_expected": len(appointed),
            "kader_present": 0,
        }
        self.days.append(row)
        if not held:
            return
        present = 0
        for person in appointed:
            # Most kader nearly always come; one in twenty often does not: 93 % overall.
            steady = int(person.nik[-4:]) % 20 != 0
            came = rng.random() < (0.95 if steady else 0.55)
            status = "present" if came else rng.choice(("absent", "absent", "excused"))
            present += came
            self.attendance.append(
                {
                    "posyandu_id": p.id,
                    "day": day,
                    "person_id": person.id,
                    "status": status,
                    "recorded_by": actor,
                    "recorded_at": at,
                }
            )
        row["kader_present"] = present
        self.events.append(
            {
                "posyandu_id": p.id,
                "desa_code": p.desa_code,
                "day": day.isoformat(),
                "fields": fields,
                "kader_present": present,
                "serentak": serentak,
                "subject": row_id,
            }
        )


async def load_roster(
    db: Database,
    settings: RegistrySettings,
    *,
    actor: str = "demo-loader",
    today: date | None = None,
) -> str | None:
    """Last month's kader incentive roster for Kukar, left as a draft for DPMD to approve;
    returns its id, or None when there is one already."""
    today = today or local_today(settings)
    month = (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    async with db.sessions() as session:
        if await find(session, KUKAR, month) is not None:
            return None
        uow = UnitOfWork(session, Outbox(settings))
        roster = await compute(uow, KUKAR, month, settings, today, actor)
        await uow.commit()
    return roster.id
