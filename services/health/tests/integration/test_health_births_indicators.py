"""SPM ibu bersalin and bayi baru lahir from ``/v1/indicators/spm`` against hand counts (a
month, a quarter and a year; posyandu, desa and kabupaten), an imported estimate as the
denominator, and kept counts equal to a recount after concurrent writes."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest
from health_births_kit import deliver, delivery, minute_ago, newborn, pregnancy, visit
from health_testkit import DESA, OTHER_DESA, TODAY
from sqlalchemy import select

from simpul_health.domain.indicators import periods_of
from simpul_health.models import SpmKept, TargetEstimate
from simpul_health.ops import kept
from simpul_platform.indicators import Period

pytestmark = pytest.mark.integration

H = timedelta(hours=1)
# Days ago of each record, so that a month, its quarter and its year each hold some and
# leave some out (whatever today's date).
DAYS_AGO = (10, 12, 45, 100, 200, 400)


def hand(records: list[tuple[str, date, bool]], period: Period, where: set[str]) -> tuple[int, int]:
    """(to standard, all) of the records (posyandu, day, to standard) in ``period``."""
    inside = [ok for pid, day, ok in records if pid in where and period.start <= day <= period.end]
    return sum(inside), len(inside)


async def spm(health, period: Period, **area: str) -> dict[str, tuple[int, int]]:
    response = await health.client.get(
        "/v1/indicators/spm", params={"period": period.label, **area}, headers=health.dpmd
    )
    assert response.status_code == 200, response.text
    return {i["code"]: (i["numerator"], i["denominator"]) for i in response.json()["indicators"]}


async def test_both_indicators_equal_hand_counts_and_an_estimate_replaces_the_denominator(
    health,
):
    here = await health.posyandu("Posyandu Mawar", DESA)
    there = await health.posyandu("Posyandu Melati", OTHER_DESA)
    deliveries: list[tuple[str, date, bool]] = []
    births: list[tuple[str, date, bool]] = []
    zone = health.settings.zone
    for i, ago in enumerate(DAYS_AGO):
        for pid in (here, there):
            on = TODAY - timedelta(days=ago)
            standard = (i + (pid == there)) % 3 != 0
            place = "puskesmas" if standard else "home"
            await deliver(health, pid, on, place, ("midwife",))
            deliveries.append((pid, on, standard))
            born_at = minute_ago(ago) - 3 * H
            nb = await newborn(health, pid, born_at)
            # Complete: KN1, KN2, KN3; else KN3 missing (or, the youngest, not yet due).
            complete = (i + (pid == here)) % 2 == 0 and ago >= 10
            ages = [7 * H, 80 * H, *([200 * H] if complete else [])]
            for age in ages:
                assert (await visit(health, nb["id"], born_at + age)).status_code == 201
            births.append((pid, born_at.astimezone(zone).date(), complete))
    _, miscarried = await pregnancy(health, here, TODAY - timedelta(days=10))
    ended = await health.client.post(
        f"/v1/pregnancies/{miscarried['id']}/delivery",
        json={"delivered_on": (TODAY - timedelta(days=10)).isoformat(), "outcome": "miscarriage"},
        headers=health.opd,
    )
    assert ended.status_code == 200  # not a delivery: counted nowhere

    areas = {
        "posyandu": ({"posyandu_id": here}, {here}),
        "desa": ({"wilayah": DESA}, {here}),
        "kabupaten": ({"wilayah": "64.02"}, {here, there}),
    }
    for period in periods_of(TODAY - timedelta(days=DAYS_AGO[0])):
        for level, (params, where) in areas.items():
            figures = await spm(health, period, **params)
            assert figures["health.ibu_bersalin"] == hand(deliveries, period, where), (
                level,
                period.label,
            )
            assert figures["health.bayi_baru_lahir"] == hand(births, period, where), (
                level,
                period.label,
            )

    # Kemenkes' estimate for the kabupaten: 120 ibu bersalin a year, 10 a month.
    year = (TODAY - timedelta(days=DAYS_AGO[0])).year
    async with health.app.state.db.transaction() as session:
        session.add(
            TargetEstimate(
                wilayah_code="64.02",
                year=year,
                target_group="ibu_bersalin",
                count=120,
                source="Kemenkes, sasaran program 2026",
                imported_by="test",
                imported_at=datetime.now(UTC),
            )
        )
    for period, denominator in zip(
        periods_of(TODAY - timedelta(days=DAYS_AGO[0])), (10, 30, 120), strict=True
    ):
        kabupaten = await spm(health, period, wilayah="64.02")
        numerator, _ = hand(deliveries, period, {here, there})
        assert kabupaten["health.ibu_bersalin"] == (numerator, denominator)
        # a desa and a posyandu have no estimate of their own: the recorded count stands
        assert (await spm(health, period, wilayah=DESA))["health.ibu_bersalin"] == hand(
            deliveries, period, {here}
        )
        # newborns have no estimate imported: still the recorded ones
        assert kabupaten["health.bayi_baru_lahir"] == hand(births, period, {here, there})


async def kept_equals_recount(health, code: str, posyandu_id: str, days: list[date]) -> None:
    async with health.app.state.db.sessions() as session:
        for label in sorted({p.label for day in days for p in periods_of(day)}):
            period = Period.parse(label)
            row = (
                await session.execute(
                    select(SpmKept.numerator, SpmKept.denominator).where(
                        SpmKept.code == code,
                        SpmKept.posyandu_id == posyandu_id,
                        SpmKept.period == label,
                    )
                )
            ).one()
            assert tuple(row) == await kept.count(session, code, posyandu_id, period), label


async def test_concurrent_deliveries_and_visits_leave_kept_counts_equal_to_a_recount(health):
    pid = await health.posyandu()
    on = TODAY - timedelta(days=9)
    pregnancies = [(await pregnancy(health, pid, on))[1] for _ in range(10)]
    responses = await asyncio.gather(
        *(
            health.client.post(
                f"/v1/pregnancies/{p['id']}/delivery",
                json=delivery(on, "clinic" if i % 3 else "home", ("doctor",)),
                headers=health.kader,
            )
            for i, p in enumerate(pregnancies)
        )
    )
    assert [r.status_code for r in responses] == [200] * 10
    await kept_equals_recount(health, "ibu_bersalin", pid, [on])
    async with health.app.state.db.sessions() as session:
        assert await kept.count(session, "ibu_bersalin", pid, Period.parse(f"{on:%Y-%m}")) == (
            6,
            10,
        )

    born = [minute_ago(9 + i / 24) for i in range(10)]
    created = await asyncio.gather(
        *(
            health.client.post(
                "/v1/newborns",
                json={"posyandu_id": pid, "born_at": b.isoformat(), "sex": "M"},
                headers=health.kader,
            )
            for b in born
        )
    )
    assert [r.status_code for r in created] == [201] * 10
    ids = [r.json()["id"] for r in created]
    for age in (7 * H, 80 * H):
        visits = await asyncio.gather(
            *(visit(health, n, b + age) for n, b in zip(ids, born, strict=True))
        )
        assert [r.status_code for r in visits] == [201] * 10
    # Every newborn's third visit at once, and each newborn's three at once for two more.
    last = await asyncio.gather(
        *(visit(health, n, b + 200 * H) for n, b in zip(ids, born, strict=True)),
        *(visit(health, ids[0], born[0] + age) for age in (8 * H, 90 * H, 210 * H)),
    )
    assert [r.status_code for r in last] == [201] * 13
    days = [b.astimezone(health.settings.zone).date() for b in born]
    await kept_equals_recount(health, "bayi_baru_lahir", pid, days)
    year = Period.parse(str(days[0].year))
    async with health.app.state.db.sessions() as session:
        year_count = await kept.count(session, "bayi_baru_lahir", pid, year)
    in_year = sum(d.year == days[0].year for d in days)
    assert year_count == (in_year, in_year)
