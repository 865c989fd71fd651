"""Periods and the definitions of the indicators this service counts.

Every SPM indicator is "people in the target group who received the service to standard ÷
people in the target group", target 100% (PP 2/2018; the twelve services of Permenkes 6/2024,
which replaced Permenkes 4/2019). The definitions are data (``spm_kesehatan.json``): each
says exactly what is counted from this service's data, and where its denominator comes from;
the counting is SQL (``simpul_health.ops.indicators`` and ``simpul_health.ops.kept``).
"""

from __future__ import annotations

import calendar
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from simpul_platform.indicators import Period


@dataclass(frozen=True)
class IndicatorDefinition:
    code: str
    name: str
    numerator: str
    denominator: str
    source: str
    number: int = 0  # the service's number in the regulation's list (0: not an SPM one)
    # registered: sasaran registered here; estimate: an imported estimate (else what was
    # recorded); education_events: the children education's events name.
    basis: str = "registered"
    estimate_group: str | None = None
    parameters: Mapping[str, Any] = field(default_factory=dict)
    target_percent: float = 100.0
    certainty: str = ""  # H, M or L: how sure the definition is (the file says what each means)

    def text(self) -> str:
        return f"{self.numerator} ÷ {self.denominator}"


DEFINITIONS_FILE = Path(__file__).with_name("spm_kesehatan.json")


def _load(path: Path) -> tuple[str, dict[str, IndicatorDefinition], dict[str, IndicatorDefinition]]:
    """The regulation followed, its twelve services in its order, and the context rows."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    services = sorted(raw["services"], key=lambda item: item["number"])
    spm = {item["code"]: IndicatorDefinition(**item) for item in services}
    context = {
        item["code"]: IndicatorDefinition(
            **{**item, "target_percent": item["target_percent"] or 0.0, "basis": "measured"}
        )
        for item in raw["context"]
    }
    return raw["regulation"], spm, context


# What the counts count is data (``spm_kesehatan.json``): a new regulation changes the file.
REGULATION, SPM, CONTEXT = _load(DEFINITIONS_FILE)
ESTIMATE_GROUPS = tuple(d.estimate_group for d in SPM.values() if d.estimate_group)


# Balita weighed at least 8 times a year (SPM 4: penimbangan minimal 8 kali setahun), pro-rated
# for shorter periods.
BALITA_WEIGHINGS_PER_YEAR = int(SPM["balita"].parameters["weighings_per_year"])


def required_weighings(period: Period) -> int:
    return max(1, math.ceil(BALITA_WEIGHINGS_PER_YEAR * period.months / 12))


def is_balita_of(birth_date: date, period: Period) -> bool:
    """Aged 0–59 months at the period's end (born after the day 60 months before it)."""
    return months_before(period.end, 60) < birth_date <= period.end


@lru_cache(maxsize=4096)  # a batch has a few distinct days and thousands of rows
def periods_of(day: date) -> tuple[Period, Period, Period]:
    """The month, quarter and year a day falls in: every period an indicator is asked for."""
    quarter = (day.month - 1) // 3 + 1
    return (
        Period.parse(f"{day:%Y-%m}"),
        Period.parse(f"{day.year:04d}-Q{quarter}"),
        Period.parse(f"{day.year:04d}"),
    )


@lru_cache(maxsize=4096)  # asked for the same few period ends per batch
def months_before(day: date, months: int) -> date:
    """The same day ``months`` earlier, or that month's last day when it is shorter."""
    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


STUNTING = IndicatorDefinition(
    code="stunting_prevalence",
    name="Prevalensi stunting (balita pendek dan sangat pendek)",
    numerator="Balita 0–59 months whose latest measurement in the period has HAZ < −2 SD",
    denominator="Balita 0–59 months with a length/height measurement in the period",
    source="WHO Child Growth Standards 2006; Permenkes 2/2020 Standar Antropometri Anak",
)
