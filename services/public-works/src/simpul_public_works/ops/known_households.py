"""Households the other fields know at a posyandu, by pseudonym (``known_household``): the
denominator of survey coverage (households surveyed ÷ households known). They come from
housing's house surveys (each household living in the house), social's DTSEN assessments and
health's stunting detections that name a household.

The first field to know a household keeps it: the event with the earliest date gives the row
(source, posyandu, desa, ``known_on``); of one date, the one applied first. An older event
arriving late replaces the row (it was known earlier, there), a later one changes nothing, so
the row does not depend on the order the three topics are read in. A redelivered event is
skipped by the consumer's inbox, and applying one again changes nothing either (the row is
locked while it is compared).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.events import Envelope
from simpul_public_works.events import HouseAssessed, HouseholdAssessed, StuntingDetected
from simpul_public_works.models import KnownHousehold
from simpul_public_works.ops import tallies


async def know(
    session: AsyncSession,
    household_ref: str,
    *,
    posyandu_id: str,
    desa_code: str,
    source: str,
    known_on: date,
    event_id: str,
) -> KnownHousehold:
    """Record the household as known (or as known earlier, where this event says); the row as
    it stands."""
    row = await session.get(KnownHousehold, household_ref, with_for_update=True)
    values: dict[str, Any] = {
        "posyandu_id": posyandu_id,
        "desa_code": desa_code,
        "source": source,
        "known_on": known_on,
        "last_event_id": event_id,
    }
    if row is None:
        row = KnownHousehold(household_ref=household_ref, **values)
    elif known_on < row.known_on:
        await tallies.invalidate(session, row.posyandu_id, row.known_on)  # counted there till now
        row.sqlmodel_update(values)
    else:
        return row
    await tallies.invalidate(session, posyandu_id, known_on)
    session.add(row)
    await session.flush()  # the next record of the chunk may name the same household
    return row


async def on_house_assessed(session: AsyncSession, data: HouseAssessed, event: Envelope) -> None:
    for ref in sorted(set(data.household_refs)):
        await know(
            session,
            ref,
            posyandu_id=data.posyandu_id,
            desa_code=data.desa_code,
            source="housing",
            known_on=data.surveyed_on,
            event_id=event.id,
        )


async def on_household_assessed(
    session: AsyncSession, data: HouseholdAssessed, event: Envelope
) -> None:
    await know(
        session,
        data.household_ref,
        posyandu_id=data.posyandu_id,
        desa_code=data.desa_code,
        source="social",
        known_on=data.assessed_on,
        event_id=event.id,
    )


async def on_stunting_detected(
    session: AsyncSession, data: StuntingDetected, event: Envelope
) -> None:
    if data.household_ref is None:
        return
    await know(
        session,
        data.household_ref,
        posyandu_id=data.posyandu_id,
        desa_code=data.desa_code,
        source="health",
        known_on=data.measured_on,
        event_id=event.id,
    )
