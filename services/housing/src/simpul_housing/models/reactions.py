"""What housing keeps from other fields' events (deciles, stunted households, its stunting
decisions), and its indicator counts."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index
from sqlmodel import Field

from simpul_housing.models.base import HousingModel
from simpul_platform.deciles import HouseholdDecileColumns


class HouseholdDecile(HouseholdDecileColumns, HousingModel, table=True):
    """Social's DTSEN decile of a household, by its pseudonym: a replica of
    ``social.household.assessed.v1`` (the latest assessment by date wins)."""

    __tablename__ = "household_decile"


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


class StuntingRtlhDecision(HousingModel, table=True):
    """What housing decided for one stunting detection from health (one row per event): a
    prioritised referral for the household's RTLH house, a survey referral for a house never
    surveyed (or a household housing does not know), the house livable, or a stunting
    referral already open for the household. The row makes a replayed event change nothing."""

    __tablename__ = "stunting_rtlh_decision"

    id: str = Field(primary_key=True, max_length=36)
    event_id: str = Field(max_length=64, unique=True)
    episode_id: str = Field(max_length=64, index=True)
    person_ref: str = Field(max_length=64)
    household_ref: str | None = Field(default=None, max_length=64, index=True)
    posyandu_id: str = Field(max_length=36, index=True)
    desa_code: str = Field(max_length=13)
    house_id: str | None = Field(default=None, max_length=36)
    assessment_id: str | None = Field(default=None, max_length=36)
    detected_on: date
    decision: str = Field(max_length=24, index=True)
    referral_id: str | None = Field(default=None, max_length=36)
    decided_at: datetime


class HousingTally(HousingModel, table=True):
    """One count of one posyandu at one month's end (``domain.indicators``): kept so a
    wilayah's indicators are a sum of rows. Deleted by every write that changes what the
    posyandu's months from then on count (``ops.tallies.invalidate``), made again on read."""

    __tablename__ = "housing_tally"
    __table_args__ = (
        Index(
            "ix_housing_tally_month_desa",
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
