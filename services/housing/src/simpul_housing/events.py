"""Events housing publishes on ``simpul.housing.v1`` (key = posyandu id, wilayah = desa code).
Households travel as ``household_ref`` (a keyed pseudonym of the No. KK): no KK, no names, no
addresses, no coordinates, no photos. At the end, housing's views of the other fields' events
it consumes.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from simpul_platform.events import EventPayload
from simpul_platform.referrals.events import published_by

TOPIC = "simpul.housing.v1"
_HOUSE: dict[str, Any] = {  # one house at a posyandu, for the catalogue's examples
    "house_id": "2c7e9a41-6b3d-4f1e-8a90-1d2c3b4a5e6f",
    "household_refs": ["c0acc8f61e6ff0638178428fefd041fddd64376b59c60b4dc082bef1e5173b57"],
    "posyandu_id": "0b6f3a52-8d1e-4c3a-9f0e-2d7c5b9a1e44",
    "desa_code": "64.02.06.2012",
}


class HouseAssessed(EventPayload):
    """A house was surveyed: its classification under each rule set (``rtlh_*`` true = not
    livable) with the criteria that failed, as derived from the survey's fields."""

    event_type = "housing.house.assessed.v1"
    topic = TOPIC
    example = _HOUSE | {
        "assessment_id": "7f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0",
        "kind": "initial",
        "surveyed_on": "2026-03-02",
        "occupants": 5,
        "kawasan": ["stunting"],
        "rtlh_pupr": True,
        "failed_pupr": ["luas_per_orang", "sanitasi"],
        "rtlh_rutilahu": False,
        "failed_rutilahu": [],
    }

    assessment_id: str
    house_id: str
    household_refs: list[str]
    posyandu_id: str
    desa_code: str
    kind: str
    surveyed_on: date
    occupants: int
    kawasan: list[str]
    rtlh_pupr: bool
    failed_pupr: list[str]
    rtlh_rutilahu: bool
    failed_rutilahu: list[str]


_RTLH_CASE: dict[str, Any] = {  # one RTLH case of the house above
    "case_id": "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a",
    "house_id": _HOUSE["house_id"],
    "household_ref": _HOUSE["household_refs"][0],
    "posyandu_id": _HOUSE["posyandu_id"],
    "desa_code": _HOUSE["desa_code"],
}


class RtlhStatusChanged(EventPayload):
    """An RTLH case took a step: from and to which status, on which date; the jenis kawasan,
    decile and priority once prioritised, the rejection reason when rejected. The household
    by pseudonym only."""

    event_type = "housing.rtlh.status_changed.v1"
    topic = TOPIC
    example = _RTLH_CASE | {
        "source": "kader",
        "referral_id": None,
        "action": "prioritise",
        "from_status": "verified",
        "to_status": "prioritised",
        "on": "2026-03-10",
        "kawasan": ["stunting"],
        "decile": 2,
        "priority": 70,
        "rejection_reason": None,
    }

    case_id: str
    house_id: str
    household_ref: str
    posyandu_id: str
    desa_code: str
    source: str
    referral_id: str | None
    action: str
    from_status: str | None
    to_status: str
    on: date
    kawasan: list[str] | None = None
    decile: int | None = None
    priority: int | None = None
    rejection_reason: str | None = None


class AidAssigned(EventPayload):
    """Housing aid was assigned to a household for its house (an RTLH case's): programme,
    amount in rupiah, fiscal year."""

    event_type = "housing.aid.assigned.v1"
    topic = TOPIC
    example = _RTLH_CASE | {
        "aid_id": "0e1d2c3b-4a59-4687-9766-5a4b3c2d1e0f",
        "program": "bsps",
        "amount": 20000000,
        "year": 2026,
        "assigned_on": "2026-04-01",
    }

    aid_id: str
    case_id: str | None
    house_id: str
    household_ref: str
    posyandu_id: str
    desa_code: str
    program: str
    amount: int
    year: int
    assigned_on: date


PUBLISHED: list[type[EventPayload]] = [
    HouseAssessed,
    RtlhStatusChanged,
    AidAssigned,
    *published_by("housing").all(),
]
