"""What public works keeps from other fields' events (households known, stunted households,
its stunting decisions), and its indicator counts."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Index
from sqlmodel import Field

from simpul_platform.stunting import HouseholdDecisionColumns, StuntedHouseholdColumns
from simpul_platform.tallies import TallyColumns
from simpul_public_works.models.base import PublicWorksModel


class KnownHousehold(PublicWorksModel, table=True):
    """A household another field (or this one) knows at a posyandu, by pseudonym: the
    denominator of survey coverage (households surveyed ÷ households known)."""

    __tablename__ = "known_household"
    __table_args__ = (
        Index(
            "ix_known_household_desa",
            "desa_code",
            postgresql_ops={"desa_code": "varchar_pattern_ops"},
        ),
    )

    household_ref: str = Field(primary_key=True, max_length=64)
    posyandu_id: str = Field(max_length=36, index=True)
    desa_code: str = Field(max_length=13)
    source: str = Field(max_length=16)  # the field that made it known first
    known_on: date
    last_event_id: str = Field(max_length=64)


class StuntedHousehold(StuntedHouseholdColumns, PublicWorksModel, table=True):
    """A household with a child health found stunted (``health.stunting.detected.v1``), by
    pseudonym: what "stunted children's households without basic water" counts."""

    __tablename__ = "stunted_household"
    __table_args__ = (
        Index(
            "ix_stunted_household_desa",
            "desa_code",
            postgresql_ops={"desa_code": "varchar_pattern_ops"},
        ),
    )


class StuntingWashDecision(HouseholdDecisionColumns, PublicWorksModel, table=True):
    """What public works decided for one stunting detection from health (one row per event):
    a prioritised WASH referral for a household without basic water or sanitation, a survey
    referral for a household never surveyed, the household served, or a referral already open.
    The row makes a replayed event change nothing."""

    __tablename__ = "stunting_wash_decision"

    household_id: str | None = Field(default=None, max_length=36)
    survey_id: str | None = Field(default=None, max_length=36)


class PublicWorksTally(TallyColumns, PublicWorksModel, table=True):
    """Public works' indicator counts (``domain.indicators``), dropped by
    ``ops.tallies.invalidate``."""

    __tablename__ = "public_works_tally"
    __table_args__ = (
        Index(
            "ix_public_works_tally_month_desa",
            "month",
            "desa_code",
            postgresql_ops={"desa_code": "varchar_pattern_ops"},
        ),
    )
