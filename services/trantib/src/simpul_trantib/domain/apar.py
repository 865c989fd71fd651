"""APAR (alat pemadam api ringan) at posyandu and public buildings: their kinds, the dates a
refill is judged by, and when one is expired. Pure: the deployment's date comes from the
caller.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from simpul_platform.domain import RuleViolation

BuildingKind = Literal[
    "posyandu",
    "kantor_desa",
    "sekolah",
    "puskesmas",
    "pasar",
    "tempat_ibadah",
    "balai_warga",
    "lainnya",
]
Agent = Literal["powder", "co2", "foam", "air", "clean_agent"]
# The outcome an ``apar_needed`` referral is resolved with when its APAR is recorded.
APAR_INSTALLED = "apar_installed"
APAR_NEEDED = "apar_needed"


def is_expired(expires_on: date, today: date) -> bool:
    """Expired once its expiry date has passed by the deployment's date (on the day itself it
    is still good)."""
    return expires_on < today


def check_dates(refilled_on: date | None, expires_on: date, field: str = "body.expires_on") -> None:
    """An APAR expires after it was (re)filled."""
    if refilled_on is not None and expires_on <= refilled_on:
        raise RuleViolation(
            field, "expires_before_refill", f"The expiry must be after the refill ({refilled_on})."
        )


def check_not_before(day: date, previous: date | None, field: str, what: str) -> None:
    """A refill or a check is not dated before the last one recorded."""
    if previous is not None and day < previous:
        raise RuleViolation(field, "before_previous", f"{what} is not before {previous}.")
