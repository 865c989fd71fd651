"""The demo's programmes loader: through the service layer it gives ODGJ berat, terduga TBC
and risiko HIV figures (numerators below non-zero denominators), every pregnant woman of the
plan is at risk, and the kept counts equal a recount."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from health_programme_kit import person, pregnancy
from health_testkit import DESA, OTHER_DESA, TODAY
from sqlalchemy import func, select

from simpul_health import demo_programmes
from simpul_health.demo_more import DemoPeople, loaders
from simpul_health.models import HivRiskPerson, SpmKept
from simpul_health.ops import kept
from simpul_platform.auth import NATIONWIDE, Principal
from simpul_platform.devstack.population import DemoAdult
from simpul_platform.indicators import Period

pytestmark = pytest.mark.integration


async def test_the_programmes_demo_gives_each_indicator_figures(health, monkeypatch):
    monkeypatch.setattr(demo_programmes, "SHARE_OF_POSYANDU", 1.0)
    posyandu = [(await health.posyandu("Posyandu Mawar", DESA), DESA)]
    posyandu.append((await health.posyandu("Posyandu Melati", OTHER_DESA), OTHER_DESA))
    adults = []
    for n in range(12):
        pid = posyandu[n % 2][0]
        sex = "F" if n < 4 else "MF"[n % 2]
        target = await person(health, pid, date(1990, 1 + n, 3), sex, 60 + n)
        plan = None
        if n < 4:  # a pregnant woman at each posyandu, twice
            registered = TODAY - timedelta(days=30 + 40 * n)
            await pregnancy(health, target, registered)
            plan = {"registered_on": registered}
        adults.append(DemoAdult({"id": target, "posyandu_id": pid}, [], plan))
    people = DemoPeople(posyandu, posyandu, [], adults)
    principal = Principal("demo", frozenset({"opd:health"}), (NATIONWIDE,))
    db = health.app.state.db
    made = await loaders()["programmes"](
        db, health.settings, principal, people, TODAY, random.Random(7)
    )
    assert made > 0

    figures = {}
    for year in (TODAY.year - 1, TODAY.year):
        response = await health.client.get(
            "/v1/indicators/spm",
            params={"period": str(year), "wilayah": "64.02"},
            headers=health.dpmd,
        )
        for i in response.json()["indicators"]:
            n, d = figures.get(i["code"], (0, 0))
            figures[i["code"]] = (n + i["numerator"], d + i["denominator"])
    for code in ("health.odgj_berat", "health.terduga_tbc", "health.risiko_hiv"):
        numerator, denominator = figures[code]
        assert 0 < numerator <= denominator, (code, figures[code])
    async with db.sessions() as session:
        pregnant = (
            await session.execute(
                select(func.count()).where(HivRiskPerson.risk_group == "pregnant")
            )
        ).scalar_one()
        assert pregnant == 4
        rows = (await session.execute(select(SpmKept))).scalars().all()
        for row in rows:
            recounted = await kept.count(
                session, row.code, row.posyandu_id, Period.parse(row.period)
            )
            assert (row.numerator, row.denominator) == recounted, (row.code, row.period)
