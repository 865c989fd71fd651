"""Pure parts of the gateway: the circuit breaker and the loci score."""

from __future__ import annotations

import time

import pytest

from simpul_gateway.schemas import LocusComponent
from simpul_gateway.upstream import Answer, CircuitBreaker, Status
from simpul_gateway.views.loci import FIELD_OF, _components, _rank, _score

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
    return LocusComponent(name=name, field=FIELD_OF[name], percent=percent, weight=weight)


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
    answers = {"health": stunting, "social": poverty}
    loci = _rank(_components(answers, weights), {"64.02.06.2001": "Desa A"})
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


STUNTING_20 = {
    "desa_code": "64.02.06.2001",
    "prevalence_percent": 20.0,
    "stunted": 2,
    "measured": 10,
}


def education_row(desa: str, *, children_5_6: int, paud: int, children_7_18: int, out: int) -> dict:
    def percent(part: int, whole: int) -> float | None:
        return round(100 * part / whole, 2) if whole else None

    return {
        "desa_code": desa,
        "children": children_5_6 + children_7_18,
        "children_5_6": children_5_6,
        "paud_5_6": paud,
        "paud_5_6_percent": percent(paud, children_5_6),
        "children_7_15": children_7_18,
        "dasar_7_15": children_7_18 - out,
        "dasar_7_15_percent": percent(children_7_18 - out, children_7_18),
        "children_7_18": children_7_18,
        "out_of_school_7_18": out,
        "out_of_school_percent": percent(out, children_7_18),
        "ats_open": out,
    }


def test_education_weighs_the_paud_gap_and_the_children_out_of_school():
    weights = {"stunting_prevalence": 0.6, "paud_gap_5_6": 0.2, "out_of_school_7_18": 0.2}
    stunting = Answer(Status.OK, data=[STUNTING_20])
    education = Answer(
        Status.OK,
        data=[education_row("64.02.06.2001", children_5_6=3, paud=1, children_7_18=20, out=5)],
    )
    (locus,) = _rank(_components({"health": stunting, "education": education}, weights), {})
    parts = {c.name: (c.field, c.percent, c.numerator, c.denominator) for c in locus.components}
    assert parts == {
        "stunting_prevalence": ("health", 20.0, 2, 10),
        "paud_gap_5_6": ("education", 66.67, 2, 3),  # 100 − 33.33: two of three not in PAUD
        "out_of_school_7_18": ("education", 25.0, 5, 20),
    }
    assert locus.complete
    assert locus.score == round((0.6 * 20.0 + 0.2 * 66.67 + 0.2 * 25.0) / 1.0, 2)


def test_a_field_in_play_that_reports_nothing_for_a_desa_leaves_its_components_missing():
    weights = {"stunting_prevalence": 0.6, "paud_gap_5_6": 0.2, "out_of_school_7_18": 0.2}
    stunting = Answer(Status.OK, data=[STUNTING_20])
    down = Answer(Status.UNAVAILABLE, detail="education failed (500)")
    (locus,) = _rank(_components({"health": stunting, "education": down}, weights), {})
    assert not locus.complete and locus.score == 20.0
    missing = {c.name: c.field for c in locus.components if c.percent is None}
    assert missing == {"paud_gap_5_6": "education", "out_of_school_7_18": "education"}
