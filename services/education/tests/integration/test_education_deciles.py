"""Households' DTSEN deciles from social's events on the real broker: the replica keeps the
latest assessment, a redelivered event is applied once, an older one arriving late changes
nothing, and the PAUD equity indicator follows (its kept counts dropped on every change)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
from education_testkit import RAPAK_LAMBUR, Education
from sqlalchemy import delete, func, select

from simpul_education.events import HouseholdAssessed
from simpul_education.models import HouseholdDecile
from simpul_education.ops.deciles import record_assessment, record_assessments
from simpul_education.ops.tallies import invalidate_many
from simpul_platform.consumer import Received
from simpul_platform.db import Database
from simpul_platform.events import Envelope, new_id
from simpul_platform.inbox import inbox_table
from simpul_platform.pseudonym import household_ref
from simpul_platform.settings import ServiceSettings
from simpul_platform.testing.peers import Peer
from simpul_platform.testing.polling import eventually

pytestmark = pytest.mark.integration
EQUITY = "education.paud_equity_5_6"
POOR, RICH, OTHER = "6402060000000001", "6402060000000002", "6402060000000003"


@pytest.fixture
async def social(make_settings: Callable[..., Any]) -> AsyncIterator[Peer]:
    async with Peer.running(make_settings(ServiceSettings, service_name="peer"), "social") as peer:
        yield peer


def assessed(education: Education, kk: str, posyandu_id: str, decile: int, on: str) -> Any:
    return HouseholdAssessed(
        household_ref=household_ref(education.settings.pseudonym_secret, kk),
        posyandu_id=posyandu_id,
        desa_code=RAPAK_LAMBUR,
        decile=decile,
        source="dtsen",
        assessed_on=date.fromisoformat(on),
    )


def envelope_of(view: HouseholdAssessed) -> Envelope:
    data = view.model_dump(mode="json")
    return Envelope(new_id(), view.event_type, "/simpul/social", datetime.now(UTC), data)


async def decile_of(db: Database, kk_ref: str) -> tuple[int, date] | None:
    async with db.sessions() as session:
        row = await session.get(HouseholdDecile, kk_ref)
        return None if row is None else (row.decile, row.assessed_on)


async def equity(education: Education, posyandu_id: str) -> dict[str, Any]:
    response = await education.client.get(
        "/v1/indicators",
        headers=education.dpmd,
        params={"period": "2025-12", "posyandu_id": posyandu_id},
    )
    assert response.status_code == 200, response.text
    value: dict[str, Any] = next(i for i in response.json() if i["code"] == EQUITY)
    return value


async def test_deciles_replicate_once_and_the_equity_ratio_follows(
    education: Education, social: Peer
) -> None:
    posyandu_id = await education.known_posyandu()
    kids = {
        (POOR, "6402060101200001", True),  # 5 at the end of 2025, in PAUD
        (POOR, "6402060202200002", False),  # 5, not in PAUD
        (RICH, "6402060303200003", True),
        (OTHER, "6402060404200004", True),
    }
    for kk, nik, in_paud in sorted(kids):
        child = await education.child(posyandu_id, nik, kk=kk)
        step = (
            {"status": "paud", "unit_name": "TK Melati"}
            if in_paud
            else {"status": "sd", "kelas": 1}
        )
        recorded = await education.client.post(
            f"/v1/children/{child['id']}/status",
            headers=education.opd,
            json={**step, "on": "2025-07-01", "source": "kader_census"},
        )
        assert recorded.status_code == 201, recorded.text
    before = await equity(education, posyandu_id)  # counted and kept: no decile known yet
    assert (before["numerator"], before["denominator"], before["percent"]) == (0, 0, None)

    db: Database = education.app.state.db
    poor = await social.send(assessed(education, POOR, posyandu_id, 1, "2025-05-01"))
    rich = assessed(education, RICH, posyandu_id, 10, "2025-06-01")
    await social.send(rich)
    await eventually(lambda: decile_of(db, rich.household_ref))
    after = await equity(education, posyandu_id)  # 1 of 2 poor ÷ 1 of 1 rich
    assert (after["numerator"], after["denominator"], after["percent"]) == (5000, 10000, 50.0)

    await social.redeliver(poor)  # the same event again
    await social.send(assessed(education, RICH, posyandu_id, 3, "2025-01-01"))  # older: ignored
    other = assessed(education, OTHER, posyandu_id, 2, "2025-06-01")
    await social.send(other)  # after the others on the posyandu's partition
    await eventually(lambda: decile_of(db, other.household_ref))
    assert await decile_of(db, rich.household_ref) == (10, date(2025, 6, 1))
    async with db.sessions() as session:
        applied = select(func.count()).where(inbox_table.c.event_id == poor.id)
        assert (await session.execute(applied)).scalar_one() == 1
    last = await equity(education, posyandu_id)  # 2 of 3 poor ÷ 1 of 1 rich
    assert (last["numerator"], last["denominator"], last["percent"]) == (6667, 10000, 66.67)


async def test_a_chunks_run_of_assessments_keeps_what_one_by_one_keeps(
    education: Education,
) -> None:
    posyandu_id = await education.known_posyandu()
    for kk, nik in ((POOR, "6402060101200001"), (RICH, "6402060303200003")):
        child = await education.child(posyandu_id, nik, kk=kk)
        recorded = await education.client.post(
            f"/v1/children/{child['id']}/status",
            headers=education.opd,
            json={
                "status": "paud",
                "unit_name": "TK Melati",
                "on": "2025-07-01",
                "source": "kader_census",
            },
        )
        assert recorded.status_code == 201, recorded.text
    run = [
        assessed(education, POOR, posyandu_id, 5, "2025-05-01"),
        assessed(education, POOR, posyandu_id, 2, "2025-06-01"),  # later: kept
        assessed(education, POOR, posyandu_id, 9, "2025-01-01"),  # older: nothing
        assessed(education, RICH, posyandu_id, 1, "2025-06-01"),
        assessed(education, RICH, posyandu_id, 10, "2025-06-01"),  # same date, later event
    ]
    received = [Received(view, envelope_of(view)) for view in run]
    db: Database = education.app.state.db

    async def kept_after(apply: Callable[[], Any]) -> tuple[Any, ...]:
        async with db.sessions() as session, session.begin():
            await session.execute(delete(HouseholdDecile))
            await invalidate_many(session, [posyandu_id], date.min)
        await equity(education, posyandu_id)  # counted and kept before the run
        await apply()
        rows = [await decile_of(db, view.household_ref) for view in (run[0], run[3])]
        value = await equity(education, posyandu_id)  # recounted: its kept rows were dropped
        return (*rows, value["numerator"], value["denominator"])

    async def one_by_one() -> None:
        for view, event in received:
            async with db.sessions() as session, session.begin():
                await record_assessment(session, view, event)

    async def in_one_run() -> None:
        async with db.sessions() as session, session.begin():
            await record_assessments(session, received)

    expected = ((2, date(2025, 6, 1)), (10, date(2025, 6, 1)), 10000, 10000)
    assert await kept_after(one_by_one) == expected  # the poor child in PAUD ÷ the rich one
    assert await kept_after(in_one_run) == expected
