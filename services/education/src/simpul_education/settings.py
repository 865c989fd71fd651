"""Education settings: ``EDUCATION_*`` first, then the deployment-wide ``SIMPUL_*``."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from simpul_education.domain.ats_reentry import DEFAULT_PAKET_MIN_AGE, DEFAULT_VERIFY_REASONS
from simpul_education.domain.indicators import KESETARAAN_DENOMINATOR, KESETARAAN_NUMERATOR
from simpul_education.domain.status import Status
from simpul_platform.settings import ServiceSettings


class EducationSettings(ServiceSettings):
    model_config = SettingsConfigDict(extra="ignore", env_prefix="EDUCATION_")

    service_name: str = "education"
    # An ATS case is due for the desa's verification this many working days after detection:
    # two working weeks, time for a desa officer's visit to the address (local policy).
    ats_verify_due_working_days: int = Field(default=10, ge=1, le=60)
    # The desa's verification reasons (code → label): data, see domain/ats_reentry.py.
    ats_verify_reasons: dict[str, str] = Field(
        default_factory=lambda: dict(DEFAULT_VERIFY_REASONS), min_length=1
    )
    # The youngest age each Paket (kesetaraan) takes.
    ats_paket_min_age: dict[str, int] = Field(default_factory=lambda: dict(DEFAULT_PAKET_MIN_AGE))
    # The bansos program an ATS case's economic problem asks social about (its catalogue's
    # ``bansos_need`` program codes; PKH carries the school-age component PIP builds on).
    ats_social_program: str = "pkh"
    # education.kesetaraan_7_18 (a formula not found in a primary text): the statuses counted
    # as in kesetaraan, over the statuses counted as out of formal school (JSON lists).
    kesetaraan_numerator: list[Status] = Field(
        default_factory=lambda: list(KESETARAAN_NUMERATOR), min_length=1
    )
    kesetaraan_denominator: list[Status] = Field(
        default_factory=lambda: list(KESETARAAN_DENOMINATOR), min_length=1
    )
