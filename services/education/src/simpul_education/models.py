"""The education service's tables, on its own metadata (platform tables live beside them).

NIK and No. KK stay in these tables; what leaves the service carries ``person_ref`` and
``household_ref`` (keyed pseudonyms) instead.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint, text
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from simpul_platform.deciles import HouseholdDecileColumns
from simpul_platform.domain import StatusHistory
from simpul_platform.pseudonym import PseudonymColumn
from simpul_platform.stunting import StuntingDecisionColumns
from simpul_platform.tallies import TallyColumns

education_registry = registry()
metadata = education_registry.metadata


class EducationModel(SQLModel, registry=education_registry):
    pass


class Child(EducationModel, table=True):
    """A child or youth 0–18 known to the field at a posyandu, with the current status (the
    latest by date of the ``child_status`` rows)."""

    __tablename__ = "child"
    __table_args__ = (
        Index(
            "ix_child_desa_birth",
            "desa_code",
            "birth_date",
            postgresql_ops={"desa_code": "varchar_pattern_ops"},
        ),
    )

    id: str = Field(primary_key=True, max_length=36)
    nik: str = Field(max_length=16, unique=True)
    kk: str = Field(max_length=16)
    person_ref: str = Field(max_length=64, unique=True)
    household_ref: str = Field(max_length=64, index=True)
    name: str = Field(max_length=120)
    sex: str = Field(max_length=1)
    birth_date: date
    posyandu_id: str = Field(max_length=36, index=True)
    desa_code: str = Field(max_length=13)
    status: str | None = Field(default=None, max_length=20, index=True)
    status_on: date | None = None
    created_by: str = Field(max_length=200)
    created_at: datetime
    updated_by: str = Field(max_length=200)
    updated_at: datetime


class ChildStatus(EducationModel, table=True):
    """Every education status a child was given, attributed: the history behind
    ``Child.status``."""

    __tablename__ = "child_status"

    id: str = Field(primary_key=True, max_length=36)
    child_id: str = Field(foreign_key="child.id", index=True, max_length=36)
    status: str = Field(max_length=20)
    jenjang: str | None = Field(default=None, max_length=10)
    kelas: int | None = None
    unit_name: str | None = Field(default=None, max_length=120)
    npsn: str | None = Field(default=None, max_length=8)
    source: str = Field(max_length=20)
    on: date
    recorded_by: str = Field(max_length=200)
    recorded_at: datetime


# --- PAUD, BKB and literacy at the posyandu -------------------------------------------------


class PaudEnrolment(EducationModel, table=True):
    """A child's PAUD enrolment for one year (OpenSID's ``sasaran_paud``): the unit, the age
    group on the enrolment date; the monthly marks are ``paud_attendance`` rows. The posyandu
    and desa are the child's."""

    __tablename__ = "paud_enrolment"
    __table_args__ = (
        UniqueConstraint("child_id", "year", name="uq_paud_enrolment_child_year"),
        Index(
            "ix_paud_enrolment_desa_year",
            "desa_code",
            "year",
            postgresql_ops={"desa_code": "varchar_pattern_ops"},
        ),
    )

    id: str = Field(primary_key=True, max_length=36)
    child_id: str = Field(foreign_key="child.id", index=True, max_length=36)
    posyandu_id: str = Field(max_length=36, index=True)
    desa_code: str = Field(max_length=13)
    unit_name: str = Field(max_length=120)
    npsn: str | None = Field(default=None, max_length=8)
    year: int
    enrolled_on: date
    age_group: str = Field(max_length=10)
    created_by: str = Field(max_length=200)
    created_at: datetime
    updated_by: str = Field(max_length=200)
    updated_at: datetime


class PaudAttendance(EducationModel, table=True):
    """One month's attendance mark of an enrolment, attributed."""

    __tablename__ = "paud_attendance"

    enrolment_id: str = Field(foreign_key="paud_enrolment.id", primary_key=True, max_length=36)
    month: int = Field(primary_key=True)
    mark: str = Field(max_length=12)
    recorded_by: str = Field(max_length=200)
    recorded_at: datetime


class BkbMembership(EducationModel, table=True):
    """A family (by No. KK, kept here; ``household_ref`` travels) in a BKB class at a
    posyandu, from ``joined_on`` until the day it left. A family is in one class at a time."""

    __tablename__ = "bkb_membership"
    __table_args__ = (
        Index(
            "ux_bkb_membership_active",
            "household_ref",
            unique=True,
            postgresql_where=text("left_on IS NULL"),
            sqlite_where=text("left_on IS NULL"),
        ),
        Index(
            "ix_bkb_membership_desa",
            "desa_code",
            postgresql_ops={"desa_code": "varchar_pattern_ops"},
        ),
    )

    id: str = Field(primary_key=True, max_length=36)
    posyandu_id: str = Field(max_length=36, index=True)
    desa_code: str = Field(max_length=13)
    kk: str = Field(max_length=16)
    household_ref: str = Field(max_length=64, index=True)
    group_name: str = Field(max_length=120)
    joined_on: date
    left_on: date | None = None
    created_by: str = Field(max_length=200)
    created_at: datetime
    updated_by: str = Field(max_length=200)
    updated_at: datetime


class LiteracySession(EducationModel, table=True):
    """A taman bacaan or reading session held at a posyandu, participants counted by age
    group; no person appears. One of a kind per posyandu and day."""

    __tablename__ = "literacy_session"
    __table_args__ = (
        UniqueConstraint("posyandu_id", "held_on", "kind", name="uq_literacy_session_day_kind"),
        Index(
            "ix_literacy_session_desa_held",
            "desa_code",
            "held_on",
            postgresql_ops={"desa_code": "varchar_pattern_ops"},
        ),
    )

    id: str = Field(primary_key=True, max_length=36)
    posyandu_id: str = Field(max_length=36)
    desa_code: str = Field(max_length=13)
    held_on: date
    kind: str = Field(max_length=20)
    participants_0_6: int
    participants_7_12: int
    participants_13_18: int
    participants_adults: int
    facilitator: str | None = Field(default=None, max_length=20)
    created_by: str = Field(max_length=200)
    created_at: datetime


