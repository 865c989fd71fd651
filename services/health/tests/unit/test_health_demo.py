"""The demo generator: deterministic, realistic spread (about 15% stunted)."""

from __future__ import annotations

import random
from datetime import date

import pytest

from simpul_health.demo import monthly_measurements
from simpul_health.domain.measurement import assess
from simpul_platform.devstack.population import generate_balita, month_ends

pytestmark = pytest.mark.unit


def test_generator_is_deterministic_and_about_15_percent_stunted():
    posyandu = [(f"p{i}", "64.02.06.2012") for i in range(40)]
    end = date(2025, 12, 31)
    first = generate_balita(posyandu, per_posyandu=20, end=end)
    again = generate_balita(posyandu, per_posyandu=20, end=end)
    assert [c.target["nik"] for c in first] == [c.target["nik"] for c in again]
    rng = random.Random(3)
    stunted = measured = 0
    for child in first:
        m = monthly_measurements(child, month_ends(1, end)[0], rng)
        if m is None:
            continue
        a = assess(
            sex=child.target["sex"],
            birth_date=child.target["birth_date"],
            measured_on=m.measured_on,
            today=end,
            weight_kg=m.weight_kg,
            height_cm=m.height_cm,
            position=m.measure_position,
            confirmed_implausible=True,
        )
        measured += 1
        stunted += a.height_for_age in ("stunted", "severely_stunted")
    assert measured > 600 and 0.11 < stunted / measured < 0.20
