"""The social service's tables, on its own metadata (platform tables live beside them).

KK and NIK stay in these tables; what leaves the service carries ``household_ref`` and
``person_ref`` (keyed pseudonyms) instead.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint, text
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from simpul_platform.domain import StatusHistory
from simpul_platform.pseudonym import PseudonymColumn
from simpul_platform.tallies import TallyColumns
from simpul_platform.wilayah import desa_index

social_registry = registry()
metadata = social_registry.metadata


class SocialModel(SQLModel, registry=social_registry):
    pass


class Household(SocialModel, table=True):
    """A family by No. KK, within one posyandu's area, with its current DTSEN decile."""

    __tablename__ = "household"
    # The aggregates' filters (see ops/aggregates.py): pattern ops so that a wilayah prefix is
    # an index range under any collation (simpul_platform.wilayah.under); the included columns
    # let a count read the index alone.
    __table_args__ = (
        Index(
            "ix_household_desa_decile",
            "desa_code",
            "decile",
            postgresql_ops={"desa_code": "varchar_pattern_ops"},
            postgresql_include=["id"],
        ),
        Index("ix_household_decile_desa", "decile", postgresql_include=["desa_code", "id"]),
    )

    id: str = Field(primary_key=True, max_length=36)
    kk: str = Field(max_length=16, unique=True)
    household_ref: str = Field(max_length=64, unique=True)
    posyandu_id: str = Field(max_length=36, index=True)
    desa_code: str = Field(max_length=13)
    address: str = Field(max_length=200)
    rt: str | None = Field(default=None, max_length=3)
    rw: str | None = Field(default=None, max_length=3)
    decile: int | None = None
    decile_source: str | None = Field(default=None, max_length=40)
    decile_assessed_on: date | None = None
    created_by: str = Field(max_length=200)
    created_at: datetime
    updated_by: str = Field(max_length=200)
    updated_at: datetime


class Member(SocialModel, table=True):
    __tablename__ = "household_member"

    id: str = Field(primary_key=True, max_length=36)
    household_id: str = Field(foreign_key="household.id", index=True, max_length=36)
    nik: str = Field(max_length=16, unique=True)
    person_ref: str = Field(max_length=64, index=True)
    name: str = Field(max_length=120)
    sex: str = Field(max_length=1)
    birth_date: date
    relationship: str = Field(max_length=20)
    created_by: str = Field(max_length=200)
    created_at: datetime


class Assessment(SocialModel, table=True):
    """Every decile a household was given: the history behind Household.decile."""

    __tablename__ = "decile_assessment"

    id: int | None = Field(default=None, primary_key=True)
    household_id: str = Field(foreign_key="household.id", index=True, max_length=36)
    decile: int
    source: str = Field(max_length=40)
    assessed_on: date
    recorded_by: str = Field(max_length=200)
    recorded_at: datetime


class Usulan(SocialModel, table=True):
    """A proposal to register a household as poor (kader → musyawarah desa → Dinas Sosial)."""

    __tablename__ = "usulan"
    # One open usulan per household, also under concurrent proposals.
    __table_args__ = (
        Index(
            "uq_usulan_open_per_household",
            "household_id",
            unique=True,
            postgresql_where=text("status IN ('proposed', 'verified')"),
            sqlite_where=text("status IN ('proposed', 'verified')"),
        ),
    )

    id: str = Field(primary_key=True, max_length=36)
    household_id: str = Field(foreign_key="household.id", index=True, max_length=36)
    posyandu_id: str = Field(max_length=36, index=True)
    desa_code: str = Field(max_length=13, index=True)
    status: str = Field(max_length=12, index=True)
    reason: str = Field(max_length=500)
    musdes_date: date | None = None
    musdes_reference: str | None = Field(default=None, max_length=80)
    rejection_reason: str | None = Field(default=None, max_length=500)
    proposed_by: str = Field(max_length=200)
    proposed_at: datetime
    updated_by: str = Field(max_length=200)
    updated_at: datetime


class SocialHistory(StatusHistory):
    """The platform's history columns as social's tables have them: social's statuses and
    actions fit in 12 characters and its migrations made the columns so (the platform's are
    24); overriding the three keeps models and migrations the same without a revision."""

    action: str = Field(max_length=12)
    from_status: str | None = Field(default=None, max_length=12)
    to_status: str = Field(max_length=12)


class UsulanHistory(SocialHistory, SocialModel, table=True):
    """Every step of an usulan, attributed."""

    __tablename__ = "usulan_history"

    usulan_id: str = Field(foreign_key="usulan.id", index=True, max_length=36)


