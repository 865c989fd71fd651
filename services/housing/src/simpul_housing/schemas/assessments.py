"""RTLH surveys of a house: the PUPR census variables in, the classification out."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from simpul_housing.domain.survey import (
    Atap,
    Balok,
    Bathroom,
    Condition,
    Dinding,
    Electricity,
    FaecesDisposal,
    Kawasan,
    Kolom,
    Lantai,
    Plafon,
    Pondasi,
    RangkaAtap,
    SurveyKind,
    ToiletType,
    WaterSource,
)
from simpul_housing.schemas import Out
from simpul_platform.clock import IsoDate

SURVEY_EXAMPLE: dict[str, Any] = {
    "kind": "initial",
    "surveyed_on": "2026-03-02",
    "pondasi": "batu_belah",
    "kolom": "kayu",
    "balok": "kayu",
    "rangka_atap": "kayu",
    "plafon": "tidak_ada",
    "sloof": False,
    "atap": "seng",
    "atap_condition": "kurang_layak",
    "dinding": "kayu",
    "dinding_condition": "agak_layak",
    "lantai": "kayu",
    "lantai_condition": "agak_layak",
    "jendela": True,
    "ventilasi": False,
    "floor_area_m2": 36.0,
    "occupants": 6,
    "water_source": "sumur_terlindung",
    "water_to_faeces_m": 8.0,
    "bathroom": "sendiri",
    "toilet_type": "cemplung_cubluk",
    "faeces_disposal": "lubang_tanah",
    "electricity": "pln_meteran",
    "kawasan": ["stunting"],
}


class SurveyIn(BaseModel):
    """One RTLH survey's fields (FIELDS.md §2b's census variables). The classification is
    derived from them; it is never given."""

    model_config = ConfigDict(json_schema_extra={"examples": [SURVEY_EXAMPLE]})

    kind: SurveyKind = "initial"
    surveyed_on: IsoDate
    pondasi: Pondasi
    kolom: Kolom
    balok: Balok
    rangka_atap: RangkaAtap
    plafon: Plafon
    sloof: bool
    atap: Atap
    atap_condition: Condition
    dinding: Dinding
    dinding_condition: Condition
    lantai: Lantai
    lantai_condition: Condition
    jendela: bool
    ventilasi: bool
    floor_area_m2: float = Field(ge=4, le=2000)
    occupants: int = Field(ge=1, le=60)
    water_source: WaterSource
    water_to_faeces_m: float | None = Field(
        default=None, ge=0, le=1000, description="required for a well, bore or spring"
    )
    bathroom: Bathroom
    toilet_type: ToiletType
    faeces_disposal: FaecesDisposal
    electricity: Electricity
    kawasan: list[Kawasan] = Field(default_factory=list, max_length=8)
    previous_aid_year: int | None = Field(
        default=None, ge=1980, le=2100, description="the year of housing aid received before"
    )


class AssessmentOut(Out):
    """A survey as recorded, with its classification under each rule set (``rtlh_*`` true: not
    livable) and the criteria that failed."""

    id: str
    house_id: str
    kind: str
    surveyed_on: date
    pondasi: str
    kolom: str
    balok: str
    rangka_atap: str
    plafon: str
    sloof: bool
    atap: str
    atap_condition: str
    dinding: str
    dinding_condition: str
    lantai: str
    lantai_condition: str
    jendela: bool
    ventilasi: bool
    floor_area_m2: float
    occupants: int
    m2_per_person: float | None
    water_source: str
    water_to_faeces_m: float | None
    bathroom: str
    toilet_type: str
    faeces_disposal: str
    electricity: str
    kawasan: list[str]
    previous_aid_year: int | None
    rtlh_pupr: bool = Field(description="Permen PUPR 29/2018: true when a criterion failed")
    failed_pupr: list[str] = Field(examples=[["sanitasi", "jarak_sumber_air", "luas_per_orang"]])
    rtlh_rutilahu: bool = Field(description="Permensos 20/2017 Rutilahu")
    failed_rutilahu: list[str]
    recorded_by: str
    recorded_at: datetime
