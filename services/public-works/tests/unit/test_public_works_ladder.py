"""The access ladder and the SPM's basic daily drinking water, derived from a survey's fields:
each level with the rule that decided it, on the boundaries (a protected well at exactly 10 m,
60 litres a person a day, a 30-minute fetch, a septic tank emptied 3 and 6 years ago)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from simpul_platform.domain import RuleViolation
from simpul_public_works.domain.ladder import Survey, Thresholds, check_survey, ladder

pytestmark = pytest.mark.unit

ON = date(2026, 3, 2)
# Piped water on the premises all day, E. coli negative, 80 l/p/d; an own goose-neck toilet
# into a septic tank emptied two years ago: the top of both ladders.
SAFE = Survey(
    water_source="ledeng",
    washing_source=None,
    distance_to_waste_m=None,
    on_premises=True,
    fetch_minutes=None,
    available_24h=True,
    litres_per_person_day=80.0,
    quality=[],
    e_coli="negatif",
    toilet_facility="sendiri",
    toilet_type="leher_angsa",
    faeces_disposal="tangki_septik",
    septic_emptied_on=date(2024, 3, 2),
    surveyed_on=ON,
)
WELL = replace(SAFE, water_source="sumur_terlindung", distance_to_waste_m=15.0)
RULES = Thresholds()


def test_the_top_of_both_ladders() -> None:
    found = ladder(SAFE, RULES)
    assert (found.water, found.water_rule) == ("aman", "on_premises_24h_no_e_coli")
    assert (found.sanitation, found.sanitation_rule) == ("aman", "septic_emptied_recently")
    assert (found.basic_water, found.basic_water_rules) == (True, [])
    assert found.wastewater_service == "spald_s"


@pytest.mark.parametrize(
    ("distance", "water", "rule", "basic"),
    [
        (10.01, "aman", "on_premises_24h_no_e_coli", []),
        (10.0, "tidak_layak", "ground_source_near_waste", ["near_waste_point"]),  # not more than
        (3.0, "tidak_layak", "ground_source_near_waste", ["near_waste_point"]),
    ],
)
def test_a_protected_well_must_be_more_than_ten_metres_from_a_waste_point(
    distance: float, water: str, rule: str, basic: list[str]
) -> None:
    found = ladder(replace(WELL, distance_to_waste_m=distance), RULES)
    assert (found.water, found.water_rule, found.basic_water_rules) == (water, rule, basic)


@pytest.mark.parametrize(
    ("litres", "failed"), [(60.0, []), (59.9, ["under_60_litres"]), (None, ["quantity_unknown"])]
)
def test_sixty_litres_a_person_a_day_is_basic(litres: float | None, failed: list[str]) -> None:
    found = ladder(replace(SAFE, litres_per_person_day=litres), RULES)
    assert (found.basic_water, found.basic_water_rules) == (not failed, failed)
    assert found.water == "aman"  # the ladder does not judge the quantity


@pytest.mark.parametrize(
    ("minutes", "level", "rule"),
    [
        (30, "layak_dasar", "improved_within_limit"),
        (31, "layak_terbatas", "fetch_over_limit"),
        (5, "layak_dasar", "improved_within_limit"),
    ],
)
def test_a_thirty_minute_round_trip_is_basic(minutes: int, level: str, rule: str) -> None:
    fetched = replace(SAFE, water_source="kran_umum", on_premises=False, fetch_minutes=minutes)
    found = ladder(fetched, RULES)
    assert (found.water, found.water_rule) == (level, rule)


@pytest.mark.parametrize(
    ("emptied", "level", "rule"),
    [
        (date(2023, 3, 2), "aman", "septic_emptied_recently"),  # 3 years ago
        (date(2021, 3, 2), "aman", "septic_emptied_recently"),  # exactly 5
        (date(2020, 3, 2), "layak_sendiri", "own_contained"),  # 6 years ago
        (None, "layak_sendiri", "own_contained"),  # never emptied
    ],
)
def test_a_septic_tank_emptied_within_five_years_is_safe(
    emptied: date | None, level: str, rule: str
) -> None:
    found = ladder(replace(SAFE, septic_emptied_on=emptied), RULES)
    assert (found.sanitation, found.sanitation_rule) == (level, rule)


@pytest.mark.parametrize(
    ("change", "water", "rule"),
    [
        ({"water_source": "air_permukaan"}, "tidak_ada_akses", "surface_water"),
        (
            {"water_source": "sumur_tidak_terlindung", "distance_to_waste_m": 20.0},
            "tidak_layak",
            "unprotected_source",
        ),
        ({"available_24h": False}, "layak_dasar", "improved_within_limit"),
        ({"e_coli": None}, "layak_dasar", "improved_within_limit"),
        ({"e_coli": "positif"}, "layak_dasar", "improved_within_limit"),
        (
            {"water_source": "isi_ulang", "washing_source": "air_permukaan"},
            "tidak_ada_akses",
            "surface_water",
        ),
        (
            {"water_source": "kemasan", "washing_source": "ledeng"},
            "aman",
            "on_premises_24h_no_e_coli",
        ),
    ],
)
def test_each_water_rule(change: dict[str, Any], water: str, rule: str) -> None:
    found = ladder(replace(SAFE, **change), RULES)
    assert (found.water, found.water_rule) == (water, rule)


@pytest.mark.parametrize(
    ("change", "level", "rule", "service"),
    [
        (
            {"toilet_facility": "tidak_ada", "toilet_type": "tidak_ada"},
            "babs",
            "no_toilet_used",
            None,
        ),
        ({"toilet_facility": "ada_tidak_digunakan"}, "babs", "no_toilet_used", None),
        ({"toilet_type": "cemplung_cubluk"}, "belum_layak", "not_goose_neck", "spald_s"),
        (
            {"faeces_disposal": "kolam_sawah_sungai_danau_laut"},
            "belum_layak",
            "discharged_open",
            None,
        ),
        ({"faeces_disposal": "lubang_tanah"}, "layak_sendiri", "own_contained", None),
        ({"faeces_disposal": "lubang_tanah", "kelurahan": True}, "belum_layak", "urban_pit", None),
        ({"toilet_facility": "mck_komunal"}, "layak_bersama", "shared_contained", "spald_s"),
        ({"faeces_disposal": "ipal"}, "aman", "own_to_ipal", "spald_t"),
    ],
)
def test_each_sanitation_rule(
    change: dict[str, Any], level: str, rule: str, service: str | None
) -> None:
    found = ladder(replace(SAFE, **change), RULES)
    assert (found.sanitation, found.sanitation_rule, found.wastewater_service) == (
        level,
        rule,
        service,
    )


def test_quality_and_thresholds() -> None:
    cloudy = ladder(replace(SAFE, quality=["keruh", "berbusa"]), RULES)
    assert cloudy.basic_water_rules == ["quality"]
    assert ladder(replace(SAFE, quality=["berbusa"]), RULES).basic_water
    strict = Thresholds(min_litres_per_person_day=100.0, septic_emptying_years=1)
    found = ladder(SAFE, strict)
    assert (found.basic_water_rules, found.sanitation) == (["under_60_litres"], "layak_sendiri")


@pytest.mark.parametrize(
    ("change", "field", "rule"),
    [
        ({"water_source": "kemasan"}, "body.washing_source", "washing_source_required"),
        ({"washing_source": "isi_ulang"}, "body.washing_source", "washing_source_bottled"),
        ({"water_source": "sumur_bor"}, "body.distance_to_waste_m", "distance_required"),
        ({"on_premises": False}, "body.fetch_minutes", "fetch_minutes_required"),
        ({"toilet_facility": "tidak_ada"}, "body.toilet_type", "toilet_type_mismatch"),
        ({"septic_emptied_on": date(2026, 3, 3)}, "body.septic_emptied_on", "after_survey"),
    ],
)
def test_a_survey_the_ladder_cannot_judge_is_refused(
    change: dict[str, Any], field: str, rule: str
) -> None:
    with pytest.raises(RuleViolation) as refused:
        check_survey(replace(SAFE, **change))
    assert (refused.value.field, refused.value.rule) == (field, rule)


def test_a_leap_day_survey_looks_back_to_the_twenty_eighth() -> None:
    leap = replace(SAFE, surveyed_on=date(2028, 2, 29), septic_emptied_on=date(2023, 2, 28))
    assert ladder(leap, RULES).sanitation == "aman"


# A partial survey, as housing's survey of a house gives it: source, distance and latrine
# known; place, availability, quantity, quality and E. coli not.
PARTIAL = replace(
    WELL,
    on_premises=None,
    available_24h=None,
    litres_per_person_day=None,
    quality=None,
    e_coli=None,
    septic_emptied_on=None,
)


@pytest.mark.parametrize(
    ("change", "water", "rule", "failed"),
    [
        ({}, "layak_terbatas", "improved_facts_partial", ["quantity_unknown", "quality_unknown"]),
        (
            {"distance_to_waste_m": 10.01},
            "layak_terbatas",
            "improved_facts_partial",
            ["quantity_unknown", "quality_unknown"],
        ),
        (
            {"distance_to_waste_m": 10.0},
            "tidak_layak",
            "ground_source_near_waste",
            ["near_waste_point", "quantity_unknown", "quality_unknown"],
        ),
        (
            {"distance_to_waste_m": None},
            "tidak_layak",
            "ground_source_distance_unknown",
            ["distance_unknown", "quantity_unknown", "quality_unknown"],
        ),
        (
            {"water_source": "kemasan", "distance_to_waste_m": None},
            "tidak_layak",
            "washing_source_unknown",
            ["washing_source_unknown", "quantity_unknown", "quality_unknown"],
        ),
        (
            {"water_source": "air_permukaan"},
            "tidak_ada_akses",
            "surface_water",
            ["unprotected_source", "quantity_unknown", "quality_unknown"],
        ),
        (  # the place known, the rest not: basic, not safe (24 h and E. coli unproven)
            {"on_premises": True},
            "layak_dasar",
            "improved_within_limit",
            ["quantity_unknown", "quality_unknown"],
        ),
        (
            {"on_premises": None, "fetch_minutes": 30},
            "layak_dasar",
            "improved_within_limit",
            ["quantity_unknown", "quality_unknown"],
        ),
        (
            {"on_premises": None, "fetch_minutes": 31},
            "layak_terbatas",
            "fetch_over_limit",
            ["quantity_unknown", "quality_unknown"],
        ),
        (
            {"litres_per_person_day": 60.0, "quality": []},
            "layak_terbatas",
            "improved_facts_partial",
            [],
        ),
    ],
)
def test_a_partial_survey_is_placed_where_its_known_facts_prove(
    change: dict[str, Any], water: str, rule: str, failed: list[str]
) -> None:
    found = ladder(replace(PARTIAL, **change), RULES)
    assert (found.water, found.water_rule, found.basic_water_rules) == (water, rule, failed)
    assert found.basic_water is (not failed)


def test_a_partial_survey_is_never_safe_water_even_with_everything_else_safe() -> None:
    piped = replace(PARTIAL, water_source="ledeng", distance_to_waste_m=None, e_coli="negatif")
    found = ladder(piped, RULES)
    assert (found.water, found.water_rule) == ("layak_terbatas", "improved_facts_partial")
    unknown_availability = ladder(replace(SAFE, available_24h=None), RULES)
    assert unknown_availability.water == "layak_dasar"


def test_a_partial_surveys_sanitation_is_judged_as_given_without_emptying() -> None:
    found = ladder(PARTIAL, RULES)
    assert (found.sanitation, found.sanitation_rule) == ("layak_sendiri", "own_contained")
    assert ladder(replace(PARTIAL, faeces_disposal="ipal"), RULES).sanitation == "aman"
