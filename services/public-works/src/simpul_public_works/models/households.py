"""Households and their water and sanitation surveys."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field

from simpul_public_works.models.base import PublicWorksModel


class Household(PublicWorksModel, table=True):
    """A household at a posyandu's desa, with its latest survey's ladder levels (copied from
    it, so counts per desa are an index read). Its No. KK is known once a kader surveyed it;
    a household known only from housing's survey of its house is known by pseudonym alone
    (the KK's pseudonym finds it when a kader comes)."""

    __tablename__ = "household"
    __table_args__ = (
        Index(
            "ix_household_desa", "desa_code", postgresql_ops={"desa_code": "varchar_pattern_ops"}
        ),
    )

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
