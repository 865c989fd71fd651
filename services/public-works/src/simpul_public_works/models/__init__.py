"""The public-works service's tables, on its own metadata (platform tables live beside them).

The No. KK stays in these tables; what leaves the service carries ``household_ref`` (a keyed
pseudonym) instead, and a household's location never leaves at all. Public infrastructure's
coordinates may. Photos are files behind the storage interface, named here by key only.
"""

from simpul_public_works.models.base import PublicWorksModel, metadata, public_works_registry
from simpul_public_works.models.households import Household, WashSurvey
from simpul_public_works.models.issues import (
    OPEN_ISSUE,
    InfrastructureIssue,
    InfrastructureIssueHistory,
    IssuePhoto,
    PublicFacility,
    PublicFacilityHistory,
)
from simpul_public_works.models.reactions import (
    KnownHousehold,
    PublicWorksTally,
    StuntedHousehold,
    StuntingWashDecision,
)

__all__ = [
    "OPEN_ISSUE",
    "Household",
    "InfrastructureIssue",
    "InfrastructureIssueHistory",
    "IssuePhoto",
    "KnownHousehold",
    "PublicFacility",
    "PublicFacilityHistory",
    "PublicWorksModel",
    "PublicWorksTally",
    "StuntedHousehold",
    "StuntingWashDecision",
    "WashSurvey",
    "metadata",
    "public_works_registry",
]
