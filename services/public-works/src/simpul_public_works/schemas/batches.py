"""A survey team's batch: up to 1,000 household water and sanitation surveys in one request, a
result per item. Each item is validated on its own, so a bad item never refuses the others."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from simpul_platform.errors import FieldError
from simpul_public_works.schemas.surveys import EXAMPLE

MAX_ITEMS = 1000


class SurveyBatchIn(BaseModel):
    """A survey team's surveys. ``items`` are objects of the single route's body (SurveyIn: the
    household's No. KK, its posyandu and the survey), each checked on its own (a bad one gets an
    error result and never refuses the request)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"items": [EXAMPLE]}]})

    # Plain objects: a SurveyIn each, validated one by one (an item's error is its result).
    items: list[dict[str, Any]] = Field(
        min_length=1,
        max_length=MAX_ITEMS,
        description=f"at most {MAX_ITEMS:,} surveys, each a SurveyIn",
    )


ItemStatus = Literal["created", "recorded", "unchanged", "error"]


class SurveyBatchItemResult(BaseModel):
    """``created``: the household recorded by this, its first survey; ``recorded``: the survey
    recorded on a household already known (by its No. KK); ``unchanged``: the household already
    has this survey (same date, every field the same), nothing written; ``error``: nothing
    written for this item, ``errors`` say why (field paths as in a problem's ``errors``:
    ``body.items[3].distance_to_waste_m``; ``household_elsewhere`` is the single route's 409)."""

    index: int
    status: ItemStatus
    household_id: str | None = None
    survey_id: str | None = None
    water_level: str | None = Field(default=None, examples=["layak_dasar"])
    water_rule: str | None = None
    sanitation_level: str | None = Field(default=None, examples=["belum_layak"])
    sanitation_rule: str | None = None
    basic_water: bool | None = None
    basic_water_failed: list[str] = Field(default_factory=list)
    wastewater_service: str | None = None
    errors: list[FieldError] = Field(default_factory=list)


class SurveyBatchOut(BaseModel):
    created: int
    recorded: int
    unchanged: int
    errors: int
    results: list[SurveyBatchItemResult] = Field(description="one per item, in the request's order")
