"""The sensitive programmes' pure rules: ODGJ berat diagnoses and services, TB results and
examinations to standard, HIV risk groups against sex, the days a case in care recounts."""

from __future__ import annotations

from datetime import date

import pytest

from simpul_health.domain import hiv, mental_health, tb
from simpul_health.domain.indicators import SPM
from simpul_health.ops.programmes import months_through
from simpul_platform.domain import RuleViolation

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "code",
    ["F20", "F20.0", "f25.1", "F29", "F30.2", "F31.2", "F31.5", "F32.3", "F33.3", " F22.0 "],
)
def test_severe_diagnoses_are_the_psychoses_and_psychotic_mood_disorders(code: str) -> None:
    assert mental_health.severe_diagnosis(code) == code.strip().upper()


@pytest.mark.parametrize(
    ("code", "rule"),
    [
        ("F19.2", "not_odgj_berat"),  # substance use
        ("F30.1", "not_odgj_berat"),  # mania without psychotic symptoms
        ("F32.2", "not_odgj_berat"),  # severe depression without psychotic symptoms
        ("F33", "not_odgj_berat"),
        ("F34.1", "not_odgj_berat"),
        ("F41.1", "not_odgj_berat"),
        ("G40", "diagnosis_format"),
        ("F2", "diagnosis_format"),
        ("F20.123", "diagnosis_format"),
        ("schizo", "diagnosis_format"),
    ],
)
def test_other_codes_are_refused_by_name(code: str, rule: str) -> None:
    with pytest.raises(RuleViolation) as refused:
        mental_health.severe_diagnosis(code)
    assert (refused.value.field, refused.value.rule) == ("diagnosis", rule)


def test_a_service_to_standard_needs_both_the_examination_and_the_education() -> None:
    assert mental_health.service_to_standard(True, True)
    assert not mental_health.service_to_standard(True, False)
    assert not mental_health.service_to_standard(False, True)
    assert SPM["odgj_berat"].parameters["services_per_period"] == mental_health.SERVICES_PER_PERIOD


def test_closing_and_service_days_stay_within_the_case() -> None:
    registered = date(2025, 3, 10)
    mental_health.check_closing(registered, registered, None)  # the same day is allowed
    for closed, last, rule in (
        (date(2025, 3, 9), None, "closed_before_registered"),
        (date(2025, 4, 1), date(2025, 4, 2), "closed_before_last_service"),
    ):
        with pytest.raises(RuleViolation) as refused:
            mental_health.check_closing(registered, closed, last)
        assert (refused.value.field, refused.value.rule) == ("closed_on", rule)
    mental_health.check_service_day(registered, registered, registered)
    for served, closed, rule in (
        (date(2025, 3, 9), None, "served_before_registered"),
        (date(2025, 5, 2), date(2025, 5, 1), "served_after_closed"),
    ):
        with pytest.raises(RuleViolation) as refused:
            mental_health.check_service_day(served, registered, closed)
        assert refused.value.rule == rule


def test_tb_reasons_results_and_the_standard() -> None:
    assert tb.presumptive_reasons(["night_sweats", "cough_2_weeks", "household_contact"]) == (
        ["cough_2_weeks", "night_sweats"],
        True,
    )
    assert tb.presumptive_reasons(["household_contact"]) == ([], True)
    for codes, rule in (([], "reasons_required"), (["sneezing"], "unknown_symptom")):
        with pytest.raises(RuleViolation) as refused:
            tb.presumptive_reasons(codes)
        assert (refused.value.field, refused.value.rule) == ("symptoms", rule)
    tb.check_result("tcm", "rif_resistant")
    with pytest.raises(RuleViolation) as refused:
        tb.check_result("tcm", "positive")
    assert (refused.value.field, refused.value.rule) == ("result", "result_not_of_examination")
    assert set(SPM["terduga_tbc"].parameters["standard_examinations"]) == tb.STANDARD_EXAMINATIONS
    assert tb.examined_to_standard("tcm", "mtb_not_detected")
    assert tb.examined_to_standard("microscopy", "negative")
    assert not tb.examined_to_standard("xray", "abnormal")
    assert not tb.examined_to_standard("clinical", "positive")
    assert not tb.examined_to_standard("tcm", None)


def test_hiv_groups_are_the_definitions_and_agree_with_sex() -> None:
    assert tuple(SPM["risiko_hiv"].parameters["risk_groups"]) == hiv.RISK_GROUPS
    hiv.check_risk_group("pregnant", "F")
    hiv.check_risk_group("msm", "M")
    hiv.check_risk_group("sex_worker", "M")
    for group, sex, rule in (
        ("pregnant", "M", "risk_group_sex"),
        ("msm", "F", "risk_group_sex"),
        ("smoker", "M", "unknown_risk_group"),
    ):
        with pytest.raises(RuleViolation) as refused:
            hiv.check_risk_group(group, sex)
        assert (refused.value.field, refused.value.rule) == ("risk_group", rule)
    assert hiv.tested_to_standard("rapid", "non_reactive")
    assert hiv.tested_to_standard("elisa", "indeterminate")
    assert not hiv.tested_to_standard("rapid", None)


def test_a_case_in_care_recounts_every_month_up_to_today() -> None:
    assert months_through(date(2025, 11, 20), date(2026, 2, 3)) == [
        date(2025, 11, 20),
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
    ]
    assert months_through(date(2026, 2, 3), date(2026, 2, 3)) == [date(2026, 2, 3)]
