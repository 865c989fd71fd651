"""Households the other fields know at a posyandu, by pseudonym (``known_household``): the
denominator of survey coverage (households surveyed ÷ households known). They come from
housing's house surveys (each household living in the house), social's DTSEN assessments and
health's stunting detections that name a household. The ``public-works.known-households``
consumer applies the first two; the detections are applied by the stunting-wash consumer, in
its reaction's transaction (``ops.stunting_wash``), and the migration that moved them there
(``d4e5f6a7b8c9``) made every household already recorded as stunted known.

The first field to know a household keeps it: the event with the earliest date gives the row
(source, posyandu, desa, ``known_on``); of one date, the one applied first. An older event
arriving late replaces the row (it was known earlier, there), a later one changes nothing, so
the row does not depend on the order the three topics are read in. A redelivered event is
skipped by the consumer's inbox, and applying one again changes nothing either (the row is
locked while it is compared).

A consumer chunk's run of events is applied by one ``know`` (one read of the
households' rows, one flush), exactly as its events one after another: the handler of a single
event is the same call with that event's facts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import Table, bindparam, insert, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.events import Envelope
from simpul_public_works.events import HouseAssessed, HouseholdAssessed, StuntingDetected
from simpul_public_works.models import KnownHousehold
from simpul_public_works.ops import tallies

KNOWN: Table = KnownHousehold.__table__  # type: ignore[attr-defined]
UPDATE = update(KNOWN).where(KNOWN.c.household_ref == bindparam("ref"))


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
    counts are dropped per posyandu from the earliest month any fact changes there. Plain
    rows, not models: a detection's reaction applies this to every household it names."""
    refs = sorted({fact.household_ref for fact in facts})
    if not refs:
        return
    query = (
        select(KNOWN.c.household_ref, KNOWN.c.posyandu_id, KNOWN.c.known_on)
        .where(KNOWN.c.household_ref.in_(refs))
        .order_by(KNOWN.c.household_ref)
        .with_for_update()
    )
    held = {ref: (posyandu, on) for ref, posyandu, on in await session.execute(query)}
    new: dict[str, Known] = {}
    earlier: dict[str, Known] = {}
    since: dict[str, date] = {}
    for fact in facts:
        ref, now = fact.household_ref, held.get(fact.household_ref)
        if now is not None and fact.known_on >= now[1]:
            continue
        if now is not None:
            _drop(since, *now)  # counted there till now
        (earlier if ref in held and ref not in new else new)[ref] = fact
        held[ref] = (fact.posyandu_id, fact.known_on)
        _drop(since, fact.posyandu_id, fact.known_on)
    by_day: dict[date, list[str]] = defaultdict(list)
    for posyandu_id, day in since.items():
        by_day[day].append(posyandu_id)
    for day in sorted(by_day):
        await tallies.invalidate_many(session, sorted(by_day[day]), day)
    if new:
        rows = [{"household_ref": ref, **fact.values()} for ref, fact in new.items()]
        await session.execute(insert(KNOWN), rows)
    if earlier:
        changes = [{"ref": ref, **fact.values()} for ref, fact in earlier.items()]
        await session.execute(UPDATE, changes)


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


async def on_events(session: AsyncSession, run: Sequence[tuple[FieldEvent, Envelope]]) -> None:
    """A consumer chunk's run of them, the three types mixed, applied as one."""
    await know(session, [fact for data, event in run for fact in _facts(data, event)])
