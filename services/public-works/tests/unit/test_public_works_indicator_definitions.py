"""The indicators' reference definitions: a household counted by its survey in force at the
month's end and weighted by its occupants, households known once by pseudonym, issues open,
overdue at their step (on the boundary days) and done in the year to date."""

from __future__ import annotations

from datetime import date

import pytest

from simpul_public_works.domain import indicators as d
from simpul_public_works.domain.issues import OverdueThresholds

pytestmark = pytest.mark.unit

RULES = OverdueThresholds()
OCTOBER, DECEMBER = date(2026, 10, 1), date(2026, 12, 1)


def survey(
    on: date, occupants: int, *, basic: bool, level: str = "layak_sendiri", n: int = 0
) -> d.SurveyFact:
    return d.SurveyFact(on, n, occupants, "aman" if basic else "tidak_layak", level, basic,
                        "spald_s" if level != "babs" else None)  # fmt: skip


def test_a_household_counts_with_the_survey_in_force_at_the_months_end() -> None:
    h1 = d.HouseholdFact(
        "r1",
        date(2026, 11, 20),
        (survey(date(2026, 11, 15), 6, basic=False, level="babs", n=1),
         survey(date(2026, 3, 2), 5, basic=True, n=2)),
    )  # fmt: skip
    h2 = d.HouseholdFact("r2", date(2026, 11, 20), (survey(date(2026, 11, 20), 3, basic=False),))
    known_elsewhere = d.HouseholdFact("r1", date(2026, 2, 1))  # the same household, once
    october = d.household_counts([h1, h2, known_elsewhere], OCTOBER)
    assert october[d.HOUSEHOLDS] == (1, 1)
    assert october[d.COVERAGE] == (1, 1)
    assert october[d.BASIC_WATER] == (5, 5) and october[d.WASTEWATER] == (5, 5)
    december = d.household_counts([h1, h2, known_elsewhere], DECEMBER)
    assert december[d.HOUSEHOLDS] == (2, 2)
    assert december[d.BASIC_WATER] == (0, 9)
    assert december[d.WASTEWATER] == (3, 9)
    assert december[d.BABS] == (1, 2) and december[d.SANITATION_LAYAK] == (1, 2)
    assert december[d.BASIC_WATER_HOUSEHOLDS] == (0, 2)


def test_of_one_date_the_later_recorded_survey_counts() -> None:
    first = survey(date(2026, 5, 1), 4, basic=True, n=1)
    second = survey(date(2026, 5, 1), 7, basic=False, n=2)
    assert d.latest_survey([second, first], date(2026, 5, 31)) == second


@pytest.mark.parametrize(
    ("issue", "on", "overdue"),
    [
        (d.IssueFact(date(2026, 10, 1)), date(2026, 10, 15), False),  # 14 days: not yet
        (d.IssueFact(date(2026, 10, 1)), date(2026, 10, 16), True),
        (d.IssueFact(date(2026, 6, 1), triaged_on=date(2026, 6, 2)), date(2026, 8, 1), False),
        (d.IssueFact(date(2026, 6, 1), triaged_on=date(2026, 6, 2)), date(2026, 8, 2), True),
        # forwarded later: counted from the forwarding
        (d.IssueFact(date(2026, 6, 1), date(2026, 6, 2), date(2026, 7, 1)), date(2026, 8, 2),
         False),
        # a step not yet taken on the day does not count
        (d.IssueFact(date(2026, 6, 1), triaged_on=date(2026, 9, 1)), date(2026, 7, 1), True),
        (d.IssueFact(date(2025, 6, 1), date(2025, 6, 2), None, date(2025, 7, 1), 2026),
         date(2026, 12, 31), False),
        (d.IssueFact(date(2025, 6, 1), date(2025, 6, 2), None, date(2025, 7, 1), 2026),
         date(2027, 1, 1), True),
        (d.IssueFact(date(2026, 1, 1), done_on=date(2026, 1, 5)), date(2026, 6, 1), False),
    ],
)  # fmt: skip
def test_an_issue_is_overdue_at_its_step(issue: d.IssueFact, on: date, overdue: bool) -> None:
    assert d.overdue_on(issue, on, RULES) is overdue


def test_issues_open_and_done_in_the_year_duplicates_once() -> None:
    issues = [
        d.IssueFact(date(2026, 9, 1)),
        d.IssueFact(date(2026, 9, 2), duplicate_of="first"),
        d.IssueFact(date(2025, 3, 1), done_on=date(2025, 12, 1)),  # done last year
        d.IssueFact(date(2026, 3, 1), done_on=date(2026, 11, 10)),
        d.IssueFact(date(2026, 2, 1), declined_on=date(2026, 2, 10)),
    ]
    assert d.issue_counts(issues, OCTOBER, RULES) == {
        d.ISSUES_OPEN: (2, 2),
        d.ISSUES_OVERDUE: (2, 2),
        d.ISSUES_DONE: (0, 2),
    }
    assert d.issue_counts(issues, DECEMBER, RULES)[d.ISSUES_DONE] == (1, 2)


def test_the_basis_changes_with_the_overdue_rules() -> None:
    assert d.basis(RULES) != d.basis(OverdueThresholds(reported_days=7))
