"""Events education publishes on ``simpul.education.v1`` (key = posyandu id, wilayah = desa
code). Children travel as ``person_ref`` / ``household_ref`` (keyed pseudonyms of NIK and
No. KK): no NIK, no KK, no names, no school's pupil numbers. At the end, education's views of
the other fields' events it consumes.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import Field
from sqlalchemy.engine import RowMapping

from simpul_education.domain.children import age_months
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


class PaudEnrolled(EventPayload):
    """A child 0–6 was enrolled in a PAUD unit for a year (the unit travels by NPSN only, when
    known; its name, like the child's, stays in the service)."""

    event_type = "education.paud.enrolled.v1"
    topic = TOPIC
    example = _CHILD | {
        "enrolment_id": "5d0c7e2a-3b41-4f8e-9c6d-1a2b3c4d5e6f",
        "age_months": 50,
        "age_group": "3_to_6",
        "npsn": "69912345",
        "year": 2026,
        "enrolled_on": "2026-01-12",
    }

    enrolment_id: str
    child_id: str
    person_ref: str
    household_ref: str | None
    posyandu_id: str
    desa_code: str
    age_months: int
    age_group: str
    npsn: str | None
    year: int
    enrolled_on: date


_CASE: dict[str, Any] = _CHILD | {
    "case_id": "5d9c2b7a-3e1f-4a6b-8c0d-1e2f3a4b5c6d",
    "age_months": 151,
    "category": "do",
}


class AtsCaseOpened(EventPayload):
    """A child 7–18 out of school was detected (a census, a referral, a reaction, a Dapodik
    match); ``category`` when the detection already classified it."""

    event_type = "education.ats.opened.v1"
    topic = TOPIC
    example = _CASE | {
        "source": "kader_census",
        "referral_id": None,
        "detected_on": "2026-03-02",
        "verify_due_on": "2026-03-16",
    }

    case_id: str
    child_id: str
    person_ref: str
    household_ref: str | None
    posyandu_id: str
    desa_code: str
    age_months: int
    category: str | None
    source: str
    referral_id: str | None
    detected_on: date
    verify_due_on: date


class AtsCaseVerified(EventPayload):
    """The desa verified an ATS case: the reason and problem domain (codes), on time or not;
    an economic problem names the referral it sent to social."""

    event_type = "education.ats.verified.v1"
    topic = TOPIC
    example = _CASE | {
        "reason_code": "biaya",
        "problem_domain": "ekonomi",
        "verified_on": "2026-03-10",
        "verify_due_on": "2026-03-16",
        "on_time": True,
        "social_referral_id": "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
    }

    case_id: str
    child_id: str
    person_ref: str
    household_ref: str | None
    posyandu_id: str
    desa_code: str
    age_months: int
    category: str | None
    reason_code: str
    problem_domain: str
    verified_on: date
    verify_due_on: date
    on_time: bool
    social_referral_id: str | None


class AtsCaseEnrolled(EventPayload):
    """An ATS child is back in education: the path, the jenjang (or Paket) and the unit's
    NPSN."""

    event_type = "education.ats.enrolled.v1"
    topic = TOPIC
    example = _CASE | {
        "re_entry_path": "spnf_pkbm",
        "status": "paket_b",
        "kelas": None,
        "npsn": "P9990123",
        "detected_on": "2026-03-02",
        "enrolled_on": "2026-07-13",
    }

    case_id: str
    child_id: str
    person_ref: str
    household_ref: str | None
    posyandu_id: str
    desa_code: str
    age_months: int
    category: str | None
    re_entry_path: str
    status: str
    kelas: int | None
    npsn: str | None
    detected_on: date
    enrolled_on: date


class AtsCaseClosed(EventPayload):
    """An ATS case ended without enrolment: ``not_eligible`` (with the reason) or ``residu``
    (the child could not be located)."""

    event_type = "education.ats.closed.v1"
    topic = TOPIC
    example = _CASE | {
        "outcome": "not_eligible",
        "not_eligible_reason": "pesantren",
        "previous_status": "classified",
        "detected_on": "2026-03-02",
        "closed_on": "2026-03-09",
    }

    case_id: str
    child_id: str
    person_ref: str
    household_ref: str | None
    posyandu_id: str
    desa_code: str
    age_months: int
    category: str | None
    outcome: Literal["not_eligible", "residu"]
    not_eligible_reason: str | None
    previous_status: str
    detected_on: date
    closed_on: date


# --- the JSON form of child events, from rows (bulk writes publish without re-validating) ----


def registered_data(child: RowMapping | dict[str, Any], today: date) -> dict[str, Any]:
    """ChildRegistered's JSON form, built from the child's row (no second validation: a unit
    test holds it to the payload model)."""
    return {
        "child_id": child["id"],
        "person_ref": child["person_ref"],
        "household_ref": child["household_ref"],
        "posyandu_id": child["posyandu_id"],
        "desa_code": child["desa_code"],
        "birth_year": child["birth_date"].year,
        "registered_on": today.isoformat(),
    }


def status_changed_data(
    child: RowMapping | dict[str, Any], status: dict[str, Any], previous: str | None
) -> dict[str, Any]:
    """ChildStatusChanged's JSON form, from the child's row and the new status row."""
    return {
        "child_id": child["id"],
        "person_ref": child["person_ref"],
        "household_ref": child["household_ref"],
        "posyandu_id": child["posyandu_id"],
        "desa_code": child["desa_code"],
        "age_months": age_months(child["birth_date"], status["on"]),
        "status": status["status"],
        "jenjang": status["jenjang"],
        "kelas": status["kelas"],
        "source": status["source"],
        "on": status["on"].isoformat(),
        "previous_status": previous,
    }


PUBLISHED: list[type[EventPayload]] = [
    ChildRegistered,
    ChildStatusChanged,
    PaudEnrolled,
    AtsCaseOpened,
    AtsCaseVerified,
    AtsCaseEnrolled,
    AtsCaseClosed,
    *published_by("education").all(),
]


# --- consumed: health's stunting detections (the stunting → PAUD reaction) ----------------

HEALTH_TOPIC = "simpul.health.v1"


class StuntingDetected(TolerantPayload):
    """Education's view of ``health.stunting.detected.v1`` (once per episode, and again when
    it escalates): the child as pseudonyms, where, and the age in days at the measurement."""

    event_type = "health.stunting.detected.v1"
    topic = HEALTH_TOPIC
    episode_id: str = Field(min_length=1, max_length=64)
    person_ref: str = Field(min_length=1, max_length=64)
    household_ref: str | None = Field(default=None, max_length=64)
    posyandu_id: str = Field(min_length=1, max_length=36)
    desa_code: str = Field(pattern=r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$")
    measured_on: date
    age_days: int = Field(ge=0)
    severity: str = Field(max_length=20)
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
