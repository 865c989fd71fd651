"""Terduga TBC (SPM kesehatan no. 11): a presumptive TB case, and its examination.

A presumptive case (terduga) has symptoms (a cough of two weeks or more, with or without
blood, fever, night sweats, weight or appetite loss, breathlessness, chest pain, swollen
lymph nodes) or is a household contact of a TB patient (Permenkes 67/2016; Juknis
penanggulangan TBC). Examined to standard: a bacteriological examination — TCM (tes cepat
molekuler) or, where TCM is out of reach, microscopy — with a result
(``SPM["terduga_tbc"].parameters["standard_examinations"]``). An x-ray or a clinical
judgement is recorded but is not the standard.
"""

from __future__ import annotations

from collections.abc import Iterable

from simpul_health.domain.indicators import SPM
from simpul_platform.domain import RuleViolation

STANDARD_EXAMINATIONS = frozenset(SPM["terduga_tbc"].parameters["standard_examinations"])
HOUSEHOLD_CONTACT = "household_contact"
SYMPTOMS = (
    "cough_2_weeks",
    "haemoptysis",
    "fever",
    "night_sweats",
    "weight_loss",
    "appetite_loss",
    "shortness_of_breath",
    "chest_pain",
    "lymph_nodes",
)
# The results each examination can give (TCM: Xpert MTB/RIF's readings).
RESULTS: dict[str, tuple[str, ...]] = {
    "tcm": ("mtb_detected", "mtb_not_detected", "rif_resistant"),
    "microscopy": ("positive", "negative"),
    "xray": ("abnormal", "normal"),
    "clinical": ("positive", "negative"),
}


def presumptive_reasons(codes: Iterable[str]) -> tuple[list[str], bool]:
    """The symptoms in canonical order, and whether the person is a household contact; at
    least one of the two (``reasons_required``), every code known (``unknown_symptom``)."""
    given = set(codes)
    unknown = sorted(given - set(SYMPTOMS) - {HOUSEHOLD_CONTACT})
    if unknown:
        raise RuleViolation(
            "symptoms", "unknown_symptom", f"Unknown symptom codes: {', '.join(unknown)}."
        )
    if not given:
        raise RuleViolation(
            "symptoms",
            "reasons_required",
            "A presumptive case has a symptom or is a household contact.",
        )
    return [s for s in SYMPTOMS if s in given], HOUSEHOLD_CONTACT in given


def check_result(examination: str, result: str) -> None:
    """The result is one the examination gives (``result_not_of_examination``)."""
    if result not in RESULTS[examination]:
        raise RuleViolation(
            "result",
            "result_not_of_examination",
            f"A {examination} examination gives one of: {', '.join(RESULTS[examination])}.",
        )


def examined_to_standard(examination: str, result: str | None) -> bool:
    """A standard (bacteriological) examination with a result."""
    return examination in STANDARD_EXAMINATIONS and result is not None
