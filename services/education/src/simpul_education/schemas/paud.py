"""PAUD enrolments with their monthly attendance (OpenSID's ``sasaran_paud`` shape), and BKB
memberships of families. No. KK stays in the service: a read shows it masked."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from simpul_education.domain.paud import AgeGroup, AttendanceMark
from simpul_education.domain.status import Source
from simpul_education.schemas import Out
from simpul_platform.identity import KK_PATTERN

NPSN_PATTERN = r"^\d{8}$"
AGE_GROUP_TEXT = (
    "under_2 (0 to under 2 years, no OpenSID category), 2_to_3 (2 to under 3 years, OpenSID "
    "kategori_usia 1), 3_to_6 (3–6 years, OpenSID kategori_usia 2), by age on the enrolment date"
)


class PaudEnrolmentIn(BaseModel):
    """A child 0–6 known to the field, enrolled in a PAUD unit for a year. The age group is
    derived from the child's age on ``enrolled_on``; when given it must agree."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "child_id": "7a2e4c10-5b3d-4f6e-8a91-0c2d3e4f5a6b",
                    "unit_name": "KB Mawar",
                    "npsn": "69912345",
                    "year": 2026,
                    "enrolled_on": "2026-01-12",
                }
            ]
        }
    )
    child_id: str = Field(min_length=1, max_length=36)
    unit_name: str = Field(
        min_length=1, max_length=120, description="the PAUD unit (KB, TK, SPS, TPA)"
    )
    npsn: str | None = Field(default=None, pattern=NPSN_PATTERN, description="8 digits")
    year: int = Field(ge=2000, le=2100)
    enrolled_on: date = Field(description="in ``year``, not in the future")
    age_group: AgeGroup | None = Field(default=None, description=AGE_GROUP_TEXT)
    source: Source = Field(
        default="kader_census", description="where the education status it records comes from"
    )


class AttendanceIn(BaseModel):
    """A month's attendance mark: OpenSID's "v" (attended) or "x" (did not attend)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"mark": "attended"}]})
    mark: AttendanceMark


class PaudEnrolmentOut(Out):
    id: str
    child_id: str
    child_name: str
    person_ref: str
    posyandu_id: str
    desa_code: str = Field(examples=["64.02.06.2012"])
    unit_name: str
    npsn: str | None
    year: int
    enrolled_on: date
    age_group: str = Field(description=AGE_GROUP_TEXT)
    opensid_kategori_usia: int | None = Field(description="OpenSID's code: 1, 2, or null")
    attendance: list[AttendanceMark | None] = Field(
        min_length=12,
        max_length=12,
        description="January to December: attended, not_attended, or null (no mark yet)",
    )
    months_attended: int
    created_by: str
    created_at: datetime
    updated_by: str
    updated_at: datetime


class PaudEnrolmentCreated(PaudEnrolmentOut):
    status_recorded: bool = Field(
        description=(
            "whether the enrolment also recorded the child's education status paud: not when "
            "the status already says so (paud at this unit since then or later), nor when a "
            "later status was recorded since the enrolment date (the history keeps its order)"
        )
    )


class BkbMembershipIn(BaseModel):
    """A family (No. KK) in a BKB class at a posyandu. The family needs a child 0–6 on the
    joining date registered in education with this No. KK in the posyandu's desa."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "posyandu_id": "3f1c2a9e-1111-4c7e-9a55-000000000001",
                    "kk": "6402061234560001",
                    "group_name": "BKB Melati",
                    "joined_on": "2026-02-03",
                }
            ]
        }
    )
    posyandu_id: str = Field(min_length=1, max_length=36)
    kk: str = Field(pattern=KK_PATTERN)
    group_name: str = Field(min_length=1, max_length=120, description="the BKB group (kelompok)")
    joined_on: date


class BkbLeaveIn(BaseModel):
    """The day the family left the class (no longer a member from that day)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"left_on": "2026-11-30"}]})
    left_on: date


class BkbMembershipOut(Out):
    id: str
    posyandu_id: str
    desa_code: str
    household_ref: str
    kk_masked: str = Field(examples=["640206********01"])
    group_name: str
    joined_on: date
    left_on: date | None
    created_by: str
    created_at: datetime
    updated_by: str
    updated_at: datetime
