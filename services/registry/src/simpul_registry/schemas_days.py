"""API bodies of posyandu days, kader attendance and participation."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from simpul_platform.errors import FieldError
from simpul_platform.wilayah import WILAYAH_PATTERN
from simpul_registry.domain.days import DayKind, NotHeldReason, Weekday
from simpul_registry.domain.fields import SpmField
from simpul_registry.schemas import Day

MAX_ATTENDANCE = 500
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date(value: Any) -> Any:
    """A day in a path or query as YYYY-MM-DD only (pydantic alone reads "0" as 1970-01-01)."""
    if isinstance(value, str) and not _ISO_DATE.fullmatch(value):
        raise ValueError("Expected a date as YYYY-MM-DD.")
    return value


IsoDay = Annotated[date, BeforeValidator(_iso_date)]


class RuleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # The schema names the weeks check_rule keeps; the code refuses others with its own rule
    # code (``week_of_month``), so a fifth week is answered as a rule, not a type error.
    week: int = Field(
        ge=-1,
        le=5,
        description="1–4, or -1 for the last (a fifth is refused)",
        json_schema_extra={"enum": [1, 2, 3, 4, -1]},
    )
    weekday: Weekday
    valid_from: Day
    valid_until: Day | None = None


class DatedNote(BaseModel):
    model_config = ConfigDict(extra="forbid")

    day: Day
    note: str | None = Field(default=None, max_length=200)


class ScheduleIn(BaseModel):
    """The whole schedule: what is sent replaces what was there."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "rules": [{"week": 2, "weekday": "tuesday", "valid_from": "2026-01-01"}],
                    "one_off": [{"day": "2026-08-20", "note": "Vitamin A week"}],
                    "cancelled": [{"day": "2026-03-10", "note": "Flood"}],
                }
            ]
        },
    )

    rules: list[RuleIn] = Field(default_factory=list, max_length=4)
    one_off: list[DatedNote] = Field(default_factory=list, max_length=100)
    cancelled: list[DatedNote] = Field(default_factory=list, max_length=100)


class RuleOut(BaseModel):
    week: int
    weekday: Weekday
    valid_from: date
    valid_until: date | None


class ScheduleOut(BaseModel):
    posyandu_id: str
    rules: list[RuleOut]
    one_off: list[DatedNote]
    cancelled: list[DatedNote]


class SerentakIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"wilayah": "64.02", "day": "2026-03-12", "note": "Posyandu serentak Maret"}
            ]
        },
    )

    wilayah: str = Field(pattern=WILAYAH_PATTERN)
    day: Day
    note: str | None = Field(default=None, max_length=200)


class SerentakOut(BaseModel):
    id: str
    wilayah_code: str
    day: date
    note: str | None
    created_by: str


# What check_record refuses, said in the schema: a held day names its fields and no reason, a
# day not held a reason and no fields.
HELD_OR_NOT: list[JsonSchemaValue] = [
    {
        "required": ["held", "fields"],
        "properties": {
            "held": {"const": True},
            "fields": {"minItems": 1},
            "reason": {"type": "null"},
        },
    },
    {
        "required": ["held", "reason"],
        "properties": {
            "held": {"const": False},
            "fields": {"maxItems": 0},
            "reason": {"type": "string"},
        },
    },
]


class DayRecordIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"held": True, "fields": ["health", "education"]},
                {"held": False, "reason": "disaster", "note": "Banjir"},
            ]
        },
    )

    held: bool
    reason: NotHeldReason | None = Field(default=None, description="required when not held")
    fields: list[SpmField] = Field(
        default_factory=list, max_length=6, description="the fields served; at least one when held"
    )
    note: str | None = Field(default=None, max_length=200)

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler.resolve_ref_schema(handler(core_schema))
        schema["anyOf"] = HELD_OR_NOT
        return schema


class DayRecordOut(BaseModel):
    held: bool
    reason: NotHeldReason | None
    fields: list[str]
    note: str | None
    kader_present: int
    recorded_by: str
    updated_by: str


class CalendarDay(BaseModel):
    day: date
    kinds: list[DayKind]
    planned_on: date | None = Field(description="a recurring day moved off a holiday: its date")
    holiday: bool
    record: DayRecordOut | None


class CalendarOut(BaseModel):
    posyandu_id: str
    start: date
    end: date
    days: list[CalendarDay]


AttendanceStatus = Literal["present", "absent", "excused"]


class AttendanceItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    person_id: str = Field(min_length=1, max_length=36)
    status: AttendanceStatus


class AttendanceIn(BaseModel):
    """Kader of the posyandu and whether they came; each item judged on its own."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {"person_id": "0b6f3a52-8d1e-4c3a-9f0e-2d7c5b9a1e44", "status": "present"}
                    ]
                }
            ]
        },
    )

    # Plain objects: an AttendanceItem each, validated one by one (an item's error is its result).
    items: list[dict[str, Any]] = Field(min_length=1, max_length=MAX_ATTENDANCE)


class AttendanceResult(BaseModel):
    index: int
    status: Literal["recorded", "error"]
    person_id: str | None = None
    attendance: AttendanceStatus | None = None
    errors: list[FieldError] = Field(default_factory=list)


class AttendanceOut(BaseModel):
    recorded: int
    errors: int
    results: list[AttendanceResult] = Field(description="one per item, in the request's order")


class KaderActivity(BaseModel):
    person_id: str
    person_ref: str
    field: str | None
    last_present_on: date | None
    inactive_from: date
    inactive: bool


class InactivityCheckOut(BaseModel):
    on: date
    checked: int
    inactive: int
    became_inactive: int
    active_again: int


class ParticipationRow(BaseModel):
    level: Literal["posyandu", "desa", "kecamatan", "kabupaten"]
    code: str = Field(description="posyandu id, or the wilayah code")
    days: int = Field(description="held days counted")
    expected: int = Field(description="kader appointed on those days, summed over the days")
    present: int
    percent: float | None


class ParticipationOut(BaseModel):
    wilayah: str | None
    start: date
    end: date
    serentak_day: str | None
    posyandu_with_day: int
    rows: list[ParticipationRow]


class AttendanceSheetResult(BaseModel):
    """One row of an attendance sheet: its row number in the sheet (1 = the header's row in
    a CSV; the sheet's own numbers in a workbook), and what became of it."""

    row: int
    status: Literal["recorded", "error"]
    person_id: str | None = None
    attendance: AttendanceStatus | None = None
    errors: list[FieldError] = Field(
        default_factory=list, description="each naming the column and its letter"
    )


class AttendanceSheetOut(BaseModel):
    recorded: int
    errors: int
    results: list[AttendanceSheetResult] = Field(description="one per filled row, in sheet order")
