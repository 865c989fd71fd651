"""Education settings: ``EDUCATION_*`` first, then the deployment-wide ``SIMPUL_*``."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from simpul_platform.settings import ServiceSettings


class EducationSettings(ServiceSettings):
    model_config = SettingsConfigDict(extra="ignore", env_prefix="EDUCATION_")

    service_name: str = "education"
