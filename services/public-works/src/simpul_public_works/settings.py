"""Public works settings: ``PUBLIC_WORKS_*`` first, then the deployment-wide ``SIMPUL_*``."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from simpul_platform.photo_settings import PhotoSettings


class PublicWorksSettings(PhotoSettings):
    model_config = SettingsConfigDict(extra="ignore", env_prefix="PUBLIC_WORKS_")

    service_name: str = "public-works"
    # The ladder's numbers (domain/ladder.py): a ground source more than this far from a waste
    # point; a round trip of at most this many minutes; the SPM's litres a person a day; a
    # septic tank emptied within this many years is safely managed.
    min_distance_to_waste_m: float = Field(default=10.0, gt=0, le=100)
    max_fetch_minutes: int = Field(default=30, ge=1, le=240)
    min_litres_per_person_day: float = Field(default=60.0, gt=0, le=500)
    septic_emptying_years: int = Field(default=5, ge=1, le=20)

    # --- infrastructure issues and public facilities (domain/issues.py, domain/facilities.py)
    # A new report of the same kind this close (metres, haversine) to an open issue at the
    # same desa is linked to it as a duplicate.
    issue_duplicate_radius_m: float = Field(default=100.0, gt=0, le=5000)
    # An open issue is overdue after this many days in its step (a scheduled one: after
    # 31 December of its budget year).
    issue_triage_days: int = Field(default=14, ge=1, le=365)
    issue_triaged_days: int = Field(default=60, ge=1, le=730)
    issue_forwarded_days: int = Field(default=60, ge=1, le=730)
    # Issue severities that put the facility they name out of order (rusak).
    facility_damaging_severities: list[str] = Field(default_factory=lambda: ["sedang", "berat"])
    # Photos of issues (the limits and the store: ``simpul_platform.photo_settings``), kept
    # under public works' own directory or bucket prefix.
    photo_dir: str = ".data/public-works-photos"
    photo_s3_prefix: str = "public-works/"
