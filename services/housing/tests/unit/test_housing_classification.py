"""RLH / RTLH under each rule set, derived from a survey's fields: every criterion on its own,
and the thresholds at their boundaries (exactly 9 m² and 7.2 m² per person, a source exactly
10 m from the faeces disposal point)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from housing_testkit import LIVABLE_SURVEY

from simpul_housing.domain.classification import (
    Survey,
    Thresholds,
    below,
    check_survey,
    classify,
)
from simpul_housing.ops.assessments import SURVEY_FIELDS
from simpul_platform.domain import RuleViolation

pytestmark = pytest.mark.unit

LIVABLE = Survey(**{k: v for k, v in LIVABLE_SURVEY.items() if k in SURVEY_FIELDS})
RULES = Thresholds()


def test_the_livable_survey_fails_nothing() -> None:
    verdict = classify(LIVABLE, RULES)
    assert (verdict.rtlh_pupr, verdict.failed_pupr) == (False, [])
    assert (verdict.rtlh_rutilahu, verdict.failed_rutilahu) == (False, [])


@pytest.mark.parametrize(
    ("area", "occupants", "pupr", "rutilahu"),
    [
        (45.0, 5, [], []),  # exactly 9 m² per person: livable under both
        (44.99, 5, ["luas_per_orang"], []),  # just under 9, well over 7.2
        (64.8, 9, ["luas_per_orang"], []),  # exactly 7.2 per person: Rutilahu's minimum met
        (64.79, 9, ["luas_per_orang"], ["luas_per_orang"]),
        (36.0, 5, ["luas_per_orang"], []),
        (35.9, 5, ["luas_per_orang"], ["luas_per_orang"]),
    ],
)
def test_floor_area_per_person_at_each_rule_sets_boundary(
    area: float, occupants: int, pupr: list[str], rutilahu: list[str]
) -> None:
    verdict = classify(replace(LIVABLE, floor_area_m2=area, occupants=occupants), RULES)
    assert verdict.failed_pupr == pupr
    assert verdict.failed_rutilahu == rutilahu
    assert verdict.rtlh_pupr is bool(pupr) and verdict.rtlh_rutilahu is bool(rutilahu)


@pytest.mark.parametrize(
    ("distance", "failed"),
    [(10.0, []), (9.99, ["jarak_sumber_air"]), (0.0, ["jarak_sumber_air"]), (25.0, [])],
)
def test_a_ground_source_is_safe_from_exactly_ten_metres(
    distance: float, failed: list[str]
) -> None:
    verdict = classify(replace(LIVABLE, water_to_faeces_m=distance), RULES)
    assert verdict.failed_pupr == failed
    assert verdict.failed_rutilahu == []  # Rutilahu does not judge water


def test_piped_water_does_not_depend_on_the_distance() -> None:
    piped = replace(LIVABLE, water_source="perpipaan", water_to_faeces_m=2.0)
    assert classify(piped, RULES).failed_pupr == []


def test_thresholds_are_settings() -> None:
    strict = Thresholds(pupr_min_m2_per_person=12.0, min_water_to_faeces_m=15.0)
    assert classify(LIVABLE, strict).failed_pupr == ["jarak_sumber_air"]
    roomy = replace(LIVABLE, floor_area_m2=59.0, water_to_faeces_m=20.0)
    assert classify(roomy, strict).failed_pupr == ["luas_per_orang"]


@pytest.mark.parametrize(
    ("change", "pupr", "rutilahu"),
    [
        ({"pondasi": "tidak_ada"}, ["pondasi"], []),
        ({"kolom": "tidak_ada"}, ["kolom_balok"], []),
        ({"balok": "tidak_ada"}, ["kolom_balok"], []),
        ({"rangka_atap": "tidak_ada"}, ["rangka_atap"], []),
        ({"atap_condition": "tidak_layak"}, ["kondisi_atap"], ["atap"]),
        ({"atap": "rumbia"}, [], ["atap"]),
        ({"dinding_condition": "kurang_layak"}, ["kondisi_dinding"], ["dinding"]),
        ({"dinding": "bambu"}, [], ["dinding"]),
        ({"lantai_condition": "kurang_layak"}, ["kondisi_lantai"], ["lantai"]),
        ({"lantai": "tanah"}, [], ["lantai"]),
        ({"lantai": "kayu", "lantai_condition": "agak_layak"}, [], ["lantai"]),
        ({"jendela": False}, ["pencahayaan"], []),
        ({"ventilasi": False}, ["ventilasi"], []),
        ({"toilet_type": "cemplung_cubluk"}, ["sanitasi"], []),
        ({"faeces_disposal": "kolam_sawah_sungai_danau_laut"}, ["sanitasi"], []),
        ({"bathroom": "tidak_ada", "toilet_type": "tidak_ada"}, ["sanitasi"], ["mck"]),
        ({"bathroom": "mck_umum"}, [], []),
        ({"water_source": "air_permukaan"}, ["air_minum"], []),
        ({"water_source": "sumur_tidak_terlindung"}, ["air_minum"], []),
        ({"water_source": "kemasan", "water_to_faeces_m": None}, [], []),
    ],
)
def test_each_criterion_fails_on_its_own(
    change: dict[str, object], pupr: list[str], rutilahu: list[str]
) -> None:
    verdict = classify(replace(LIVABLE, **change), RULES)  # type: ignore[arg-type]
    assert (verdict.failed_pupr, verdict.failed_rutilahu) == (pupr, rutilahu)


def test_failed_criteria_are_listed_in_the_rule_sets_order() -> None:
    poor = replace(
        LIVABLE,
        floor_area_m2=20.0,
        lantai="tanah",
        bathroom="tidak_ada",
        toilet_type="tidak_ada",
        jendela=False,
        pondasi="tidak_ada",
    )
    verdict = classify(poor, RULES)
    assert verdict.failed_pupr == ["pondasi", "pencahayaan", "sanitasi", "luas_per_orang"]
    assert verdict.failed_rutilahu == ["lantai", "mck", "luas_per_orang"]


@pytest.mark.parametrize(
    ("change", "field", "rule"),
    [
        ({"water_to_faeces_m": None}, "body.water_to_faeces_m", "distance_required"),
        ({"bathroom": "tidak_ada"}, "body.toilet_type", "no_bathroom_no_toilet"),
    ],
)
def test_a_survey_the_rules_cannot_judge_is_refused(
    change: dict[str, object], field: str, rule: str
) -> None:
    with pytest.raises(RuleViolation) as refused:
        check_survey(replace(LIVABLE, **change))  # type: ignore[arg-type]
    assert (refused.value.field, refused.value.rule) == (field, rule)


def test_below_compares_without_binary_fractions() -> None:
    assert not below(64.8, 9, 7.2)
    assert below(64.79, 9, 7.2)
    assert not below(10.0, 0, 7.2)
