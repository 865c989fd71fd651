"""School screenings written a posyandu's at once (``school_screening.record_many``, the
demo's path) leave what the same screenings leave one transaction each, over the real
PostgreSQL and through the outbox: the rows, the events and the kept usia pendidikan dasar
counts; and a batch naming a child twice in one school year is refused whole."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from health_school_kit import CODE, kept_rows_match_a_recount, screening_body
from health_testkit import DESA, TODAY, Health
from sqlalchemy import delete, select
from sqlmodel import col

from simpul_health.models import SchoolScreening, SpmKept
from simpul_health.ops import school_screening
from simpul_health.schemas.school_screening import SchoolScreeningIn
from simpul_platform.auth import Principal
from simpul_platform.errors import Conflict
from simpul_platform.outbox import Outbox, outbox_table
from simpul_platform.uow import UnitOfWork

pytestmark = pytest.mark.integration
KADER = Principal("kader-rapak-lambur", frozenset({"kader:health"}), (DESA,))
SCREENED = "health.school_screening.recorded.v1"


async def written(health: Health) -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]], int]:
    """The screenings (child, day, to standard), the kept rows and the screening events."""
    async with health.app.state.db.sessions() as session:
        rows = (await session.execute(select(SchoolScreening))).scalars()
        kept = (await session.execute(select(SpmKept).where(col(SpmKept.code) == CODE))).scalars()
        events = (
            await session.execute(
                select(outbox_table.c.event_id).where(outbox_table.c.event_type == SCREENED)
            )
        ).all()
        return (
            {(r.target_id, r.screened_on, r.to_standard, r.posyandu_id) for r in rows},
            {(k.posyandu_id, k.period, k.numerator) for k in kept},
            len(events),
        )


async def cleared(health: Health) -> None:
    async with health.app.state.db.sessions() as session, session.begin():
        await session.execute(delete(SchoolScreening))
        await session.execute(delete(SpmKept).where(col(SpmKept.code) == CODE))
        await session.execute(delete(outbox_table).where(outbox_table.c.event_type == SCREENED))


async def record(health: Health, bodies: list[SchoolScreeningIn]) -> None:
    async with health.app.state.db.sessions() as session:
        uow = UnitOfWork(session, Outbox(health.settings))
        await school_screening.record_many(uow, KADER, bodies, TODAY)
        await uow.commit()


async def test_a_posyandu_at_once_leaves_what_one_at_a_time_leaves(health: Health) -> None:
    mawar = await health.posyandu()
    children = [
        await health.target(mawar, date(TODAY.year - 9, 3, serial), serial=60 + serial)
        for serial in (1, 2, 3)
    ]
    bodies = [
        SchoolScreeningIn.model_validate(screening_body(children[0]["id"], TODAY)),
        SchoolScreeningIn.model_validate(
            screening_body(children[1]["id"], TODAY - timedelta(days=3), hearing=None)
        ),
        SchoolScreeningIn.model_validate(screening_body(children[2]["id"], TODAY)),
    ]
    for body in bodies:
        await record(health, [body])
    one_by_one = await written(health)
    await kept_rows_match_a_recount(health)

    await cleared(health)
    await record(health, [])  # a posyandu with no one screened: nothing, and no error
    await record(health, bodies)
    at_once = await written(health)
    await kept_rows_match_a_recount(health)

    assert at_once == one_by_one
    screenings, _, events = at_once
    assert len(screenings) == 3 and events == 3
    assert {to_standard for _, _, to_standard, _ in screenings} == {True, False}


async def test_a_child_twice_in_one_school_year_refuses_the_batch(health: Health) -> None:
    mawar = await health.posyandu()
    child = await health.target(mawar, date(TODAY.year - 10, 5, 6), serial=71)
    other = await health.target(mawar, date(TODAY.year - 10, 5, 7), serial=72)
    await cleared(health)
    twice = [
        SchoolScreeningIn.model_validate(screening_body(other["id"], TODAY)),
        SchoolScreeningIn.model_validate(screening_body(child["id"], TODAY)),
        SchoolScreeningIn.model_validate(screening_body(child["id"], TODAY - timedelta(days=1))),
    ]
    with pytest.raises(Conflict) as refused:
        await record(health, twice)
    assert refused.value.extra["screening_id"]  # the batch's own first screening of the child
    assert await written(health) == (set(), set(), 0)
