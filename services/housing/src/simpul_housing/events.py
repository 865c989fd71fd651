"""Events housing publishes on ``simpul.housing.v1`` (key = posyandu id, wilayah = desa code).
Households travel as ``household_ref`` (a keyed pseudonym of the No. KK): no KK, no names, no
addresses, no coordinates, no photos. At the end, housing's views of the other fields' events
it consumes.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from simpul_platform.events import EventPayload, TolerantPayload
from simpul_platform.referrals.events import published_by
from simpul_platform.wilayah import WILAYAH_PATTERN

TOPIC = "simpul.housing.v1"
_HOUSE: dict[str, Any] = {  # one house at a posyandu, for the catalogue's examples
    "house_id": "2c7e9a41-6b3d-4f1e-8a90-1d2c3b4a5e6f",
    "household_refs": ["c0acc8f61e6ff0638178428fefd041fddd64376b59c60b4dc082bef1e5173b57"],
    "posyandu_id": "0b6f3a52-8d1e-4c3a-9f0e-2d7c5b9a1e44",
    "desa_code": "64.02.06.2012",
}


# The survey's water and sanitation facts every event carries (codes and a distance, nothing
# personal): what the public-works field records of a household too, so it need not survey a
# family again for the same facts.
WASH_FIELDS = ("water_source", "water_to_faeces_m", "bathroom", "toilet_type", "faeces_disposal")


class HouseAssessed(EventPayload):
    """A house was surveyed: its classification under each rule set (``rtlh_*`` true = not
    livable) with the criteria that failed, as derived from the survey's fields, and the
    survey's water and sanitation facts (``WASH_FIELDS``)."""

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
        "water_source": "sumur_terlindung",
        "water_to_faeces_m": 8.0,
        "bathroom": "sendiri",
        "toilet_type": "cemplung_cubluk",
        "faeces_disposal": "lubang_tanah",
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
    water_source: str
    water_to_faeces_m: float | None
    bathroom: str
    toilet_type: str
    faeces_disposal: str


# --------------------------------------------------------------------------- disaster housing

_DISASTER_HOUSE: dict[str, Any] = {
    "disaster_house_id": "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a",
    "disaster_id": "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d",
    "disaster_kind": "banjir",
    "house_id": _HOUSE["house_id"],
    "household_ref": _HOUSE["household_refs"][0],
    "posyandu_id": _HOUSE["posyandu_id"],
    "desa_code": _HOUSE["desa_code"],
    "damage": "rs",
    "planned_year": 2026,
}


class DisasterHouseAssessed(EventPayload):
    """A disaster-damaged house was assessed (``fixed`` false, no planned year yet) or its
    class fixed by the SK Bupati (``fixed`` true, with the SK and the year t it is planned to
    be handled in: a unit of the SPM denominator of that year). The SK is a public document."""

    event_type = "housing.disaster_house.assessed.v1"
    topic = TOPIC
    example = _DISASTER_HOUSE | {
        "assessed_on": "2026-02-10",
        "fixed": True,
        "fixed_on": "2026-02-20",
        "sk_number": "100.3.3.2/K.123/2026",
    }

    disaster_house_id: str
    disaster_id: str
    disaster_kind: str
    house_id: str | None
    household_ref: str | None
    posyandu_id: str
    desa_code: str
    damage: str
    assessed_on: date
    fixed: bool
    fixed_on: date | None
    planned_year: int | None
    sk_number: str | None


class DisasterHouseCompleted(EventPayload):
    """A disaster-damaged house's handling was completed (a unit of the SPM numerator of the
    year it was completed in)."""

    event_type = "housing.disaster_house.completed.v1"
    topic = TOPIC
    example = _DISASTER_HOUSE | {
        "handling": "rehabilitation",
        "handling_started_on": "2026-04-01",
        "completed_on": "2026-08-15",
    }

    disaster_house_id: str
    disaster_id: str
    disaster_kind: str
    house_id: str | None
    household_ref: str | None
    posyandu_id: str
    desa_code: str
    damage: str
    planned_year: int | None
    handling: str
    handling_started_on: date
    completed_on: date


