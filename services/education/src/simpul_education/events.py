"""Events education publishes on ``simpul.education.v1`` (key = posyandu id, wilayah = desa
code). Children travel as ``person_ref`` / ``household_ref`` (keyed pseudonyms of NIK and
No. KK): no NIK, no KK, no names, no school's pupil numbers.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import Field

from simpul_platform.events import EventPayload, TolerantPayload
from simpul_platform.referrals.events import published_by

TOPIC = "simpul.education.v1"
_CHILD: dict[str, Any] = {  # one child at a posyandu, for the catalogue's examples
    "child_id": "7a2e4c10-5b3d-4f6e-8a91-0c2d3e4f5a6b",
    "person_ref": "bf4a9aabcfef1cf7b33a562af3d1b40a5af05a881ebb0f9ce435b45374132396",
    "household_ref": "c0acc8f61e6ff0638178428fefd041fddd64376b59c60b4dc082bef1e5173b57",
    "posyandu_id": "0b6f3a52-8d1e-4c3a-9f0e-2d7c5b9a1e44",
    "desa_code": "64.02.06.2012",
}


class ChildRegistered(EventPayload):
    """A child or youth (0–18) became known to the education field at a posyandu."""

    event_type = "education.child.registered.v1"
    topic = TOPIC
    example = _CHILD | {"birth_year": 2016, "registered_on": "2026-03-02"}

    child_id: str
    person_ref: str
    household_ref: str | None
    posyandu_id: str
    desa_code: str
    birth_year: int
    registered_on: date


class ChildStatusChanged(EventPayload):
    """A child's education status was recorded (as of ``on``, from ``source``)."""

    event_type = "education.child.status_changed.v1"
    topic = TOPIC
    example = _CHILD | {
        "age_months": 118,
        "status": "sd",
        "jenjang": "sd",
        "kelas": 4,
        "source": "kader_census",
        "on": "2026-03-02",
        "previous_status": "out_of_school",
    }

    child_id: str
    person_ref: str
    household_ref: str | None
    posyandu_id: str
    desa_code: str
    age_months: int
    status: str
    jenjang: str | None
    kelas: int | None
    source: str
    on: date
    previous_status: str | None


PUBLISHED: list[type[EventPayload]] = [
    ChildRegistered,
    ChildStatusChanged,
    *published_by("education").all(),
]


# --------------------------------------------------------------------------- consumed

SOCIAL_TOPIC = "simpul.social.v1"


class HouseholdAssessed(TolerantPayload):
    """Education's view of ``social.household.assessed.v1``: a household's DTSEN decile."""

    event_type = "social.household.assessed.v1"
    topic = SOCIAL_TOPIC

    household_ref: str = Field(min_length=1, max_length=64)
    posyandu_id: str = Field(min_length=1, max_length=36)
    desa_code: str = Field(pattern=r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$")
    decile: int = Field(ge=1, le=10)
    source: str = Field(max_length=40)
    assessed_on: date
