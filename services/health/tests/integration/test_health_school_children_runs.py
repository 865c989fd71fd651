"""Education's children applied a consumer chunk's run at a time (``school_children``'s batch
handlers) leave exactly what their events leave one transaction each, over the real
PostgreSQL: the rows (a late, older event changes nothing, even inside a run) and the kept
usia pendidikan dasar counts of every posyandu a child came to or left."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from health_school_kit import CODE, kept_rows_match_a_recount, months_between, screening_body
from health_testkit import DESA, OTHER_DESA, TODAY, Health
from sqlalchemy import delete, select

from simpul_health.events import EducationChildRegistered, EducationChildStatusChanged
from simpul_health.models import SchoolAgeChild, SpmKept
from simpul_health.ops import school_children
from simpul_platform.consumer import Received
from simpul_platform.events import Envelope, TolerantPayload, new_id

pytestmark = pytest.mark.integration
T0 = datetime(2026, 3, 2, 8, tzinfo=UTC)
ONE_BY_ONE: dict[type[TolerantPayload], Callable[..., Awaitable[None]]] = {
    EducationChildRegistered: school_children.on_registered,
    EducationChildStatusChanged: school_children.on_status_changed,
}


def sent(view: TolerantPayload, at: datetime) -> Received[Any]:
    data = view.model_dump(mode="json")
    return Received(view, Envelope(new_id(), view.event_type, "/simpul/education", at, data))


def registered(child: str, person: str, posyandu: str, desa: str) -> Received[Any]:
    view = EducationChildRegistered(
        child_id=child,
        person_ref=person,
        posyandu_id=posyandu,
        desa_code=desa,
        birth_year=TODAY.year - 9,
        registered_on=date(2026, 3, 2),
    )
    return sent(view, T0)


def moved(child: str, person: str, posyandu: str, desa: str, hours: int) -> Received[Any]:
    born = date(TODAY.year - 9, 1, 1)
    view = EducationChildStatusChanged(
        child_id=child,
        person_ref=person,
        posyandu_id=posyandu,
        desa_code=desa,
        age_months=months_between(born, TODAY),
        status="sd",
        on=TODAY,
    )
    return sent(view, T0 + timedelta(hours=hours))


async def state(health: Health) -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]:
    async with health.app.state.db.sessions() as session:
        children = (await session.execute(select(SchoolAgeChild))).scalars()
        kept = (await session.execute(select(SpmKept).where(SpmKept.code == CODE))).scalars()
        return (
            {(c.child_id, c.posyandu_id, c.birth_month, c.last_event_id) for c in children},
            {(k.posyandu_id, k.period, k.numerator) for k in kept},
        )


async def cleared(health: Health) -> None:
    async with health.app.state.db.sessions() as session, session.begin():
        await session.execute(delete(SchoolAgeChild))
        await session.execute(delete(SpmKept).where(SpmKept.code == CODE))  # type: ignore[arg-type]


async def test_a_chunk_in_runs_leaves_what_its_events_leave_one_by_one(health: Health) -> None:
    mawar = await health.posyandu("Posyandu Mawar", DESA)
    melati = await health.posyandu("Posyandu Melati", OTHER_DESA)
    people = []
    for serial in (51, 52):  # both screened at Mawar this month
        target = await health.target(mawar, date(TODAY.year - 9, 1, 1), serial=serial)
        body = screening_body(target["id"], TODAY)
        response = await health.client.post(
            "/v1/school-screenings", json=body, headers=health.kader
        )
        assert response.status_code == 201, response.text
        people.append(target["person_ref"])
    one, two, three = new_id(), new_id(), new_id()
    chunk = [
        registered(one, people[0], melati, OTHER_DESA),
        registered(two, people[1], mawar, DESA),
        moved(one, people[0], mawar, DESA, hours=24),
        moved(one, people[0], melati, OTHER_DESA, hours=12),  # older than the one before it
        registered(three, "c" * 64, mawar, DESA),  # never screened: nothing to recount
        moved(two, people[1], melati, OTHER_DESA, hours=48),
    ]

    await cleared(health)
    for view, event in chunk:
        async with health.app.state.db.sessions() as session, session.begin():
            await ONE_BY_ONE[type(view)](session, view, event)
    one_by_one = await state(health)
    await kept_rows_match_a_recount(health)

    await cleared(health)
    async with health.app.state.db.sessions() as session, session.begin():
        await school_children.on_children(session, chunk)  # both types: one run
    in_runs = await state(health)
    await kept_rows_match_a_recount(health)

    assert in_runs == one_by_one
    children, kept = in_runs
    where = {child: (posyandu, event) for child, posyandu, _, event in children}
    assert where == {
        one: (mawar, chunk[2].event.id),
        two: (melati, chunk[5].event.id),
        three: (mawar, chunk[4].event.id),
    }
    period = f"{TODAY:%Y-%m}"
    assert {(p, n) for p, at, n in kept if at == period} == {(mawar, 1), (melati, 1)}
