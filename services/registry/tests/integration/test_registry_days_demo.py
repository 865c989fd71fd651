"""The demo's year of posyandu days: monthly serentak days, every open posyandu's calendar
recorded, kader participation near the seeds' 93 %, loaded once."""

from __future__ import annotations

import pytest
from registry_testkit import Registry
from sqlalchemy import func
from sqlmodel import col, select

from simpul_platform import clock
from simpul_registry.demo import load_demo
from simpul_registry.demo_days import load_days, load_roster, the_year
from simpul_registry.models import (
    IncentiveRoster,
    KaderAttendance,
    Posyandu,
    PosyanduDay,
    SerentakDay,
)

pytestmark = pytest.mark.integration


async def test_a_year_of_days_with_participation_near_93_percent(registry: Registry) -> None:
    db = registry.app.state.db
    assert await load_demo(db, registry.settings, count=40, batch=20) == 40
    assert await load_days(db, registry.settings) == 0  # loaded with the demo already
    start, end = the_year(clock.local_today(registry.settings))
    async with db.sessions() as session:
        serentak = (await session.exec(select(SerentakDay).order_by(col(SerentakDay.day)))).all()
        open_posyandu = (
            await session.exec(
                select(func.count()).select_from(Posyandu).where(col(Posyandu.status) != "inactive")
            )
        ).one()
        with_days = (
            await session.exec(select(func.count(func.distinct(col(PosyanduDay.posyandu_id)))))
        ).one()
        rows = (await session.exec(select(func.count()).select_from(KaderAttendance))).one()
    assert len(serentak) == 12 and {d.day.month for d in serentak} == set(range(1, 13))
    assert start <= serentak[0].day and serentak[-1].day <= end
    assert with_days == open_posyandu and rows > 0

    on_the_day = await registry.client.get(
        f"/v1/participation?serentak_day={serentak[-1].id}", headers=registry.dpmd
    )
    kabupaten = next(r for r in on_the_day.json()["rows"] if r["level"] == "kabupaten")
    assert 85.0 <= kabupaten["percent"] <= 99.0
    year = await registry.client.get(f"/v1/participation?period={end.year}", headers=registry.dpmd)
    whole = next(r for r in year.json()["rows"] if r["level"] == "kabupaten")
    assert 90.0 <= whole["percent"] <= 96.0, whole  # the seeds' 93 %, from a fixed seed
    p = next(r for r in year.json()["rows"] if r["level"] == "posyandu")["code"]
    days = await registry.client.get(
        f"/v1/posyandu/{p}/days?from={start}&to={end}", headers=registry.dpmd
    )
    assert all(d["record"] is not None for d in days.json()["days"])
    assert sum("serentak" in d["kinds"] for d in days.json()["days"]) == 12


async def test_registry_roster_of_last_month_in_the_demo(registry: Registry) -> None:
    db = registry.app.state.db
    assert await load_demo(db, registry.settings, count=40, batch=20) == 40
    assert await load_roster(db, registry.settings) is None  # computed with the demo already
    async with db.sessions() as session:
        (roster,) = (await session.exec(select(IncentiveRoster))).all()
    _, end = the_year(clock.local_today(registry.settings))
    assert roster.month == end.strftime("%Y-%m") and roster.status == "draft"
    body = (
        await registry.client.get(f"/v1/incentive-rosters/{roster.id}", headers=registry.dpmd)
    ).json()
    totals = body["totals"]
    assert totals["included"] > 0 and totals["total_amount"] == totals["included"] * 250_000
    assert totals["kader"] == totals["included"] + sum(totals["excluded"].values())
