"""What housing keeps from other fields' events (deciles, stunted households, its stunting
decisions), and its indicator counts."""

from __future__ import annotations

from sqlalchemy import Index
from sqlmodel import Field

from simpul_housing.models.base import HousingModel
from simpul_platform.deciles import HouseholdDecileColumns
from simpul_platform.stunting import HouseholdDecisionColumns, StuntedHouseholdColumns
from simpul_platform.tallies import TallyColumns


class HouseholdDecile(HouseholdDecileColumns, HousingModel, table=True):
    """Social's DTSEN decile of a household, by its pseudonym: a replica of
    ``social.household.assessed.v1`` (the latest assessment by date wins)."""

    __tablename__ = "household_decile"


class StuntedHousehold(StuntedHouseholdColumns, HousingModel, table=True):
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


class StuntingRtlhDecision(HouseholdDecisionColumns, HousingModel, table=True):
    """What housing decided for one stunting detection from health (one row per event): a
    prioritised referral for the household's RTLH house, a survey referral for a house never
    surveyed (or a household housing does not know), the house livable, or a stunting
    referral already open for the household. The row makes a replayed event change nothing."""

    __tablename__ = "stunting_rtlh_decision"

    house_id: str | None = Field(default=None, max_length=36)
    assessment_id: str | None = Field(default=None, max_length=36)


class HousingTally(TallyColumns, HousingModel, table=True):
    """Housing's indicator counts (``domain.indicators``), dropped by ``ops.tallies.invalidate``."""

    __tablename__ = "housing_tally"
    __table_args__ = (
        Index(
            "ix_housing_tally_month_desa",
            "month",
            "desa_code",
            postgresql_ops={"desa_code": "varchar_pattern_ops"},
        ),
    )
