"""The health service's tables. NIK and No. KK live only here (``targets``).

Rows copy the posyandu's wilayah codes (desa, kecamatan, kabupaten) at write time so that
indicators filter on an indexed equality at any level.

The base class is in ``model_base``; the SPM's other six services' tables are in
``models_programmes`` and re-exported here, so ``from simpul_health.models import X`` finds
every table.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, PrimaryKeyConstraint, UniqueConstraint, column, text
from sqlmodel import Field

from simpul_health.model_base import HealthModel, health_registry, metadata
from simpul_health.models_programmes import (
    FhirExport,
    HealthTally,
    HivRiskPerson,
    MentalHealthCase,
    MentalHealthService,
    NeonatalVisit,
    Newborn,
    SchoolAgeChild,
    SchoolScreening,
    SpmKept,
    TargetEstimate,
    TbPresumptive,
)
from simpul_platform.pseudonym import PseudonymColumn


class Target(HealthModel, table=True):
    """A person served at a posyandu (sasaran)."""

    __tablename__ = "targets"
    __table_args__ = (
        Index("ix_targets_desa_birth", "desa_code", "birth_date"),
        Index("ix_targets_kec_birth", "kecamatan_code", "birth_date"),
        # With the id, a kabupaten's 140,000 sasaran are counted and joined from the index
        # alone (queries.spm_counts), without visiting the table.
        Index("ix_targets_kab_birth_id", "kabupaten_code", "birth_date", postgresql_include=["id"]),
    )
    id: str = Field(primary_key=True, max_length=36)
    nik: str = Field(max_length=16, unique=True)
    kk: str | None = Field(default=None, max_length=16)
    name: str = Field(max_length=120)
    sex: str = Field(max_length=1)
    birth_date: date
    posyandu_id: str = Field(max_length=36, index=True)
    desa_code: str = Field(max_length=13)
    kecamatan_code: str = Field(max_length=8)
    kabupaten_code: str = Field(max_length=5)
    person_ref: str = Field(max_length=64, index=True)
    household_ref: str | None = Field(default=None, max_length=64)
    created_by: str = Field(max_length=120)
    created_at: datetime
    updated_by: str = Field(max_length=120)
    updated_at: datetime


class Measurement(HealthModel, table=True):
    """One weighing/measuring of a balita with its WHO z-scores and Permenkes categories."""

    __tablename__ = "measurements"
    __table_args__ = (
        UniqueConstraint("target_id", "measured_on", name="uq_measurement_target_day"),
        Index("ix_measurements_desa_on", "desa_code", "measured_on"),
        Index("ix_measurements_kec_on", "kecamatan_code", "measured_on"),
        Index("ix_measurements_kab_on", "kabupaten_code", "measured_on"),
        Index("ix_measurements_pos_on", "posyandu_id", "measured_on"),
        # Each child's latest z-scores in a kabupaten, in (target, newest first) order: the
        # stunting counts for a year read it alone, with no sort and no table. Ids in byte
        # order (pattern ops): the counts sort by it too, and bytes are the cheapest sort.
        Index(
            "ix_measurements_kab_latest",
            "kabupaten_code",
            "target_id",
            column("measured_on").desc(),
            postgresql_ops={"target_id": "varchar_pattern_ops"},
            postgresql_include=["desa_code", "haz", "whz", "waz"],
            postgresql_where=text("haz IS NOT NULL"),
        ),
        # One period of every child: balita weighings per child (whatever posyandu weighed
        # them) and a month's stunting counts, without visiting the table.
        Index(
            "ix_measurements_on_target",
            "measured_on",
            "target_id",
            postgresql_include=["kabupaten_code", "desa_code", "haz", "whz", "waz"],
        ),
    )
    id: str = Field(primary_key=True, max_length=36)
    target_id: str = Field(foreign_key="targets.id", max_length=36)
    posyandu_id: str = Field(max_length=36)
    desa_code: str = Field(max_length=13)
    kecamatan_code: str = Field(max_length=8)
    kabupaten_code: str = Field(max_length=5)
    measured_on: date
    age_days: int
    sex: str = Field(max_length=1)
    weight_kg: float
    height_cm: float | None = None
    measure_position: str | None = Field(default=None, max_length=10)
    adjusted_length_cm: float | None = None
    muac_cm: float | None = None
    head_circumference_cm: float | None = None
    vitamin_a: bool = False
    supplementary_food: bool = False
    haz: float | None = None
    waz: float | None = None
    whz: float | None = None
    bmiz: float | None = None
    height_for_age: str | None = Field(default=None, max_length=20)
    weight_for_age: str | None = Field(default=None, max_length=20)
    weight_for_height: str | None = Field(default=None, max_length=20)
    growth: str | None = Field(default=None, max_length=1)
    growth_faltering: bool = False
    confirmed_implausible: bool = False
    created_by: str = Field(max_length=120)
    created_at: datetime


class BalitaWeighed(HealthModel, table=True):
    """Balita weighed to standard, per registering posyandu and desa and per period.

    ``children``: the posyandu's registered children who are balita at the period's end and
    were weighed at least ``required_weighings(period)`` times in it (the SPM balita
    numerator), kept on write by ``simpul_health.ops.balita_weighed``. ``period`` is a month,
    quarter or year label (2025-06, 2025-Q2, 2025).
    """

    __tablename__ = "balita_weighed"
    __table_args__ = (
        Index("ix_balita_weighed_desa", "desa_code", "period"),
        Index("ix_balita_weighed_kec", "kecamatan_code", "period"),
        Index("ix_balita_weighed_kab", "kabupaten_code", "period"),
    )
    posyandu_id: str = Field(primary_key=True, max_length=36)
    desa_code: str = Field(primary_key=True, max_length=13)
    period: str = Field(primary_key=True, max_length=7)
    kecamatan_code: str = Field(max_length=8)
    kabupaten_code: str = Field(max_length=5)
    children: int


class LatestHaz(HealthModel, table=True):
    """Each child's latest measurement with a HAZ, per period and per kabupaten.

    A row holds the z-scores of the child's latest length-measured visit in ``period`` (a
    month, quarter or year label) among the measurements of ``kabupaten_code`` (the column an
    area filters the measurements on), kept on write by ``simpul_health.ops.latest_haz``: the
    stunting counts of a kabupaten or wider area read these instead of picking each child's
    latest among a year's measurements. ``desa_code`` is that measurement's desa.
    """

    __tablename__ = "latest_haz"
    __table_args__ = (
        # A kabupaten's children of a period from the key alone (an index-only scan).
        PrimaryKeyConstraint(
            "period",
            "kabupaten_code",
            "target_id",
            postgresql_include=["desa_code", "haz", "whz", "waz"],
        ),
        # A province's or the nation's children once each, in (child, newest first) order:
        # DISTINCT ON reads it with no sort and no table. Byte order as ix_measurements_kab_latest.
        Index(
            "ix_latest_haz_period_target",
            "period",
            "target_id",
            column("measured_on").desc(),
            postgresql_ops={"target_id": "varchar_pattern_ops"},
            postgresql_include=["kabupaten_code", "desa_code", "haz", "whz", "waz"],
        ),
    )
    period: str = Field(primary_key=True, max_length=7)
    kabupaten_code: str = Field(primary_key=True, max_length=5)
    target_id: str = Field(primary_key=True, max_length=36)
    measured_on: date
    desa_code: str = Field(max_length=13)
    haz: float
    whz: float | None = None
    waz: float | None = None


class StuntingEpisode(HealthModel, table=True):
    """From the first measurement below −2 HAZ to the first one back at or above −2."""

    __tablename__ = "stunting_episodes"
    __table_args__ = (Index("ix_episodes_target_open", "target_id", "closed_on"),)
    id: str = Field(primary_key=True, max_length=36)
    target_id: str = Field(foreign_key="targets.id", max_length=36)
    posyandu_id: str = Field(max_length=36)
    desa_code: str = Field(max_length=13)
    opened_on: date
    opened_measurement_id: str = Field(max_length=36)
    severity: str = Field(max_length=20)
    escalated_on: date | None = None
    closed_on: date | None = None
    closed_measurement_id: str | None = Field(default=None, max_length=36)
    updated_at: datetime


class Immunisation(HealthModel, table=True):
    __tablename__ = "immunisations"
    __table_args__ = (
        UniqueConstraint("target_id", "antigen", "dose", name="uq_immunisation"),
        # A child's doses with their dates, from the index alone: immunisation coverage probes
        # it once per child reaching a birthday in the period (ops.coverage).
        Index(
            "ix_immunisations_target_dose",
            "target_id",
            "antigen",
            "dose",
            postgresql_include=["given_on"],
        ),
    )
    id: str = Field(primary_key=True, max_length=36)
    target_id: str = Field(foreign_key="targets.id", max_length=36, index=True)
    posyandu_id: str = Field(max_length=36)
    desa_code: str = Field(max_length=13)
    antigen: str = Field(max_length=20)
    dose: int
    given_on: date
    created_by: str = Field(max_length=120)
    created_at: datetime


class Pregnancy(HealthModel, table=True):
    __tablename__ = "pregnancies"
    __table_args__ = (
        Index("ix_pregnancies_desa", "desa_code"),
        Index("ix_pregnancies_kec", "kecamatan_code"),
        Index("ix_pregnancies_kab", "kabupaten_code"),
        # A posyandu's deliveries of a period: what SPM ibu bersalin recounts on each one.
        Index("ix_pregnancies_pos_delivered", "posyandu_id", "delivered_on"),
    )
    id: str = Field(primary_key=True, max_length=36)
    target_id: str = Field(foreign_key="targets.id", max_length=36, index=True)
    posyandu_id: str = Field(max_length=36)
    desa_code: str = Field(max_length=13)
    kecamatan_code: str = Field(max_length=8)
    kabupaten_code: str = Field(max_length=5)
    registered_on: date
    last_menstrual_period: date
    estimated_delivery: date
    gravida: int
    status: str = Field(max_length=12)  # ongoing, delivered, ended
    flags: str = Field(default="", max_length=80)
    anc_visits: int = 0
    delivered_on: date | None = None
    outcome: str | None = Field(default=None, max_length=20)
    birth_weight_kg: float | None = None
    # Where and by whom (ibu bersalin): a facility type and the attendants' professions
    # ("midwife,nurse"); ``delivered_to_standard`` is the SPM's judgement of the two.
    delivery_place: str | None = Field(default=None, max_length=20)
    delivery_attendants: str | None = Field(default=None, max_length=80)
    delivered_to_standard: bool = False
    created_by: str = Field(max_length=120)
    created_at: datetime
    updated_by: str = Field(max_length=120)
    updated_at: datetime


class AncVisit(HealthModel, table=True):
    __tablename__ = "anc_visits"
    __table_args__ = (UniqueConstraint("pregnancy_id", "visit_number", name="uq_anc_visit"),)
    id: str = Field(primary_key=True, max_length=36)
    pregnancy_id: str = Field(foreign_key="pregnancies.id", max_length=36)
    visit_number: int
    visited_on: date
    lila_cm: float | None = None
    hb_g_dl: float | None = None
    systolic: int | None = None
    diastolic: int | None = None
    weight_kg: float | None = None
    iron_tablets: int = 0
    flags: str = Field(default="", max_length=80)
    created_by: str = Field(max_length=120)
    created_at: datetime


class Screening(HealthModel, table=True):
    __tablename__ = "screenings"
    __table_args__ = (
        Index("ix_screenings_desa_on", "desa_code", "screened_on"),
        Index("ix_screenings_kec_on", "kecamatan_code", "screened_on"),
        Index("ix_screenings_kab_on", "kabupaten_code", "screened_on"),
        Index("ix_screenings_pos_on", "posyandu_id", "screened_on"),
    )
    id: str = Field(primary_key=True, max_length=36)
    target_id: str = Field(foreign_key="targets.id", max_length=36, index=True)
    posyandu_id: str = Field(max_length=36)
    desa_code: str = Field(max_length=13)
    kecamatan_code: str = Field(max_length=8)
    kabupaten_code: str = Field(max_length=5)
    screened_on: date
    life_cycle_group: str = Field(max_length=20)
    age_years: int
    systolic: int | None = None
    diastolic: int | None = None
    glucose_mg_dl: float | None = None
    glucose_kind: str | None = Field(default=None, max_length=8)
    hb_g_dl: float | None = None
    weight_kg: float | None = None
    height_cm: float | None = None
    bmi: float | None = None
    hypertension: bool = False
    diabetes: bool = False
    anaemia: bool = False
    obesity: bool = False
    follow_up: str = Field(max_length=10)
    created_by: str = Field(max_length=120)
    created_at: datetime
    updated_by: str = Field(max_length=120)
    updated_at: datetime


__all__ = [
    "AncVisit",
    "BalitaWeighed",
    "FhirExport",
    "HealthModel",
    "HealthTally",
    "HivRiskPerson",
    "Immunisation",
    "LatestHaz",
    "Measurement",
    "MentalHealthCase",
    "MentalHealthService",
    "NeonatalVisit",
    "Newborn",
    "Pregnancy",
    "SchoolAgeChild",
    "SchoolScreening",
    "Screening",
    "SpmKept",
    "StuntingEpisode",
    "Target",
    "TargetEstimate",
    "TbPresumptive",
    "health_registry",
    "metadata",
]


# Every person_ref / household_ref column, and the NIK / No. KK beside it where the table keeps
# it: what a pseudonym secret rotation re-keys (simpul_platform.rekey; ServiceSpec.pseudonyms).
PSEUDONYMS: tuple[PseudonymColumn, ...] = (
    PseudonymColumn("targets", "person_ref", "nik", identifier="nik"),
    PseudonymColumn("targets", "household_ref", "kk", identifier="kk"),
    PseudonymColumn("school_age_children", "person_ref", "nik"),
    PseudonymColumn("school_screenings", "person_ref", "nik"),
)