class RelocationFacilitated(EventPayload):
    """A household a Pemda relocation programme affects, meeting the recipient criteria, was
    facilitated (a unit of the SPM numerator of the programme's year)."""

    event_type = "housing.relocation.facilitated.v1"
    topic = TOPIC
    example: ClassVar[dict[str, Any] | None] = {
        "relocation_id": "1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e",
        "programme_id": "6f5e4d3c-2b1a-4098-8765-4321fedcba98",
        "programme_reason": "waduk_bendungan",
        "year": 2026,
        "household_ref": _HOUSE["household_refs"][0],
        "posyandu_id": _HOUSE["posyandu_id"],
        "desa_code": _HOUSE["desa_code"],
        "facilitated_on": "2026-06-01",
    }

    relocation_id: str
    programme_id: str
    programme_reason: str
    year: int
    household_ref: str
    posyandu_id: str
    desa_code: str
    facilitated_on: date


# --------------------------------------------------------------------------- RTLH pipeline

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
    DisasterHouseAssessed,
    DisasterHouseCompleted,
    RelocationFacilitated,
    *published_by("housing").all(),
]


# --------------------------------------------------------------------------- consumed

HEALTH_TOPIC = "simpul.health.v1"
SOCIAL_TOPIC = "simpul.social.v1"
_DESA = r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$"


class StuntingDetected(TolerantPayload):
    """Housing's view of ``health.stunting.detected.v1`` (once per episode, and again when it
    escalates): the child and household as pseudonyms, and where."""

    event_type = "health.stunting.detected.v1"
    topic = HEALTH_TOPIC

    episode_id: str = Field(min_length=1, max_length=64)
    person_ref: str = Field(min_length=1, max_length=64)
    household_ref: str | None = Field(default=None, max_length=64)
    posyandu_id: str = Field(min_length=1, max_length=36)
    desa_code: str = Field(pattern=_DESA)
    measured_on: date


class HouseholdAssessed(TolerantPayload):
    """Housing's view of ``social.household.assessed.v1``: a household's DTSEN decile."""

    event_type = "social.household.assessed.v1"
    topic = SOCIAL_TOPIC

    household_ref: str = Field(min_length=1, max_length=64)
    posyandu_id: str = Field(min_length=1, max_length=36)
    desa_code: str = Field(pattern=_DESA)
    decile: int = Field(ge=1, le=10)
    source: str = Field(max_length=40)
    assessed_on: date


# --------------------------------------------------------------------------- trantib's damage

TRANTIB_TOPIC = "simpul.trantib.v1"  # the platform's field_topic("trantib")


class DamagedHousehold(BaseModel):
    """Housing's view of a household trantib found in a fire or a disaster: its pseudonym,
    posyandu and desa, and the damage class (rr / rs / rb / hilang; ``none`` when its house
    stood)."""

    model_config = ConfigDict(extra="ignore")

    household_ref: str = Field(min_length=1, max_length=64)
    posyandu_id: str = Field(min_length=1, max_length=36)
    desa_code: str = Field(pattern=_DESA)
    damage: str = Field(min_length=1, max_length=20)


class FireAttended(TolerantPayload):
    """Housing's view of ``trantib.fire.attended.v1`` (once per incident): where and when the
    fire was, what burned, and the damaged houses' households."""

    event_type = "trantib.fire.attended.v1"
    topic = TRANTIB_TOPIC

    incident_id: str = Field(min_length=1, max_length=64)
    posyandu_id: str = Field(min_length=1, max_length=36)
    desa_code: str = Field(pattern=_DESA)
    occurred_on: date
    object_kind: str = Field(min_length=1, max_length=40)
    damaged_households: list[DamagedHousehold] = Field(default_factory=list)


class DisasterAssessed(TolerantPayload):
    """Housing's view of ``trantib.disaster.assessed.v1`` (several per disaster, each with the
    households that assessment step recorded): the disaster, its area, and those households."""

    event_type = "trantib.disaster.assessed.v1"
    topic = TRANTIB_TOPIC

    disaster_id: str = Field(min_length=1, max_length=64)
    kind: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=400)
    occurred_on: date
    wilayah_code: str = Field(pattern=WILAYAH_PATTERN)
    assessed_on: date
    households: list[DamagedHousehold] = Field(default_factory=list)
