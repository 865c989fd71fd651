"""Periods and the definitions of the indicators this service counts.

Every SPM indicator is "people in the target group who received the service to standard ÷
people in the target group", target 100% (PP 2/2018; Permenkes 4/2019 Lampiran — being
replaced by Permenkes 6/2024). Definitions below say exactly what is counted from this
service's data; the counting is SQL (``simpul_health.ops.indicators``).
"""

from __future__ import annotations

import calendar
import math
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from simpul_platform.indicators import Period


@dataclass(frozen=True)
class IndicatorDefinition:
    code: str
    name: str
    numerator: str
    denominator: str
    source: str

    def text(self) -> str:
        return f"{self.numerator} ÷ {self.denominator}"


# Balita weighed at least 8 times a year (Permenkes 4/2019, SPM 4: penimbangan minimal 8 kali
# setahun), pro-rated for shorter periods.
BALITA_WEIGHINGS_PER_YEAR = 8


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

SPM: dict[str, IndicatorDefinition] = {
    d.code: d
    for d in (
        IndicatorDefinition(
            "balita",
            "Pelayanan kesehatan balita sesuai standar",
            "Balita (0–59 months at period end) registered here weighed at least "
            "ceil(8 × months/12) times in the period",
            "Balita (0–59 months at period end) registered as sasaran in the wilayah",
            "Permenkes 4/2019 Lampiran, SPM kesehatan no. 4 (penimbangan minimal 8 kali "
            "setahun); Permenkes 6/2024",
        ),
        IndicatorDefinition(
            "ibu_hamil",
            "Pelayanan kesehatan ibu hamil sesuai standar",
            "Pregnancies with at least 6 ANC visits (K1…K6) among the denominator",
            "Pregnancies in the wilayah that ended (delivery recorded) in the period, or whose "
            "estimated delivery date falls in it",
            "Permenkes 4/2019 Lampiran, SPM kesehatan no. 1; K6 standard per Permenkes 21/2021",
        ),
        IndicatorDefinition(
            "usia_produktif",
            "Pelayanan kesehatan usia produktif sesuai standar",
            "Sasaran aged 15–59 at period end screened (blood pressure, glucose, BMI) in the "
            "period",
            "Sasaran aged 15–59 at period end registered in the wilayah",
            "Permenkes 4/2019 Lampiran, SPM kesehatan no. 6 (skrining kesehatan sesuai standar)",
        ),
        IndicatorDefinition(
            "usia_lanjut",
            "Pelayanan kesehatan usia lanjut sesuai standar",
            "Sasaran aged 60+ at period end screened in the period",
            "Sasaran aged 60+ at period end registered in the wilayah",
            "Permenkes 4/2019 Lampiran, SPM kesehatan no. 7 (skrining minimal 1 kali setahun)",
        ),
        IndicatorDefinition(
            "hipertensi",
            "Pelayanan kesehatan penderita hipertensi sesuai standar",
            "Of the denominator, people with a blood pressure measurement in the period",
            "Sasaran aged 15+ flagged hypertensive in any screening up to the period end",
            "Permenkes 4/2019 Lampiran, SPM kesehatan no. 8 (pengukuran tekanan darah rutin)",
        ),
        IndicatorDefinition(
            "diabetes",
            "Pelayanan kesehatan penderita diabetes melitus sesuai standar",
            "Of the denominator, people with a blood glucose measurement in the period",
            "Sasaran aged 15+ flagged diabetic in any screening up to the period end",
            "Permenkes 4/2019 Lampiran, SPM kesehatan no. 9 (pemeriksaan gula darah rutin)",
        ),
    )
}
