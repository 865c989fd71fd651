"""Calls the stunting reaction tests share: health's detection sent as health sends it, the
decisions and referrals housing made, a survey recorded."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from housing_testkit import LIVABLE_SURVEY, RAPAK_LAMBUR, Housing
from sqlalchemy import select

from simpul_housing.consumers import STUNTING_RTLH_CONSUMER
from simpul_housing.events import StuntingDetected
from simpul_housing.models import StuntingRtlhDecision
from simpul_platform.consumer import ConsumerRunner
from simpul_platform.events import Envelope, new_id
from simpul_platform.pseudonym import person_ref
from simpul_platform.referrals.tables import referral


async def detected(
    housing: Housing, kk: str | None, posyandu_id: str, episode_id: str | None = None
) -> Envelope:
    """``health.stunting.detected.v1`` as health publishes it (fields housing does not read
    included)."""
    secret = housing.settings.pseudonym_secret
    view = StuntingDetected(
        episode_id=episode_id or new_id(),
        person_ref=person_ref(secret, "6402065207220009"),
        household_ref=None if kk is None else housing.household_ref(kk),
        posyandu_id=posyandu_id,
        desa_code=RAPAK_LAMBUR,
        measured_on=date.today(),
    )
    extra = {"measurement_id": new_id(), "age_days": 900, "sex": "F", "haz": -2.41}
    return await housing.producers.health.send(view, extra=extra)


def runner(housing: Housing, name: str) -> ConsumerRunner:
    runners: list[ConsumerRunner] = housing.app.state.runners
    return next(r for r in runners if r.consumer.name == name)


async def selected(housing: Housing, query: Any) -> list[Any]:
    async with housing.app.state.db.sessions() as session:
        return list((await session.execute(query)).all())


def decided(housing: Housing, count: int) -> Callable[[], Any]:
    async def check() -> list[StuntingRtlhDecision] | None:
        query = select(StuntingRtlhDecision).order_by(StuntingRtlhDecision.decided_at)
        found = [row for (row,) in await selected(housing, query)]
        return found if len(found) >= count else None

    return check


def duplicates(housing: Housing, count: int) -> Callable[[], Any]:
    async def check() -> bool:
        return runner(housing, STUNTING_RTLH_CONSUMER).duplicates >= count

    return check


async def incoming(housing: Housing) -> list[dict[str, Any]]:
    rows = await selected(housing, select(referral).where(referral.c.direction == "incoming"))
    return [dict(r._mapping) for r in rows]


async def survey(housing: Housing, house_id: str, **change: Any) -> None:
    response = await housing.client.post(
        f"/v1/houses/{house_id}/assessments",
        json={**LIVABLE_SURVEY, **change},
        headers=housing.kader,
    )
    assert response.status_code == 201, response.text
