"""The housing service's tables, on its own metadata (platform tables live beside them).

No. KK, the head of household's name and the house's address stay in these tables; what
leaves the service carries ``household_ref`` (a keyed pseudonym) instead. Photos are files
behind the storage interface, named here by key only.
"""

from simpul_housing.models.base import HousingModel, housing_registry, metadata
from simpul_housing.models.disaster import (
    DisasterEvent,
    DisasterHouse,
    DisasterHouseHistory,
    RelocationHistory,
    RelocationHousehold,
    RelocationProgramme,
)
from simpul_housing.models.houses import Assessment, House, HouseHousehold, HousePhoto
from simpul_housing.models.reactions import (
    HouseholdDecile,
    HousingTally,
    StuntedHousehold,
    StuntingRtlhDecision,
)
from simpul_housing.models.rtlh import OPEN_RTLH, HousingAid, RtlhCase, RtlhCaseHistory

__all__ = [
    "OPEN_RTLH",
    "Assessment",
    "DisasterEvent",
    "DisasterHouse",
    "DisasterHouseHistory",
    "House",
    "HouseHousehold",
    "HousePhoto",
    "HouseholdDecile",
    "HousingAid",
    "HousingModel",
    "HousingTally",
    "RelocationHistory",
    "RelocationHousehold",
    "RelocationProgramme",
    "RtlhCase",
    "RtlhCaseHistory",
    "StuntedHousehold",
    "StuntingRtlhDecision",
    "housing_registry",
    "metadata",
]
