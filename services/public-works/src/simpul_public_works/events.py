"""Events public works publishes on ``simpul.public-works.v1`` (key = posyandu id, wilayah =
desa code; the topic's name is the platform's ``field_topic("public_works")``). Households
travel as ``household_ref``: no KK, names or a household's location.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, ClassVar

from pydantic import Field, StringConstraints

from simpul_platform.events import EventPayload, TolerantPayload
from simpul_platform.referrals.events import field_topic, published_by

TOPIC = field_topic("public_works")


class HouseholdWashAssessed(EventPayload):
    """A household's water and sanitation were surveyed: its ladder levels with the rules that
    decided them, and whether it has the SPM's basic daily drinking water."""

    event_type = "public_works.household.wash_assessed.v1"
    topic = TOPIC
    example: ClassVar[dict[str, Any]] = {
        "survey_id": "3c2b1a09-8f7e-4d6c-9b5a-4e3d2c1b0a9f",
        "household_ref": "c0acc8f61e6ff0638178428fefd041fddd64376b59c60b4dc082bef1e5173b57",
        "posyandu_id": "0b6f3a52-8d1e-4c3a-9f0e-2d7c5b9a1e44",
        "desa_code": "64.02.06.2012",
        "source": "kader",
        "surveyed_on": "2026-03-02",
        "occupants": 5,
        "water_level": "layak_dasar",
        "water_rule": "improved_within_limit",
        "sanitation_level": "belum_layak",
        "sanitation_rule": "not_goose_neck",
        "basic_water": False,
        "basic_water_failed": ["under_60_litres"],
        "wastewater_service": None,
    }

    survey_id: str
    household_ref: str
    posyandu_id: str
    desa_code: str
    source: str
    surveyed_on: date
    occupants: int
    water_level: str
    water_rule: str
    sanitation_level: str
    sanitation_rule: str
    basic_water: bool
    basic_water_failed: list[str]
    wastewater_service: str | None


# --- infrastructure issues and public facilities ---------------------------------------------
# Public infrastructure's place travels (it is no one's home); the report's words and the
# reporter do not.


class IssueReported(EventPayload):
    """A village infrastructure issue was reported; ``duplicate_of`` names the open issue it
    repeats (a duplicate is not counted)."""

    event_type = "public_works.issue.reported.v1"
    topic = TOPIC
    example: ClassVar[dict[str, Any]] = {
        "issue_id": "7d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6",
        "posyandu_id": "0b6f3a52-8d1e-4c3a-9f0e-2d7c5b9a1e44",
        "desa_code": "64.02.06.2012",
        "kind": "drainase",
        "severity": "sedang",
        "source": "kader",
        "latitude": -0.4203,
        "longitude": 116.9871,
        "duplicate_of": None,
        "facility_id": None,
        "referral_id": None,
        "reported_on": "2026-03-02",
    }

    issue_id: str
    posyandu_id: str
    desa_code: str
    kind: str
    severity: str
    source: str
    latitude: float
    longitude: float
    duplicate_of: str | None
    facility_id: str | None
    referral_id: str | None
    reported_on: date


class IssueStatusChanged(EventPayload):
    """An infrastructure issue took a step (or was unlinked from the issue it was taken for a
    duplicate of: ``action`` unlink, the status unchanged)."""

    event_type = "public_works.issue.status_changed.v1"
    topic = TOPIC
    example: ClassVar[dict[str, Any]] = {
        "issue_id": "7d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6",
        "posyandu_id": "0b6f3a52-8d1e-4c3a-9f0e-2d7c5b9a1e44",
        "desa_code": "64.02.06.2012",
        "kind": "drainase",
        "action": "schedule",
        "from_status": "forwarded",
        "to_status": "scheduled",
        "on": "2026-05-12",
        "duplicate_of": None,
        "facility_id": None,
        "handled_by": "kabupaten",
        "budget_year": 2027,
        "funding_source": "apbd_kabupaten",
        "decline_reason": None,
    }

    issue_id: str
    posyandu_id: str
    desa_code: str
    kind: str
    action: str
    from_status: str | None
    to_status: str
    on: date
    duplicate_of: str | None
    facility_id: str | None
    handled_by: str | None
    budget_year: int | None
    funding_source: str | None
    decline_reason: str | None


