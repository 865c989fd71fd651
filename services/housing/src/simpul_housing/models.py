"""The housing service's tables, on its own metadata (platform tables live beside them).

No. KK, the head of household's name and the house's address stay in these tables; what
leaves the service carries ``household_ref`` (a keyed pseudonym) instead. Photos are files
behind the storage interface, named here by key only.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, Index
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

housing_registry = registry()
metadata = housing_registry.metadata


class HousingModel(SQLModel, registry=housing_registry):
    pass


class House(HousingModel, table=True):
    """A house at a desa of a posyandu, with its latest classification under each rule set
    (copied from its latest survey, so counts per desa are an index read)."""

    __tablename__ = "house"
    __table_args__ = (
        Index("ix_house_desa", "desa_code", postgresql_ops={"desa_code": "varchar_pattern_ops"}),
    )

    id: str = Field(primary_key=True, max_length=36)
    posyandu_id: str = Field(max_length=36, index=True)
    desa_code: str = Field(max_length=13)
    dusun: str | None = Field(default=None, max_length=60)
    rt: str = Field(max_length=3)
    rw: str = Field(max_length=3)
    address: str | None = Field(default=None, max_length=200)
    latitude: float | None = None
    longitude: float | None = None
    tenure: str = Field(max_length=24)
    land_status: str = Field(max_length=24)
    occupants: int
    # The latest survey's classification (None: never surveyed).
    latest_assessment_id: str | None = Field(default=None, max_length=36)
    assessed_on: date | None = None
    rtlh_pupr: bool | None = None
    rtlh_rutilahu: bool | None = None
    created_by: str = Field(max_length=200)
    created_at: datetime
    updated_by: str = Field(max_length=200)
    updated_at: datetime


class HouseHousehold(HousingModel, table=True):
    """A household (by No. KK) living in a house; ``moved_out_on`` ends the stay. A household
    lives in one house at a time."""

    __tablename__ = "house_household"
    __table_args__ = (
        Index(
            "uq_house_household_current",
            "household_ref",
            unique=True,
            postgresql_where="moved_out_on IS NULL",
            sqlite_where="moved_out_on IS NULL",
        ),
    )

    id: str = Field(primary_key=True, max_length=36)
    house_id: str = Field(foreign_key="house.id", index=True, max_length=36)
    kk: str = Field(max_length=16)
    household_ref: str = Field(max_length=64, index=True)
    head_name: str | None = Field(default=None, max_length=120)
    members: int | None = None
    moved_in_on: date | None = None
    moved_out_on: date | None = None
    recorded_by: str = Field(max_length=200)
    recorded_at: datetime


class Assessment(HousingModel, table=True):
    """One RTLH survey of a house: the PUPR census variables as recorded, and the
    classification under each rule set derived from them (with the criteria that failed)."""

    __tablename__ = "house_assessment"

    id: str = Field(primary_key=True, max_length=36)
    house_id: str = Field(foreign_key="house.id", index=True, max_length=36)
    kind: str = Field(max_length=12)
    surveyed_on: date
    # Structure
    pondasi: str = Field(max_length=16)
    kolom: str = Field(max_length=16)
    balok: str = Field(max_length=16)
    rangka_atap: str = Field(max_length=16)
    plafon: str = Field(max_length=16)
    sloof: bool
    # Material and condition
    atap: str = Field(max_length=16)
    atap_condition: str = Field(max_length=16)
    dinding: str = Field(max_length=16)
    dinding_condition: str = Field(max_length=16)
    lantai: str = Field(max_length=16)
    lantai_condition: str = Field(max_length=16)
    # Light, air, space
    jendela: bool
    ventilasi: bool
    floor_area_m2: float
    occupants: int
    # Water, sanitation, electricity
    water_source: str = Field(max_length=28)
    water_to_faeces_m: float | None = None
    bathroom: str = Field(max_length=16)
    toilet_type: str = Field(max_length=16)
    faeces_disposal: str = Field(max_length=32)
    electricity: str = Field(max_length=20)
    kawasan: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    previous_aid_year: int | None = None
    # Derived, never typed: RLH when no criterion failed.
    rtlh_pupr: bool
    failed_pupr: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    rtlh_rutilahu: bool
    failed_rutilahu: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    recorded_by: str = Field(max_length=200)
    recorded_at: datetime


class HouseholdDecile(HousingModel, table=True):
    """Social's DTSEN decile of a household, by its pseudonym: a replica of
    ``social.household.assessed.v1`` (the latest assessment by date wins)."""

    __tablename__ = "household_decile"

    household_ref: str = Field(primary_key=True, max_length=64)
    decile: int
    source: str = Field(max_length=40)
    assessed_on: date
    posyandu_id: str = Field(max_length=36)
    desa_code: str = Field(max_length=13)
    last_event_id: str = Field(max_length=64)
    updated_at: datetime


class StuntedHousehold(HousingModel, table=True):
    """A household with a child health found stunted (``health.stunting.detected.v1``), by
    pseudonym: what "stunted children's households living in RTLH" counts."""

    __tablename__ = "stunted_household"
    __table_args__ = (
        Index(
            "ix_stunted_household_desa",
            "desa_code",
            postgresql_ops={"desa_code": "varchar_pattern_ops"},
        ),
    )

    household_ref: str = Field(primary_key=True, max_length=64)
    posyandu_id: str = Field(max_length=36)
    desa_code: str = Field(max_length=13)
    first_detected_on: date
    last_detected_on: date
    last_event_id: str = Field(max_length=64)
