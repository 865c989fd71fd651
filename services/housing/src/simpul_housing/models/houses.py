"""Houses, the households living in them, their surveys and photos."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, Index, UniqueConstraint, text
from sqlmodel import Field

from simpul_housing.models.base import HousingModel


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
            postgresql_where=text("moved_out_on IS NULL"),
            sqlite_where=text("moved_out_on IS NULL"),
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


class HousePhoto(HousingModel, table=True):
    """A photo of a house (of one of its surveys, when given): stored without its location
    metadata behind the storage interface under ``storage_key``; the same image uploaded
    again for the house is the same photo (its SHA-256)."""

    __tablename__ = "house_photo"
    __table_args__ = (UniqueConstraint("house_id", "sha256", name="uq_house_photo_sha256"),)

    id: str = Field(primary_key=True, max_length=36)
    house_id: str = Field(foreign_key="house.id", index=True, max_length=36)
    assessment_id: str | None = Field(
        default=None, foreign_key="house_assessment.id", index=True, max_length=36
    )
    storage_key: str = Field(max_length=200)
    content_type: str = Field(max_length=20)
    bytes: int
    sha256: str = Field(max_length=64)
    width: int
    height: int
    uploaded_by: str = Field(max_length=200)
    uploaded_at: datetime
