"""The public-works service's tables, on its own metadata (platform tables live beside them).

The No. KK stays in these tables; what leaves the service carries ``household_ref`` (a keyed
pseudonym) instead, and a household's location never leaves at all. Public infrastructure's
coordinates may. Photos are files behind the storage interface, named here by key only.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint, text
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from simpul_platform.domain import StatusHistory
from simpul_platform.pseudonym import PseudonymColumn
from simpul_platform.stunting import HouseholdDecisionColumns, StuntedHouseholdColumns
from simpul_platform.tallies import TallyColumns
from simpul_platform.wilayah import desa_index

public_works_registry = registry()
metadata = public_works_registry.metadata


class PublicWorksModel(SQLModel, registry=public_works_registry):
    pass


class Household(PublicWorksModel, table=True):
    """A household at a posyandu's desa, with its latest survey's ladder levels (copied from
    it, so counts per desa are an index read). Its No. KK is known once a kader surveyed it;
    a household known only from housing's survey of its house is known by pseudonym alone
    (the KK's pseudonym finds it when a kader comes)."""

    __tablename__ = "household"
    __table_args__ = (desa_index("ix_household_desa"),)

    id: str = Field(primary_key=True, max_length=36)
    kk: str | None = Field(default=None, max_length=16, unique=True)
    household_ref: str = Field(max_length=64, unique=True)
    posyandu_id: str = Field(max_length=36, index=True)
    desa_code: str = Field(max_length=13)
    latest_survey_id: str | None = Field(default=None, max_length=36)
    surveyed_on: date | None = None
    occupants: int | None = None
    water_level: str | None = Field(default=None, max_length=16)
    sanitation_level: str | None = Field(default=None, max_length=16)
    basic_water: bool | None = None
    wastewater_service: str | None = Field(default=None, max_length=8)
    created_by: str = Field(max_length=200)
    created_at: datetime
    updated_by: str = Field(max_length=200)
    updated_at: datetime


class WashSurvey(PublicWorksModel, table=True):
    """One water and sanitation survey of a household, as recorded, with the ladder levels and
    the SPM's basic daily water derived from it (the rules that decided them beside)."""

    __tablename__ = "wash_survey"
    __table_args__ = (
        UniqueConstraint("household_id", "source_ref", name="uq_wash_survey_source_ref"),
    )

    id: str = Field(primary_key=True, max_length=36)
    household_id: str = Field(foreign_key="household.id", index=True, max_length=36)
    source: str = Field(max_length=10)
    # What the survey came from when it was not typed here: housing's assessment id.
    source_ref: str | None = Field(default=None, max_length=64)
    surveyed_on: date
    occupants: int
    water_source: str = Field(max_length=28)
    washing_source: str | None = Field(default=None, max_length=28)
    distance_to_waste_m: float | None = None
    on_premises: bool | None = None  # unknown in a survey from housing
    fetch_minutes: int | None = None
    available_24h: bool | None = None  # unknown in a survey from housing
    litres_per_person_day: float | None = None
    # None: not looked at (a survey from housing); [] looked at and none of the faults.
    quality: list[str] | None = Field(
        default_factory=list, sa_column=Column(JSON(none_as_null=True), nullable=True)
    )
    e_coli: str | None = Field(default=None, max_length=8)
    toilet_facility: str = Field(max_length=20)
    toilet_type: str = Field(max_length=16)
    faeces_disposal: str = Field(max_length=32)
    septic_emptied_on: date | None = None
    # Derived, never typed.
    water_level: str = Field(max_length=16)
    water_rule: str = Field(max_length=32)
    sanitation_level: str = Field(max_length=16)
    sanitation_rule: str = Field(max_length=32)
    basic_water: bool
    basic_water_failed: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    wastewater_service: str | None = Field(default=None, max_length=8)
    recorded_by: str = Field(max_length=200)
    recorded_at: datetime


OPEN_ISSUE = "status NOT IN ('done', 'declined')"


class InfrastructureIssue(PublicWorksModel, table=True):
    """A village infrastructure issue a kader reported (``domain.issues``' workflow): triaged
    by the desa, forwarded to the OPD, scheduled, done or declined. A report of the same thing
    nearby is linked to the first (``duplicate_of``) and counted once."""

    __tablename__ = "infrastructure_issue"
    __table_args__ = (
        desa_index("ix_infrastructure_issue_desa"),
        Index(
            "ix_infrastructure_issue_open_kind",
            "desa_code",
            "kind",
            postgresql_where=text(OPEN_ISSUE),
            sqlite_where=text(OPEN_ISSUE),
        ),
    )

    id: str = Field(primary_key=True, max_length=36)
    posyandu_id: str = Field(max_length=36, index=True)
    desa_code: str = Field(max_length=13)
    kind: str = Field(max_length=16)
    severity: str = Field(max_length=8)
    status: str = Field(max_length=16, index=True)
    latitude: float
    longitude: float
    # Public infrastructure: the place may be described; people may not.
    description: str | None = Field(default=None, max_length=1000)
    facility_id: str | None = Field(
        default=None, foreign_key="public_facility.id", index=True, max_length=36
    )
    duplicate_of: str | None = Field(
        default=None, foreign_key="infrastructure_issue.id", index=True, max_length=36
    )
    source: str = Field(max_length=12)  # kader, or referral
    referral_id: str | None = Field(default=None, max_length=36)
    reported_on: date
    triaged_on: date | None = None
    handled_by: str | None = Field(default=None, max_length=12)  # apbdes or kabupaten
    forwarded_on: date | None = None
    scheduled_on: date | None = None
    budget_year: int | None = None
    funding_source: str | None = Field(default=None, max_length=20)
    done_on: date | None = None
    declined_on: date | None = None
    decline_reason: str | None = Field(default=None, max_length=24)
    closed_on: date | None = None
    created_by: str = Field(max_length=200)
    created_at: datetime
    updated_by: str = Field(max_length=200)
    updated_at: datetime


class InfrastructureIssueHistory(StatusHistory, PublicWorksModel, table=True):
    """Every step of an infrastructure issue, attributed, with the codes it was taken with."""

    __tablename__ = "infrastructure_issue_history"

    issue_id: str = Field(foreign_key="infrastructure_issue.id", index=True, max_length=36)
    step_on: date
    codes: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class IssuePhoto(PublicWorksModel, table=True):
    """A photo of an issue: stored without its location metadata behind the storage interface
    under ``storage_key``; the same image uploaded again for the issue is the same photo."""

    __tablename__ = "issue_photo"
    __table_args__ = (UniqueConstraint("issue_id", "sha256", name="uq_issue_photo_sha256"),)

    id: str = Field(primary_key=True, max_length=36)
    issue_id: str = Field(foreign_key="infrastructure_issue.id", index=True, max_length=36)
    storage_key: str = Field(max_length=200)
    content_type: str = Field(max_length=20)
    bytes: int
    sha256: str = Field(max_length=64)
    width: int
    height: int
    uploaded_by: str = Field(max_length=200)
    uploaded_at: datetime


class PublicFacility(PublicWorksModel, table=True):
    """A public water or sanitation facility at a desa (SPAM unit, public tap, communal MCK,
    communal IPAL, well, embung): functioning or damaged, its status changed by the issues
    resolved about it."""

    __tablename__ = "public_facility"
    __table_args__ = (desa_index("ix_public_facility_desa"),)

    id: str = Field(primary_key=True, max_length=36)
    posyandu_id: str = Field(max_length=36, index=True)
    desa_code: str = Field(max_length=13)
    kind: str = Field(max_length=16)
    name: str = Field(max_length=120)
    latitude: float
    longitude: float
    households_served: int
    built_year: int | None = None
    status: str = Field(max_length=12)
    status_changed_on: date
    created_by: str = Field(max_length=200)
    created_at: datetime
    updated_by: str = Field(max_length=200)
    updated_at: datetime


class PublicFacilityHistory(StatusHistory, PublicWorksModel, table=True):
    """Every status change of a facility, with the issue that changed it."""

    __tablename__ = "public_facility_history"

    facility_id: str = Field(foreign_key="public_facility.id", index=True, max_length=36)
    issue_id: str | None = Field(default=None, max_length=36)
    step_on: date


class KnownHousehold(PublicWorksModel, table=True):
    """A household another field (or this one) knows at a posyandu, by pseudonym: the
    denominator of survey coverage (households surveyed ÷ households known)."""

    __tablename__ = "known_household"
    __table_args__ = (desa_index("ix_known_household_desa"),)

    household_ref: str = Field(primary_key=True, max_length=64)
    posyandu_id: str = Field(max_length=36, index=True)
    desa_code: str = Field(max_length=13)
    source: str = Field(max_length=16)  # the field that made it known first
    known_on: date
    last_event_id: str = Field(max_length=64)


class StuntedHousehold(StuntedHouseholdColumns, PublicWorksModel, table=True):
    """A household with a child health found stunted (``health.stunting.detected.v1``), by
    pseudonym: what "stunted children's households without basic water" counts."""

    __tablename__ = "stunted_household"
    __table_args__ = (desa_index("ix_stunted_household_desa"),)


class StuntingWashDecision(HouseholdDecisionColumns, PublicWorksModel, table=True):
    """What public works decided for one stunting detection from health (one row per event):
    a prioritised WASH referral for a household without basic water or sanitation, a survey
    referral for a household never surveyed, the household served, or a referral already open.
    The row makes a replayed event change nothing."""

    __tablename__ = "stunting_wash_decision"

    household_id: str | None = Field(default=None, max_length=36)
    survey_id: str | None = Field(default=None, max_length=36)


class PublicWorksTally(TallyColumns, PublicWorksModel, table=True):
    """Public works' indicator counts (``domain.indicators``), dropped by
    ``ops.tallies.invalidate``."""

    __tablename__ = "public_works_tally"
    __table_args__ = (
        Index(
            "ix_public_works_tally_month_desa",
            "month",
            "desa_code",
            postgresql_ops={"desa_code": "varchar_pattern_ops"},
        ),
    )


# Every person_ref / household_ref column, and the NIK / No. KK beside it where the table keeps
# it: what a pseudonym secret rotation re-keys (simpul_platform.rekey; ServiceSpec.pseudonyms).
PSEUDONYMS: tuple[PseudonymColumn, ...] = (
    PseudonymColumn("household", "household_ref", "kk", identifier="kk"),
    PseudonymColumn("known_household", "household_ref", "kk"),
    PseudonymColumn("stunted_household", "household_ref", "kk"),
    PseudonymColumn("stunting_wash_decision", "person_ref", "nik"),
    PseudonymColumn("stunting_wash_decision", "household_ref", "kk"),
)
