"""Households' DTSEN deciles, replicated from social's ``social.household.assessed.v1`` (never
read from social's database): what the PAUD equity indicator groups children by."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_education.events import HouseholdAssessed
from simpul_education.models import Child, HouseholdDecile
from simpul_education.ops.tallies import invalidate_many
from simpul_platform.events import Envelope


async def record_assessment(
    session: AsyncSession, assessed: HouseholdAssessed, event: Envelope
) -> None:
    """Keep the household's latest assessment (by date; of one date, the later event); when
    its decile changes, drop the counts of every posyandu its children are known at.

    Redelivery is harmless twice over: the consumer's inbox skips an event applied before, and
    an older assessment arriving late changes nothing."""
    row = await session.get(HouseholdDecile, assessed.household_ref, with_for_update=True)
    if row is not None and row.assessed_on > assessed.assessed_on:
        return
    before = None if row is None else row.decile
    values: dict[str, Any] = {
        "decile": assessed.decile,
        "source": assessed.source,
        "assessed_on": assessed.assessed_on,
        "posyandu_id": assessed.posyandu_id,
        "desa_code": assessed.desa_code,
        "last_event_id": event.id,
        "updated_at": datetime.now(UTC),
    }
    if row is None:
        row = HouseholdDecile(household_ref=assessed.household_ref, **values)
    else:
        row.sqlmodel_update(values)
    session.add(row)
    if before != assessed.decile:
        # A decile is the household's latest known one, used for every period: all months.
        await invalidate_many(session, await posyandu_of(session, assessed.household_ref), date.min)


async def posyandu_of(session: AsyncSession, household: str) -> list[str]:
    """The posyandu the household's children are known at."""
    query = select(col(Child.posyandu_id)).where(col(Child.household_ref) == household).distinct()
    return list((await session.exec(query)).all())
