"""Housing settings: ``HOUSING_*`` first, then the deployment-wide ``SIMPUL_*``."""

from __future__ import annotations

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from simpul_housing.domain.relocation import DEFAULT_CRITERIA
from simpul_housing.domain.rtlh import (
    DEFAULT_AID_AMOUNTS,
    DEFAULT_DECILE_POINTS,
    DEFAULT_KAWASAN_WEIGHTS,
    DEFAULT_REFUSED_LAND,
    RuleSet,
)
from simpul_platform.settings import ServiceSettings
from simpul_platform.storage import PhotoStore, S3Config, StoreKind, photo_store


class HousingSettings(ServiceSettings):
    model_config = SettingsConfigDict(extra="ignore", env_prefix="HOUSING_")

    service_name: str = "housing"
    # Floor area per occupant a livable house needs: Permen PUPR 29/2018 (9 m²) and Permensos
    # 20/2017 Rutilahu (7.2 m²). A house exactly at the threshold meets it.
    pupr_min_m2_per_person: float = Field(default=9.0, gt=0, le=50)
    rutilahu_min_m2_per_person: float = Field(default=7.2, gt=0, le=50)
    # A well or spring this close to the faeces disposal point (metres) is not a safe source;
    # exactly this far is safe.
    min_water_to_faeces_m: float = Field(default=10.0, gt=0, le=100)

    # --- the RTLH pipeline (domain/rtlh.py)
    # The rule set whose verdict decides a case: a survey livable under it ends the case as
    # not RTLH, an after-works survey livable under it makes the house RLH. Perkim follows
    # Permen PUPR 29/2018.
    rtlh_rule_set: RuleSet = "pupr"
    # A household (or a house) aided within this many years is not aided again.
    aid_repeat_years: int = Field(default=10, ge=1, le=50)
    # Priority points per jenis kawasan and per DTSEN decile (JSON objects); their sum is a
    # case's priority, higher handled sooner.
    rtlh_kawasan_weights: dict[str, int] = Field(
        default_factory=lambda: dict(DEFAULT_KAWASAN_WEIGHTS)
    )
    rtlh_decile_points: dict[int, int] = Field(default_factory=lambda: dict(DEFAULT_DECILE_POINTS))
    rtlh_unknown_decile_points: int = Field(default=0, ge=0, le=1000)
    # Plausible aid per programme, rupiah [min, max] inclusive (JSON object of pairs).
    aid_amount_range: dict[str, tuple[int, int]] = Field(
        default_factory=lambda: dict(DEFAULT_AID_AMOUNTS)
    )
    # Land status a house cannot be proposed for aid on (relocation or rental access instead).
    rtlh_refused_land: list[str] = Field(default_factory=lambda: list(DEFAULT_REFUSED_LAND))
    # A survey this many days older than the case's report is too old to link to it.
    rtlh_survey_valid_days: int = Field(default=365, ge=0, le=3650)
    # The recipient criteria a household affected by a Pemda relocation programme is checked
    # against (each answered, all met: eligible). The deployment's data: a Perbup may add its own.
    relocation_criteria: list[str] = Field(
        default_factory=lambda: list(DEFAULT_CRITERIA),
        min_length=1,
        max_length=12,
    )

    # Photos of houses: the largest upload accepted (after the request's own limit,
    # SIMPUL_MAX_BODY_BYTES) and the longest side in pixels a photo may have.
    photo_max_bytes: int = Field(default=5 * 1024 * 1024, ge=1024)
    photo_max_side_px: int = Field(default=12_000, ge=16, le=65_535)
    # Where photos are kept: a local directory (the default) or an S3-compatible bucket.
    photo_store: StoreKind = "local"
    photo_dir: str = ".data/housing-photos"
    photo_s3_endpoint: str = ""
    photo_s3_bucket: str = ""
    photo_s3_region: str = "us-east-1"
    photo_s3_access_key: str = ""
    photo_s3_secret_key: str = ""
    photo_s3_prefix: str = "housing/"

    @model_validator(mode="after")
    def _complete_s3_store(self) -> HousingSettings:
        if self.photo_store == "s3":
            given = {
                "photo_s3_endpoint": self.photo_s3_endpoint,
                "photo_s3_bucket": self.photo_s3_bucket,
                "photo_s3_access_key": self.photo_s3_access_key,
                "photo_s3_secret_key": self.photo_s3_secret_key,
            }
            missing = [name for name, value in given.items() if not value]
            if missing:
                raise ValueError(f"photo_store s3 needs {', '.join(missing)}")
        return self

    def photos(self) -> PhotoStore:
        """The photo store these settings choose."""
        s3 = None
        if self.photo_store == "s3":
            s3 = S3Config(
                endpoint=self.photo_s3_endpoint,
                bucket=self.photo_s3_bucket,
                region=self.photo_s3_region,
                access_key=self.photo_s3_access_key,
                secret_key=self.photo_s3_secret_key,
                prefix=self.photo_s3_prefix,
            )
        return photo_store(self.photo_store, self.photo_dir, s3)
