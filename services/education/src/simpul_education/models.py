"""The education service's tables, on its own metadata (platform tables live beside them).

NIK and No. KK stay in these tables; what leaves the service carries ``person_ref`` and
``household_ref`` (keyed pseudonyms) instead.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

education_registry = registry()
metadata = education_registry.metadata


class EducationModel(SQLModel, registry=education_registry):
    pass


class Child(EducationModel, table=True):
    """A child or youth 0–18 known to the field at a posyandu, with the current status (the
    latest by date of the ``child_status`` rows)."""

    __tablename__ = "child"
    __table_args__ = (
        Index(
            "ix_child_desa_birth",
            "desa_code",
            "birth_date",
            postgresql_ops={"desa_code": "varchar_pattern_ops"},
        ),
    )

    id: str = Field(primary_key=True, max_length=36)
    nik: str = Field(max_length=16, unique=True)
    kk: str = Field(max_length=16)
    person_ref: str = Field(max_length=64, unique=True)
    household_ref: str = Field(max_length=64, index=True)
    name: str = Field(max_length=120)
    sex: str = Field(max_length=1)
    birth_date: date
    posyandu_id: str = Field(max_length=36, index=True)
    desa_code: str = Field(max_length=13)
    status: str | None = Field(default=None, max_length=20, index=True)
    status_on: date | None = None
    created_by: str = Field(max_length=200)
    created_at: datetime
    updated_by: str = Field(max_length=200)
    updated_at: datetime


class ChildStatus(EducationModel, table=True):
    """Every education status a child was given, attributed: the history behind
    ``Child.status``."""

    __tablename__ = "child_status"

    id: str = Field(primary_key=True, max_length=36)
    child_id: str = Field(foreign_key="child.id", index=True, max_length=36)
    status: str = Field(max_length=20)
    jenjang: str | None = Field(default=None, max_length=10)
    kelas: int | None = None
    unit_name: str | None = Field(default=None, max_length=120)
    npsn: str | None = Field(default=None, max_length=8)
    source: str = Field(max_length=20)
    on: date
    recorded_by: str = Field(max_length=200)
    recorded_at: datetime


# --------------------------------------------------------------------------- indicator counts


class EducationTally(EducationModel, table=True):
    """One count of one posyandu at one month's end (``domain.indicators.Count``): kept so a
    wilayah's indicators are a sum of rows. Deleted by every write that changes what the
    posyandu's months from then on count (``ops.tallies.invalidate``), made again on read."""

    __tablename__ = "education_tally"
    __table_args__ = (
        Index(
            "ix_education_tally_month_desa",
            "month",
            "desa_code",
            postgresql_ops={"desa_code": "varchar_pattern_ops"},
        ),
    )

    posyandu_id: str = Field(primary_key=True, max_length=36)
    month: date = Field(primary_key=True)  # the month's first day; counted at its end
    code: str = Field(primary_key=True, max_length=40)
    basis: str = Field(max_length=12)  # the definitions counted under (Definitions.basis)
    desa_code: str = Field(max_length=13)  # the posyandu's, from the replica
    numerator: int
    denominator: int


class HouseholdDecile(EducationModel, table=True):
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
