"""ATS cases (anak tidak sekolah): the bodies of each step and the case as read. A case names
its child by id and pseudonym: NIK and No. KK stay on the child's record."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from simpul_education.domain.ats import AtsCategory, NotEligibleReason, ProblemDomain, ReEntryPath
from simpul_education.domain.ats_reentry import LastJenjang, Paket
from simpul_education.domain.status import Source
from simpul_education.schemas import Out

Code = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
# A detection a user records; "reaction" is the service's own rules'.
OpenSource = Literal["kader_census", "referral", "dapodik_match"]
EnrolStatus = Literal["sd", "smp", "sma", "smk", "paket_a", "paket_b", "paket_c"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AtsOpenIn(_In):
    """A child 7–18 found out of school; ``referral_id`` (an accepted or requested
    ``ats_suspected`` or ``disaster_displaced`` referral to education about this child) when
    the source is a referral."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "child_id": "7a2e4c10-5b3d-4f6e-8a91-0c2d3e4f5a6b",
                    "source": "kader_census",
                    "detected_on": "2026-03-02",
                }
            ]
        },
    )
    child_id: str = Field(min_length=1, max_length=36)
    source: OpenSource
    detected_on: date
    referral_id: str | None = Field(default=None, min_length=1, max_length=36)


class ClassifyIn(_In):
    """BPB (never at school), DO (dropped out) or LTM (finished a level, did not continue).
    For DO/LTM the last jenjang and kelas, read from the child's statuses when omitted."""

    category: AtsCategory
    last_jenjang: LastJenjang | None = None
    last_kelas: int | None = Field(default=None, ge=1, le=13)
    classified_on: date | None = Field(default=None, description="today when omitted")


class VerifyIn(_In):
    """The desa's verification: a reason from /v1/ats-catalogue and the problem domain. An
    economic problem also sends social a referral (bansos: PKH/PIP eligibility)."""

    reason_code: Code = Field(examples=["biaya"])
    problem_domain: ProblemDomain
    verified_on: date | None = Field(default=None, description="today when omitted")


class ReferIn(_In):
    """Re-entry: formal school through PPDB, or kesetaraan at an SPNF/PKBM centre (the Paket
    that fits the child's last level and age; computed when omitted)."""

    path: ReEntryPath
    paket: Paket | None = None
    referred_on: date | None = Field(default=None, description="today when omitted")


class EnrollIn(_In):
    """Back in education: a formal jenjang with its kelas (after PPDB) or the referred Paket
    (after SPNF/PKBM), at a unit. Also recorded as the child's education status."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "status": "smp",
                    "kelas": 7,
                    "unit_name": "SMPN 2 Tenggarong",
                    "npsn": "30401235",
                    "on": "2026-07-13",
                }
            ]
        },
    )
    status: EnrolStatus
    kelas: int | None = Field(default=None, ge=1, le=13)
    unit_name: str = Field(min_length=1, max_length=120)
    npsn: str | None = Field(default=None, pattern=r"^\d{8}$")
    on: date
    source: Source = "school"


class CloseIn(_In):
    """Not eligible: over 18, in a pesantren, moved away, deceased."""

    reason: NotEligibleReason
    closed_on: date | None = Field(default=None, description="today when omitted")


class ResiduIn(_In):
    """The child cannot be located (the national dashboard's residu)."""

    on: date | None = Field(default=None, description="today when omitted")


class AtsStepOut(Out):
    action: str
    from_status: str | None
    to_status: str
    codes: dict[str, Any]
    step_on: date
    actor: str
    at: datetime


class AtsCaseOut(Out):
    id: str
    child_id: str
    person_ref: str = Field(description="the child's pseudonym")
    posyandu_id: str
    desa_code: str = Field(examples=["64.02.06.2012"])
    status: str
    source: str
    referral_id: str | None
    detected_on: date
    verify_due_on: date
    overdue: bool = Field(description="not verified (nor ended) by its verification due date")
    allowed_actions: list[str]
    category: str | None
    last_jenjang: str | None
    last_kelas: int | None
    classified_on: date | None
    reason_code: str | None
    problem_domain: str | None
    verified_on: date | None
    social_referral_id: str | None = Field(description="the referral sent to social, if any")
    re_entry_path: str | None
    paket: str | None
    referred_on: date | None
    enrolled_status: str | None
    unit_name: str | None
    npsn: str | None
    enrolled_on: date | None
    not_eligible_reason: str | None
    closed_on: date | None
    created_by: str
    created_at: datetime
    updated_by: str
    updated_at: datetime


class AtsCaseDetail(AtsCaseOut):
    history: list[AtsStepOut] = Field(description="every step taken, oldest first")


class CatalogueOut(BaseModel):
    """The codes ATS steps take; verification reasons are the deployment's data."""

    categories: list[str] = Field(examples=[["bpb", "do", "ltm"]])
    problem_domains: list[str]
    verify_reasons: dict[str, str] = Field(examples=[{"biaya": "Tidak ada biaya sekolah"}])
    re_entry_paths: list[str]
    paket_min_age: dict[str, int]
    not_eligible_reasons: list[str]
    verify_due_working_days: int


class ImportRowError(BaseModel):
    field: str = Field(description="the CSV column", examples=["tanggal_lahir"])
    rule: str = Field(examples=["nik_birth_date_mismatch"])
    message: str


class ImportRowResult(BaseModel):
    row: int = Field(description="the line in the file (1 = the header)", examples=[2])
    outcome: Literal["opened", "already_open", "error"]
    child_id: str | None = None
    case_id: str | None = None
    child_registered: bool = Field(default=False, description="the row registered the child")
    errors: list[ImportRowError] = Field(default_factory=list)


class ImportOut(BaseModel):
    rows: list[ImportRowResult]
    opened: int
    already_open: int
    error: int
