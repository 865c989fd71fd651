"""The rules of public works' reactions, pure: the stunting decision, what a survey answers of
a referral, and housing's survey facts mapped onto public works' codes (the closest
conservative code where there is no equivalent)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from simpul_public_works.domain.ladder import Thresholds, ladder
from simpul_public_works.domain.stunting_wash import decide
from simpul_public_works.events import HouseAssessed
from simpul_public_works.ops.housing_surveys import mapped, partial_survey, shares
from simpul_public_works.ops.survey_followup import Surveyed, served

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("facts", "decision"),
    [
        ({"has_household": False, "household_known": False}, "no_household"),
        ({"household_known": False}, "referred_unknown"),
        ({}, "referred_unsurveyed"),
        ({"basic_water": False, "sanitation_level": "aman"}, "referred_wash"),
        ({"basic_water": True, "sanitation_level": "belum_layak"}, "referred_wash"),
        ({"basic_water": True, "sanitation_level": "babs"}, "referred_wash"),
        ({"basic_water": True, "sanitation_level": "layak_bersama"}, "served"),
        ({"basic_water": True, "sanitation_level": "aman", "referral_open": True}, "served"),
        ({"basic_water": False, "sanitation_level": "aman", "referral_open": True}, "already_open"),
        ({"referral_open": True}, "already_open"),
        ({"household_known": False, "referral_open": True}, "already_open"),
    ],
)
def test_the_stunting_decision(facts: dict[str, Any], decision: str) -> None:
    given: dict[str, Any] = {
        "has_household": True,
        "household_known": True,
        "basic_water": None,
        "sanitation_level": None,
        "referral_open": False,
    }
    assert decide(**(given | facts)) == decision


def surveyed(water: str, sanitation: str, basic: bool) -> Surveyed:
    return Surveyed("s-1", "ref-1", date(2026, 3, 2), water, sanitation, basic)


@pytest.mark.parametrize(
    ("reason", "survey", "ok"),
    [
        ("no_safe_water", surveyed("layak_terbatas", "babs", False), True),
        ("no_safe_water", surveyed("tidak_layak", "aman", True), False),
        ("no_latrine", surveyed("tidak_ada_akses", "layak_bersama", False), True),
        ("no_latrine", surveyed("aman", "belum_layak", True), False),
        ("stunting_household_unsurveyed", surveyed("aman", "layak_sendiri", True), True),
        ("stunting_household_unsurveyed", surveyed("aman", "layak_sendiri", False), False),
        ("stunting_household_unsurveyed", surveyed("aman", "babs", True), False),
    ],
)
def test_what_a_survey_answers(reason: str, survey: Surveyed, ok: bool) -> None:
    assert served(reason, survey) is ok


def assessment(**change: Any) -> HouseAssessed:
    example = {
        "assessment_id": "a-1",
        "household_refs": ["ref-1"],
        "posyandu_id": "p-1",
        "desa_code": "64.02.06.2012",
        "surveyed_on": "2026-03-02",
        "occupants": 5,
        "water_source": "sumur_terlindung",
        "water_to_faeces_m": 8.0,
        "bathroom": "sendiri",
        "toilet_type": "cemplung_cubluk",
        "faeces_disposal": "lubang_tanah",
    }
    return HouseAssessed.model_validate(example | change)


@pytest.mark.parametrize(
    ("change", "codes"),
    [
        ({}, ("sumur_terlindung", "sendiri", "cemplung_cubluk", "lubang_tanah")),
        (
            {"water_source": "perpipaan", "faeces_disposal": "pantai_kebun"},
            ("ledeng", "sendiri", "cemplung_cubluk", "pantai_tanah_lapang_kebun"),
        ),
        ({"bathroom": "tidak_ada"}, ("sumur_terlindung", "tidak_ada", "tidak_ada", "lubang_tanah")),
        (
            {"bathroom": "mck_umum", "toilet_type": "tidak_ada"},
            ("sumur_terlindung", "tidak_ada", "tidak_ada", "lubang_tanah"),
        ),
        (  # codes housing may add one day: the closest conservative ones
            {"water_source": "tangki_air", "toilet_type": "jongkok", "faeces_disposal": "x"},
            ("lainnya", "sendiri", "cemplung_cubluk", "tidak_tahu"),
        ),
    ],
)
def test_housing_codes_as_public_works(change: dict[str, Any], codes: tuple[str, ...]) -> None:
    found = mapped(assessment(**change))
    names = ("water_source", "toilet_facility", "toilet_type", "faeces_disposal")
    assert tuple(found[n] for n in names) == codes


def test_housing_survey_on_the_ladder() -> None:
    house = assessment(water_to_faeces_m=12.0, toilet_type="leher_angsa")
    found = ladder(partial_survey(house, house.desa_code), Thresholds())
    assert (found.water, found.water_rule) == ("layak_terbatas", "improved_facts_partial")
    assert (found.sanitation, found.basic_water) == ("layak_sendiri", False)
    urban = ladder(partial_survey(house, "64.02.06.1001"), Thresholds())
    assert (urban.sanitation, urban.sanitation_rule) == ("belum_layak", "urban_pit")


@pytest.mark.parametrize(
    ("occupants", "households", "split"),
    [(5, 1, [5]), (5, 2, [3, 2]), (6, 3, [2, 2, 2]), (1, 2, [1, 1])],
)
def test_a_houses_occupants_shared_among_its_households(
    occupants: int, households: int, split: list[int]
) -> None:
    assert shares(occupants, households) == split
