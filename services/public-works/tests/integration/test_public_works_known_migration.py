"""The migration that moved health's detections from the known-households consumer into the
stunting-wash consumer's transaction (``d4e5f6a7b8c9``), on PostgreSQL and SQLite: every
household already recorded as stunted is known from its first detection, unless another field
knew it earlier; the kept counts are dropped."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import pytest
from alembic import command
from sqlalchemy import insert, select

from simpul_platform.db import Database
from simpul_platform.migrations import alembic_config, upgrade
from simpul_public_works.app import MIGRATIONS
from simpul_public_works.models import KnownHousehold, PublicWorksTally, StuntedHousehold

pytestmark = pytest.mark.integration
BEFORE = "c3d4e5f6a7b8"
KNOWN: Any = KnownHousehold.__table__  # type: ignore[attr-defined]
STUNTED: Any = StuntedHousehold.__table__  # type: ignore[attr-defined]
TALLY: Any = PublicWorksTally.__table__  # type: ignore[attr-defined]
P1, P2 = "11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222"


def _stunted(ref: str, posyandu: str, first: date) -> dict[str, Any]:
    return {
        "household_ref": ref,
        "posyandu_id": posyandu,
        "desa_code": "64.02.06.2001",
        "first_detected_on": first,
        "last_detected_on": date(2026, 6, 1),
        "last_event_id": f"health-{ref}",
    }


def _known(ref: str, source: str, known_on: date) -> dict[str, Any]:
    return {
        "household_ref": ref,
        "posyandu_id": P1,
        "desa_code": "64.02.06.2001",
        "source": source,
        "known_on": known_on,
        "last_event_id": f"{source}-{ref}",
    }


@pytest.mark.parametrize("dialect", ["postgres", "sqlite"])
async def test_stunted_households_become_known(
    dialect: str, request: pytest.FixtureRequest
) -> None:
    url: str = request.getfixturevalue(f"{dialect}_url")
    await asyncio.to_thread(command.upgrade, alembic_config(MIGRATIONS, url), BEFORE)
    db = Database(url)
    try:
        async with db.transaction() as session:
            await session.execute(
                insert(STUNTED),
                [
                    _stunted("unknown", P2, date(2026, 3, 1)),  # never known: now from health
                    _stunted("earlier", P2, date(2026, 2, 1)),  # known later: health's date
                    _stunted("later", P2, date(2026, 5, 1)),  # known earlier: left alone
                ],
            )
            await session.execute(
                insert(KNOWN),
                [
                    _known("earlier", "housing", date(2026, 4, 1)),
                    _known("later", "social", date(2026, 1, 10)),
                    _known("other", "housing", date(2026, 1, 5)),
                ],
            )
            await session.execute(
                insert(TALLY),
                [
                    {
                        "posyandu_id": P1,
                        "desa_code": "64.02.06.2001",
                        "month": date(2026, 5, 1),
                        "code": "households",
                        "basis": "test",
                        "numerator": 2,
                        "denominator": 2,
                    }
                ],
            )
        await upgrade(MIGRATIONS, url)
        async with db.sessions() as session:
            rows = (await session.execute(select(KNOWN))).mappings().all()
            tallies = (await session.execute(select(TALLY))).all()
        found = {r["household_ref"]: (r["source"], r["posyandu_id"], r["known_on"]) for r in rows}
        assert found == {
            "unknown": ("health", P2, date(2026, 3, 1)),
            "earlier": ("health", P2, date(2026, 2, 1)),
            "later": ("social", P1, date(2026, 1, 10)),
            "other": ("housing", P1, date(2026, 1, 5)),
        }
        assert tallies == []
    finally:
        await db.dispose()
