"""Housing settings: ``HOUSING_*`` first, then the deployment-wide ``SIMPUL_*``."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from simpul_housing.domain.relocation import DEFAULT_CRITERIA
from simpul_platform.settings import ServiceSettings


class HousingSettings(ServiceSettings):
    model_config = SettingsConfigDict(extra="ignore", env_prefix="HOUSING_")

    service_name: str = "housing"
    # Floor area per occupant a livable house needs: Permen PUPR 29/2018 (9 m²) and Permensos
    # 20/2017 Rutilahu (7.2 m²). A house exactly at the threshold meets it.
    pupr_min_m2_per_person: float = Field(default=9.0, gt=0, le=50)
    rutilahu_min_m2_per_person: float = Field(default=7.2, gt=0, le=50)
    # A well or spring this close to the faeces disposal point (metres) is not a safe source;
    # exactly this far is safe.
    min_water_to_faeces_m: float = Field(default=10.0, gt=0, le=100)
    # The recipient criteria a household affected by a Pemda relocation programme is checked
    # against (each answered, all met: eligible). The deployment's data: a Perbup may add its own.
    relocation_criteria: list[str] = Field(
        default_factory=lambda: list(DEFAULT_CRITERIA),
        min_length=1,
        max_length=12,
    )
