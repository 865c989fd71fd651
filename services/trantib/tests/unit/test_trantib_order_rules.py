"""The public-order report's workflow and rules: the steps in order (reject only before
handling), the times (not in the future, reported on or after the day it happened, a step not
before the previous one), penegakan naming its regulation, never more served than affected;
and the categories as the referral catalogue's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest

from simpul_platform.domain import RuleViolation, TransitionRefused
from simpul_platform.referrals.catalogue import TRANTIB
from simpul_trantib.domain.order import (
    CATEGORIES,
    ORDER,
    REFERRAL_OUTCOME,
    allowed,
    check_handling,
    check_occurrence,
    check_step_date,
    last_step_on,
    next_status,
    served_counts,
)

pytestmark = pytest.mark.unit

NOW = datetime(2026, 3, 2, 4, 0, tzinfo=UTC)  # 12:00 WITA
TODAY = date(2026, 3, 2)


@dataclass
class Dates:
    reported_on: date
    verified_on: date | None = None
    handled_on: date | None = None
    served_on: date | None = None


def test_a_report_goes_reported_verified_handled_served_closed() -> None:
    status = next_status(None, "report")
    for action, expected in [
        ("verify", "verified"),
        ("handle", "handled"),
        ("serve", "served"),
        ("close", "closed"),
    ]:
        status = next_status(status, action)  # type: ignore[arg-type]
        assert status == expected
    assert ORDER.final == ("closed",)
    assert allowed("closed") == []


def test_reject_only_before_handling() -> None:
    assert allowed("reported") == ["verify", "reject"]
    assert allowed("verified") == ["handle", "reject"]
    assert next_status("verified", "reject") == "closed"
    with pytest.raises(TransitionRefused) as refused:
        next_status("handled", "reject")
    assert refused.value.details()["allowed"] == ["serve"]


def test_a_step_out_of_order_names_the_allowed_ones() -> None:
    with pytest.raises(TransitionRefused) as refused:
        next_status("reported", "serve")
    details = refused.value.details()
    assert details["current_status"] == "reported"
    assert details["allowed"] == ["verify", "reject"]
    with pytest.raises(TransitionRefused):
        next_status("served", "handle")


def test_the_categories_are_the_referral_catalogues() -> None:
    [detail] = TRANTIB.reason("disturbance_report").details
    assert tuple(detail.choices or ()) == CATEGORIES
    assert {code for code in REFERRAL_OUTCOME.values()} <= {o.code for o in TRANTIB.outcomes}


def test_a_disturbance_cannot_have_happened_yet() -> None:
    check_occurrence(NOW, TODAY, TODAY, NOW, TODAY)  # exactly now is fine
    with pytest.raises(RuleViolation) as broken:
        check_occurrence(NOW + timedelta(minutes=1), TODAY, TODAY, NOW, TODAY)
    assert (broken.value.field, broken.value.rule) == ("body.occurred_at", "not_in_future")


def test_a_report_is_dated_on_or_after_the_day_it_happened_and_not_after_today() -> None:
    earlier = NOW - timedelta(days=3)
    check_occurrence(earlier, date(2026, 2, 27), date(2026, 2, 27), NOW, TODAY)
    with pytest.raises(RuleViolation) as before:
        check_occurrence(earlier, date(2026, 2, 27), date(2026, 2, 26), NOW, TODAY)
    assert (before.value.field, before.value.rule) == ("body.reported_on", "before_occurrence")
    with pytest.raises(RuleViolation) as future:
        check_occurrence(earlier, date(2026, 2, 27), date(2026, 3, 3), NOW, TODAY)
    assert future.value.rule == "not_in_future"


def test_the_field_prefix_names_where_the_rule_broke() -> None:
    with pytest.raises(RuleViolation) as broken:
        check_occurrence(NOW + timedelta(hours=1), TODAY, TODAY, NOW, TODAY, prefix="note")
    assert broken.value.field == "note.occurred_at"


def test_a_step_is_not_before_the_previous_one_nor_in_the_future() -> None:
    report = Dates(reported_on=date(2026, 2, 20), verified_on=date(2026, 2, 25))
    assert last_step_on(report) == date(2026, 2, 25)
    check_step_date(date(2026, 2, 25), TODAY, last_step_on(report), "body.handled_on")
    with pytest.raises(RuleViolation) as before:
        check_step_date(date(2026, 2, 24), TODAY, last_step_on(report), "body.handled_on")
    assert (before.value.field, before.value.rule) == ("body.handled_on", "before_previous_step")
    with pytest.raises(RuleViolation) as future:
        check_step_date(date(2026, 3, 3), TODAY, last_step_on(report), "body.handled_on")
    assert future.value.rule == "not_in_future"


def test_penegakan_names_the_regulation_mediasi_need_not() -> None:
    check_handling("mediasi", None)
    check_handling("penegakan", "Perda Kukar 6/2019 tentang Ketertiban Umum")
    for blank in (None, "  "):
        with pytest.raises(RuleViolation) as broken:
            check_handling("penegakan", blank)
        assert (broken.value.field, broken.value.rule) == (
            "body.regulation",
            "regulation_required",
        )


def test_never_more_served_than_affected() -> None:
    assert served_counts(12, 12, None) == (12, 12)
    assert served_counts(None, 3, 5) == (5, 3)  # the count recorded when handled
    assert served_counts(7, 0, 5) == (7, 0)  # a count given now overrides it
    with pytest.raises(RuleViolation) as over:
        served_counts(4, 5, None)
    assert (over.value.field, over.value.rule) == (
        "body.citizens_served",
        "served_exceeds_affected",
    )
    with pytest.raises(RuleViolation) as missing:
        served_counts(None, 1, None)
    assert missing.value.rule == "affected_citizens_required"
