"""A fire's rules: the times in order (each refusal naming its field), none in the future,
the status from the latest time, the response at exactly 15:00 and 15:01, missed; the WMK
at its radius."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from simpul_platform.domain import RuleViolation
from simpul_platform.geo import distance_m
from simpul_trantib.domain import fire, wmk

pytestmark = pytest.mark.unit

CALL = datetime(2026, 3, 2, 5, 5, tzinfo=UTC)
NOW = CALL + timedelta(hours=3)


def at(minutes: float) -> datetime:
    return CALL + timedelta(minutes=minutes)


def test_times_in_order_pass_and_equal_times_are_in_order() -> None:
    times = {
        "report_received_at": CALL,
        "dispatched_at": at(1),
        "turnout_at": at(1),
        "arrived_at": at(12),
        "extinguished_at": at(50),
    }
    fire.check_times(times, set(times), NOW)
    assert fire.status_of(times) == "extinguished"
    assert fire.status_of(times, closed=True) == "closed"
    assert fire.status_of({"report_received_at": CALL}) == "received"
    assert fire.status_of({"report_received_at": CALL, "turnout_at": at(2)}) == "en_route"


@pytest.mark.parametrize(
    ("kept", "given", "named"),
    [
        ({"dispatched_at": at(5)}, {"arrived_at": at(4)}, "arrived_at"),
        ({"arrived_at": at(5)}, {"dispatched_at": at(6)}, "dispatched_at"),
        ({}, {"dispatched_at": at(-1)}, "dispatched_at"),
        ({"controlled_at": at(30)}, {"extinguished_at": at(29)}, "extinguished_at"),
        ({}, {"turnout_at": at(3), "action_started_at": at(2)}, "action_started_at"),
        ({"arrived_at": at(10)}, {"action_started_at": at(9)}, "action_started_at"),
        ({"action_started_at": at(10)}, {"controlled_at": at(9)}, "controlled_at"),
        ({"arrived_at": at(10)}, {"turnout_at": at(11)}, "turnout_at"),
    ],
)
def test_a_time_out_of_order_is_refused_naming_its_field(
    kept: dict[str, datetime], given: dict[str, datetime], named: str
) -> None:
    times = {"report_received_at": CALL, **kept, **given}
    with pytest.raises(RuleViolation) as refused:
        fire.check_times(times, set(given), NOW)
    assert (refused.value.field, refused.value.rule) == (f"body.{named}", "out_of_order")


def test_a_time_in_the_future_is_refused() -> None:
    times = {"report_received_at": CALL, "arrived_at": NOW + timedelta(seconds=1)}
    with pytest.raises(RuleViolation) as refused:
        fire.check_times(times, {"arrived_at"}, NOW)
    assert (refused.value.field, refused.value.rule) == ("body.arrived_at", "in_future")
    fire.check_times({"report_received_at": NOW}, {"report_received_at"}, NOW)  # now is not


@pytest.mark.parametrize(
    ("after", "seconds", "met"),
    [
        (timedelta(minutes=15), 900, True),
        (timedelta(minutes=15, seconds=1), 901, False),
        (timedelta(minutes=15, milliseconds=1), 901, False),  # a part second counts
        (timedelta(minutes=3), 180, True),
    ],
)
def test_response_at_exactly_fifteen_minutes_is_met(
    after: timedelta, seconds: int, met: bool
) -> None:
    got = fire.response_seconds(CALL, CALL + after)
    assert got == seconds
    assert fire.response_met(got, 15) is met


def test_missed_without_arrival_once_the_limit_is_past() -> None:
    assert fire.response_seconds(CALL, None) is None
    assert fire.response_met(None, 15) is None
    assert not fire.missed(CALL, None, None, at(15), 15)
    assert fire.missed(CALL, None, None, at(15.1), 15)
    assert fire.missed(CALL, at(16), False, at(20), 15)
    assert not fire.missed(CALL, at(14), True, at(200), 15)


def test_displaced_by_heavy_damage_or_loss() -> None:
    assert [fire.displaced(d) for d in ("rr", "rs", "rb", "hilang")] == [False, False, True, True]


POST = wmk.Post("p1", -0.42, 116.98)


def at_distance(metres: float) -> float:
    """A latitude due south of the post whose distance is the largest not over ``metres``."""
    low, high = 0.0, 1.0
    for _ in range(200):
        middle = (low + high) / 2
        if distance_m(POST.latitude, POST.longitude, POST.latitude - middle, POST.longitude) <= (
            metres
        ):
            low = middle
        else:
            high = middle
    return POST.latitude - low


def test_the_wmk_radius_is_inside_and_past_it_outside() -> None:
    edge = at_distance(7500)
    inside = wmk.coverage(edge, POST.longitude, [POST], 7.5)
    assert inside == wmk.Coverage("p1", 7.5, True)
    past = wmk.coverage(at_distance(7501), POST.longitude, [POST], 7.5)
    assert (past.post_id, past.inside_wmk) == ("p1", False)
    assert wmk.coverage(edge, POST.longitude, [], 7.5) == wmk.OUTSIDE


def test_the_nearest_active_post_is_taken() -> None:
    far = wmk.Post("p2", -0.30, 117.10)
    near = wmk.Post("p3", -0.43, 116.99)
    got = wmk.coverages({"64.02.06.2012": (-0.431, 116.991)}, [far, near], 7.5)
    assert got["64.02.06.2012"].post_id == "p3"
    assert got["64.02.06.2012"].inside_wmk


def test_a_time_before_2000_is_refused() -> None:
    times = {"report_received_at": datetime(1999, 12, 31, 23, tzinfo=UTC)}
    with pytest.raises(RuleViolation) as refused:
        fire.check_times(times, set(times), NOW)
    assert (refused.value.field, refused.value.rule) == ("body.report_received_at", "too_early")
