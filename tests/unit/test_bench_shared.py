"""The benchmarks' shared pieces that need no database: the lines they print (a run's output is
compared across runs and quoted in bench/PERFORMANCE.md, so its format is kept) and the
seeded draws (one seed, the same rows every run)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table

from bench.batch_timing import Pass, show_pass
from bench.bulk_load import REPLICA_COLUMNS, field_tables, model_tables
from bench.common import Report
from bench.indicator_timing import brief, show_times
from bench.seeded_rows import at_nine, desa_odds, draw_day, draw_id, spread

pytestmark = pytest.mark.unit

PLACES = [("p1", "64.02.06.2001"), ("p2", "64.02.06.2002"), ("p3", "64.02.06.2001")]


def printed(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return capsys.readouterr().out.splitlines()[1:]  # after Report's own first line


def test_a_pass_prints_its_counts_and_its_rate_beside_the_target(
    capsys: pytest.CaptureFixture[str],
) -> None:
    report = Report("census")
    counts = {"created": 1500, "status_recorded": 500, "unchanged": 0, "errors": 0}
    done = Pass(timings=[0.5, 0.25, 0.25], cpu=1.0, counts=counts)
    show_pass(report, "first census", done, 3000.0, ", 7 ATS cases opened")
    assert printed(capsys) == [
        "  - first census: 1,500 created, 500 status recorded, 0 unchanged, 0 errors, 7 ATS "
        "cases opened; median 250 ms per request; 2,000 items per CPU-second of the app's "
        "process",
        f"  {'first census':<52} {'2,000.0':>12} items/s   target ≥ 3,000: MISSED",
    ]


def test_read_times_print_three_percentiles_and_the_p99_beside_the_target(
    capsys: pytest.CaptureFixture[str],
) -> None:
    report = Report("reads")
    show_times(report, "2026 warm", [float(ms) for ms in range(1, 101)], True)
    show_times(report, "2026 cold", [60.0], False)
    assert printed(capsys) == [
        f"  {'2026 warm p50 (n=100)':<52} {'50.0':>12} ms",
        f"  {'2026 warm p95 (n=100)':<52} {'95.0':>12} ms",
        f"  {'2026 warm p99 (n=100)':<52} {'99.0':>12} ms   target p99 ≤ 50 ms: MISSED",
        f"  {'2026 cold p50 (n=1)':<52} {'60.0':>12} ms",
        f"  {'2026 cold p95 (n=1)':<52} {'60.0':>12} ms",
        f"  {'2026 cold p99 (n=1)':<52} {'60.0':>12} ms",
    ]


def test_an_answer_in_brief_names_each_indicator_by_its_last_code_part() -> None:
    answer = [
        {"code": "housing.rlh_pupr", "numerator": 5080, "denominator": 6845},
        {"code": "referrals_resolved_in_time", "numerator": 0, "denominator": 0},
    ]
    assert brief(answer) == "rlh_pupr 5,080/6,845, referrals_resolved_in_time 0/0"


def test_one_seed_draws_the_same_values() -> None:
    def draws(seed: int) -> tuple[object, ...]:
        rng = random.Random(seed)
        odds = desa_odds(rng, PLACES, 0.05, 0.5)
        return draw_id(rng), draw_day(rng, date(2026, 1, 1), date(2026, 12, 31)), odds

    assert draws(7) == draws(7)
    assert draws(7) != draws(8)
    _, day, odds = draws(7)
    assert date(2026, 1, 1) <= day <= date(2026, 12, 31)
    assert set(odds) == {"64.02.06.2001", "64.02.06.2002"}
    assert all(0.05 <= p <= 0.5 for p in odds.values())


def test_a_day_before_the_first_is_the_first() -> None:
    assert draw_day(random.Random(1), date(2026, 5, 2), date(2026, 5, 1)) == date(2026, 5, 2)
    assert at_nine(date(2026, 5, 2)) == datetime(2026, 5, 2, 9, tzinfo=UTC)


def test_records_are_spread_over_the_posyandu_in_turn() -> None:
    assert list(spread(PLACES, 4)) == [
        (0, "p1", "64.02.06.2001"),
        (1, "p2", "64.02.06.2002"),
        (2, "p3", "64.02.06.2001"),
        (3, "p1", "64.02.06.2001"),
    ]


def test_rows_become_their_models_columns_after_the_replica() -> None:
    metadata = MetaData()
    Table(
        "house", metadata, Column("id", String), Column("occupants", Integer), Column("rt", String)
    )
    rows = {"house": [{"id": "h1", "occupants": 4, "unknown": "dropped"}]}
    assert model_tables(metadata, rows) == {"house": (["id", "occupants", "rt"], [("h1", 4, None)])}
    tables = field_tables("housing", PLACES[:1], metadata, rows)
    assert list(tables) == ["posyandu_replica", "house"]
    columns, replica = tables["posyandu_replica"]
    assert columns == REPLICA_COLUMNS
    assert replica[0][:7] == (
        "p1", "Posyandu p1", "64.02.06.2001", "64.02.06", "64.02", "registered", "housing"
    )  # fmt: skip
