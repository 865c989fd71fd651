"""Social settings: ``SOCIAL_*`` first, then the deployment-wide ``SIMPUL_*``."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from simpul_platform.settings import ServiceSettings


class SocialSettings(ServiceSettings):
    model_config = SettingsConfigDict(extra="ignore", env_prefix="SOCIAL_")

    service_name: str = "social"
    # Priority cases are due this many working days after the detection reaches Dinas Sosial.
    priority_due_working_days: int = Field(default=5, ge=1, le=60)
    # DTSEN deciles that get a priority case (bansos mostly goes to deciles 1–4).
    priority_max_decile: int = Field(default=4, ge=1, le=10)
