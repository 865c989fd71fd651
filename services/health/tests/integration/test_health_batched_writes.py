"""The demo's batched writes over the real stack: ``screening.record_many`` stages what
``screening.record`` stages for each reading (rows, flags, events) and refuses what it refuses;
``kept.deferred`` leaves the kept counts a write path would have left, counted once;
``tallies.deferred`` drops the kept tallies a write path drops, once, on leaving."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from health_testkit import TODAY
from sqlalchemy import func, select

from simpul_health.domain.indicators import periods_of
from simpul_health.models import Screening, SpmKept
from simpul_health.ops import kept, mental_health, screening, tally
from simpul_health.schemas.mental_health import MentalHealthCaseIn, MentalHealthServiceIn
from simpul_health.schemas.screening import ScreeningIn
from simpul_platform import tallies
from simpul_platform.auth import NATIONWIDE, Principal
from simpul_platform.domain import RuleViolation
from simpul_platform.indicators import Period
from simpul_platform.outbox import Outbox, outbox_table
from simpul_platform.uow import UnitOfWork

pytestmark = pytest.mark.integration

OPD = Principal("dinkes", frozenset({"opd:health"}), (NATIONWIDE,))
ADULT, ELDER, CHILD = date(1985, 3, 4), date(1950, 7, 8), date(TODAY.year - 3, 1, 1)


def readings(adult: str, elder: str) -> list[ScreeningIn]:
    day = TODAY - timedelta(days=30)
    return [
        ScreeningIn(target_id=adult, screened_on=day, systolic=150, diastolic=95),
        ScreeningIn(target_id=adult, screened_on=TODAY, systolic=118, diastolic=76),
        ScreeningIn(
            target_id=elder,
            screened_on=day,
            systolic=120,
            diastolic=80,
            glucose_mg_dl=230,
            glucose_kind="random",
        ),
    ]


def shape(s: Screening) -> tuple[Any, ...]:
    return (s.target_id, s.screened_on, s.life_cycle_group, s.age_years, s.follow_up,
            s.hypertension, s.diabetes, s.posyandu_id)  # fmt: skip


async def test_record_many_stages_what_record_stages_and_refuses_what_it_refuses(health):
    posyandu = await health.posyandu()
    adult = (await health.target(posyandu, ADULT, "F", serial=1, kk=None))["id"]
    elder = (await health.target(posyandu, ELDER, "M", serial=2, kk=None))["id"]
    child = (await health.target(posyandu, CHILD, "M", serial=3, kk=None))["id"]
    db, outbox = health.app.state.db, Outbox(health.settings)

    async with db.sessions() as session:  # one by one, rolled back
        uow = UnitOfWork(session, outbox)
        one_by_one = [await screening.record(uow, OPD, b, TODAY) for b in readings(adult, elder)]
        expected = sorted(map(shape, one_by_one))
        await session.rollback()
    async with db.sessions() as session:
        uow = UnitOfWork(session, outbox)
        batch = await screening.record_many(uow, OPD, readings(adult, elder), TODAY)
        await uow.commit()
    assert sorted(map(shape, batch)) == expected
    assert [s.hypertension for s in batch] == [True, False, False]
    async with db.sessions() as session:
        stored = (await session.execute(select(Screening))).scalars().all()
        assert sorted(map(shape, stored)) == expected
        events = await session.execute(
            select(func.count()).where(outbox_table.c.event_type == "health.screening.recorded.v1")
        )
        assert events.scalar_one() == 3

    for wrong, rule in ((child, "too_young_for_screening"), ("no-such", "unknown_target")):
        bodies = [*readings(adult, elder), ScreeningIn(target_id=wrong, screened_on=TODAY)]
        async with db.sessions() as session:
            with pytest.raises(RuleViolation) as refused:
                await screening.record_many(UnitOfWork(session, outbox), OPD, bodies, TODAY)
            assert refused.value.rule == rule


async def test_deferred_recounts_leave_the_counts_a_full_count_gives(health):
    posyandu = await health.posyandu()
    person = (await health.target(posyandu, ADULT, "F", serial=4, kk=None))["id"]
    db, outbox = health.app.state.db, Outbox(health.settings)
    registered = TODAY - timedelta(days=95)
    days = [registered + timedelta(days=d) for d in (2, 33, 64, 94)]
    async with db.sessions() as session:
        uow = UnitOfWork(session, outbox)
        async with kept.deferred(session):
            body = MentalHealthCaseIn(target_id=person, diagnosis="F20.0", registered_on=registered)
            case = await mental_health.register(uow, OPD, body, TODAY)
            for day in days:
                visit = MentalHealthServiceIn(
                    served_on=day, mental_status_exam=True, adherence_education=True
                )
                await mental_health.record_service(uow, OPD, case.id, visit, TODAY)
            # Nothing is counted inside: the recounts wait for the block's end.
            inside = await session.execute(select(func.count()).select_from(SpmKept))
            assert inside.scalar_one() == 0
        await uow.commit()

    async with db.sessions() as session:
        rows = (await session.execute(select(SpmKept))).scalars().all()
        labels = {p.label for day in days for p in periods_of(day)}
        assert {r.period for r in rows if r.posyandu_id == posyandu} >= labels
        for row in rows:
            counted = await kept.count(session, row.code, row.posyandu_id, Period.parse(row.period))
            assert (row.numerator, row.denominator) == counted, row.period
        assert any(r.numerator for r in rows)


async def test_deferred_invalidations_drop_the_tallies_once_on_leaving(health):
    posyandu = await health.posyandu()
    person = (await health.target(posyandu, ADULT, "F", serial=5, kk=None))["id"]
    db, outbox = health.app.state.db, Outbox(health.settings)
    last_month = TODAY.replace(day=1) - timedelta(days=1)
    dpmd = health.auth(["dpmd"], ["64.02"], sub="dpmd")
    for period in (f"{last_month:%Y-%m}", f"{TODAY:%Y-%m}"):  # the reads keep both months
        answer = await health.client.get(
            "/v1/indicators", params={"period": period, "wilayah": "64.02"}, headers=dpmd
        )
        assert answer.status_code == 200, answer.text

    mine = select(tally.TALLY.c.month).where(tally.TALLY.c.posyandu_id == posyandu)

    async def months() -> list[date]:
        async with db.sessions() as session:
            return list((await session.execute(mine)).scalars())

    rows = await months()
    kept_months = set(rows)
    assert {last_month.replace(day=1), TODAY.replace(day=1)} <= kept_months
    async with db.sessions() as session:
        uow = UnitOfWork(session, outbox)
        async with tallies.deferred(session):
            for day in (TODAY, TODAY.replace(day=1)):
                body = ScreeningIn(target_id=person, screened_on=day, systolic=120, diastolic=80)
                await screening.record(uow, OPD, body, TODAY)
            assert len((await session.execute(mine)).all()) == len(rows)  # not yet dropped
        await uow.commit()
    assert set(await months()) == {m for m in kept_months if m < TODAY.replace(day=1)}
