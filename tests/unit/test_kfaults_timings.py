"""The cluster faults' timings from timestamps (bench/cluster_faults.py): the longest gap
between successive moments, and the publication stall, which counts only the part of a
silence during which an event was waiting in the outbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bench.cluster_faults import longest_gap, publication_stall

pytestmark = pytest.mark.unit

T0 = datetime(2026, 12, 7, 4, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_longest_gap_is_the_widest_step_between_sorted_moments() -> None:
    assert longest_gap([at(0), at(0.5), at(4.5), at(5)]) == 4.0
    assert longest_gap([at(1)]) == 0.0
    assert longest_gap([]) == 0.0


def test_a_silence_with_an_event_waiting_throughout_counts_whole() -> None:
    # (created, sent): the second row waited from 0.2 s while nothing went out until 9 s
    rows = [(at(0), at(0.1)), (at(0.2), at(9.0)), (at(8.9), at(9.0))]
    assert publication_stall(rows) == pytest.approx(8.8)


def test_a_silence_with_nothing_to_publish_is_no_stall() -> None:
    # nothing was written between 1 s and 7.9 s: the relay had nothing to send
    rows = [(at(0.9), at(1.0)), (at(7.9), at(8.0)), (at(8.0), at(8.05))]
    assert publication_stall(rows) == pytest.approx(0.1)


def test_rows_published_in_one_round_are_one_moment() -> None:
    rows = [(at(0), at(1)), (at(0.5), at(1)), (at(0.9), at(1))]
    assert publication_stall(rows) == 0.0
    assert publication_stall([]) == 0.0
