"""The shape every SPM indicator takes across services, and the reporting periods.

Every SPM indicator is *people in the target group served to standard ÷ people in the target
group*, target 100%, for a period and a wilayah (DOMAIN.md). Field services answer with
``IndicatorValue`` rows so the gateway can put them side by side without translation.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Literal

from fastapi import Query
from pydantic import BaseModel, Field

from simpul_platform.errors import InvalidInput

SpmField = Literal["health", "education", "social", "housing", "public_works", "trantib"]
IndicatorKind = Literal["spm", "context"]
SPM_FIELDS: tuple[SpmField, ...] = (
    "health",
    "education",
    "social",
    "housing",
    "public_works",
    "trantib",
)


class IndicatorValue(BaseModel):
    """One indicator for one wilayah (or posyandu) and period."""

    code: str = Field(examples=["health.balita"])
    field: SpmField = Field(examples=["health"])
    name: str = Field(examples=["Balita receiving growth monitoring to standard"])
    numerator: int = Field(ge=0, examples=[912])
    denominator: int = Field(ge=0, examples=[1040])
    percent: float | None = Field(examples=[87.69], description="null when the denominator is 0")
    target_percent: float = Field(default=100.0, examples=[100.0])
    definition: str = Field(examples=["Balita weighed at least 8 times in the year ÷ balita"])
    source: str = Field(examples=["Permenkes 4/2019, lampiran, SPM kesehatan no. 4"])
    kind: IndicatorKind = Field(
        default="spm",
        description="spm: an SPM indicator (served to standard ÷ target group, target 100%); "
        "context: a figure read beside them (such as stunting prevalence: lower is better, "
        "target_percent its national target)",
    )

    @classmethod
    def of(
        cls,
        code: str,
        field: SpmField,
        name: str,
        numerator: int,
        denominator: int,
        definition: str,
        source: str,
        target_percent: float = 100.0,
        kind: IndicatorKind = "spm",
    ) -> IndicatorValue:
        return cls(
            code=code,
            field=field,
            name=name,
            numerator=numerator,
            denominator=denominator,
            percent=percent(numerator, denominator),
            target_percent=target_percent,
            definition=definition,
            source=source,
            kind=kind,
        )


def percent(numerator: int, denominator: int) -> float | None:
    return round(100.0 * numerator / denominator, 2) if denominator else None


@dataclass(frozen=True)
class Indicator:
    """How a field names and defines one of its indicators; its value comes from counts."""

    code: str
    name: str
    definition: str
    source: str
    target_percent: float = 100.0

    def value(self, field: SpmField, counts: Mapping[str, tuple[int, int]]) -> IndicatorValue:
        """The indicator from counts by code (numerator, denominator); absent, 0 ÷ 0."""
        return IndicatorValue.of(
            self.code,
            field,
            self.name,
            *counts.get(self.code, (0, 0)),
            self.definition,
            self.source,
            target_percent=self.target_percent,
        )


PERIOD_PATTERN = r"^[1-9]\d{3}(-(0[1-9]|1[0-2])|-Q[1-4])?$"  # no year 0: Python has none
# A required ``period`` query parameter whose pattern is in the OpenAPI document, so a client
# (or a fuzzer) knows which strings ``period_from_query`` accepts.
PeriodQuery = Annotated[
    str,
    Query(pattern=PERIOD_PATTERN, examples=["2026-Q4"], description="YYYY, YYYY-MM or YYYY-Qn"),
]
OptionalPeriodQuery = Annotated[
    str | None,
    Query(
        pattern=PERIOD_PATTERN,
        examples=["2026-Q3"],
        description="YYYY, YYYY-MM or YYYY-Qn; default: the current month",
    ),
]


@dataclass(frozen=True)
class Period:
    """A reporting period: a month (2026-11), a quarter (2026-Q4) or a year (2026)."""

    label: str
    start: date
    end: date  # inclusive

    @classmethod
    def parse(cls, label: str) -> Period:
        if not re.match(PERIOD_PATTERN, label):
            raise ValueError("period must be YYYY, YYYY-MM or YYYY-Qn")
        year = int(label[:4])
        if len(label) == 4:
            return cls(label, date(year, 1, 1), date(year, 12, 31))
        if label[5] == "Q":
            first = 3 * (int(label[6]) - 1) + 1
            return cls(label, date(year, first, 1), _month_end(year, first + 2))
        month = int(label[5:7])
        return cls(label, date(year, month, 1), _month_end(year, month))

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    @property
    def months(self) -> int:
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def period_from_query(label: str | None, field: str = "query.period") -> Period:
    """A period from a request (the current month when absent), or a 422 naming the field."""
    if label is None:
        return Period.parse(date.today().strftime("%Y-%m"))
    try:
        return Period.parse(label)
    except ValueError as exc:
        raise InvalidInput.field(field, "period_format", str(exc)) from exc
