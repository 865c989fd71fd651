"""Public works settings: ``PUBLIC_WORKS_*`` first, then the deployment-wide ``SIMPUL_*``."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from simpul_platform.settings import ServiceSettings


class PublicWorksSettings(ServiceSettings):
    model_config = SettingsConfigDict(extra="ignore", env_prefix="PUBLIC_WORKS_")

    service_name: str = "public-works"
    # The ladder's numbers (domain/ladder.py): a ground source more than this far from a waste
    # point; a round trip of at most this many minutes; the SPM's litres a person a day; a
    # septic tank emptied within this many years is safely managed.
    min_distance_to_waste_m: float = Field(default=10.0, gt=0, le=100)
    max_fetch_minutes: int = Field(default=30, ge=1, le=240)
    min_litres_per_person_day: float = Field(default=60.0, gt=0, le=500)
    septic_emptying_years: int = Field(default=5, ge=1, le=20)
    # When an open infrastructure issue is overdue (what the indicators count; the issue
    # workflow's own check uses the same numbers): not triaged this many days after its
    # report, or not scheduled this many days after it was triaged or forwarded. A scheduled
    # issue is overdue once its budget year has ended.
    overdue_triage_days: int = Field(default=14, ge=1, le=365)
    overdue_schedule_days: int = Field(default=60, ge=1, le=730)
