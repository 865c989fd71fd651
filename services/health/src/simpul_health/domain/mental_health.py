"""ODGJ berat (SPM kesehatan no. 10): who counts as a person with a severe mental disorder,
and what a service to standard is.

* Severe (berat): the psychotic disorders, ICD-10 F20–F29 (schizophrenia, schizotypal,
  delusional and other non-organic psychoses), and the mood disorders when psychotic: F30.2
  (mania with psychotic symptoms), F31.2 and F31.5 (bipolar, current episode manic or severely
  depressed with psychotic symptoms), F32.3 (severe depressive episode with psychotic
  symptoms), F33.3 (recurrent depressive disorder, current episode severe with psychotic
  symptoms). Other F30–F33 codes are not psychotic, so not ODGJ berat.
* Service to standard: a mental status examination and education on medication adherence
  (pemeriksaan kesehatan jiwa, edukasi kepatuhan minum obat), at least
  ``services_per_period`` of them in the period (``SPM["odgj_berat"].parameters``).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from simpul_health.domain.indicators import SPM
from simpul_platform.domain import RuleViolation

SERVICES_PER_PERIOD = int(SPM["odgj_berat"].parameters["services_per_period"])
CLOSING_STATUSES = ("recovered", "moved", "died")
CaseStatus = Literal["active", "recovered", "moved", "died"]

ICD10 = re.compile(r"^F(\d{2})(?:\.(\d{1,2}))?$")
PSYCHOSES = range(20, 30)  # F20–F29, every subcode
PSYCHOTIC_MOOD = frozenset({"F30.2", "F31.2", "F31.5", "F32.3", "F33.3"})


def severe_diagnosis(code: str) -> str:
    """The ICD-10 code, normalised (upper case), when it is an ODGJ berat one; else a
    RuleViolation: ``diagnosis_format`` (not a chapter F code) or ``not_odgj_berat``."""
    normal = code.strip().upper()
    match = ICD10.match(normal)
    if match is None:
        raise RuleViolation(
            "diagnosis", "diagnosis_format", "Give an ICD-10 code of chapter F, e.g. F20.0."
        )
    block = int(match.group(1))
    if block in PSYCHOSES or normal in PSYCHOTIC_MOOD:
        return normal
    raise RuleViolation(
        "diagnosis",
        "not_odgj_berat",
        "ODGJ berat is F20–F29, or F30.2, F31.2, F31.5, F32.3, F33.3 (with psychotic symptoms).",
    )


def service_to_standard(mental_status_exam: bool, adherence_education: bool) -> bool:
    """A visit counts for the SPM when it examined the mental status AND educated on
    medication adherence (medication and a home visit are recorded, not required)."""
    return mental_status_exam and adherence_education


def check_closing(registered_on: date, closed_on: date, last_service: date | None) -> None:
    """A case closes on or after it was registered, and not before a service it received."""
    if closed_on < registered_on:
        raise RuleViolation(
            "closed_on", "closed_before_registered", "A case closes on or after its registration."
        )
    if last_service is not None and closed_on < last_service:
        raise RuleViolation(
            "closed_on",
            "closed_before_last_service",
            f"The case had a service on {last_service.isoformat()}, after this date.",
        )


def check_service_day(served_on: date, registered_on: date, closed_on: date | None) -> None:
    """A service falls within the case's time in care."""
    if served_on < registered_on:
        raise RuleViolation(
            "served_on", "served_before_registered", "The case was registered after this date."
        )
    if closed_on is not None and served_on > closed_on:
        raise RuleViolation("served_on", "served_after_closed", "The case was closed by then.")
