"""How big the linked demo is: ``./simpul up --demo --demo-balita N`` sets it for every loader."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class DemoSize(BaseSettings):
    """Read from ``SIMPUL_DEMO_*``; health and social must agree, so both read this one."""

    model_config = SettingsConfigDict(env_prefix="SIMPUL_DEMO_", extra="ignore")

    # Balita per posyandu (827 posyandu; 6 ≈ 5,000 balita).
    balita_per_posyandu: int = Field(default=6, ge=1, le=200)
    # Children and youth 5–18 per posyandu besides the balita (education's demo; 10 ≈ 8,000).
    school_age_per_posyandu: int = Field(default=10, ge=0, le=400)
