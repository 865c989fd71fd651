"""Aggregates for DPMD and the gateway: statuses as of a day, the SPM pendidikan indicators
and the summary, over a scope (wilayah prefixes, or one posyandu).

Counted on read from the children and their status history (a first slice: the house style
keeps indicator counts on write; see the issue note)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_education.domain.indicators import GROUPS, tally
from simpul_education.domain.status import STATUSES
from simpul_education.models import Child, ChildStatus
from simpul_platform.indicators import IndicatorValue
from simpul_platform.wilayah import under

UNRECORDED = "unrecorded"
SOURCE = (
    "Permendikbudristek 32/2022 (SPM pendidikan, kab/kota: PAUD, pendidikan dasar); "
    "formulas as on regional dashboards (FIELDS.md §1(a)); statuses from this service"
)


@dataclass(frozen=True)
class Scope:
    wilayah: Sequence[str]
    posyandu_id: str | None = None


async def statuses_as_of(
    session: AsyncSession, scope: Scope, day: date
) -> list[tuple[date, str | None]]:
    """(birth date, status on ``day``) of every child in ``scope`` born by ``day``."""
    children = select(col(Child.id), col(Child.birth_date)).where(
        under(col(Child.desa_code), scope.wilayah), col(Child.birth_date) <= day
    )
    statuses = (
        select(col(ChildStatus.child_id), col(ChildStatus.status))
        .join(Child, col(Child.id) == col(ChildStatus.child_id))
        .where(under(col(Child.desa_code), scope.wilayah), col(ChildStatus.on) <= day)
        .order_by(col(ChildStatus.on), col(ChildStatus.recorded_at), col(ChildStatus.id))
    )
    if scope.posyandu_id is not None:
        children = children.where(col(Child.posyandu_id) == scope.posyandu_id)
        statuses = statuses.where(col(Child.posyandu_id) == scope.posyandu_id)
    latest: dict[str, str] = {}
    for child_id, status in (await session.execute(statuses)).all():
        latest[child_id] = status  # ordered by date: the last one wins
    return [(birth, latest.get(child_id)) for child_id, birth in (await session.execute(children))]


async def indicators(session: AsyncSession, scope: Scope, end: date) -> list[IndicatorValue]:
    """PAUD 5–6 and pendidikan dasar 7–15, statuses as of ``end``."""
    children = await statuses_as_of(session, scope, end)
    values = []
    for group in GROUPS:
        numerator, denominator = tally(group, children, end)
        values.append(
            IndicatorValue.of(
                group.code,
                "education",
                group.name,
                numerator,
                denominator,
                group.definition,
                SOURCE,
            )
        )
    return values


async def by_status(session: AsyncSession, scope: Scope, day: date) -> dict[str, int]:
    """Children in ``scope`` by their status on ``day``; every code present, and unrecorded."""
    children = await statuses_as_of(session, scope, day)
    counts = Counter(status or UNRECORDED for _, status in children)
    return {code: counts.get(code, 0) for code in (*STATUSES, UNRECORDED)}
