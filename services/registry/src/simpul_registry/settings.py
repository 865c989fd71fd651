"""Registry settings: ``REGISTRY_*`` first, then the deployment-wide ``SIMPUL_*``."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from simpul_platform.settings import ServiceSettings


class RegistrySettings(ServiceSettings):
    model_config = SettingsConfigDict(extra="ignore", env_prefix="REGISTRY_")

    service_name: str = "registry"
    # Rows per request when the CSV import CLI sends a file in chunks.
    import_chunk_size: int = Field(default=200, ge=1, le=5000)
    # Largest CSV accepted in one request.
    import_max_rows: int = Field(default=5000, ge=1)
    # A kader with no present attendance for this many months counts as inactive (flagged and
    # published, never removed: removal is the kepala desa's decree).
    kader_inactive_months: int = Field(default=3, ge=1, le=24)
    # Kader incentive rosters: present on at least this many days of the month, paid this much
    # (rupiah) for it, and only at posyandu registered with Kemendagri (a registration number).
    incentive_min_days_attended: int = Field(default=1, ge=1, le=31)
    incentive_amount_per_month: int = Field(default=250_000, ge=0)
    incentive_registered_only: bool = True
