"""Pure parts of the gateway: the circuit breaker and the loci score."""

from __future__ import annotations

import time

import pytest

from simpul_gateway.schemas import LocusComponent
from simpul_gateway.upstream import Answer, CircuitBreaker, Status
from simpul_gateway.views.loci import _components, _rank, _score

pytestmark = pytest.mark.unit


def test_breaker_opens_after_consecutive_failures_and_half_opens_after_reset():
    breaker = CircuitBreaker(failures_to_open=3, reset_after_s=0.05)
    for _ in range(2):
        breaker.record(False)
    assert breaker.allows() and breaker.state == "closed"
    breaker.record(False)
    assert not breaker.allows() and breaker.state == "open"
    time.sleep(0.06)
    assert breaker.allows() and breaker.state == "half_open"
    breaker.record(True)
    assert breaker.state == "closed" and breaker.failures == 0


def test_a_success_resets_the_failure_count():
    breaker = CircuitBreaker(failures_to_open=2, reset_after_s=60)
    breaker.record(False)
    breaker.record(True)
    breaker.record(False)
    assert breaker.allows()


def component(name: str, percent: float | None, weight: float) -> LocusComponent:
    field = "health" if name.startswith("stunting") else "social"
    return LocusComponent(name=name, field=field, percent=percent, weight=weight)


def test_score_is_the_weighted_mean_of_known_components():
    score, complete = _score(
        [component("stunting_prevalence", 30.0, 0.6), component("poverty_deciles_1_4", 50.0, 0.4)]
    )
    assert (score, complete) == (38.0, True)
    partial, complete = _score(
        [component("stunting_prevalence", 30.0, 0.6), component("poverty_deciles_1_4", None, 0.4)]
    )
    assert (partial, complete) == (30.0, False)


def test_complete_loci_rank_before_incomplete_ones_and_missing_components_show():
    weights = {"stunting_prevalence": 0.5, "poverty_deciles_1_4": 0.5}
    stunting = Answer(
        Status.OK,
        data=[
            {
                "desa_code": "64.02.06.2001",
                "prevalence_percent": 40.0,
                "stunted": 4,
                "measured": 10,
            },
            {
                "desa_code": "64.02.06.2002",
                "prevalence_percent": 10.0,
                "stunted": 1,
                "measured": 10,
            },
            {
                "desa_code": "64.02.06.2003",
                "prevalence_percent": 90.0,
                "stunted": 9,
                "measured": 10,
            },
        ],
    )
    poverty = Answer(
        Status.OK,
        data=[
            {
                "desa_code": "64.02.06.2001",
                "share_deciles_1_4": 20.0,
                "deciles_1_4": 2,
                "households_assessed": 10,
            },
            {
                "desa_code": "64.02.06.2002",
                "share_deciles_1_4": 80.0,
                "deciles_1_4": 8,
                "households_assessed": 10,
            },
        ],
    )
    loci = _rank(_components(stunting, poverty, weights), {"64.02.06.2001": "Desa A"})
    assert [(locus.code, locus.score, locus.complete) for locus in loci] == [
        ("64.02.06.2002", 45.0, True),
        ("64.02.06.2001", 30.0, True),
        ("64.02.06.2003", 90.0, False),
    ]
    assert loci[1].name == "Desa A"
    poverty_of_second = next(c for c in loci[0].components if c.name == "poverty_deciles_1_4")
    assert (poverty_of_second.numerator, poverty_of_second.denominator) == (8, 10)
    missing = [c for c in loci[2].components if c.percent is None]
    assert [c.name for c in missing] == ["poverty_deciles_1_4"]