class Program(SocialModel, table=True):
    """A bansos program kept as data (PKH, sembako, PBI-JK, BLT Desa, ...)."""

    __tablename__ = "program"

    code: str = Field(primary_key=True, max_length=40)
    name: str = Field(max_length=120)
    period_type: str = Field(max_length=8)
    benefit: str = Field(max_length=8)  # cash | goods | service
    funder: str | None = Field(default=None, max_length=80)
    active: bool = True
    created_by: str = Field(max_length=200)
    created_at: datetime


class Distribution(SocialModel, table=True):
    """One program benefit for one household and period: at most one (DB-enforced)."""

    __tablename__ = "distribution"
    __table_args__ = (
        UniqueConstraint("program_code", "household_id", "period", name="uq_distribution_once"),
        # Bansos coverage (ops/aggregates.py), read from the indexes alone: a household's
        # distributions (a kecamatan or desa probes its households' ones), and a period's
        # (a kabupaten; period_end first, so a recent period skips the older rows).
        Index(
            "ix_distribution_household_program",
            "household_id",
            "program_code",
            postgresql_include=["status", "period_start", "period_end"],
        ),
        Index(
            "ix_distribution_period_end",
            "period_end",
            "period_start",
            postgresql_include=["status", "program_code", "household_id"],
        ),
    )

    id: str = Field(primary_key=True, max_length=36)
    household_id: str = Field(foreign_key="household.id", max_length=36)
    program_code: str = Field(foreign_key="program.code", max_length=40)
    period: str = Field(max_length=7)
    period_start: date
    period_end: date
    posyandu_id: str = Field(max_length=36, index=True)
    desa_code: str = Field(max_length=13, index=True)
    amount_idr: int | None = None
    goods: str | None = Field(default=None, max_length=200)
    distributed_on: date
    status: str = Field(max_length=12)
    created_by: str = Field(max_length=200)
    created_at: datetime


class PpksCase(SocialModel, table=True):
    __tablename__ = "ppks_case"

    id: str = Field(primary_key=True, max_length=36)
    category: str = Field(max_length=24, index=True)
    status: str = Field(max_length=12, index=True)
    posyandu_id: str = Field(max_length=36, index=True)
    desa_code: str = Field(max_length=13, index=True)
    household_id: str | None = Field(default=None, foreign_key="household.id", max_length=36)
    nik: str | None = Field(default=None, max_length=16)
    person_ref: str | None = Field(default=None, max_length=64)
    name: str = Field(max_length=120)
    identified_on: date = Field(index=True)
    assessed_on: date | None = None
    served_on: date | None = None
    closed_on: date | None = None
    needs: str | None = Field(default=None, max_length=500)
    service: str | None = Field(default=None, max_length=500)
    outcome: str | None = Field(default=None, max_length=24)
    created_by: str = Field(max_length=200)
    created_at: datetime
    updated_by: str = Field(max_length=200)
    updated_at: datetime


class PpksCaseHistory(SocialHistory, SocialModel, table=True):
    """Every step of a PPKS case, attributed."""

    __tablename__ = "ppks_case_history"

    case_id: str = Field(foreign_key="ppks_case.id", index=True, max_length=36)


class StuntingReaction(SocialModel, table=True):
    """What social decided for one stunting episode, and why (visible to DPMD in aggregate)."""

    __tablename__ = "stunting_reaction"

    stunting_episode_id: str = Field(primary_key=True, max_length=64)
    decision: str = Field(max_length=24, index=True)
    reason: str = Field(max_length=300)
    household_ref: str | None = Field(default=None, max_length=64)
    household_id: str | None = Field(default=None, max_length=36)
    child_person_ref: str = Field(max_length=64)
    posyandu_id: str = Field(max_length=36, index=True)
    desa_code: str = Field(max_length=13, index=True)
    decile: int | None = None
    severity: str = Field(max_length=20)
    detected_on: date = Field(index=True)
    detections: int = 1
    last_event_id: str = Field(max_length=64)
    decided_at: datetime
    updated_at: datetime


class PriorityCase(SocialModel, table=True):
    """A keluarga berisiko stunting case for Dinas Sosial: one per stunting episode."""

    __tablename__ = "priority_case"

    id: str = Field(primary_key=True, max_length=36)
    stunting_episode_id: str = Field(max_length=64, unique=True)
    household_id: str = Field(foreign_key="household.id", index=True, max_length=36)
    household_ref: str = Field(max_length=64)
    child_person_ref: str = Field(max_length=64)
    posyandu_id: str = Field(max_length=36, index=True)
    desa_code: str = Field(max_length=13, index=True)
    decile: int
    severity: str = Field(max_length=20)
    detection_measurement_id: str = Field(max_length=64)
    detected_on: date = Field(index=True)
    due_on: date = Field(index=True)
    status: str = Field(max_length=12, index=True)  # open | resolved
    escalated_on: date | None = None
    recovered_on: date | None = None
    recovery_measurement_id: str | None = Field(default=None, max_length=64)
    recovery_note: str | None = Field(default=None, max_length=300)
    outcome: str | None = Field(default=None, max_length=32)
    resolution_note: str | None = Field(default=None, max_length=500)
    resolved_on: date | None = Field(default=None, index=True)
    resolved_by: str | None = Field(default=None, max_length=200)
    resolved_at: datetime | None = None
    opened_at: datetime
    updated_at: datetime


