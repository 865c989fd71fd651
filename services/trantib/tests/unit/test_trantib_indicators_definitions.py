"""The SPM trantibumlinmas definitions (``domain.indicators``): a fire's month by its local
date, the response at 15:00 and 15:01, a fire with no arrival, the public-order formulas, the
periods made of kept months, a disaster's overlap with a scope and the reach capped per zone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from simpul_platform.indicators import Period
from simpul_trantib.domain import indicators as d

pytestmark = pytest.mark.unit

WITA = ZoneInfo("Asia/Makassar")


def fire(at: datetime, inside: bool = True, met: bool | None = True) -> d.FireFact:
    return d.FireFact(at, inside, met)


def test_a_fire_counts_in_the_month_of_its_reports_local_date() -> None:
    fires = [
        fire(datetime(2026, 3, 31, 16, 30, tzinfo=UTC)),  # 1 April 00:30 WITA
        fire(datetime(2026, 3, 31, 15, 30, tzinfo=UTC)),  # 31 March 23:30 WITA
    ]
    assert d.fire_counts(fires, date(2026, 3, 1), WITA)[d.FIRES] == (1, 1)
    assert d.fire_counts(fires, date(2026, 4, 1), WITA)[d.FIRES] == (1, 1)
    assert d.fire_counts(fires, date(2026, 4, 1), WITA)[d.FIRES + d.YTD] == (2, 2)


def test_met_inside_and_overall_a_fire_without_arrival_not_met() -> None:
    at = datetime(2026, 3, 10, 2, tzinfo=UTC)
    fires = [
        fire(at, inside=True, met=True),  # arrival at 15:00
        fire(at, inside=True, met=False),  # arrival at 15:01
        fire(at, inside=True, met=None),  # no arrival
        fire(at, inside=False, met=True),
    ]
    counts = d.fire_counts(fires, date(2026, 3, 1), WITA)
    assert counts[d.FIRES_WMK] == (1, 3)
    assert counts[d.FIRES] == (2, 4)


def test_public_order_both_formulas_served_at_most_the_affected() -> None:
    reports = [
        d.OrderFact(date(2026, 3, 1), date(2026, 3, 20), 10, 8),
        d.OrderFact(date(2026, 2, 10), date(2026, 3, 5), 5, 7),  # served capped at 5
        d.OrderFact(date(2026, 3, 25)),  # open
        d.OrderFact(date(2026, 4, 2), date(2026, 4, 10), 4, None),
    ]
    march = d.order_counts(reports, date(2026, 3, 1))
    assert march[d.ORDER_CITIZENS] == (13, 15)
    assert march[d.ORDER_REPORTS] == (2, 2)  # closed R1, R2 ÷ opened R1, R3
    april = d.order_counts(reports, date(2026, 4, 1))
    assert april[d.ORDER_CITIZENS] == (0, 4)
    assert april[d.ORDER_CITIZENS + d.YTD] == (13, 19)
    assert april[d.ORDER_REPORTS + d.YTD] == (3, 4)


def test_periods_are_made_of_kept_months() -> None:
    today = date(2026, 8, 15)
    assert d.reads(Period.parse("2026-03"), today) == d.Reads(date(2026, 3, 1), "")
    assert d.reads(Period.parse("2026"), today) == d.Reads(date(2026, 8, 1), d.YTD)
    assert d.reads(Period.parse("2025"), today) == d.Reads(date(2025, 12, 1), d.YTD)
    assert d.reads(Period.parse("2026-Q1"), today) == d.Reads(date(2026, 3, 1), d.YTD)
    assert d.reads(Period.parse("2026-Q2"), today) == d.Reads(
        date(2026, 6, 1), d.YTD, date(2026, 3, 1)
    )
    assert d.reads(Period.parse("2026-Q4"), today).month is None  # not begun


def test_a_quarter_is_its_end_less_the_year_before_it() -> None:
    at_end = {d.FIRES + d.YTD: (5, 7), d.ORDER_REPORTS + d.YTD: (3, 4)}
    before = {d.FIRES + d.YTD: (3, 4)}
    counts = d.combined(at_end, before, d.YTD)
    assert counts[d.FIRES] == (2, 3)
    assert counts[d.ORDER_REPORTS] == (3, 4)
    assert counts[d.FIRES_WMK] == (0, 0)


def test_a_disaster_overlaps_a_scope_by_its_desa_else_its_wilayah() -> None:
    listed = ("64.02.06", ["64.02.06.2012", "64.02.06.2001"])
    assert d.overlaps(["64.02"], *listed)
    assert d.overlaps(["64.02.06.2012"], *listed)
    assert not d.overlaps(["64.02.06.1001"], *listed)  # a desa of the kecamatan not struck
    kecamatan_wide = ("64.02.06", [])
    assert d.overlaps(["64.02.06.1001"], *kecamatan_wide)
    assert not d.overlaps(["64.02.07"], *kecamatan_wide)
    assert d.overlaps(["*"], *kecamatan_wide)


def test_risk_reach_is_capped_per_zone() -> None:
    zones = [
        d.Zone("64.02.06.2012", "banjir", 300),
        d.Zone("64.02.06.2012", "tanah_longsor", 100),
        d.Zone("64.02.06.2001", "banjir", 150),
        d.Zone("64.02.06.2001", "banjir", 50),  # one zone in two rows
    ]
    reached = {("64.02.06.2012", "banjir"): 350, ("64.02.06.2001", "banjir"): 50}
    assert d.risk_reach(zones, reached) == (350, 600)
