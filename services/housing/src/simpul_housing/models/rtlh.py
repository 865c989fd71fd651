"""The RTLH pipeline: cases, their steps, and the aid households received."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, text
from sqlmodel import Field

from simpul_housing.models.base import HousingModel
from simpul_platform.domain import StatusHistory

OPEN_RTLH = "status NOT IN ('rlh', 'rejected')"


class RtlhCase(HousingModel, table=True):
    """A house on its way from RTLH to a livable house (``domain.rtlh``'s workflow): the survey
    it was found by, verification, priority, proposal, aid, works and the after-works survey.
    One open case per house."""

    __tablename__ = "rtlh_case"
    __table_args__ = (
        Index(
            "ix_rtlh_case_desa", "desa_code", postgresql_ops={"desa_code": "varchar_pattern_ops"}
        ),
        Index(
            "uq_rtlh_case_open_house",
            "house_id",
            unique=True,
            postgresql_where=text(OPEN_RTLH),
            sqlite_where=text(OPEN_RTLH),
        ),
    )

    id: str = Field(primary_key=True, max_length=36)
    house_id: str = Field(foreign_key="house.id", index=True, max_length=36)
    household_ref: str = Field(max_length=64, index=True)  # the household the aid is for
    posyandu_id: str = Field(max_length=36, index=True)
    desa_code: str = Field(max_length=13)
    status: str = Field(max_length=20, index=True)
    source: str = Field(max_length=20)
    referral_id: str | None = Field(default=None, max_length=36)
    reported_on: date
    assessment_id: str | None = Field(default=None, max_length=36)
    verified_on: date | None = None
    kawasan: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    decile: int | None = None
    priority: int | None = None
    prioritised_on: date | None = None
    funding_source: str | None = Field(default=None, max_length=20)
    proposal_year: int | None = None
    aid_program: str | None = Field(default=None, max_length=12)
    aid_amount: int | None = None
    aid_year: int | None = None
    assigned_on: date | None = None
    construction_started_on: date | None = None
    after_assessment_id: str | None = Field(default=None, max_length=36)
    handled_on: date | None = None
    rlh_on: date | None = None
    rejection_reason: str | None = Field(default=None, max_length=20)
    closed_on: date | None = None
    created_by: str = Field(max_length=200)
    created_at: datetime
    updated_by: str = Field(max_length=200)
    updated_at: datetime


class RtlhCaseHistory(StatusHistory, HousingModel, table=True):
    """Every step of an RTLH case, attributed, with the codes it was taken with."""

    __tablename__ = "rtlh_case_history"

    case_id: str = Field(foreign_key="rtlh_case.id", index=True, max_length=36)
    step_on: date
    codes: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class HousingAid(HousingModel, table=True):
    """Housing aid a household received at a house (an RTLH case's, a disaster case's, or one
    declared by a survey or an import): the history "already aided" is judged by."""

    __tablename__ = "housing_aid"

    id: str = Field(primary_key=True, max_length=36)
    house_id: str | None = Field(default=None, foreign_key="house.id", index=True, max_length=36)
    household_ref: str = Field(max_length=64, index=True)
    program: str = Field(max_length=12)
    amount: int | None = None
    year: int
    source: str = Field(max_length=16)
    case_id: str | None = Field(default=None, max_length=36)
    recorded_by: str = Field(max_length=200)
    recorded_at: datetime
