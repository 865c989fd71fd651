"""Pure rules: Permenkes 2/2020 boundaries, N/T, episodes, life cycle, ANC, screening, schedule."""

from __future__ import annotations

from datetime import date

import pytest

from simpul_health.domain import categories
from simpul_health.domain.growth import PreviousWeighing, assess_growth
from simpul_health.domain.immunisation import NATIONAL_SCHEDULE, completeness
from simpul_health.domain.indicators import required_weighings
from simpul_health.domain.lifecycle import life_cycle_group
from simpul_health.domain.measurement import EpisodeState, assess, episode_transition
from simpul_health.domain.pregnancy import MaternalObservation, risk_flags
from simpul_health.domain.screening import ScreeningInput, screening_flags
from simpul_platform.domain import RuleViolation
from simpul_platform.indicators import Period

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("z", "expected"),
    [
        (-3.01, "severely_stunted"),
        (-3.0, "stunted"),
        (-2.01, "stunted"),
        (-2.0, "normal"),
        (3.0, "normal"),
        (3.01, "tall"),
        (None, None),
    ],
)
def test_height_for_age_boundaries(z, expected):
    assert categories.height_for_age(z) == expected


@pytest.mark.parametrize(
    ("z", "expected"),
    [
        (-3.01, "severely_underweight"),
        (-3.0, "underweight"),
        (-2.0, "normal"),
        (1.0, "normal"),
        (1.01, "risk_of_overweight"),
    ],
)
def test_weight_for_age_boundaries(z, expected):
    assert categories.weight_for_age(z) == expected


@pytest.mark.parametrize(
    ("z", "expected"),
    [
        (-3.01, "severely_wasted"),
        (-3.0, "wasted"),
        (-2.0, "normal"),
        (1.0, "normal"),
        (1.01, "risk_of_overweight"),
        (2.0, "risk_of_overweight"),
        (2.01, "overweight"),
        (3.0, "overweight"),
        (3.01, "obese"),
    ],
)
def test_weight_for_height_boundaries(z, expected):
    assert categories.weight_for_height(z) == expected


def test_every_category_has_an_indonesian_label():
    assert categories.LABELS["weight_for_height"]["severely_wasted"] == "gizi buruk"
    assert categories.LABELS["height_for_age"]["stunted"] == "pendek"


def test_growth_n_t_and_faltering():
    prev = PreviousWeighing(date(2025, 1, 5), 9.0, "T")
    assert assess_growth(date(2025, 2, 5), 400, 9.3, prev).growth == "N"  # +300 g ≥ 200 g
    result = assess_growth(date(2025, 2, 5), 400, 9.1, prev)
    assert (result.growth, result.faltering) == ("T", True)
    assert (
        assess_growth(
            date(2025, 2, 5), 400, 9.1, PreviousWeighing(date(2025, 1, 5), 9.0, "N")
        ).faltering
        is False
    )
    assert assess_growth(date(2025, 4, 5), 400, 9.1, prev).growth is None  # no weighing last month
    assert assess_growth(date(2025, 2, 5), 400, 9.1, None).growth is None


def assess_on(measured_on: date, **kw):
    values = dict(
        sex="M",
        birth_date=date(2023, 1, 1),
        measured_on=measured_on,
        today=date(2025, 6, 1),
        weight_kg=10.0,
        height_cm=80.0,
        position="standing",
        confirmed_implausible=False,
    )
    values.update(kw)
    return assess(**values)


@pytest.mark.parametrize(
    ("kwargs", "field", "rule"),
    [
        ({"measured_on": date(2025, 6, 2)}, "measured_on", "not_in_future"),
        ({"measured_on": date(2022, 12, 31)}, "measured_on", "measured_before_birth"),
        (
            {"measured_on": date(2025, 6, 1), "birth_date": date(2020, 1, 1)},
            "measured_on",
            "age_over_60_months",
        ),
        ({"measured_on": date(2025, 1, 2), "height_cm": 50.0}, "height_cm", "implausible_haz"),
        (
            {"measured_on": date(2025, 1, 2), "weight_kg": 35.0, "height_cm": None},
            "weight_kg",
            "implausible_waz",
        ),
    ],
)
def test_measurement_rejections(kwargs, field, rule):
    measured_on = kwargs.pop("measured_on")
    with pytest.raises(RuleViolation) as caught:
        assess_on(measured_on, **kwargs)
    assert (caught.value.field, caught.value.rule) == (field, rule)


