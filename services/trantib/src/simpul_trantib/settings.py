"""Trantib settings: ``TRANTIB_*`` first, then the deployment-wide ``SIMPUL_*``."""

from __future__ import annotations

import base64
import binascii
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from simpul_platform.settings import ServiceSettings

# 32 bytes, base64: development only (refused outside it, as the platform's other secrets are).
DEV_REPORTER_KEY = "c2ltcHVsLWRldi1yZXBvcnRlci1rZXktY2hnLW1lISE="

Education = Literal["tidak_sekolah", "sd", "smp", "sma", "diploma", "sarjana"]
# How the trantibum indicator is counted (FIELDS.md §4(a): the formula was not found):
# affected citizens served ÷ affected citizens of the period's closed reports, or closed
# reports ÷ reports opened in the period.
OrderServedFormula = Literal["citizens_served", "reports_closed"]


class TrantibSettings(ServiceSettings):
    model_config = SettingsConfigDict(extra="ignore", env_prefix="TRANTIB_")

    service_name: str = "trantib"

    # --- public-order reports: the reporter's identity is sealed with this key (AES-256-GCM,
    # base64 of 32 bytes); ``reporter_key_id`` names it on each sealed row, so a key can be
    # rotated while older rows stay readable with ``reporter_previous_keys`` (id → key).
    reporter_key: str = DEV_REPORTER_KEY
    reporter_key_id: str = Field(default="k1", min_length=1, max_length=16)
    reporter_previous_keys: dict[str, str] = Field(default_factory=dict)
    order_served_formula: OrderServedFormula = "citizens_served"

    # --- Satlinmas (Permendagri 84/2014, 26/2020): who may serve, until when, and the
    # strength a desa keeps.
    linmas_min_age: int = Field(default=18, ge=15, le=30)
    linmas_min_education: Education = "sd"
    linmas_service_until_age: int = Field(default=60, ge=40, le=70)
    linmas_extended_until_age: int = Field(default=65, ge=40, le=75)
    linmas_min_strength: int = Field(default=10, ge=1, le=500)

    # --- fire (Permendagri 114/2018; Kepmen PU 11/KPTS/2000): the response an incident must
    # meet, and the radius around a fire post its WMK covers.
    fire_response_minutes: int = Field(default=15, ge=1, le=120)
    wmk_radius_km: float = Field(default=7.5, gt=0, le=50)

    @field_validator("reporter_key")
    @classmethod
    def _a_256_bit_key(cls, key: str) -> str:
        try:
            raw = base64.b64decode(key, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValueError("reporter_key: not base64") from exc
        if len(raw) != 32:
            raise ValueError("reporter_key: must be 32 bytes (AES-256), base64-encoded")
        return key

    @model_validator(mode="after")
    def _refuse_dev_reporter_key_outside_development(self) -> TrantibSettings:
        if self.environment != "development" and self.reporter_key == DEV_REPORTER_KEY:
            raise ValueError("reporter_key: the development default is refused outside development")
        if self.linmas_extended_until_age < self.linmas_service_until_age:
            raise ValueError(
                "linmas_extended_until_age: must not be below linmas_service_until_age"
            )
        return self
