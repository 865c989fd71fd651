"""Events the health service publishes on ``simpul.health.v1``. Key = posyandu id,
``wilayah`` = desa code. People travel only as ``person_ref``/``household_ref`` (keyed
pseudonyms of NIK and No. KK): no NIK, no KK, no names.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, Literal

from pydantic import Field

from simpul_platform.events import EventPayload, TolerantPayload
from simpul_platform.referrals.events import published_by
from simpul_platform.wilayah import DESA_PATTERN

TOPIC = "simpul.health.v1"
_EPISODE: dict[str, Any] = {  # one stunted child, for the catalogue's examples
    "episode_id": "5d0c7f1e-2b8a-4e39-a1c6-7f4e2d9b3a10",
    "person_ref": "bf4a9aabcfef1cf7b33a562af3d1b40a5af05a881ebb0f9ce435b45374132396",
    "household_ref": "c0acc8f61e6ff0638178428fefd041fddd64376b59c60b4dc082bef1e5173b57",
    "posyandu_id": "0b6f3a52-8d1e-4c3a-9f0e-2d7c5b9a1e44",
    "desa_code": "64.02.06.2012",
}


class ChildMeasured(EventPayload):
    """A balita was weighed and measured; z-scores (WHO 2006) and Permenkes 2/2020 categories."""

    event_type = "health.child.measured.v1"
    topic = TOPIC

    measurement_id: str
    person_ref: str
    household_ref: str | None
    posyandu_id: str
    desa_code: str
    measured_on: date
    age_days: int
    sex: Literal["M", "F"]
    weight_kg: float
    height_cm: float | None
    measure_position: Literal["recumbent", "standing"] | None
    haz: float | None
    waz: float | None
    whz: float | None
    bmiz: float | None
    height_for_age: str | None
    weight_for_age: str | None
    weight_for_height: str | None
    growth: Literal["N", "T"] | None
    growth_faltering: bool


def child_measured_data(
    measurement: Mapping[str, Any], person_ref: str, household_ref: str | None
) -> dict[str, Any]:
    """``ChildMeasured(...).model_dump(mode="json")`` for a measurement row (the columns of
    ``measurement``) whose values the service has already validated and computed: the same
    keys in the same order with the same JSON types. Bulk uploads publish one per row, and a
    second pydantic round (validate, then dump) cost more than the z-scores.
    ``test_health_ingest_fast_path`` holds it to the model; change both together."""
    m = measurement
    return {
        "measurement_id": m["id"],
        "person_ref": person_ref,
        "household_ref": household_ref,
        "posyandu_id": m["posyandu_id"],
        "desa_code": m["desa_code"],
        "measured_on": m["measured_on"].isoformat(),
        "age_days": m["age_days"],
        "sex": m["sex"],
        "weight_kg": float(m["weight_kg"]),
        "height_cm": _float(m["height_cm"]),
        "measure_position": m["measure_position"],
        "haz": _float(m["haz"]),
        "waz": _float(m["waz"]),
        "whz": _float(m["whz"]),
        "bmiz": _float(m["bmiz"]),
        "height_for_age": m["height_for_age"],
        "weight_for_age": m["weight_for_age"],
        "weight_for_height": m["weight_for_height"],
        "growth": m["growth"],
        "growth_faltering": m["growth_faltering"],
    }


def _float(value: float | None) -> float | None:
    # pydantic turns an int into a float for a float field (9 → 9.0 in the JSON).
    return None if value is None else float(value)


class StuntingDetected(EventPayload):
    """Once per episode: first HAZ below −2, or an open episode newly below −3 (escalated)."""

    event_type = "health.stunting.detected.v1"
    topic = TOPIC
    example = _EPISODE | {
        "measurement_id": "a7e3c1f9-0d2b-4f6a-8c4e-1b3d5f7a9c2e",
        "measured_on": "2025-09-08",
        "age_days": 702,
        "sex": "F",
        "haz": -2.41,
        "severity": "stunted",
        "escalated": False,
    }

    episode_id: str
    person_ref: str
    household_ref: str | None
    posyandu_id: str
    desa_code: str
    measurement_id: str
    measured_on: date
    age_days: int
    sex: Literal["M", "F"]
    haz: float
    severity: Literal["stunted", "severely_stunted"]
    escalated: bool


class StuntingRecovered(EventPayload):
    """An open stunting episode ended: a later measurement at or above −2 HAZ."""

    event_type = "health.stunting.recovered.v1"
    topic = TOPIC
    example = _EPISODE | {
        "measurement_id": "c4a8e2f6-1b3d-4c5e-9a7f-0d2b4c6e8a1f",
        "measured_on": "2026-03-09",
        "haz": -1.87,
    }

    episode_id: str
    person_ref: str
    household_ref: str | None
    posyandu_id: str
    desa_code: str
    measurement_id: str
    measured_on: date
    haz: float


class PregnancyRiskFlagged(EventPayload):
    """A pregnancy gained risk flags (kek, anaemia, hypertension, age_risk); ``flags`` is the
    full current set."""

    event_type = "health.pregnancy.risk_flagged.v1"
    topic = TOPIC

    pregnancy_id: str
    person_ref: str
    household_ref: str | None
    posyandu_id: str
    desa_code: str
    flags: list[str]
    recorded_on: date


class ScreeningRecorded(EventPayload):
    """A remaja, adult or lansia was screened (flags: hypertension, diabetes, anaemia, obesity)."""

    event_type = "health.screening.recorded.v1"
    topic = TOPIC

    screening_id: str
    person_ref: str
    posyandu_id: str
    desa_code: str
    life_cycle_group: str
    screened_on: date
    flags: list[str]
    follow_up: str


class DeliveryRecorded(EventPayload):
    """A pregnancy ended: where, and whether at a facility by competent staff (SPM ibu
    bersalin). The mother travels as her pseudonym."""

    event_type = "health.delivery.recorded.v1"
    topic = TOPIC

    pregnancy_id: str
    person_ref: str
    posyandu_id: str
    desa_code: str
    delivered_on: date
    outcome: str
    delivery_place: str | None
    delivered_to_standard: bool


class NewbornRegistered(EventPayload):
    """A newborn was recorded (no name, no NIK: a newborn has its own id until registered)."""

    event_type = "health.newborn.registered.v1"
    topic = TOPIC

    newborn_id: str
    mother_person_ref: str | None
    posyandu_id: str
    desa_code: str
    born_on: date
    sex: Literal["M", "F"]
    low_birth_weight: bool | None  # < 2.5 kg; None: not weighed


class NeonatalVisitsCompleted(EventPayload):
    """A newborn had its third neonatal visit in its window: KN1, KN2 and KN3 complete."""

    event_type = "health.newborn.visits_completed.v1"
    topic = TOPIC

    newborn_id: str
    posyandu_id: str
    desa_code: str
    born_on: date
    completed_on: date


class SchoolScreeningRecorded(EventPayload):
    """A school-age child was screened (penjaringan kesehatan); ``follow_up`` says whether a
    finding was referred. Findings themselves stay in health."""

    event_type = "health.school_screening.recorded.v1"
    topic = TOPIC

    screening_id: str
    person_ref: str
    posyandu_id: str
    desa_code: str
    screened_on: date
    jenjang: Literal["sd", "smp"]
    kelas: int
    to_standard: bool
    follow_up: str


PUBLISHED: list[type[EventPayload]] = [
    ChildMeasured,
    StuntingDetected,
    StuntingRecovered,
    PregnancyRiskFlagged,
    ScreeningRecorded,
    DeliveryRecorded,
    NewbornRegistered,
    NeonatalVisitsCompleted,
    SchoolScreeningRecorded,
    *published_by("health").all(),
]


# --------------------------------------------------------------------------- education's children

EDUCATION_TOPIC = "simpul.education.v1"  # the platform's field_topic("education")


class EducationChildRegistered(TolerantPayload):
    """Health's view of ``education.child.registered.v1``: a child education knows, by its
    pseudonym, posyandu, desa and birth year (the usia pendidikan dasar target group)."""

    event_type = "education.child.registered.v1"
    topic = EDUCATION_TOPIC

    child_id: str = Field(min_length=1, max_length=36)
    person_ref: str = Field(min_length=1, max_length=64)
    posyandu_id: str = Field(min_length=1, max_length=36)
    desa_code: str = Field(pattern=DESA_PATTERN)
    birth_year: int = Field(ge=1900, le=2200)
    registered_on: date


class EducationChildStatusChanged(TolerantPayload):
    """Health's view of ``education.child.status_changed.v1``: the child's age in months on a
    date (its birth month), its status, and its posyandu and desa now."""

    event_type = "education.child.status_changed.v1"
    topic = EDUCATION_TOPIC

    child_id: str = Field(min_length=1, max_length=36)
    person_ref: str = Field(min_length=1, max_length=64)
    posyandu_id: str = Field(min_length=1, max_length=36)
    desa_code: str = Field(pattern=DESA_PATTERN)
    age_months: int = Field(ge=0, le=12 * 120)
    status: str = Field(max_length=20)
    on: date
