"""Housing settings: ``HOUSING_*`` first, then the deployment-wide ``SIMPUL_*``."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from simpul_housing.domain.relocation import DEFAULT_CRITERIA
from simpul_housing.domain.rtlh import (
    DEFAULT_AID_AMOUNTS,
    DEFAULT_DECILE_POINTS,
    DEFAULT_KAWASAN_WEIGHTS,
    DEFAULT_REFUSED_LAND,
    RuleSet,
)
from simpul_platform.photo_settings import PhotoSettings


class HousingSettings(PhotoSettings):
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

    # Photos of houses (the limits and the store: ``simpul_platform.photo_settings``), kept
    # under housing's own directory or bucket prefix.
    photo_dir: str = ".data/housing-photos"
    photo_s3_prefix: str = "housing/"
