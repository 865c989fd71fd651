"""Households' DTSEN deciles from social's events on the real broker: the replica keeps the
latest assessment, a redelivered event is applied once, an older one arriving late changes
nothing, and the PAUD equity indicator follows (its kept counts dropped on every change)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import date
from typing import Any

import pytest
from education_testkit import RAPAK_LAMBUR, Education
from sqlalchemy import func, select

from simpul_education.events import HouseholdAssessed
from simpul_education.models import HouseholdDecile
from simpul_platform.db import Database
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
