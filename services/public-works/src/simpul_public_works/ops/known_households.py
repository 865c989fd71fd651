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

A consumer chunk's run of events of one type is applied by one ``know`` (one read of the
households' rows, one flush), exactly as its events one after another: the handler of a single
event is the same call with that event's facts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any, NamedTuple

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.consumer import Received
from simpul_platform.events import Envelope
from simpul_public_works.events import HouseAssessed, HouseholdAssessed, StuntingDetected
from simpul_public_works.models import KnownHousehold
from simpul_public_works.ops import tallies


class Known(NamedTuple):
    """One event's word that a household is known at a posyandu from a date."""

    household_ref: str
    posyandu_id: str
    desa_code: str
    source: str
    known_on: date
    event_id: str

    def values(self) -> dict[str, Any]:
        return {
            "posyandu_id": self.posyandu_id,
            "desa_code": self.desa_code,
            "source": self.source,
            "known_on": self.known_on,
            "last_event_id": self.event_id,
        }


async def know(session: AsyncSession, facts: Sequence[Known]) -> None:
    """Record each household as known (or as known earlier, where a fact says so), the facts
    applied one after another in their order: one event's, or a consumer chunk's run of them.

    The households' rows are read and locked in one statement (in key order, so two writers
    cannot deadlock) and decided in memory, each fact seeing the ones before it; the kept
    counts are dropped per posyandu from the earliest month any fact changes there."""
    refs = sorted({fact.household_ref for fact in facts})
    if not refs:
        return
    query = (
        select(KnownHousehold)
        .where(col(KnownHousehold.household_ref).in_(refs))
        .order_by(col(KnownHousehold.household_ref))
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    rows = {row.household_ref: row for row in (await session.execute(query)).scalars()}
    changed: dict[str, KnownHousehold] = {}
    since: dict[str, date] = {}
    for fact in facts:
        row = rows.get(fact.household_ref)
        if row is None:
            row = rows[fact.household_ref] = KnownHousehold(
                household_ref=fact.household_ref, **fact.values()
            )
        elif fact.known_on < row.known_on:
            _drop(since, row.posyandu_id, row.known_on)  # counted there till now
            row.sqlmodel_update(fact.values())
        else:
            continue
        _drop(since, fact.posyandu_id, fact.known_on)
        changed[fact.household_ref] = row
    by_day: dict[date, list[str]] = defaultdict(list)
    for posyandu_id, day in since.items():
        by_day[day].append(posyandu_id)
    for day in sorted(by_day):
        await tallies.invalidate_many(session, sorted(by_day[day]), day)
    session.add_all(changed.values())
    await session.flush()  # the next record of the chunk may name the same household


def _drop(since: dict[str, date], posyandu_id: str, day: date) -> None:
    since[posyandu_id] = min(day, since.get(posyandu_id, day))


def _from_house(data: HouseAssessed, event: Envelope) -> list[Known]:
    return [
        Known(ref, data.posyandu_id, data.desa_code, "housing", data.surveyed_on, event.id)
        for ref in sorted(set(data.household_refs))
    ]


def _from_household(data: HouseholdAssessed, event: Envelope) -> list[Known]:
    return [
        Known(
            data.household_ref,
            data.posyandu_id,
            data.desa_code,
            "social",
            data.assessed_on,
            event.id,
        )
    ]


def _from_detection(data: StuntingDetected, event: Envelope) -> list[Known]:
    if data.household_ref is None:
        return []
    return [
        Known(
            data.household_ref,
            data.posyandu_id,
            data.desa_code,
            "health",
            data.measured_on,
            event.id,
        )
    ]


FieldEvent = HouseAssessed | HouseholdAssessed | StuntingDetected


def _facts(data: FieldEvent, event: Envelope) -> list[Known]:
    if isinstance(data, HouseAssessed):
        return _from_house(data, event)
    if isinstance(data, HouseholdAssessed):
        return _from_household(data, event)
    return _from_detection(data, event)


async def on_event(session: AsyncSession, data: FieldEvent, event: Envelope) -> None:
    """One event of any of the three fields."""
    await know(session, _facts(data, event))


async def on_events(session: AsyncSession, run: Sequence[Received[FieldEvent]]) -> None:
    """A consumer chunk's run of them, the three types mixed, applied as one."""
    await know(session, [fact for data, event in run for fact in _facts(data, event)])
