"""Calls the RTLH case tests share: the surveys they record, opening a case, taking a step, a
case taken as far as a given status, a household's decile in the replica, a referral from
health."""

from __future__ import annotations

from datetime import date
from typing import Any

from housing_testkit import LIVABLE_SURVEY, RAPAK_LAMBUR, Housing

from simpul_housing.models import HouseholdDecile
from simpul_platform.clock import now
from simpul_platform.events import new_id
from simpul_platform.referrals.events import requested_views
from simpul_platform.testing.polling import eventually

CASES = "/v1/rtlh-cases"
KK = "6402061234560001"
# Not livable under Permen PUPR 29/2018: 6 occupants on 36 m² (6 m² each), a well 8 m from
# the faeces pit.
RTLH_SURVEY: dict[str, Any] = {
    **LIVABLE_SURVEY,
    "floor_area_m2": 36.0,
    "occupants": 6,
    "water_to_faeces_m": 8.0,
    "kawasan": ["stunting"],
}
AFTER_WORKS: dict[str, Any] = {**LIVABLE_SURVEY, "surveyed_on": "2026-09-30", "occupants": 6}

# The steps to each status, with their bodies (dated in order, in 2026).
PATH: list[tuple[str, dict[str, Any]]] = [
    ("survey", {"survey": {**RTLH_SURVEY, "surveyed_on": "2026-03-03"}}),
    ("verify", {"verified_on": "2026-03-05", "note": "sesuai lapangan"}),
    ("prioritise", {"prioritised_on": "2026-03-10"}),
    (
        "propose",
        {"funding_source": "apbn_bsps", "proposal_year": 2026, "proposed_on": "2026-03-12"},
    ),
    (
        "assign",
        {"program": "bsps", "amount": 20_000_000, "year": 2026, "assigned_on": "2026-04-01"},
    ),
    ("start-construction", {"started_on": "2026-05-04", "tfl": "Budi", "recipient_group": "KPB 1"}),
    ("handle", {"survey": AFTER_WORKS}),
]
REACHES = {
    "surveyed": 1,
    "verified": 2,
    "prioritised": 3,
    "proposed": 4,
    "assigned": 5,
    "in_construction": 6,
    "rlh": 7,
}


async def post(housing: Housing, url: str, body: dict[str, Any], **kw: Any) -> Any:
    return await housing.client.post(url, json=body, headers=kw.get("headers", housing.opd))


async def opened(
    housing: Housing, house_id: str, on: str = "2026-03-02", **given: Any
) -> dict[str, Any]:
    body = {"house_id": house_id, "source": "kader", "reported_on": on, **given}
    response = await post(housing, CASES, body)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


async def step(
    housing: Housing, case_id: str, action: str, body: dict[str, Any], expect: int = 200
) -> dict[str, Any]:
    response = await post(housing, f"{CASES}/{case_id}/{action}", body)
    assert response.status_code == expect, response.text
    data: dict[str, Any] = response.json()
    return data


async def case_at(housing: Housing, house_id: str, status: str) -> dict[str, Any]:
    """A new case for the house taken along ``PATH`` until it is ``status``."""
    case = await opened(housing, house_id)
    for action, body in PATH[: REACHES[status]]:
        case = await step(housing, case["id"], action, body)
    assert case["status"] == status
    return case


async def house_and_case(
    housing: Housing, status: str, kks: tuple[str, ...] = (KK,), **house: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    posyandu = await housing.known_posyandu(house.pop("desa", RAPAK_LAMBUR))
    home = await housing.house(posyandu, kks=kks, **house)
    return home, await case_at(housing, home["id"], status)


async def decile(housing: Housing, household_ref: str, value: int, posyandu_id: str) -> None:
    """Social's decile of a household, as the replica keeps it."""
    async with housing.app.state.db.transaction() as session:
        session.add(
            HouseholdDecile(
                household_ref=household_ref,
                decile=value,
                source="dtsen",
                assessed_on=date(2026, 2, 1),
                posyandu_id=posyandu_id,
                desa_code=RAPAK_LAMBUR,
                last_event_id=new_id(),
                updated_at=now(),
            )
        )


async def referred(housing: Housing, posyandu_id: str, kk: str = KK, source: str = "health") -> str:
    """Health (or social) refers the household (by pseudonym) to housing as
    ``rtlh_suspected``; returns the referral's id once housing has received it."""
    view = next(v for v in requested_views("housing") if v.event_type.startswith(f"{source}."))
    request = view(
        referral_id=new_id(),
        source_field=source,
        target_field="housing",
        posyandu_id=posyandu_id,
        desa_code=RAPAK_LAMBUR,
        reason_code="rtlh_suspected",
        details={},
        person_ref=None,
        household_ref=housing.household_ref(kk),
        requested_on=date(2026, 3, 1),
    )
    peer = housing.producers.health if source == "health" else housing.producers.social
    await peer.send(request)

    async def received() -> bool | None:
        got = await housing.client.get(f"/v1/referrals/{request.referral_id}", headers=housing.opd)
        return True if got.status_code == 200 else None

    await eventually(received)
    return request.referral_id


async def referral(housing: Housing, referral_id: str) -> dict[str, Any]:
    got = await housing.client.get(f"/v1/referrals/{referral_id}", headers=housing.opd)
    assert got.status_code == 200, got.text
    data: dict[str, Any] = got.json()
    return data
