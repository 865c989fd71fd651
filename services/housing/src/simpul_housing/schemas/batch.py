"""A survey team's batch: up to 1,000 house surveys in one request, a result per item. Each
item is validated on its own, so a bad item never refuses the others."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from simpul_housing.schemas.assessments import SURVEY_EXAMPLE, SurveyIn
from simpul_housing.schemas.houses import HouseIn
from simpul_platform.errors import FieldError

MAX_ITEMS = 1000

_NEW_HOUSE: dict[str, Any] = {
    "house": {
        "posyandu_id": "3f1c2a9e-1111-4c7e-9a55-000000000001",
        "rt": "007",
        "rw": "002",
        "tenure": "milik_sendiri",
        "land_status": "milik_sendiri",
        "occupants": 6,
        "households": [{"kk": "6402060101200003", "head_name": "Rahmat"}],
    },
    "survey": SURVEY_EXAMPLE,
}
_KNOWN_HOUSE: dict[str, Any] = {
    "house_id": "2c7e9a41-6b3d-4f1e-8a90-1d2c3b4a5e6f",
    "survey": SURVEY_EXAMPLE,
}


class SurveyBatchItem(BaseModel):
    """One house surveyed: a house already recorded (``house_id``) or a new one (``house``,
    with at least one household: its No. KK is how the batch recognises the house when it is
    sent again), and the survey."""

    model_config = ConfigDict(json_schema_extra={"examples": [_NEW_HOUSE, _KNOWN_HOUSE]})

    house_id: str | None = Field(default=None, min_length=1, max_length=36)
    house: HouseIn | None = None
    survey: SurveyIn


class SurveyBatchIn(BaseModel):
    """A survey team's surveys. ``items`` are SurveyBatchItem objects, each checked on its own
    (a bad one gets an error result and never refuses the request)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"items": [_NEW_HOUSE]}]})

    # Plain objects: a SurveyBatchItem each, validated one by one (an item's error is its result).
    items: list[dict[str, Any]] = Field(
        min_length=1,
        max_length=MAX_ITEMS,
        description=f"at most {MAX_ITEMS:,} surveys, each a SurveyBatchItem",
    )


ItemStatus = Literal["created", "assessed", "unchanged", "error"]


class SurveyBatchItemResult(BaseModel):
    """``created``: a new house with its households and this survey; ``assessed``: the survey
    recorded on a house already known (by ``house_id``, or by a household's No. KK);
    ``unchanged``: the house already has this survey (same date, same fields), nothing written;
    ``error``: nothing written for this item, ``errors`` say why (field paths as in a problem's
    ``errors``: ``body.items[3].survey.floor_area_m2``)."""

    index: int
    status: ItemStatus
    house_id: str | None = None
    assessment_id: str | None = None
    rtlh_pupr: bool | None = Field(
        default=None, description="Permen PUPR 29/2018: true when a criterion failed"
    )
    failed_pupr: list[str] = Field(default_factory=list)
    rtlh_rutilahu: bool | None = Field(default=None, description="Permensos 20/2017 Rutilahu")
    failed_rutilahu: list[str] = Field(default_factory=list)
    errors: list[FieldError] = Field(default_factory=list)


class SurveyBatchOut(BaseModel):
    created: int
    assessed: int
    unchanged: int
    errors: int
    results: list[SurveyBatchItemResult] = Field(description="one per item, in the request's order")
