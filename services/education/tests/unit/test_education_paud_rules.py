"""PAUD-HI's pure rules: a PAUD enrolment's age group and dates, the months a mark may be set
for, when an enrolment also records the status paud, BKB families and their active days, and
a literacy session's counts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from simpul_education.domain.literacy import Participants, check_range, check_session
from simpul_education.domain.paud import (
    OPENSID_KATEGORI_USIA,
    OPENSID_MARK,
    age_group,
    attendance_sheet,
    bkb_active,
    check_attendance_month,
    check_enrolment,
    check_leaving,
    has_young_child,
    records_status,
    same_unit,
)
from simpul_platform.domain import RuleViolation

pytestmark = pytest.mark.unit
TODAY = date(2026, 3, 2)
BORN = date(2022, 7, 12)  # 3 years old on TODAY


def _rule(call: Callable[[], object]) -> tuple[str, str]:
    with pytest.raises(RuleViolation) as raised:
        call()
    return raised.value.field, raised.value.rule


@pytest.mark.parametrize(
    ("on", "group"),
    [
        (date(2022, 7, 12), "under_2"),
        (date(2024, 7, 11), "under_2"),
        (date(2024, 7, 12), "2_to_3"),
        (date(2025, 7, 11), "2_to_3"),
        (date(2025, 7, 12), "3_to_6"),
        (date(2029, 7, 11), "3_to_6"),
    ],
)
def test_the_age_group_follows_completed_years(on: date, group: str) -> None:
    assert age_group(BORN, on) == group


def test_the_groups_carry_opensids_codes() -> None:
    assert OPENSID_KATEGORI_USIA == {"under_2": None, "2_to_3": 1, "3_to_6": 2}
    assert OPENSID_MARK == {None: 1, "attended": 2, "not_attended": 3}


def test_an_enrolment_derives_or_checks_its_age_group() -> None:
    assert check_enrolment(BORN, date(2026, 1, 12), 2026, TODAY) == "3_to_6"
    assert check_enrolment(BORN, date(2026, 1, 12), 2026, TODAY, "3_to_6") == "3_to_6"
    assert _rule(lambda: check_enrolment(BORN, date(2026, 1, 12), 2026, TODAY, "2_to_3")) == (
        "body.age_group",
        "age_group_mismatch",
    )


@pytest.mark.parametrize(
    ("born", "enrolled_on", "year", "where", "rule"),
    [
        (BORN, date(2026, 3, 3), 2026, "body.enrolled_on", "not_in_future"),
        (BORN, date(2025, 12, 30), 2026, "body.enrolled_on", "enrolled_on_outside_year"),
        (date(2026, 2, 1), date(2026, 1, 20), 2026, "body.enrolled_on", "before_birth"),
        (date(2019, 3, 1), date(2026, 3, 1), 2026, "body.child_id", "paud_age"),
    ],
)
def test_an_enrolment_breaking_a_rule_names_field_and_rule(
    born: date, enrolled_on: date, year: int, where: str, rule: str
) -> None:
    assert _rule(lambda: check_enrolment(born, enrolled_on, year, TODAY)) == (where, rule)


def test_a_child_of_six_may_enrol_until_the_seventh_birthday() -> None:
    assert check_enrolment(date(2019, 3, 2), date(2026, 3, 1), 2026, TODAY) == "3_to_6"


def test_a_mark_is_for_a_begun_month_from_the_enrolments_on() -> None:
    check_attendance_month(2026, 1, date(2026, 1, 12), TODAY)
    check_attendance_month(2026, 3, date(2026, 1, 12), TODAY)
    check_attendance_month(2025, 12, date(2025, 8, 1), TODAY)
    check_attendance_month(2026, 2, date(2026, 2, 3), date(2026, 2, 3))  # the month begun
    assert _rule(lambda: check_attendance_month(2026, 1, date(2026, 2, 3), TODAY)) == (
        "path.month",
        "before_enrolment",
    )
    assert _rule(lambda: check_attendance_month(2026, 4, date(2026, 1, 12), TODAY)) == (
        "path.month",
        "month_in_future",
    )
    assert _rule(lambda: check_attendance_month(2026, 13, date(2026, 1, 12), TODAY)) == (
        "path.month",
        "month_out_of_range",
    )


def test_the_sheet_has_twelve_months_unmarked_ones_empty() -> None:
    sheet = attendance_sheet({1: "attended", 3: "not_attended"})
    assert len(sheet) == 12 and sheet[:4] == ["attended", None, "not_attended", None]


def test_a_unit_is_the_same_by_npsn_or_else_by_name() -> None:
    assert same_unit("KB Mawar", "69912345", "Kelompok Bermain Mawar", "69912345")
    assert not same_unit("KB Mawar", "69912345", "KB Mawar", "69900000")
    assert same_unit(" kb mawar ", None, "KB Mawar", "69912345")
    assert not same_unit("KB Mawar", None, "TK Melati", None)


@pytest.mark.parametrize(
    ("current", "current_unit", "enrolled_on", "records"),
    [
        ((None, None), (None, None), date(2026, 1, 12), True),
        (("not_school_age", date(2025, 8, 1)), (None, None), date(2026, 1, 12), True),
        (("paud", date(2026, 1, 12)), ("KB Mawar", None), date(2026, 1, 12), False),
        (("paud", date(2026, 2, 1)), ("KB Mawar", None), date(2026, 1, 12), False),
        (("paud", date(2025, 1, 6)), ("KB Mawar", None), date(2026, 1, 12), True),
        (("paud", date(2026, 1, 12)), ("TK Melati", None), date(2026, 1, 12), True),
        (("not_school_age", date(2026, 2, 1)), (None, None), date(2026, 1, 12), False),
    ],
)
def test_an_enrolment_records_paud_unless_the_history_says_so_or_moved_on(
    current: tuple[str | None, date | None],
    current_unit: tuple[str | None, str | None],
    enrolled_on: date,
    records: bool,
) -> None:
    assert records_status(current, current_unit, ("KB Mawar", None), enrolled_on) is records


def test_a_bkb_family_has_a_child_of_zero_to_six_that_day() -> None:
    on = date(2026, 3, 2)
    assert has_young_child([date(2010, 1, 1), date(2020, 1, 1)], on)
    assert not has_young_child([date(2010, 1, 1), date(2019, 3, 1)], on)
    assert not has_young_child([date(2026, 4, 1)], on)  # not yet born then
    assert not has_young_child([], on)


def test_a_membership_is_active_from_joining_until_the_leaving_day() -> None:
    joined = date(2026, 1, 5)
    assert not bkb_active(joined, None, date(2026, 1, 4))
    assert bkb_active(joined, None, joined) and bkb_active(joined, None, date(2030, 1, 1))
    assert bkb_active(joined, date(2026, 2, 1), date(2026, 1, 31))
    assert not bkb_active(joined, date(2026, 2, 1), date(2026, 2, 1))


def test_leaving_comes_after_joining_and_has_come() -> None:
    check_leaving(date(2026, 1, 5), date(2026, 1, 5), TODAY)
    assert _rule(lambda: check_leaving(date(2026, 1, 5), date(2026, 1, 4), TODAY)) == (
        "body.left_on",
        "before_joining",
    )
    assert _rule(lambda: check_leaving(date(2026, 1, 5), date(2026, 3, 3), TODAY)) == (
        "body.left_on",
        "not_in_future",
    )


def test_a_literacy_session_had_someone_at_it_and_has_been_held() -> None:
    check_session(date(2026, 3, 2), Participants(0, 0, 0, 1), TODAY)
    assert Participants(3, 2, 1, 4).total == 10
    assert _rule(lambda: check_session(date(2026, 3, 2), Participants(0, 0, 0, 0), TODAY)) == (
        "body.participants",
        "no_participants",
    )
    assert _rule(lambda: check_session(date(2026, 3, 2), Participants(1, -1, 0, 0), TODAY)) == (
        "body.participants.age_7_12",
        "negative_count",
    )
    assert _rule(lambda: check_session(date(2026, 3, 3), Participants(1, 0, 0, 0), TODAY)) == (
        "body.held_on",
        "not_in_future",
    )


def test_a_date_range_does_not_end_before_it_starts() -> None:
    check_range(date(2026, 1, 1), date(2026, 1, 1))
    check_range(None, date(2026, 1, 1))
    assert _rule(lambda: check_range(date(2026, 2, 1), date(2026, 1, 31))) == (
        "query.held_to",
        "range_reversed",
    )
