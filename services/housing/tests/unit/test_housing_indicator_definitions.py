"""The counts kept per posyandu and month, as pure functions: a house's classification on a
day by its latest survey, every count over a hand-made set at a month's end (the year to date
for the yearly SPM), and the month a period is counted at."""

from __future__ import annotations

from datetime import date

import pytest

from simpul_housing.domain.indicators import (
    BASIS,
    CODES,
    HOUSES,
    RLH_PUPR,
    RLH_RUTILAHU,
    SurveyFact,
    disaster_count,
    handled_count,
    house_counts,
    latest_survey,
    relocation_count,
    stunted_count,
    year_to_date,
)
from simpul_platform.locks import lock_key
from simpul_platform.tallies import added, end_month, month_of

pytestmark = pytest.mark.unit

LIVABLE_2025 = SurveyFact(date(2025, 6, 1), 1, rtlh_pupr=False, rtlh_rutilahu=False)
CRAMPED_MARCH = SurveyFact(date(2026, 3, 2), 2, rtlh_pupr=True, rtlh_rutilahu=False)
TINY_MARCH_LATER = SurveyFact(date(2026, 3, 2), 3, rtlh_pupr=True, rtlh_rutilahu=True)


def test_a_house_is_classified_by_its_latest_survey_on_or_before_the_day() -> None:
    surveys = [CRAMPED_MARCH, LIVABLE_2025]
    assert latest_survey(surveys, date(2025, 5, 31)) is None
    assert latest_survey(surveys, date(2026, 3, 1)) == LIVABLE_2025
    assert latest_survey(surveys, date(2026, 3, 2)) == CRAMPED_MARCH  # on the day: counts
    both = [TINY_MARCH_LATER, CRAMPED_MARCH]
    assert latest_survey(both, date(2026, 12, 31)) == TINY_MARCH_LATER  # of one date, the later


def test_houses_surveyed_and_livable_under_each_rule_set() -> None:
    houses = [
        (date(2026, 12, 6), [LIVABLE_2025, CRAMPED_MARCH]),  # recorded late, surveyed earlier
        (date(2026, 1, 1), [TINY_MARCH_LATER]),
        (date(2026, 1, 1), []),  # never surveyed
        (date(2027, 1, 1), []),  # recorded after the month
    ]
    assert house_counts(houses, date(2026, 2, 1)) == {
        HOUSES: (3, 3),
        RLH_PUPR: (1, 1),
        RLH_RUTILAHU: (1, 1),
    }
    assert house_counts(houses, date(2026, 3, 1)) == {
        HOUSES: (3, 3),
        RLH_PUPR: (0, 2),
        RLH_RUTILAHU: (1, 2),
    }
    assert house_counts(houses, date(2025, 5, 1))[HOUSES] == (0, 0)


def test_the_yearly_counts_are_the_year_to_date() -> None:
    march = date(2026, 3, 1)
    assert year_to_date(march) == (date(2026, 1, 1), date(2026, 3, 31))
    handled = [date(2025, 12, 31), date(2026, 1, 1), date(2026, 3, 31), date(2026, 4, 1), None]
    assert handled_count(handled, march) == (2, 2)
    units = [(2026, date(2026, 3, 31)), (2026, date(2026, 4, 1)), (2026, None), (2025, None)]
    units.append((2026, date(2025, 12, 30)))  # done before its year: not this year's handling
    assert disaster_count(units, march) == (1, 4)
    assert disaster_count(units, date(2025, 12, 1)) == (0, 1)
    households = [
        (2026, True, date(2026, 2, 1)),
        (2026, True, date(2026, 4, 1)),
        (2026, False, date(2026, 1, 1)),  # not meeting the criteria: in neither part
        (2026, None, None),
        (2025, True, date(2025, 8, 1)),
    ]
    assert relocation_count(households, march) == (1, 2)
    assert relocation_count(households, date(2026, 12, 1)) == (2, 2)


def test_stunted_households_in_rtlh_by_their_current_house() -> None:
    households = [
        (date(2026, 1, 5), [CRAMPED_MARCH]),
        (date(2026, 2, 1), [LIVABLE_2025]),
        (date(2025, 12, 1), None),  # no known house: counted, not in RTLH
        (date(2026, 4, 1), [TINY_MARCH_LATER]),
    ]
    assert stunted_count(households, date(2026, 2, 1)) == (0, 3)
    assert stunted_count(households, date(2026, 3, 1)) == (1, 3)
    assert stunted_count(households, date(2026, 4, 1)) == (2, 4)


def test_periods_months_and_the_definitions_tag() -> None:
    today = date(2026, 5, 14)
    assert end_month(date(2025, 12, 31), today) == date(2025, 12, 1)
    assert end_month(date(2026, 12, 31), today) == date(2026, 5, 1)
    assert month_of(date(2026, 5, 14)) == date(2026, 5, 1)
    assert len(BASIS) == 12 and CODES[0] == HOUSES
    assert added([{RLH_PUPR: (1, 2)}, {RLH_PUPR: (3, 4), HOUSES: (5, 5)}]) == {
        RLH_PUPR: (4, 6),
        HOUSES: (5, 5),
    }
    assert lock_key("a") == lock_key("a") and -(2**31) <= lock_key("b") < 2**31
