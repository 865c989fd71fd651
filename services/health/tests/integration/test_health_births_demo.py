"""The demo's births loader over the real stack: a newborn for every live birth, its visits
as far as its age allows, most complete, and kept counts equal to a recount."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from health_births_kit import deliver, pregnancy
from health_testkit import DESA, OTHER_DESA, TODAY

from simpul_health.demo_births import load_births
from simpul_health.demo_more import DemoPeople
from simpul_health.domain.indicators import periods_of
from simpul_health.models import SpmKept
from simpul_health.ops import kept
from simpul_platform.auth import NATIONWIDE, Principal
from simpul_platform.indicators import Period

pytestmark = pytest.mark.integration


async def test_the_demo_gives_each_live_birth_a_newborn_and_its_visits(health):
    posyandu = [
        (await health.posyandu("Posyandu Mawar", DESA), DESA),
        (await health.posyandu("Posyandu Melati", OTHER_DESA), OTHER_DESA),
    ]
    delivered: dict[str, str] = {}
    for pid, _ in posyandu:
        for ago in (1, 5, 20, 40, 60, 90):
            p = await deliver(health, pid, TODAY - timedelta(days=ago), "puskesmas", ("midwife",))
            delivered[p["id"]] = p["delivered_on"]
    await pregnancy(health, posyandu[0][0], TODAY - timedelta(days=3))  # ongoing: no newborn

    principal = Principal("demo", frozenset({"opd:health"}), (NATIONWIDE,))
    people = DemoPeople(posyandu, posyandu, [], [])
    made = await load_births(
        health.app.state.db, health.settings, principal, people, TODAY, random.Random(7)
    )

    listed = (
        await health.client.get("/v1/newborns", params={"limit": 100}, headers=health.opd)
    ).json()
    assert {n["pregnancy_id"]: n["born_on"] for n in listed} == delivered  # not the ongoing one
    assert made == len(listed) + sum(len(n["visits"]) for n in listed)
    now = datetime.now(UTC)
    for n in listed:
        kns = [v["kn"] for v in n["visits"]]
        assert kns == [1, 2, 3][: len(kns)]
        assert all(datetime.fromisoformat(v["visited_at"]) <= now for v in n["visits"])
        assert n["kn_complete"] is (kns == [1, 2, 3])
        if datetime.fromisoformat(n["born_at"]) < now - timedelta(days=28):
            assert len(kns) in (2, 3)  # every one seen twice; KN3 sometimes missed
    old = [n for n in listed if n["born_on"] < (TODAY - timedelta(days=30)).isoformat()]
    assert sum(n["kn_complete"] for n in old) >= len(old) // 2  # most complete

    async with health.app.state.db.sessions() as session:
        rows = (
            await session.execute(
                SpmKept.__table__.select().where(SpmKept.__table__.c.code == "bayi_baru_lahir")
            )
        ).all()
        assert rows
        for row in rows:
            counted = await kept.count(session, row.code, row.posyandu_id, Period.parse(row.period))
            assert (row.numerator, row.denominator) == counted
    year = periods_of(TODAY)[2]
    figures = (
        await health.client.get(
            "/v1/indicators/spm",
            params={"period": year.label, "wilayah": "64.02"},
            headers=health.dpmd,
        )
    ).json()["indicators"]
    bayi = next(i for i in figures if i["code"] == "health.bayi_baru_lahir")
    in_year = [n for n in listed if n["born_on"].startswith(year.label)]
    assert (bayi["numerator"], bayi["denominator"]) == (
        sum(n["kn_complete"] for n in in_year),
        len(in_year),
    )
