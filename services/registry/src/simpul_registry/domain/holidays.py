"""The holidays a posyandu's recurring day moves away from.

One calendar with the platform's working days (``simpul_platform.workdays``): national holidays
and cuti bersama from lokal-id (the SKB 3 Menteri of 2026 and 2027), the deployment's own
``extra_holidays``, and the one year lokal-id lacks that the registry's records reach back to:
2025, kept here as data with its source.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from simpul_platform.settings import ServiceSettings
from simpul_platform.workdays import national_holidays

# SKB Menteri Agama, Menteri Ketenagakerjaan and Menteri PANRB No. 1017/2024, 2/2024, 2/2024
# on Hari Libur Nasional dan Cuti Bersama Tahun 2025 (signed 14 October 2024): 17 days of
# libur nasional and 10 of cuti bersama.
SOURCE_2025 = (
    "SKB 3 Menteri No. 1017/2024, 2/2024, 2/2024: Hari Libur Nasional dan Cuti Bersama Tahun 2025"
)
LIBUR_NASIONAL_2025 = frozenset(
    date.fromisoformat(d)
    for d in (
        "2025-01-01",
        "2025-01-27",
        "2025-01-29",
        "2025-03-29",
        "2025-03-31",
        "2025-04-01",
        "2025-04-18",
        "2025-04-20",
        "2025-05-01",
        "2025-05-12",
        "2025-05-29",
        "2025-06-01",
        "2025-06-06",
        "2025-06-27",
        "2025-08-17",
        "2025-09-05",
        "2025-12-25",
    )
)
CUTI_BERSAMA_2025 = frozenset(
    date.fromisoformat(d)
    for d in (
        "2025-01-28",
        "2025-03-28",
        "2025-04-02",
        "2025-04-03",
        "2025-04-04",
        "2025-04-07",
        "2025-05-13",
        "2025-05-30",
        "2025-06-09",
        "2025-12-26",
    )
)


def holidays(settings: ServiceSettings, years: Iterable[int]) -> frozenset[date]:
    """The deployment's holidays in ``years``, as its due dates count them."""
    wanted = set(years)
    days: set[date] = {d for d in settings.extra_holidays if d.year in wanted}
    if settings.national_holidays:
        cuti = settings.cuti_bersama_is_holiday
        days |= national_holidays(wanted, cuti_bersama=cuti)
        if 2025 in wanted:
            days |= LIBUR_NASIONAL_2025 | (CUTI_BERSAMA_2025 if cuti else frozenset())
    return frozenset(days)
