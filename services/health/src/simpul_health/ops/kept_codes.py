"""Which SPM codes are kept on write (``ops.kept``), the statement that counts each for one
posyandu and period, and the denominators read at read time instead of kept.

Each record's module owns its statement; this table only names them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy import select, union
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_health.models import (
    HivRiskPerson,
    MentalHealthCase,
    Newborn,
    Pregnancy,
    SchoolAgeChild,
    SchoolScreening,
    TbPresumptive,
)
from simpul_health.ops import hiv, mental_health, newborns, pregnancy, school_children, tb
from simpul_health.ops.kept import Counter
from simpul_platform.indicators import Period

COUNTERS: dict[str, Counter] = {}
COUNTERS["ibu_bersalin"] = pregnancy.delivery_counts
COUNTERS["bayi_baru_lahir"] = newborns.newborn_counts
COUNTERS[school_children.CODE] = school_children.count_screened
COUNTERS |= {mental_health.CODE: mental_health.counter, tb.CODE: tb.counter, hiv.CODE: hiv.counter}
# code → (session, period, wilayah=, posyandu_id=) → {code: denominator} (none: not replaced)
ReadTimeDenominator = Callable[..., Awaitable[dict[str, int]]]
READ_TIME_DENOMINATORS: dict[str, ReadTimeDenominator] = {
    school_children.CODE: school_children.denominators,
    mental_health.CODE: mental_health.active_cases,
}


async def read_time_denominators(
    session: AsyncSession, period: Period, *, wilayah: str | None, posyandu_id: str | None
) -> dict[str, int]:
    """Denominators counted when read, not kept (a count of people whose age, not a write,
    brings them into the target group, or a case that stays in care without a write)."""
    found: dict[str, int] = {}
    for read in READ_TIME_DENOMINATORS.values():
        found |= await read(session, period, wilayah=wilayah, posyandu_id=posyandu_id)
    return found


async def posyandu_with_records(session: AsyncSession) -> list[str]:
    """Every posyandu with a record a kept code counts."""
    tables = (Pregnancy, Newborn, SchoolScreening, MentalHealthCase, TbPresumptive, HivRiskPerson)
    query = union(
        *(select(col(t.posyandu_id)) for t in tables),
        select(col(SchoolAgeChild.posyandu_id)),  # usia pendidikan dasar: education's posyandu
    )
    return sorted((await session.execute(query)).scalars().all())
