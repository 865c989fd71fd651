"""Disaster victims' housing and relocation programmes, with their steps."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field

from simpul_housing.models.base import HousingModel
from simpul_platform.domain import StatusHistory


class DisasterEvent(HousingModel, table=True):
    """A disaster in the district, with the SK Bupati that fixes its damaged houses' classes
    (number, date) and the year t those houses are planned to be handled in."""

    __tablename__ = "disaster_event"

    id: str = Field(primary_key=True, max_length=36)
    kind: str = Field(max_length=24)
    name: str = Field(max_length=160)
    occurred_on: date
    wilayah_code: str = Field(max_length=13)  # the area it struck (kabupaten … desa)
    sk_number: str | None = Field(default=None, max_length=80)
    sk_date: date | None = None
    planned_year: int | None = None
    source: str = Field(max_length=16)
    source_event_id: str | None = Field(default=None, max_length=64, unique=True)
    created_by: str = Field(max_length=200)
    created_at: datetime
    updated_by: str = Field(max_length=200)
    updated_at: datetime


class DisasterHouse(HousingModel, table=True):
    """One house damaged in a disaster (``domain.disaster``'s workflow): reported, assessed
    RR / RS / RB / hilang / belum ditentukan, fixed by the SK, handled, completed."""

    __tablename__ = "disaster_house"
    __table_args__ = (
        Index(
            "ix_disaster_house_desa",
            "desa_code",
            postgresql_ops={"desa_code": "varchar_pattern_ops"},
        ),
    )

    id: str = Field(primary_key=True, max_length=36)
    event_id: str = Field(foreign_key="disaster_event.id", index=True, max_length=36)
    house_id: str | None = Field(default=None, foreign_key="house.id", index=True, max_length=36)
    household_ref: str | None = Field(default=None, max_length=64, index=True)
    posyandu_id: str = Field(max_length=36, index=True)
    desa_code: str = Field(max_length=13)
    status: str = Field(max_length=20, index=True)
    source: str = Field(max_length=20)
    referral_id: str | None = Field(default=None, max_length=36)
    reported_on: date
    damage: str | None = Field(default=None, max_length=20)
    assessed_on: date | None = None
    planned_year: int | None = None  # the SK's year t (an SPM denominator unit of it)
    handling: str | None = Field(default=None, max_length=16)
    handling_started_on: date | None = None
    completed_on: date | None = None
    created_by: str = Field(max_length=200)
    created_at: datetime
    updated_by: str = Field(max_length=200)
    updated_at: datetime


class DisasterHouseHistory(StatusHistory, HousingModel, table=True):
    """Every step of a disaster house, attributed."""

    __tablename__ = "disaster_house_history"

    disaster_house_id: str = Field(foreign_key="disaster_house.id", index=True, max_length=36)
    step_on: date
    codes: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class RelocationProgramme(HousingModel, table=True):
    """A Pemda programme that relocates households (a dam, a road, a hazard zone), by year."""

    __tablename__ = "relocation_programme"

    id: str = Field(primary_key=True, max_length=36)
    name: str = Field(max_length=160)
    wilayah_code: str = Field(max_length=13)
    year: int
    reason: str = Field(max_length=24)
    created_by: str = Field(max_length=200)
    created_at: datetime


class RelocationHousehold(HousingModel, table=True):
    """A household a relocation programme affects (``domain.relocation``'s workflow):
    affected → eligible (meets the criteria) or not eligible → facilitated → housed."""

    __tablename__ = "relocation_household"
    __table_args__ = (
        Index(
            "ix_relocation_household_desa",
            "desa_code",
            postgresql_ops={"desa_code": "varchar_pattern_ops"},
        ),
    )

    id: str = Field(primary_key=True, max_length=36)
    programme_id: str = Field(foreign_key="relocation_programme.id", index=True, max_length=36)
    kk: str = Field(max_length=16)
    household_ref: str = Field(max_length=64, index=True)
    house_id: str | None = Field(default=None, foreign_key="house.id", max_length=36)
    posyandu_id: str = Field(max_length=36, index=True)
    desa_code: str = Field(max_length=13)
    status: str = Field(max_length=16, index=True)
    year: int  # the programme's year t
    referral_id: str | None = Field(default=None, max_length=36)
    meets_criteria: bool | None = None
    facilitated_on: date | None = None
    housed_on: date | None = None
    created_by: str = Field(max_length=200)
    created_at: datetime
    updated_by: str = Field(max_length=200)
    updated_at: datetime


class RelocationHistory(StatusHistory, HousingModel, table=True):
    """Every step of a relocated household, attributed."""

    __tablename__ = "relocation_history"

    relocation_id: str = Field(foreign_key="relocation_household.id", index=True, max_length=36)
    step_on: date
    codes: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
