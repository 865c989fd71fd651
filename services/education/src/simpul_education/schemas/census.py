"""A kader's census of one posyandu's children: up to 1,000 items in one request, a result per
item. Each item is validated on its own, so a bad item never refuses the others."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from simpul_education.domain.status import Status
from simpul_education.schemas.children import Sex
from simpul_platform.errors import FieldError
from simpul_platform.identity import KK_PATTERN, NIK_PATTERN

MAX_ITEMS = 1000

_ITEM_EXAMPLE: dict[str, Any] = {
    "nik": "6402065207160001",
    "kk": "6402060101200003",
    "name": "Siti Aminah",
    "sex": "P",
    "birth_date": "2016-07-12",
    "status": "sd",
    "kelas": 4,
    "unit_name": "SDN 001 Tenggarong",
    "npsn": "30401234",
}


class CensusItem(BaseModel):
    """One child as the kader found them: who (birth date and sex must agree with the NIK) and
    their education status on the census date (source ``kader_census``). ``kelas`` for sd
    (1–6), smp (7–9), sma (10–12) and smk (10–13); ``unit_name`` required for paud."""

    model_config = ConfigDict(json_schema_extra={"examples": [_ITEM_EXAMPLE]})
    nik: str = Field(pattern=NIK_PATTERN)
    kk: str = Field(pattern=KK_PATTERN)
    name: str = Field(min_length=1, max_length=120)
    sex: Sex
    birth_date: date
    status: Status
    kelas: int | None = Field(default=None, ge=1, le=13)
    unit_name: str | None = Field(default=None, min_length=1, max_length=120)
    npsn: str | None = Field(default=None, pattern=r"^\d{8}$")


class CensusIn(BaseModel):
    """One posyandu's census on one day. ``items`` are CensusItem objects, each checked on its
    own (a bad one gets an error result, never refuses the request)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "posyandu_id": "3f1c2a9e-1111-4c7e-9a55-000000000001",
                    "on": "2026-03-02",
                    "items": [_ITEM_EXAMPLE],
                }
            ]
        }
    )
    posyandu_id: str = Field(min_length=1, max_length=36)
    on: date = Field(description="the census date: every item's status is as of this day")
    # Plain objects: a CensusItem each, validated one by one (an item's error is its result).
    items: list[dict[str, Any]] = Field(
        min_length=1,
        max_length=MAX_ITEMS,
        description=f"at most {MAX_ITEMS:,} children, each a CensusItem",
    )


ItemResult = Literal["created", "status_recorded", "unchanged", "error"]


class CensusItemResult(BaseModel):
    """``created``: the child was registered with this status; ``status_recorded``: a known
    child got this status (kept in the history); ``unchanged``: the child already has it;
    ``error``: nothing written for this item, ``errors`` say why (field paths as in a
    problem's ``errors``)."""

    index: int
    result: ItemResult
    child_id: str | None = None
    ats_case_id: str | None = Field(
        default=None,
        description="the ATS case this item opened: the child, 7–18, was found out of school "
        "and had no open case",
    )
    open_ats_case_id: str | None = Field(
        default=None,
        description="the child's open ATS case, opened by this item or before (a census sent "
        "again answers unchanged but still names it)",
    )
    errors: list[FieldError] = Field(default_factory=list)


class CensusOut(BaseModel):
    posyandu_id: str
    on: date
    created: int
    status_recorded: int
    unchanged: int
    errors: int
    ats_cases_opened: int = Field(description="ATS cases the census opened (items' ats_case_id)")
    results: list[CensusItemResult] = Field(description="one per item, in the request's order")
