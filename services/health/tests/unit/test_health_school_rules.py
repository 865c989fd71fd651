"""Usia pendidikan dasar: the age group at a period's end, school years, the standard."""

from __future__ import annotations

from datetime import date

import pytest

from simpul_health.domain.school import (
    age_window,
    assumed_birth,
    birth_month_of,
    in_target_group,
    kelas_fits,
    missing_components,
    school_year_label,
    school_year_start,
    to_standard,
)

pytestmark = pytest.mark.unit
END = date(2026, 12, 31)


def test_a_child_turning_7_on_the_last_day_is_in_and_one_turning_16_is_out() -> None:
    w = age_window(END)
    assert w.born_by == date(2019, 12, 31) and w.born_after == date(2010, 12, 31)
    assert in_target_group(2019, date(2019, 12, 31), END)  # 7 on the period's last day
    assert not in_target_group(2020, date(2020, 1, 1), END)  # 7 next year
    assert not in_target_group(2010, date(2010, 12, 31), END)  # 16 on the last day
    assert not in_target_group(2010, date(2010, 12, 1), END)  # 16 inside the period
    assert in_target_group(2011, date(2011, 1, 1), END)  # still 15 at the end


def test_a_month_end_and_a_leap_day() -> None:
    june = date(2026, 6, 30)
    assert in_target_group(2019, date(2019, 6, 30), june)
    assert not in_target_group(2019, date(2019, 7, 1), june)
    leap = date(2028, 2, 29)
    assert age_window(leap).born_by == date(2021, 2, 28)


def test_a_birth_year_alone_counts_from_1_july() -> None:
    assert assumed_birth(2015, None) == date(2015, 7, 1)
    assert assumed_birth(2015, date(2015, 3, 1)) == date(2015, 3, 1)
    w = age_window(END)
    assert (w.first_year, w.last_year) == (2011, 2019)
    for year in range(2005, 2025):
        assert in_target_group(year, None, END) == (2011 <= year <= 2019)
    # A June end: those born 1 July 2019 are not 7 yet, those born 1 July 2010 still 15.
    june = age_window(date(2026, 6, 30))
    assert (june.first_year, june.last_year) == (2010, 2018)
    for year in range(2005, 2025):
        assert in_target_group(year, None, date(2026, 6, 30)) == (
            june.first_year <= year <= june.last_year
        )


def test_birth_month_from_an_age_in_months() -> None:
    assert birth_month_of(118, date(2026, 3, 2)) == date(2016, 5, 1)
    assert birth_month_of(0, date(2026, 3, 31)) == date(2026, 3, 1)
    assert birth_month_of(12 * 7, date(2026, 12, 31)) == date(2019, 12, 1)


def test_school_years_run_july_to_june() -> None:
    assert school_year_start(date(2026, 6, 30)) == date(2025, 7, 1)
    assert school_year_start(date(2026, 7, 1)) == date(2026, 7, 1)
    assert school_year_label(date(2027, 1, 15)) == "2026/2027"


def test_kelas_of_jenjang() -> None:
    assert all(kelas_fits("sd", k) for k in range(1, 7))
    assert all(kelas_fits("smp", k) for k in range(7, 10))
    assert not kelas_fits("sd", 7) and not kelas_fits("smp", 6)


def test_to_standard_needs_nutrition_vision_hearing_and_teeth() -> None:
    full = {
        "weight_kg": 21.0,
        "height_cm": 118.0,
        "vision": "impaired",  # examined, whatever the result
        "hearing": "normal",
        "dental": "caries",
    }
    assert to_standard(full) and missing_components(full) == []
    assert missing_components({**full, "height_cm": None}) == ["nutrition"]
    assert missing_components({"vision": "normal"}) == ["nutrition", "hearing", "dental"]
    # Blood pressure, Hb and the SDQ are not required.
    assert to_standard({**full, "systolic": None, "hb_g_dl": None, "mental_emotional": None})
