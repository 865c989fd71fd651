"""An ATS case (anak tidak sekolah): a child 7–18 out of school, brought back to education.

FIELDS.md §1(c): detected (a kader's census, a referral, a reaction) → classified BPB (never
attended), DO (dropped out) or LTM (finished a level, did not continue) → verified by the desa
(a reason, and a problem domain: ekonomi, sosial, kesehatan, lainnya) → referred to re-entry
(formal school through PPDB, or an SPNF/PKBM centre for Paket A/B/C) → enrolled (school,
NPSN), or closed as not eligible (over 18, in a pesantren, moved, deceased), or residu (cannot
be located: the national dashboard's own row). Pure: no FastAPI, SQL or Kafka.

A kader's census detects by itself: a child of school age on the status's date who is given
the status ``out_of_school`` and has no open case gets one (``detects_case``), its source read
from the status's (``DETECTED_BY``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Final, Literal

from simpul_education.domain.status import Source
from simpul_platform.domain import RuleViolation, Step, Workflow

AtsStatus = Literal[
    "detected", "classified", "verified", "referred", "enrolled", "closed_not_eligible", "residu"
]
AtsAction = Literal["detect", "classify", "verify", "refer", "enroll", "close", "mark_residu"]
AtsCategory = Literal["bpb", "do", "ltm"]
ProblemDomain = Literal["ekonomi", "sosial", "kesehatan", "lainnya"]
ReEntryPath = Literal["ppdb", "spnf_pkbm"]
NotEligibleReason = Literal["over_age", "pesantren", "moved", "deceased"]
DetectionSource = Literal["kader_census", "referral", "reaction", "dapodik_match"]

# Before it is enrolled, a case can end: not eligible at any step, residu until it is referred
# (once referred, the child has been found).
ATS: Workflow[AtsStatus, AtsAction] = Workflow(
    "ATS case",
    [
        Step("detect", None, "detected"),
        Step("classify", "detected", "classified"),
        Step("verify", "classified", "verified"),
        Step("refer", "verified", "referred"),
        Step("enroll", "referred", "enrolled"),
        Step("close", "detected", "closed_not_eligible"),
        Step("close", "classified", "closed_not_eligible"),
        Step("close", "verified", "closed_not_eligible"),
        Step("close", "referred", "closed_not_eligible"),
        Step("mark_residu", "detected", "residu"),
        Step("mark_residu", "classified", "residu"),
        Step("mark_residu", "verified", "residu"),
    ],
)

# The statuses a case waits for the desa's verification in: its due date matters until then.
UNVERIFIED: tuple[AtsStatus, ...] = ("detected", "classified")


def verify_due(status: str, verify_due_on: date) -> date | None:
    """The date a case is due for verification by, while it waits for it; None after."""
    return verify_due_on if status in UNVERIFIED else None


def is_overdue(status: str, verify_due_on: date, today: date) -> bool:
    """Not verified (nor ended) by its verification due date."""
    return status in UNVERIFIED and verify_due_on < today


AGE_RANGE = (7, 18)  # the school ages an ATS case is about


def check_age(age_years: int, field: str = "body.child_id") -> None:
    """An ATS case is about a child of school age, 7 to 18."""
    low, high = AGE_RANGE
    if not low <= age_years <= high:
        raise RuleViolation(
            field, "ats_age", f"An ATS case is about a child aged {low}–{high} ({age_years} now)."
        )


def check_category(
    category: AtsCategory, ever_enrolled: bool, field: str = "body.category"
) -> None:
    """BPB means never at school: a child the field knows to have been enrolled is DO or LTM."""
    if category == "bpb" and ever_enrolled:
        raise RuleViolation(
            field,
            "bpb_but_enrolled_before",
            "BPB (belum pernah bersekolah) is for a child never enrolled; this one was: DO or LTM.",
        )


def needs_social_referral(problem: ProblemDomain) -> bool:
    """An economic problem is also social's: PIP/PKH eligibility (a referral, bansos_need)."""
    return problem == "ekonomi"


# --- the child's status an opened case records ---------------------------------------------

OUT_OF_SCHOOL: Final = "out_of_school"
# Who found the child, as the education status's source: a referral (another field's kader saw
# the child at the posyandu) and the service's own reaction rules are a kader's finding, so
# ``kader_census``; a Dapodik match is Dapodik's. No detection is the school's own word.
STATUS_SOURCE: Mapping[str, Source] = {
    "kader_census": "kader_census",
    "referral": "kader_census",
    "reaction": "kader_census",
    "dapodik_match": "dapodik_match",
}


def records_out_of_school(current: str | None, current_on: date | None, detected_on: date) -> bool:
    """Whether opening a case records ``out_of_school`` as of its detection: not when the child
    is already out of school (no second row), nor when the current status is dated after the
    detection (the history stays in date order; the later status is newer news)."""
    if current == OUT_OF_SCHOOL:
        return False
    return current_on is None or detected_on >= current_on


# --- the case a recorded status opens ---------------------------------------------------------

# The detection an ``out_of_school`` status is, by the status's source: a kader's census is
# one; Dapodik is the schools' own record (the school operators enter a pupil's leaving), so a
# school's word that a child left is what a Dapodik match finds.
DETECTED_BY: Mapping[Source, DetectionSource] = {
    "kader_census": "kader_census",
    "dapodik_match": "dapodik_match",
    "school": "dapodik_match",
}


def detects_case(status: str, age_years: int) -> bool:
    """Whether a status given to a child (``age_years`` on the status's date) detects an ATS
    case: ``out_of_school`` at a school age (``AGE_RANGE``). Whether the child already has an
    open case is the caller's to ask."""
    low, high = AGE_RANGE
    return status == OUT_OF_SCHOOL and low <= age_years <= high
