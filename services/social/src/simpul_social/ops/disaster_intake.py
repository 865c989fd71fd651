"""The ``social.disaster-protection`` consumer: trantib's disasters and fires in, a disaster
protection case out for each household they name (``domain/disaster.py``).

Exactly once per (disaster or fire, household): the cases of an event go in with one
multi-row INSERT that skips a pair already held (the table's unique key), so a redelivered
event, a consumer restarted mid-way and a household named again in a later part of the same
assessment all leave the first case as it is. The inbox makes a redelivery a no-op already;
the unique key is what makes a *new* event naming a known household one. Only the cases
inserted get their opening step in the history. A case links to social's household when
social knows the ``household_ref``; it does not need one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Table, bindparam, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.clock import now
from simpul_platform.events import Envelope, new_id
from simpul_platform.steps import step_row
from simpul_social.domain.disaster import DISASTER_PROTECTION, FIRE_KIND, CaseSource
from simpul_social.events import DisasterAssessed, FireAttended, StruckHousehold
from simpul_social.models import DisasterProtectionCase, DisasterProtectionHistory, Household

ACTOR = "social.disaster-protection"
_CASES: Table = DisasterProtectionCase.__table__  # type: ignore[attr-defined]
_HISTORY: Table = DisasterProtectionHistory.__table__  # type: ignore[attr-defined]
_KNOWN = select(col(Household.household_ref), col(Household.id)).where(
    col(Household.household_ref).in_(bindparam("refs", expanding=True))
)


@dataclass(frozen=True)
class Struck:
    """What one event says: the disaster or fire, and the households it struck."""

    source: CaseSource
    source_event_id: str
    kind: str
    name: str | None
    occurred_on: date
    opened_on: date
    households: Sequence[StruckHousehold]


def from_disaster(data: DisasterAssessed) -> Struck:
    """A rapid assessment's households: opened on the day they were assessed."""
    return Struck(
        "trantib_disaster",
        data.disaster_id,
        data.kind,
        data.name,
        data.occurred_on,
        data.assessed_on or data.occurred_on,
        data.households,
    )


def from_fire(data: FireAttended) -> Struck:
    """A fire's damaged households: opened on the day of the fire."""
    return Struck(
        "trantib_fire",
        data.incident_id,
        FIRE_KIND,
        None,
        data.occurred_on,
        data.occurred_on,
        data.damaged_households,
    )


async def open_cases(session: AsyncSession, struck: Struck, event: Envelope) -> list[str]:
    """Open a case for each household not yet holding one for this disaster or fire; the ids
    of the cases opened (none when all were held)."""
    households = list({h.household_ref: h for h in reversed(struck.households)}.values())
    households.reverse()  # each household once, as first named, in the event's order
    if not households:
        return []
    refs = [h.household_ref for h in households]
    known = {ref: id_ for ref, id_ in await session.execute(_KNOWN, {"refs": refs})}
    moment = now()
    rows = [_case_row(struck, h, known.get(h.household_ref), event.id, moment) for h in households]
    # Many parameter sets for one statement: SQLAlchemy sends them as multi-row INSERTs in
    # batches ("insertmanyvalues"), several times faster than one .values() of 1,000 rows.
    opened = list((await session.execute(_insert_or_skip(session), rows)).scalars())
    if opened:
        codes = {"source": struck.source, "event_id": event.id}
        status = DISASTER_PROTECTION.next(None, "open")
        steps = [
            step_row("case_id", i, "open", None, status, codes, struck.opened_on, ACTOR, moment)
            for i in opened
        ]
        await session.execute(insert(_HISTORY), steps)
    return opened


def _insert_or_skip(session: AsyncSession) -> Any:
    """INSERT … ON CONFLICT (source_event_id, household_ref) DO NOTHING RETURNING id."""
    dialect = session.get_bind().dialect.name
    build = pg_insert if dialect == "postgresql" else sqlite_insert
    return (
        build(_CASES)
        .on_conflict_do_nothing(index_elements=["source_event_id", "household_ref"])
        .returning(_CASES.c.id)
    )


def _case_row(
    struck: Struck, household: StruckHousehold, household_id: str | None, event_id: str, moment: Any
) -> dict[str, Any]:
    return {
        "id": new_id(),
        "source": struck.source,
        "source_event_id": struck.source_event_id,
        "household_ref": household.household_ref,
        "household_id": household_id,
        "kind": struck.kind,
        "name": struck.name,
        "occurred_on": struck.occurred_on,
        "posyandu_id": household.posyandu_id,
        "desa_code": household.desa_code,
        "damage": household.damage,
        "displaced": household.displaced,
        "members": household.members,
        "status": DISASTER_PROTECTION.next(None, "open"),
        "services": [],
        "opened_on": struck.opened_on,
        "emergency_served_on": None,
        "recovery_served_on": None,
        "closed_on": None,
        "decline_reason": None,
        "opened_by_event": event_id,
        "created_by": ACTOR,
        "created_at": moment,
        "updated_by": ACTOR,
        "updated_at": moment,
    }


class DisasterIntake:
    """The handlers of the ``social.disaster-protection`` consumer (consumers.py)."""

    async def on_disaster(
        self, session: AsyncSession, data: DisasterAssessed, event: Envelope
    ) -> None:
        await open_cases(session, from_disaster(data), event)

    async def on_fire(self, session: AsyncSession, data: FireAttended, event: Envelope) -> None:
        await open_cases(session, from_fire(data), event)
