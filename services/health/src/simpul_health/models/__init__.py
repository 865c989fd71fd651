"""The health service's tables. NIK and No. KK live only here (``targets``).

Rows copy the posyandu's wilayah codes (desa, kecamatan, kabupaten) at write time so that
indicators filter on an indexed equality at any level.
"""

from __future__ import annotations

from simpul_health.models.base import HealthModel, health_registry, metadata
from simpul_health.models.core import (
    AncVisit,
    BalitaWeighed,
    Immunisation,
    Measurement,
    Pregnancy,
    Screening,
    StuntingEpisode,
    Target,
)
from simpul_health.models.programmes import (
    FhirExport,
    HivRiskPerson,
    MentalHealthCase,
    MentalHealthService,
    NeonatalVisit,
    Newborn,
    SchoolAgeChild,
    SchoolScreening,
    SpmKept,
    TargetEstimate,
    TbPresumptive,
)

__all__ = [
    "AncVisit",
    "BalitaWeighed",
    "FhirExport",
    "HealthModel",
    "HivRiskPerson",
    "Immunisation",
    "Measurement",
    "MentalHealthCase",
    "MentalHealthService",
    "NeonatalVisit",
    "Newborn",
    "Pregnancy",
    "SchoolAgeChild",
    "SchoolScreening",
    "Screening",
    "SpmKept",
    "StuntingEpisode",
    "Target",
    "TargetEstimate",
    "TbPresumptive",
    "health_registry",
    "metadata",
]
