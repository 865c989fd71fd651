"""The demo loader over the real stack: adults' screenings and pregnancies go through the
service layer, and the SPM indicators equal hand counts over the generator's plan."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from health_testkit import DESA, OTHER_DESA, TODAY
from sqlalchemy import update

from simpul_health.demo import load_demo
from simpul_health.domain.lifecycle import age_in_years
from simpul_platform.devstack.population import DemoAdult, generate_adults
from simpul_platform.indicators import Period
from simpul_platform.replica import INACTIVE, posyandu_replica

pytestmark = pytest.mark.integration


def hand_counts(adults: list[DemoAdult], period: Period) -> dict[str, tuple[int, int]]:
    """Each indicator's (numerator, denominator), counted from the plan as DOMAIN.md defines
    them: age at the period's end; screened, or a pregnancy ended or due, within the period."""

    def screened(adult: DemoAdult) -> bool:
        return any(period.start <= s["screened_on"] <= period.end for s in adult.screenings)

    def between(adult: DemoAdult, low: int, high: int) -> bool:
        return low <= age_in_years(adult.target["birth_date"], period.end) < high

    def in_period(day: date | None) -> bool:
        return day is not None and period.start <= day <= period.end

    productive = [a for a in adults if between(a, 15, 60)]
    elderly = [a for a in adults if between(a, 60, 200)]
    counted = []
    for adult in adults:
        plan = adult.pregnancy
        if plan is None:
            continue
        due = plan["lmp"] + timedelta(days=280)
        if in_period(plan["delivered_on"]) or (plan["delivered_on"] is None and in_period(due)):
            counted.append(plan)
    adults_15 = [a for a in adults if between(a, 15, 200)]

    def ever(adult: DemoAdult, finding: str) -> bool:
        readings = [s for s in adult.screenings if s["screened_on"] <= period.end]
        if finding == "hypertension":
            return any(s["systolic"] >= 140 or s["diastolic"] >= 90 for s in readings)
        return any(s["glucose_mg_dl"] >= 200 for s in readings)  # random glucose

    hypertensive = [a for a in adults_15 if ever(a, "hypertension")]
    diabetic = [a for a in adults_15 if ever(a, "diabetes")]
    return {
        # Every demo screening measures blood pressure and glucose.
        "health.hipertensi": (sum(map(screened, hypertensive)), len(hypertensive)),
        "health.diabetes": (sum(map(screened, diabetic)), len(diabetic)),
        "health.usia_produktif": (sum(map(screened, productive)), len(productive)),
        "health.usia_lanjut": (sum(map(screened, elderly)), len(elderly)),
        "health.ibu_hamil": (sum(len(p["visits"]) >= 6 for p in counted), len(counted)),
    }


async def test_the_demo_gives_every_health_indicator_figures_equal_to_hand_counts(health):
    posyandu = [await health.posyandu("Posyandu Mawar", DESA)]
    posyandu.append(await health.posyandu("Posyandu Melati", OTHER_DESA))
    closed = await health.posyandu("Posyandu Kenanga", DESA)
    db, settings = health.app.state.db, health.settings
    async with db.transaction() as session:  # as the registry's deactivation would leave it
        await session.execute(
            update(posyandu_replica)
            .where(posyandu_replica.c.posyandu_id == closed)
            .values(status=INACTIVE)
        )

    assert await load_demo(db, settings, months=2, per_posyandu=2) > 0
    assert await load_demo(db, settings, months=2, per_posyandu=2) == 0  # loaded once only

    # Adults only where a kader can still record them: not at the inactive posyandu.
    adults = generate_adults(
        sorted(zip(posyandu, (DESA, OTHER_DESA), strict=True)),
        seed=2026,
        secret=settings.pseudonym_secret,
    )
    dpmd = health.auth(["dpmd"], ["64.02"], sub="dpmd")
    year = str(TODAY.year)
    answer = await health.client.get(
        "/v1/indicators", params={"period": year, "wilayah": "64.02"}, headers=dpmd
    )
    assert answer.status_code == 200, answer.text
    figures = {i["code"]: (i["numerator"], i["denominator"]) for i in answer.json()}
    expected = hand_counts(adults, Period.parse(year))
    for code, counts in expected.items():
        assert figures[code] == counts, code
    # The demo is there to show figures beyond the balita (16 adults here; 6,616 in Kukar's).
    assert figures["health.usia_produktif"][1] > 0 and figures["health.ibu_hamil"][1] > 0
