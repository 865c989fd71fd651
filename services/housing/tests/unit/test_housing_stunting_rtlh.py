"""Housing's stunting reaction: the decision table (pure), and the ``housing.stunting-rtlh``
handler on chunks of health's events over SQLite and no broker (``run_chunk``): one referral
per household while it is open, the stunted household recorded, replays changing nothing."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from simpul_housing.consumers import stunting_rtlh
from simpul_housing.domain.stunting_rtlh import decide
from simpul_housing.events import StuntingDetected
from simpul_housing.models import House, HouseHousehold, StuntedHousehold, StuntingRtlhDecision
from simpul_housing.models import metadata as housing_metadata
from simpul_housing.settings import HousingSettings
from simpul_platform.db import Database
from simpul_platform.events import Envelope
from simpul_platform.referrals.tables import referral, referral_metadata
from simpul_platform.replica import replica_metadata
from simpul_platform.testing import run_chunk

pytestmark = pytest.mark.unit
POSYANDU, DESA = "pos-1", "64.02.06.2012"
# The households housing knows, by the classification of the house they live in.
HOUSES = {"hh-rtlh": True, "hh-unsurveyed": None, "hh-rlh": False}


@pytest.mark.parametrize(
    ("household", "house", "rtlh", "open_", "decision"),
    [
        (True, True, True, False, "referred_rtlh"),
        (True, True, None, False, "referred_unsurveyed"),
        (True, False, None, False, "referred_unknown"),
        (True, True, False, False, "house_rlh"),
        (True, True, False, True, "house_rlh"),  # livable: said so even with one open
        (True, True, True, True, "referral_open"),
        (True, True, None, True, "referral_open"),
        (True, False, None, True, "referral_open"),
        (False, False, None, False, "no_household"),
    ],
)
def test_the_decision_for_one_detection(
    household: bool, house: bool, rtlh: bool | None, open_: bool, decision: str
) -> None:
    assert (
        decide(has_household=household, house_known=house, rtlh_pupr=rtlh, referral_open=open_)
        == decision
    )


def detected(household: str | None, episode: str | None = None, measured: str = "") -> Envelope:
    view = StuntingDetected(
        episode_id=episode or str(uuid.uuid4()),
        person_ref=f"child-of-{household}",
        household_ref=household,
        posyandu_id=POSYANDU,
        desa_code=DESA,
        measured_on=date.fromisoformat(measured) if measured else date.today(),
    )
    extra = {"measurement_id": "m-1", "age_days": 700, "sex": "F", "haz": -2.4}
    return Envelope(
        id=str(uuid.uuid4()),
        type=StuntingDetected.event_type,
        source="/simpul/health",
        time=datetime.now(UTC),
        data=view.model_dump(mode="json") | extra,
        posyandu_id=POSYANDU,
        wilayah=DESA,
    )


def house(number: int, rtlh: bool | None) -> House:
    moment = datetime.now(UTC)
    return House(
        id=f"house-{number}",
        posyandu_id=POSYANDU,
        desa_code=DESA,
        rt="001",
        rw="002",
        tenure="milik_sendiri",
        land_status="milik_sendiri",
        occupants=4,
        latest_assessment_id=None if rtlh is None else f"survey-{number}",
        assessed_on=None if rtlh is None else date(2026, 1, 5),
        rtlh_pupr=rtlh,
        rtlh_rutilahu=rtlh,
        created_by="perkim",
        created_at=moment,
        updated_by="perkim",
        updated_at=moment,
    )


async def housing_database(path: Path) -> HousingSettings:
    """A SQLite housing database with one house per entry of ``HOUSES``; its settings."""
    url = f"sqlite+aiosqlite:///{path}"
    db = Database(url)
    await db.create_all(housing_metadata, replica_metadata, referral_metadata)
    async with db.transaction() as session:
        for number, (ref, rtlh) in enumerate(HOUSES.items()):
            session.add(house(number, rtlh))
            await session.flush()
            session.add(
                HouseHousehold(
                    id=f"hh-row-{number}",
                    house_id=f"house-{number}",
                    kk=f"640206000000000{number}",
                    household_ref=ref,
                    recorded_by="perkim",
                    recorded_at=datetime.now(UTC),
                )
            )
    await db.dispose()
    return HousingSettings(service_name="housing", database_url=url)


async def rows(settings: HousingSettings, table: Any) -> list[Any]:
    db = Database(settings.database_url)
    try:
        async with db.sessions() as session:
            return list((await session.execute(select(table))).all())
    finally:
        await db.dispose()


async def decisions(settings: HousingSettings) -> dict[str | None, list[str]]:
    found: dict[str | None, list[str]] = {}
    for (row,) in await rows(settings, StuntingRtlhDecision):
        found.setdefault(row.household_ref, []).append(row.decision)
    return found


async def test_each_household_is_referred_once_and_replays_change_nothing(tmp_path: Path) -> None:
    settings = await housing_database(tmp_path / "housing.db")
    url, consumer = settings.database_url, stunting_rtlh(settings)
    chunk = [
        detected("hh-rtlh", "ep-1", "2026-02-01"),
        detected("hh-unsurveyed"),
        detected("hh-rlh"),
        detected("hh-unknown"),
        detected(None),
        detected("hh-rtlh", "ep-2", "2026-03-01"),  # a second episode, the referral open
        detected("hh-unknown"),  # a sibling: the survey referral is open
    ]
    first = await run_chunk(consumer, chunk, url, settings=settings)
    assert (first.handled, first.duplicates, first.dead_lettered) == (7, 0, 0)
    assert await decisions(settings) == {
        "hh-rtlh": ["referred_rtlh", "referral_open"],
        "hh-unsurveyed": ["referred_unsurveyed"],
        "hh-rlh": ["house_rlh"],
        "hh-unknown": ["referred_unknown", "referral_open"],
        None: ["no_household"],
    }
    referred = {r.household_ref: r for r in await rows(settings, referral)}
    assert set(referred) == {"hh-rtlh", "hh-unsurveyed", "hh-unknown"}
    rtlh = referred["hh-rtlh"]
    assert (rtlh.reason_code, rtlh.source_field, rtlh.automatic, rtlh.status) == (
        "stunting_rtlh",
        "health",
        True,
        "accepted",
    )
    assert rtlh.details == {
        "house_id": "house-0",
        "kawasan": "stunting",
        "priority": "prioritised",
        "assessment_id": "survey-0",
    }
    assert rtlh.person_ref is None
    assert referred["hh-unsurveyed"].reason_code == "stunting_house_unsurveyed"
    assert referred["hh-unsurveyed"].details == {"house_id": "house-1"}
    assert referred["hh-unknown"].details == {"house_known": "no"}

    stunted = {s.household_ref: s for (s,) in await rows(settings, StuntedHousehold)}
    assert set(stunted) == {"hh-rtlh", "hh-unsurveyed", "hh-rlh", "hh-unknown"}
    assert (stunted["hh-rtlh"].first_detected_on, stunted["hh-rtlh"].last_detected_on) == (
        date(2026, 2, 1),
        date(2026, 3, 1),
    )

    again = await run_chunk(consumer, chunk, url, settings=settings)  # redelivered
    assert (again.handled, again.duplicates) == (0, 7)
    assert len(await rows(settings, referral)) == 3
    assert sum(len(d) for d in (await decisions(settings)).values()) == 7


async def test_after_the_referral_is_resolved_a_new_detection_is_decided_afresh(
    tmp_path: Path,
) -> None:
    settings = await housing_database(tmp_path / "housing.db")
    url, consumer = settings.database_url, stunting_rtlh(settings)
    await run_chunk(consumer, [detected("hh-rtlh")], url, settings=settings)
    db = Database(url)
    async with db.transaction() as session:
        await session.execute(update(referral).values(status="resolved"))
    await db.dispose()
    await run_chunk(consumer, [detected("hh-rtlh")], url, settings=settings)
    assert (await decisions(settings))["hh-rtlh"] == ["referred_rtlh", "referred_rtlh"]
    assert sorted(r.status for r in await rows(settings, referral)) == ["accepted", "resolved"]
