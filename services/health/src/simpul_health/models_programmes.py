"""The SPM's other six services: kept counts, target estimates, newborns, school screening, ODGJ,
TB, HIV, and the FHIR export log."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field

from simpul_health.model_base import HealthModel
from simpul_platform.tallies import TallyColumns


class SpmKept(HealthModel, table=True):
    """One SPM code's counts for one posyandu and period (a month, quarter or year label),
    recounted on every write that changes them (``simpul_health.ops.kept``): a wilayah's
    indicator is then a sum of rows. ``denominator`` is the recorded target group (deliveries,
    newborns, cases); an imported estimate (``target_estimates``) replaces it on read."""

    __tablename__ = "spm_kept"
    __table_args__ = (
        Index("ix_spm_kept_desa", "desa_code", "period", "code"),
        Index("ix_spm_kept_kec", "kecamatan_code", "period", "code"),
        Index("ix_spm_kept_kab", "kabupaten_code", "period", "code"),
    )
    code: str = Field(primary_key=True, max_length=40)
    posyandu_id: str = Field(primary_key=True, max_length=36)
    period: str = Field(primary_key=True, max_length=7)
    desa_code: str = Field(max_length=13)
    kecamatan_code: str = Field(max_length=8)
    kabupaten_code: str = Field(max_length=5)
    numerator: int = 0
    denominator: int = 0


class HealthTally(TallyColumns, HealthModel, table=True):
    """The SPM counts over registered people (balita, pregnancies, adults' screenings) per
    posyandu at a month's end (``simpul_platform.tallies``): dropped by the writes that change
    them (``simpul_health.ops.tally``), counted again on read."""

    __tablename__ = "health_tally"
    __table_args__ = (
        Index(
            "ix_health_tally_month_desa",
            "month",
            "desa_code",
            postgresql_ops={"desa_code": "varchar_pattern_ops"},
        ),
    )


class TargetEstimate(HealthModel, table=True):
    """A target group's size for a wilayah and year from outside (BPS projections, Kemenkes
    estimates): the SPM denominator where the regulation asks for an estimate."""

    __tablename__ = "target_estimates"
    wilayah_code: str = Field(primary_key=True, max_length=13)
    year: int = Field(primary_key=True)
    target_group: str = Field(primary_key=True, max_length=40)
    count: int
    source: str = Field(max_length=200)
    imported_by: str = Field(max_length=120)
    imported_at: datetime


class Newborn(HealthModel, table=True):
    """A baby (bayi baru lahir) followed through its neonatal visits KN1–KN3 (0–28 days)."""

    __tablename__ = "newborns"
    __table_args__ = (
        Index("ix_newborns_pos_born", "posyandu_id", "born_on"),
        UniqueConstraint("pregnancy_id", "birth_order", name="uq_newborn_pregnancy_order"),
    )
    id: str = Field(primary_key=True, max_length=36)
    pregnancy_id: str | None = Field(default=None, foreign_key="pregnancies.id", max_length=36)
    birth_order: int = 1  # twins: 1, 2
    target_id: str | None = Field(default=None, foreign_key="targets.id", max_length=36)
    mother_target_id: str | None = Field(default=None, foreign_key="targets.id", max_length=36)
    posyandu_id: str = Field(max_length=36)
    desa_code: str = Field(max_length=13)
    kecamatan_code: str = Field(max_length=8)
    kabupaten_code: str = Field(max_length=5)
    born_at: datetime
    born_on: date  # the local date of born_at: what period the newborn counts in
    sex: str = Field(max_length=1)
    birth_weight_kg: float | None = None
    kn1_at: datetime | None = None
    kn2_at: datetime | None = None
    kn3_at: datetime | None = None
    kn_complete: bool = False
    created_by: str = Field(max_length=120)
    created_at: datetime
    updated_by: str = Field(max_length=120)
    updated_at: datetime


class NeonatalVisit(HealthModel, table=True):
    __tablename__ = "neonatal_visits"
    __table_args__ = (Index("ix_neonatal_visits_newborn", "newborn_id", "visited_at"),)
    id: str = Field(primary_key=True, max_length=36)
    newborn_id: str = Field(foreign_key="newborns.id", max_length=36)
    visited_at: datetime
    age_hours: int
    kn: int | None = None  # 1, 2 or 3: the window the visit falls in
    weight_kg: float | None = None
    findings: str = Field(default="", max_length=200)  # codes, comma-separated
    created_by: str = Field(max_length=120)
    created_at: datetime


class SchoolAgeChild(HealthModel, table=True):
    """A child education knows (its events: pseudonym, posyandu, desa, birth year, age): the
    usia pendidikan dasar denominator. Never a name or a NIK."""

    __tablename__ = "school_age_children"
    __table_args__ = (
        Index("ix_school_age_pos", "posyandu_id"),
        Index("ix_school_age_desa", "desa_code"),
        Index("ix_school_age_kec", "kecamatan_code"),
        Index("ix_school_age_kab", "kabupaten_code"),
        # A kabupaten's usia pendidikan dasar denominator (counted when read) from the index
        # alone: its children's birth months and years.
        Index(
            "ix_school_age_kab_birth",
            "kabupaten_code",
            postgresql_include=["birth_month", "birth_year"],
        ),
    )
    child_id: str = Field(primary_key=True, max_length=36)  # education's id
    person_ref: str = Field(max_length=64, index=True)
    posyandu_id: str = Field(max_length=36)
    desa_code: str = Field(max_length=13)
    kecamatan_code: str = Field(max_length=8)
    kabupaten_code: str = Field(max_length=5)
    birth_year: int
    birth_month: date | None = None  # first day, from an age in months on a date
    status: str | None = Field(default=None, max_length=20)
    as_of: datetime  # the latest event applied (older ones are ignored)
    last_event_id: str = Field(max_length=64)


class SchoolScreening(HealthModel, table=True):
    """Penjaringan kesehatan of a school-age child (kelas 1–9), once per school year."""

    __tablename__ = "school_screenings"
    __table_args__ = (
        Index("ix_school_screenings_pos_on", "posyandu_id", "screened_on"),
        Index("ix_school_screenings_person", "person_ref", "screened_on"),
    )
    id: str = Field(primary_key=True, max_length=36)
    target_id: str = Field(foreign_key="targets.id", max_length=36, index=True)
    person_ref: str = Field(max_length=64)
    posyandu_id: str = Field(max_length=36)
    desa_code: str = Field(max_length=13)
    kecamatan_code: str = Field(max_length=8)
    kabupaten_code: str = Field(max_length=5)
    screened_on: date
    school_npsn: str | None = Field(default=None, max_length=8)
    jenjang: str = Field(max_length=3)  # sd, smp
    kelas: int
    weight_kg: float | None = None
    height_cm: float | None = None
    bmi_z: float | None = None
    nutrition: str | None = Field(default=None, max_length=20)
    systolic: int | None = None
    diastolic: int | None = None
    vision: str | None = Field(default=None, max_length=12)
    hearing: str | None = Field(default=None, max_length=12)
    dental: str | None = Field(default=None, max_length=12)
    hb_g_dl: float | None = None
    mental_emotional: str | None = Field(default=None, max_length=12)
    findings: str = Field(default="", max_length=200)
    to_standard: bool = False
    follow_up: str = Field(max_length=24)  # none, referred_to_puskesmas
    created_by: str = Field(max_length=120)
    created_at: datetime


class MentalHealthCase(HealthModel, table=True):
    """A person with a severe mental disorder (ODGJ berat: psychosis, schizophrenia) in care."""

    __tablename__ = "mental_health_cases"
    __table_args__ = (Index("ix_mental_cases_pos", "posyandu_id", "registered_on"),)
    id: str = Field(primary_key=True, max_length=36)
    target_id: str = Field(foreign_key="targets.id", max_length=36, index=True)
    posyandu_id: str = Field(max_length=36)
    desa_code: str = Field(max_length=13)
    kecamatan_code: str = Field(max_length=8)
    kabupaten_code: str = Field(max_length=5)
    diagnosis: str = Field(max_length=8)  # ICD-10 F20–F29 (and F30–F33 with psychosis)
    registered_on: date
    restrained: bool = False  # dipasung when found
    status: str = Field(max_length=12)  # active, recovered, moved, died
    closed_on: date | None = None
    created_by: str = Field(max_length=120)
    created_at: datetime
    updated_by: str = Field(max_length=120)
    updated_at: datetime


class MentalHealthService(HealthModel, table=True):
    __tablename__ = "mental_health_services"
    __table_args__ = (
        UniqueConstraint("case_id", "served_on", name="uq_mental_service_day"),
        Index("ix_mental_services_pos_on", "posyandu_id", "served_on"),
    )
    id: str = Field(primary_key=True, max_length=36)
    case_id: str = Field(foreign_key="mental_health_cases.id", max_length=36)
    posyandu_id: str = Field(max_length=36)
    served_on: date
    mental_status_exam: bool = False
    adherence_education: bool = False
    medication_given: bool = False
    home_visit: bool = False
    to_standard: bool = False
    created_by: str = Field(max_length=120)
    created_at: datetime


class TbPresumptive(HealthModel, table=True):
    """A presumptive TB case (terduga TBC) and its examination."""

    __tablename__ = "tb_presumptives"
    __table_args__ = (Index("ix_tb_presumptives_pos_on", "posyandu_id", "identified_on"),)
    id: str = Field(primary_key=True, max_length=36)
    target_id: str = Field(foreign_key="targets.id", max_length=36, index=True)
    posyandu_id: str = Field(max_length=36)
    desa_code: str = Field(max_length=13)
    kecamatan_code: str = Field(max_length=8)
    kabupaten_code: str = Field(max_length=5)
    identified_on: date
    symptoms: str = Field(default="", max_length=120)  # codes, comma-separated
    household_contact: bool = False
    examined_on: date | None = None
    examination: str | None = Field(default=None, max_length=12)  # tcm, microscopy, ...
    result: str | None = Field(default=None, max_length=20)
    examined_to_standard: bool = False
    created_by: str = Field(max_length=120)
    created_at: datetime
    updated_by: str = Field(max_length=120)
    updated_at: datetime


class HivRiskPerson(HealthModel, table=True):
    """A person at risk of HIV offered a test. Its risk group and result never leave health:
    no event carries either, and only health roles read them."""

    __tablename__ = "hiv_risk_people"
    __table_args__ = (Index("ix_hiv_risk_pos_on", "posyandu_id", "identified_on"),)
    id: str = Field(primary_key=True, max_length=36)
    target_id: str = Field(foreign_key="targets.id", max_length=36, index=True)
    posyandu_id: str = Field(max_length=36)
    desa_code: str = Field(max_length=13)
    kecamatan_code: str = Field(max_length=8)
    kabupaten_code: str = Field(max_length=5)
    risk_group: str = Field(max_length=20)
    identified_on: date
    tested_on: date | None = None
    test: str | None = Field(default=None, max_length=16)
    result: str | None = Field(default=None, max_length=16)
    tested_to_standard: bool = False
    created_by: str = Field(max_length=120)
    created_at: datetime
    updated_by: str = Field(max_length=120)
    updated_at: datetime


class FhirExport(HealthModel, table=True):
    """Who exported which posyandu day as FHIR, when, and how much: the audit trail."""

    __tablename__ = "fhir_exports"
    __table_args__ = (Index("ix_fhir_exports_pos_day", "posyandu_id", "day"),)
    id: str = Field(primary_key=True, max_length=36)
    posyandu_id: str = Field(max_length=36)
    day: date
    exported_by: str = Field(max_length=120)
    exported_at: datetime
    patients: int
    resources: int
