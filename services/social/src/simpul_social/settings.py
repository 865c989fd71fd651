"""Social settings: ``SOCIAL_*`` first, then the deployment-wide ``SIMPUL_*``."""

from __future__ import annotations

from datetime import date

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
    # National holidays from lokal-id (SKB 3 Menteri); cuti bersama counts as a holiday.
    national_holidays: bool = True
    cuti_bersama_is_holiday: bool = True
    # Regional holidays or corrections, e.g. SOCIAL_EXTRA_HOLIDAYS='["2026-09-21"]'.
    extra_holidays: list[date] = Field(default_factory=list)
