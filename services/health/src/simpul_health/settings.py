"""Health service settings: HEALTH_* first, then SIMPUL_* (see simpul_platform.settings)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from simpul_platform.settings import ServiceSettings


class HealthSettings(ServiceSettings):
    model_config = SettingsConfigDict(extra="ignore", env_prefix="HEALTH_")

    service_name: str = "health"
    # JSON list of {antigen, dose, due_age_days}; empty = the national schedule.
    immunisation_schedule_file: str = ""
    bulk_max_items: int = Field(default=1000, ge=1, le=5000)
