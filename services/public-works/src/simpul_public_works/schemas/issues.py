"""Village infrastructure issues: the report in, one body per step, the issue with its steps
out. No person is named: the description is of the place, the reporter is the attribution."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from simpul_platform.clock import IsoDate
from simpul_public_works.domain.issues import (
    DeclineReason,
    FundingSource,
    HandledBy,
    IssueKind,
    IssueStatus,
    Severity,
)
from simpul_public_works.schemas import Out

EXAMPLE: dict[str, Any] = {
    "posyandu_id": "3f1c2a9e-1111-4c7e-9a55-000000000001",
    "kind": "drainase",
    "severity": "sedang",
    "latitude": -0.4203,
    "longitude": 116.9871,
    "description": "Saluran tersumbat di depan balai desa, air meluap saat hujan.",
    "reported_on": "2026-03-02",
}


class IssueIn(BaseModel):
    """A report of damage to a desa's infrastructure at a posyandu's desa. From an incoming
    ``infrastructure_issue`` referral: name it in ``referral_id`` (accepted with the issue)."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE]}, extra="forbid")

    posyandu_id: str = Field(min_length=1, max_length=36)
    kind: IssueKind
    severity: Severity
    # Either axis may hold either value: a swapped pair is named by the check, not the schema.
    latitude: float = Field(ge=-180, le=180)
    longitude: float = Field(ge=-180, le=180)
    description: str | None = Field(
        default=None, max_length=1000, description="the place and the damage; never a person"
    )
    facility_id: str | None = Field(
        default=None, max_length=36, description="a public facility at the same desa"
    )
    duplicate_of: str | None = Field(
        default=None,
        max_length=36,
        description="an open issue of the same kind at the same desa this report repeats; "
        "when omitted, the earliest open one nearby is found",
    )
    referral_id: str | None = Field(default=None, max_length=36)
    reported_on: IsoDate | None = Field(default=None, description="today when omitted")


class TriageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    handled_by: HandledBy = Field(description="the desa's APBDes, or the kabupaten (forwarded)")
    triaged_on: IsoDate | None = Field(default=None, description="today when omitted")
    note: str | None = Field(default=None, max_length=500)


class ForwardIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    forwarded_on: IsoDate | None = Field(default=None, description="today when omitted")
    note: str | None = Field(default=None, max_length=500)


class ScheduleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    budget_year: int = Field(ge=2000, le=2100)
    funding_source: FundingSource
    scheduled_on: IsoDate | None = Field(default=None, description="today when omitted")
    note: str | None = Field(default=None, max_length=500)


class CompleteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    done_on: IsoDate | None = Field(default=None, description="today when omitted")
    note: str | None = Field(default=None, max_length=500)


class DeclineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: DeclineReason
    declined_on: IsoDate | None = Field(default=None, description="today when omitted")
    note: str | None = Field(default=None, max_length=500)


class IssueOut(Out):
    """An issue as it stands; ``overdue``: open past its step's deadline (``due_on``)."""

    id: str
    posyandu_id: str
    desa_code: str
    kind: str
    severity: str
    status: IssueStatus
    latitude: float
    longitude: float
    description: str | None
    facility_id: str | None
    duplicate_of: str | None
    source: str
    referral_id: str | None
    reported_on: date
    triaged_on: date | None
    handled_by: str | None
    forwarded_on: date | None
    scheduled_on: date | None
    budget_year: int | None
    funding_source: str | None
    done_on: date | None
    declined_on: date | None
    decline_reason: str | None
    closed_on: date | None
    due_on: date | None
    overdue: bool
    created_by: str
    created_at: datetime
    updated_by: str
    updated_at: datetime


class IssueStepOut(Out):
    action: str
    from_status: str | None
    to_status: str
    step_on: date
    codes: dict[str, Any]
    note: str | None
    actor: str
    at: datetime


class IssueDetail(IssueOut):
    """An issue with every step taken (oldest first), its open duplicates' ids, and the
    allowed next steps."""

    history: list[IssueStepOut]
    duplicates: list[str]
    allowed: list[str]


class IssueReportedOut(IssueDetail):
    """The new issue; ``linked_as_duplicate`` says it was found to repeat ``duplicate_of``."""

    linked_as_duplicate: bool
    duplicate_distance_m: float | None


class IssuePhotoOut(Out):
    """A photo of an issue, as stored: without its location metadata. ``url`` serves the
    image to public-works roles and the desa."""

    id: str
    issue_id: str
    content_type: str = Field(examples=["image/jpeg"])
    bytes: int
    sha256: str
    width: int
    height: int
    uploaded_by: str
    uploaded_at: datetime
    url: str = Field(examples=["/v1/issue-photos/2c7e9a41-6b3d-4f1e-8a90-1d2c3b4a5e6f"])