# --- the stunting → PAUD reaction ---------------------------------------------------------


class StuntingPaudDecision(StuntingDecisionColumns, EducationModel, table=True):
    """What education decided for one stunting detection from health (one row per event):
    referred to PAUD, already in PAUD or BKB, out of the 2–6 age band, or a PAUD referral
    already open. The row makes a redelivered or replayed event change nothing. The child is
    what education works on: its decisions are found by ``person_ref``."""

    __tablename__ = "stunting_paud_decision"

    person_ref: str = Field(max_length=64, index=True)
    household_ref: str | None = Field(default=None, max_length=64)
    age_months: int
    decision: str = Field(max_length=20, index=True)


# --- ATS cases (anak tidak sekolah) -------------------------------------------------------

# The statuses of a case still being worked (not enrolled, closed or residu).
ATS_OPEN = ("detected", "classified", "verified", "referred")
_ATS_OPEN_SQL = text("status IN ('detected', 'classified', 'verified', 'referred')")


class AtsCase(EducationModel, table=True):
    """A child 7–18 out of school, worked from detection to enrolment (or a closing); one open
    case per child, also under concurrent requests."""

    __tablename__ = "ats_case"
    __table_args__ = (
        Index(
            "uq_ats_case_open_per_child",
            "child_id",
            unique=True,
            postgresql_where=_ATS_OPEN_SQL,
            sqlite_where=_ATS_OPEN_SQL,
        ),
        # The ATS indicators and open cases by desa read a kabupaten's cases from this index
        # alone (a wilayah is a desa_code range; the dates decide each case's part).
        Index(
            "ix_ats_case_desa_detected",
            "desa_code",
            "detected_on",
            postgresql_ops={"desa_code": "varchar_pattern_ops"},
            postgresql_include=[
                "status",
                "posyandu_id",
                "verify_due_on",
                "verified_on",
                "enrolled_on",
                "closed_on",
            ],
        ),
    )

    id: str = Field(primary_key=True, max_length=36)
    child_id: str = Field(foreign_key="child.id", index=True, max_length=36)
    posyandu_id: str = Field(max_length=36, index=True)
    desa_code: str = Field(max_length=13)
    status: str = Field(max_length=20, index=True)
    source: str = Field(max_length=20)
    referral_id: str | None = Field(default=None, max_length=36, index=True)
    detected_on: date
    verify_due_on: date
    category: str | None = Field(default=None, max_length=3)
    last_jenjang: str | None = Field(default=None, max_length=10)
    last_kelas: int | None = None
    classified_on: date | None = None
    reason_code: str | None = Field(default=None, max_length=40)
    problem_domain: str | None = Field(default=None, max_length=10)
    verified_on: date | None = None
    social_referral_id: str | None = Field(default=None, max_length=36)
    re_entry_path: str | None = Field(default=None, max_length=10)
    paket: str | None = Field(default=None, max_length=10)
    referred_on: date | None = None
    enrolled_status: str | None = Field(default=None, max_length=10)
    unit_name: str | None = Field(default=None, max_length=120)
    npsn: str | None = Field(default=None, max_length=8)
    enrolled_on: date | None = None
    not_eligible_reason: str | None = Field(default=None, max_length=10)
    closed_on: date | None = Field(default=None, description="closed not eligible, or residu")
    created_by: str = Field(max_length=200)
    created_at: datetime
    updated_by: str = Field(max_length=200)
    updated_at: datetime


class AtsCaseHistory(StatusHistory, EducationModel, table=True):
    """Every step of an ATS case, attributed, with the codes it was taken with."""

    __tablename__ = "ats_case_history"

    case_id: str = Field(foreign_key="ats_case.id", index=True, max_length=36)
    step_on: date
    codes: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


# --------------------------------------------------------------------------- indicator counts


class EducationTally(TallyColumns, EducationModel, table=True):
    """Education's indicator counts (``domain.indicators.Count``), dropped by
    ``ops.tallies.invalidate``."""

    __tablename__ = "education_tally"
    __table_args__ = (
        Index(
            "ix_education_tally_month_desa",
            "month",
            "desa_code",
            postgresql_ops={"desa_code": "varchar_pattern_ops"},
        ),
    )


class HouseholdDecile(HouseholdDecileColumns, EducationModel, table=True):
    """Social's DTSEN decile of a household, by its pseudonym: a replica of
    ``social.household.assessed.v1`` (the latest assessment by date wins)."""

    __tablename__ = "household_decile"


# Every person_ref / household_ref column, and the NIK / No. KK beside it where the table keeps
# it: what a pseudonym secret rotation re-keys (simpul_platform.rekey; ServiceSpec.pseudonyms).
PSEUDONYMS: tuple[PseudonymColumn, ...] = (
    PseudonymColumn("child", "person_ref", "nik", identifier="nik"),
    PseudonymColumn("child", "household_ref", "kk", identifier="kk"),
    PseudonymColumn("bkb_membership", "household_ref", "kk", identifier="kk"),
    PseudonymColumn("household_decile", "household_ref", "kk"),
    PseudonymColumn("stunting_paud_decision", "person_ref", "nik"),
    PseudonymColumn("stunting_paud_decision", "household_ref", "kk"),
)
