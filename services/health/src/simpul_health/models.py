"""The health service's tables. NIK and No. KK live only here (``targets``).

Rows copy the posyandu's wilayah codes (desa, kecamatan, kabupaten) at write time so that
indicators filter on an indexed equality at any level.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, UniqueConstraint, column, text
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

health_registry = registry()
metadata = health_registry.metadata


class HealthModel(SQLModel, registry=health_registry):
    pass


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


# --------------------------------------------------------------------------- the SPM's other six


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
