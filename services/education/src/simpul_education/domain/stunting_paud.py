"""Education's reaction to a stunting detection: a stunted child aged 2–6 who is in neither
PAUD nor BKB is referred to PAUD (PAUD Holistik Integratif: stimulation, feeding and parenting
together), once per detection.

The age is the child's at the measurement that detected the stunting, in completed months.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

from simpul_education.domain.children import age_months

# 2 years up to the 7th birthday: the PAUD ages past the first two years (TPA/KB from 2,
# TK 4–6), through the last month before SD age.
MIN_MONTHS = 24
MAX_MONTHS = 83

Decision = Literal["referred", "already_in_paud", "out_of_age", "referral_open"]
DECISIONS: tuple[Decision, ...] = ("referred", "already_in_paud", "out_of_age", "referral_open")


def age_at_detection(age_days: int, measured_on: date) -> int:
    """Completed months on the measurement day, from health's age in days on that day."""
    return age_months(measured_on - timedelta(days=age_days), measured_on)


def decide(age_in_months: int, *, in_paud_or_bkb: bool, referral_open: bool) -> Decision:
    """What one detection leads to (pure: the caller gathers the facts). Outside 2–6 there is
    nothing for PAUD to do; a child in PAUD or BKB is already reached; an open PAUD referral
    for the child is the same need and is not opened twice."""
    if not MIN_MONTHS <= age_in_months <= MAX_MONTHS:
        return "out_of_age"
    if in_paud_or_bkb:
        return "already_in_paud"
    if referral_open:
        return "referral_open"
    return "referred"
