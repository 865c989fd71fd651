"""Education settings: ``EDUCATION_*`` first, then the deployment-wide ``SIMPUL_*``."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from simpul_education.domain.indicators import KESETARAAN_DENOMINATOR, KESETARAAN_NUMERATOR
from simpul_education.domain.status import Status
from simpul_platform.settings import ServiceSettings


class EducationSettings(ServiceSettings):
    model_config = SettingsConfigDict(extra="ignore", env_prefix="EDUCATION_")

    service_name: str = "education"
    # education.kesetaraan_7_18 (a formula not found in a primary text): the statuses counted
    # as in kesetaraan, over the statuses counted as out of formal school (JSON lists).
    kesetaraan_numerator: list[Status] = Field(
        default_factory=lambda: list(KESETARAAN_NUMERATOR), min_length=1
    )
    kesetaraan_denominator: list[Status] = Field(
        default_factory=lambda: list(KESETARAAN_DENOMINATOR), min_length=1
    )