class FacilityRecorded(EventPayload):
    """A public water or sanitation facility was recorded at a desa."""

    event_type = "public_works.facility.recorded.v1"
    topic = TOPIC
    example: ClassVar[dict[str, Any]] = {
        "facility_id": "5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d",
        "posyandu_id": "0b6f3a52-8d1e-4c3a-9f0e-2d7c5b9a1e44",
        "desa_code": "64.02.06.2012",
        "kind": "kran_umum",
        "name": "Kran umum RT 04",
        "latitude": -0.4211,
        "longitude": 116.9865,
        "households_served": 24,
        "built_year": 2019,
        "status": "berfungsi",
        "recorded_on": "2026-03-02",
    }

    facility_id: str
    posyandu_id: str
    desa_code: str
    kind: str
    name: str
    latitude: float
    longitude: float
    households_served: int
    built_year: int | None
    status: str
    recorded_on: date


class FacilityStatusChanged(EventPayload):
    """A facility was put out of order (rusak) or working again (berfungsi) by an issue."""

    event_type = "public_works.facility.status_changed.v1"
    topic = TOPIC
    example: ClassVar[dict[str, Any]] = {
        "facility_id": "5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d",
        "posyandu_id": "0b6f3a52-8d1e-4c3a-9f0e-2d7c5b9a1e44",
        "desa_code": "64.02.06.2012",
        "kind": "kran_umum",
        "from_status": "berfungsi",
        "to_status": "rusak",
        "on": "2026-03-02",
        "issue_id": "7d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6",
        "households_served": 24,
    }

    facility_id: str
    posyandu_id: str
    desa_code: str
    kind: str
    from_status: str
    to_status: str
    on: date
    issue_id: str | None
    households_served: int


PUBLISHED: list[type[EventPayload]] = [
    HouseholdWashAssessed,
    IssueReported,
    IssueStatusChanged,
    FacilityRecorded,
    FacilityStatusChanged,
    *published_by("public_works").all(),  # the referral routes publish them
]


# --------------------------------------------------------------------------- consumed
# Public works' own tolerant views of the other fields' events it reads (each names the
# producer's type and topic; fields it does not read are ignored).

HOUSING_TOPIC = field_topic("housing")
HEALTH_TOPIC = field_topic("health")
SOCIAL_TOPIC = field_topic("social")
_DESA = r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$"
_REF = StringConstraints(min_length=1, max_length=64)


class HouseAssessed(TolerantPayload):
    """Public works' view of ``housing.house.assessed.v1``: a house surveyed, with the water
    and sanitation facts its survey records (housing's codes), for each household living
    there by pseudonym."""

    event_type = "housing.house.assessed.v1"
    topic = HOUSING_TOPIC

    assessment_id: str = Field(min_length=1, max_length=64)
    household_refs: list[Annotated[str, _REF]] = Field(max_length=50)
    posyandu_id: str = Field(min_length=1, max_length=36)
    desa_code: str = Field(pattern=_DESA)
    surveyed_on: date
    occupants: int = Field(ge=1, le=200)
    water_source: str = Field(max_length=40)
    water_to_faeces_m: float | None = Field(default=None, ge=0)
    bathroom: str = Field(max_length=40)
    toilet_type: str = Field(max_length=40)
    faeces_disposal: str = Field(max_length=40)


class StuntingDetected(TolerantPayload):
    """Public works' view of ``health.stunting.detected.v1`` (once per episode, and again when
    it escalates): the child and household as pseudonyms, and where."""

    event_type = "health.stunting.detected.v1"
    topic = HEALTH_TOPIC

    episode_id: str = Field(min_length=1, max_length=64)
    person_ref: str = Field(min_length=1, max_length=64)
    household_ref: str | None = Field(default=None, max_length=64)
    posyandu_id: str = Field(min_length=1, max_length=36)
    desa_code: str = Field(pattern=_DESA)
    measured_on: date


class HouseholdAssessed(TolerantPayload):
    """Public works' view of ``social.household.assessed.v1``: a household social knows at a
    posyandu (its DTSEN decile is not read here)."""

    event_type = "social.household.assessed.v1"
    topic = SOCIAL_TOPIC

    household_ref: str = Field(min_length=1, max_length=64)
    posyandu_id: str = Field(min_length=1, max_length=36)
    desa_code: str = Field(pattern=_DESA)
    assessed_on: date