class StuntingLead(SocialModel, table=True):
    """A stunted child whose household social cannot place: a kader goes to find it."""

    __tablename__ = "stunting_lead"

    id: str = Field(primary_key=True, max_length=36)
    stunting_episode_id: str = Field(max_length=64, unique=True)
    reason: str = Field(max_length=20)  # household_unknown | decile_unknown
    household_ref: str | None = Field(default=None, max_length=64, index=True)
    child_person_ref: str = Field(max_length=64)
    posyandu_id: str = Field(max_length=36, index=True)
    desa_code: str = Field(max_length=13, index=True)
    severity: str = Field(max_length=20)
    measurement_id: str = Field(max_length=64)
    detected_on: date
    # open | found (by a kader) | not_found | matched (the household registered later)
    status: str = Field(max_length=12, index=True)
    household_id: str | None = Field(default=None, foreign_key="household.id", max_length=36)
    note: str | None = Field(default=None, max_length=500)
    resolved_by: str | None = Field(default=None, max_length=200)
    resolved_at: datetime | None = None
    created_at: datetime


# --- disaster social protection (domain/disaster.py) ----------------------------------------


class DisasterProtectionCase(SocialModel, table=True):
    """Perlindungan dan jaminan sosial for one household a disaster or a fire struck: one per
    (trantib's disaster or fire id, household), opened from trantib's events."""

    __tablename__ = "disaster_protection_case"
    __table_args__ = (
        UniqueConstraint("source_event_id", "household_ref", name="uq_disaster_protection_once"),
        desa_index("ix_disaster_protection_case_desa"),
    )

    id: str = Field(primary_key=True, max_length=36)
    source: str = Field(max_length=16)  # trantib_disaster | trantib_fire
    source_event_id: str = Field(max_length=64)  # the disaster's or the fire's id
    household_ref: str = Field(max_length=64, index=True)
    household_id: str | None = Field(default=None, foreign_key="household.id", max_length=36)
    kind: str = Field(max_length=40)
    name: str | None = Field(default=None, max_length=160)
    occurred_on: date
    posyandu_id: str = Field(max_length=36, index=True)
    desa_code: str = Field(max_length=13)
    damage: str = Field(max_length=20)
    displaced: bool
    members: int | None = None
    status: str = Field(max_length=20, index=True)
    services: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    opened_on: date = Field(index=True)
    emergency_served_on: date | None = None
    recovery_served_on: date | None = None
    closed_on: date | None = None
    decline_reason: str | None = Field(default=None, max_length=16)
    opened_by_event: str = Field(max_length=64)  # the event that named the household first
    created_by: str = Field(max_length=200)
    created_at: datetime
    updated_by: str = Field(max_length=200)
    updated_at: datetime


class DisasterProtectionHistory(StatusHistory, SocialModel, table=True):
    """Every step of a disaster protection case, attributed."""

    __tablename__ = "disaster_protection_history"

    case_id: str = Field(foreign_key="disaster_protection_case.id", index=True, max_length=36)
    step_on: date
    codes: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class SocialTally(TallyColumns, SocialModel, table=True):
    """Social's bansos coverage counts kept per posyandu and month (``ops.tallies``), dropped
    by ``ops.tallies.invalidate``."""

    __tablename__ = "social_tally"
    __table_args__ = (
        Index(
            "ix_social_tally_month_desa",
            "month",
            "desa_code",
            postgresql_ops={"desa_code": "varchar_pattern_ops"},
        ),
    )


# Every person_ref / household_ref column, and the NIK / No. KK beside it where the table keeps
# it: what a pseudonym secret rotation re-keys (simpul_platform.rekey; ServiceSpec.pseudonyms).
PSEUDONYMS: tuple[PseudonymColumn, ...] = (
    PseudonymColumn("household", "household_ref", "kk", identifier="kk"),
    PseudonymColumn("household_member", "person_ref", "nik", identifier="nik"),
    PseudonymColumn("ppks_case", "person_ref", "nik", identifier="nik"),
    PseudonymColumn("stunting_reaction", "household_ref", "kk"),
    PseudonymColumn("stunting_reaction", "child_person_ref", "nik"),
    PseudonymColumn("stunting_lead", "household_ref", "kk"),
    PseudonymColumn("stunting_lead", "child_person_ref", "nik"),
    PseudonymColumn("priority_case", "household_ref", "kk"),
    PseudonymColumn("priority_case", "child_person_ref", "nik"),
    PseudonymColumn("disaster_protection_case", "household_ref", "kk"),
)
