"""Calls the reaction tests share: other fields' events sent as their producers send them, a
kader's survey, the rows and referrals public works made."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from public_works_testkit import RAPAK_LAMBUR, SAFE_SURVEY, PublicWorks
from sqlalchemy import select

from simpul_platform.consumer import ConsumerRunner
from simpul_platform.events import Envelope, new_id
from simpul_platform.pseudonym import person_ref
from simpul_platform.referrals.events import requested_views
from simpul_platform.referrals.tables import referral
from simpul_platform.testing.polling import eventually
from simpul_public_works.events import HouseAssessed, HouseholdAssessed, StuntingDetected

# What a kader finds in a household without basic water or a latrine: an unprotected well,
# no toilet (open defecation).
POOR_SURVEY: dict[str, Any] = SAFE_SURVEY | {
    "water_source": "sumur_tidak_terlindung",
    "distance_to_waste_m": 20.0,
    "toilet_facility": "tidak_ada",
    "toilet_type": "tidak_ada",
    "faeces_disposal": "tidak_tahu",
    "septic_emptied_on": None,
}
# Housing's survey facts of a house: a protected well 12 m from the pit, an own goose-neck
# toilet into a septic tank (what ``housing.house.assessed.v1`` carries besides).
HOUSE_FACTS: dict[str, Any] = {
    "water_source": "sumur_terlindung",
    "water_to_faeces_m": 12.0,
    "bathroom": "sendiri",
    "toilet_type": "leher_angsa",
    "faeces_disposal": "tangki_septik",
}
HOUSING_EXTRA: dict[str, Any] = {  # what housing sends that public works does not read
    "house_id": "2c7e9a41-6b3d-4f1e-8a90-1d2c3b4a5e6f",
    "kind": "initial",
    "kawasan": [],
    "rtlh_pupr": False,
    "failed_pupr": [],
    "rtlh_rutilahu": False,
    "failed_rutilahu": [],
}


async def house_assessed(
    pw: PublicWorks,
    posyandu_id: str,
    kks: tuple[str, ...],
    *,
    on: str = "2026-03-02",
    assessment_id: str | None = None,
    occupants: int = 5,
    **facts: Any,
) -> Envelope:
    """``housing.house.assessed.v1`` as housing publishes it."""
    view = HouseAssessed.model_validate(
        {
            "assessment_id": assessment_id or new_id(),
            "household_refs": [pw.household_ref(kk) for kk in kks],
            "posyandu_id": posyandu_id,
            "desa_code": RAPAK_LAMBUR,
            "surveyed_on": on,
            "occupants": occupants,
            **HOUSE_FACTS,
            **facts,
        }
    )
    return await pw.producers.housing.send(view, extra=HOUSING_EXTRA)


async def stunting_detected(
    pw: PublicWorks,
    kk: str | None,
    posyandu_id: str,
    *,
    episode_id: str | None = None,
    on: date | None = None,
) -> Envelope:
    """``health.stunting.detected.v1`` as health publishes it."""
    view = StuntingDetected(
        episode_id=episode_id or new_id(),
        person_ref=person_ref(pw.settings.pseudonym_secret, "6402065207220009"),
        household_ref=None if kk is None else pw.household_ref(kk),
        posyandu_id=posyandu_id,
        desa_code=RAPAK_LAMBUR,
        measured_on=on or date.today(),
    )
    extra = {"measurement_id": new_id(), "age_days": 900, "sex": "F", "haz": -2.41}
    extra |= {"severity": "stunted", "escalated": False}
    return await pw.producers.health.send(view, extra=extra)


async def social_assessed(pw: PublicWorks, kk: str, posyandu_id: str, on: str) -> Envelope:
    """``social.household.assessed.v1`` as social publishes it."""
    view = HouseholdAssessed(
        household_ref=pw.household_ref(kk),
        posyandu_id=posyandu_id,
        desa_code=RAPAK_LAMBUR,
        assessed_on=date.fromisoformat(on),
    )
    return await pw.producers.social.send(view, extra={"decile": 2, "source": "dtsen"})


async def kader_survey(pw: PublicWorks, kk: str, posyandu_id: str, **change: Any) -> Any:
    body = {"kk": kk, "posyandu_id": posyandu_id, **SAFE_SURVEY, **change}
    recorded = await pw.client.post("/v1/wash-surveys", json=body, headers=pw.kader)
    assert recorded.status_code == 201, recorded.text
    return recorded.json()


async def referred(
    pw: PublicWorks, kk: str, posyandu_id: str, reason: str, source: str = "health"
) -> str:
    """Another field's kader refers the household (by pseudonym) to public works; the
    referral's id once public works has received it."""
    view = next(v for v in requested_views("public_works") if v.event_type.startswith(f"{source}."))
    request = view(
        referral_id=new_id(),
        source_field=source,
        target_field="public_works",
        posyandu_id=posyandu_id,
        desa_code=RAPAK_LAMBUR,
        reason_code=reason,
        details={},
        person_ref=None,
        household_ref=pw.household_ref(kk),
        requested_on=date(2026, 3, 1),
    )
    peer = pw.producers.health if source == "health" else pw.producers.social
    await peer.send(request)

    async def received() -> bool | None:
        got = await pw.client.get(f"/v1/referrals/{request.referral_id}", headers=pw.opd)
        return True if got.status_code == 200 else None

    await eventually(received)
    return request.referral_id


def runner(pw: PublicWorks, name: str) -> ConsumerRunner:
    runners: list[ConsumerRunner] = pw.app.state.runners
    return next(r for r in runners if r.consumer.name == name)


def handled(pw: PublicWorks, name: str, count: int) -> Callable[[], Awaitable[bool]]:
    """The consumer has applied (or skipped as duplicates) at least ``count`` events."""

    async def check() -> bool:
        found = runner(pw, name)
        return found.handled + found.duplicates >= count

    return check


async def selected(pw: PublicWorks, query: Any) -> list[Any]:
    async with pw.app.state.db.sessions() as session:
        return list((await session.execute(query)).all())


async def rows(pw: PublicWorks, model: Any, *order: Any) -> list[Any]:
    return [r for (r,) in await selected(pw, select(model).order_by(*order))]


async def incoming(pw: PublicWorks) -> list[dict[str, Any]]:
    query = select(referral).where(referral.c.direction == "incoming").order_by(referral.c.id)
    return [dict(r._mapping) for r in await selected(pw, query)]