def test_confirmed_implausible_is_accepted():
    result = assess_on(date(2025, 1, 2), height_cm=50.0, confirmed_implausible=True)
    assert result.height_for_age == "severely_stunted"


def test_default_position_follows_age():
    assert assess_on(date(2024, 6, 1)).position == "standing"  # explicit
    young = assess_on(date(2024, 6, 1), position=None)
    assert young.position == "recumbent"


def test_episode_transitions():
    assert episode_transition(None, -2.5) == "open"
    assert episode_transition(None, -1.0) is None
    assert episode_transition(EpisodeState("stunted"), -2.5) is None
    assert episode_transition(EpisodeState("stunted"), -3.2) == "escalate"
    assert episode_transition(EpisodeState("severely_stunted"), -3.5) is None
    assert episode_transition(EpisodeState("severely_stunted"), -2.0) == "close"
    assert episode_transition(EpisodeState("stunted"), None) is None


def test_life_cycle_groups():
    on = date(2025, 6, 1)
    assert life_cycle_group(date(2020, 6, 2), on) == "bayi_balita"
    assert life_cycle_group(date(2020, 6, 1), on) == "anak_prasekolah"
    assert life_cycle_group(date(2018, 1, 1), on) == "usia_sekolah"
    assert life_cycle_group(date(2012, 1, 1), on) == "remaja"
    assert life_cycle_group(date(1990, 1, 1), on) == "usia_produktif"
    assert life_cycle_group(date(1965, 6, 1), on) == "lansia"
    assert life_cycle_group(date(1995, 1, 1), on, pregnant=True) == "ibu_hamil_nifas"
    assert (
        life_cycle_group(date(1995, 1, 1), on, delivered_on=date(2025, 5, 1)) == "ibu_hamil_nifas"
    )


def test_pregnancy_risk_flags():
    flags = risk_flags(MaternalObservation(age_years=18, lila_cm=23.4, hb_g_dl=10.9, systolic=140))
    assert flags == ["kek", "anaemia", "hypertension", "age_risk"]
    assert risk_flags(MaternalObservation(age_years=25, lila_cm=23.5, hb_g_dl=11.0)) == []


def test_screening_flags():
    s = ScreeningInput(
        45,
        "M",
        systolic=139,
        diastolic=90,
        glucose_mg_dl=126,
        glucose_kind="fasting",
        hb_g_dl=12.9,
        weight_kg=80,
        height_cm=170,
    )
    assert screening_flags(s) == ["hypertension", "diabetes", "anaemia", "obesity"]
    s = ScreeningInput(
        45,
        "F",
        systolic=130,
        diastolic=85,
        glucose_mg_dl=199,
        glucose_kind="random",
        hb_g_dl=12.0,
        weight_kg=60,
        height_cm=160,
    )
    assert screening_flags(s) == []
    assert screening_flags(ScreeningInput(13, "M", hb_g_dl=11.9)) == ["anaemia"]


def test_immunisation_completeness_by_age():
    birth = date(2025, 1, 1)
    given = {("HB0", 1), ("BCG", 1), ("OPV", 1)}
    at_40_days = completeness(NATIONAL_SCHEDULE, birth, date(2025, 2, 10), given)
    assert at_40_days.complete_for_age and not at_40_days.idl
    at_70_days = completeness(NATIONAL_SCHEDULE, birth, date(2025, 3, 12), given)
    assert not at_70_days.complete_for_age
    assert {(d.antigen, d.dose) for d in at_70_days.missing} == {
        ("DPT-HB-Hib", 1),
        ("OPV", 2),
        ("PCV", 1),
        ("RV", 1),
    }


def test_weighings_required_are_pro_rated_by_period_length():
    q = Period.parse("2025-Q3")
    assert (q.start, q.end, q.months) == (date(2025, 7, 1), date(2025, 9, 30), 3)
    assert Period.parse("2025").months == 12
    assert (required_weighings(Period.parse("2025")), required_weighings(q)) == (8, 2)
    assert required_weighings(Period.parse("2025-03")) == 1
