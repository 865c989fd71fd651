"""Village infrastructure issues (their steps and photos) and the desa's public facilities."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint, text
from sqlmodel import Field

from simpul_platform.domain import StatusHistory
from simpul_public_works.models.base import PublicWorksModel

OPEN_ISSUE = "status NOT IN ('done', 'declined')"


class InfrastructureIssue(PublicWorksModel, table=True):
    """A village infrastructure issue a kader reported (``domain.issues``' workflow): triaged
    by the desa, forwarded to the OPD, scheduled, done or declined. A report of the same thing
    nearby is linked to the first (``duplicate_of``) and counted once."""

    __tablename__ = "infrastructure_issue"
    __table_args__ = (
        Index(
            "ix_infrastructure_issue_desa",
            "desa_code",
            postgresql_ops={"desa_code": "varchar_pattern_ops"},
        ),
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
    __table_args__ = (
        Index(
            "ix_public_facility_desa",
            "desa_code",
            postgresql_ops={"desa_code": "varchar_pattern_ops"},
        ),
    )

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
