"""The households other fields know, applied a chunk's run at a time (``known_households``'
batch handlers) write exactly what the events write one transaction each, over the real
PostgreSQL: the rows (the earliest date keeps a household; of one date, the first event) and
the kept counts dropped from the earliest month any event changes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from public_works_testkit import RAPAK_LAMBUR, PublicWorks
from sqlalchemy import delete, insert, select

from simpul_platform.consumer import Received
from simpul_platform.db import Database
from simpul_platform.events import Envelope, TolerantPayload, new_id
from simpul_public_works.events import HouseAssessed, HouseholdAssessed, StuntingDetected
from simpul_public_works.models import KnownHousehold, PublicWorksTally
from simpul_public_works.ops import known_households as known

pytestmark = pytest.mark.integration
KK_A, KK_B, KK_C, KK_D, KK_E = (f"640206123456000{n}" for n in range(1, 6))
MONTHS = [date(2026, month, 1) for month in range(1, 7)]
KNOWN: Any = KnownHousehold.__table__  # type: ignore[attr-defined]
TALLY: Any = PublicWorksTally.__table__  # type: ignore[attr-defined]


def event(view: TolerantPayload) -> Received[Any]:
    data = view.model_dump(mode="json")
    envelope = Envelope(new_id(), view.event_type, "/test", datetime.now(UTC), data)
    return Received(view, envelope)


def chunk(pw: PublicWorks, posyandu: str) -> list[Received[Any]]:
    ref, desa = pw.household_ref, RAPAK_LAMBUR

    def social(kk: str, on: str) -> Received[Any]:
        return event(
            HouseholdAssessed(
                household_ref=ref(kk),
                posyandu_id=posyandu,
                desa_code=desa,
                assessed_on=date.fromisoformat(on),
            )
        )

    def health(kk: str | None, on: str) -> Received[Any]:
        return event(
            StuntingDetected(
                episode_id=new_id(),
                person_ref=new_id(),
                household_ref=ref(kk) if kk else None,
                posyandu_id=posyandu,
                desa_code=desa,
                measured_on=date.fromisoformat(on),
            )
        )

    house = HouseAssessed(
        assessment_id=new_id(),
        household_refs=[ref(KK_E), ref(KK_E), ref(KK_A)],
        posyandu_id=posyandu,
        desa_code=desa,
        surveyed_on=date(2026, 2, 20),
        occupants=4,
        water_source="pdam",
        bathroom="own",
        toilet_type="leher_angsa",
        faeces_disposal="septic_tank",
    )
    return [
        social(KK_A, "2026-02-10"),  # known on 1 March before: now from 10 February
        social(KK_C, "2026-05-01"),
        social(KK_C, "2026-04-01"),  # earlier than the one before it in the run
        social(KK_B, "2026-05-01"),  # known since 5 January: nothing
        health(None, "2026-03-01"),  # names no household
        health(KK_D, "2026-06-01"),
        health(KK_D, "2026-06-01"),  # the same date: the first one keeps it
        event(house),  # E twice in one survey; A known earlier (10 February) already
    ]


async def prepared(db: Database, pw: PublicWorks, posyandu: str) -> None:
    """Two households known before the chunk, and the posyandu's kept counts of six months."""
    async with db.sessions() as session, session.begin():
        await session.execute(delete(KNOWN))
        await session.execute(delete(TALLY))
        await session.execute(
            insert(KNOWN),
            [
                {
                    "household_ref": pw.household_ref(kk),
                    "posyandu_id": posyandu,
                    "desa_code": RAPAK_LAMBUR,
                    "source": source,
                    "known_on": on,
                    "last_event_id": "before",
                }
                for kk, source, on in (
                    (KK_A, "social", date(2026, 3, 1)),
                    (KK_B, "housing", date(2026, 1, 5)),
                )
            ],
        )
        await session.execute(
            insert(TALLY),
            [
                {
                    "posyandu_id": posyandu,
                    "month": month,
                    "code": "households",
                    "basis": "test",
                    "desa_code": RAPAK_LAMBUR,
                    "numerator": 0,
                    "denominator": 2,
                }
                for month in MONTHS
            ],
        )


async def state(db: Database) -> tuple[dict[str, tuple[Any, ...]], list[date]]:
    async with db.sessions() as session:
        rows = (await session.execute(select(KNOWN))).mappings().all()
        months = (await session.execute(select(TALLY.c.month).order_by(TALLY.c.month))).scalars()
        found = {
            row["household_ref"]: (row["source"], row["known_on"], row["last_event_id"])
            for row in rows
        }
        return found, list(months)


async def test_a_chunk_in_runs_knows_what_its_events_know_one_by_one(
    public_works: PublicWorks,
) -> None:
    pw, db = public_works, public_works.app.state.db
    posyandu = await pw.known_posyandu()
    events = chunk(pw, posyandu)

    await prepared(db, pw, posyandu)
    for view, envelope in events:
        async with db.sessions() as session, session.begin():
            await known.on_event(session, view, envelope)
    one_by_one = await state(db)

    await prepared(db, pw, posyandu)
    async with db.sessions() as session, session.begin():  # one chunk: one run, one transaction
        await known.on_events(session, events)
    in_runs = await state(db)

    assert in_runs == one_by_one
    rows, months = in_runs
    ref, ids = pw.household_ref, [received.event.id for received in events]
    assert rows == {
        ref(KK_A): ("social", date(2026, 2, 10), ids[0]),
        ref(KK_B): ("housing", date(2026, 1, 5), "before"),
        ref(KK_C): ("social", date(2026, 4, 1), ids[2]),
        ref(KK_D): ("health", date(2026, 6, 1), ids[5]),
        ref(KK_E): ("housing", date(2026, 2, 20), ids[7]),
    }
    assert months == [date(2026, 1, 1)]  # dropped from February, A's earlier month
