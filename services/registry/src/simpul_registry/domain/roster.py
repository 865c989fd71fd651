"""Who a month's kader incentive roster includes, and why the others are left out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from simpul_registry.domain.days import is_inactive


class Exclusion(StrEnum):
    """Why a kader is not paid for the month, checked in this order (the first one found)."""

    posyandu_not_registered = "posyandu_not_registered"
    not_appointed = "not_appointed"
    inactive = "inactive"
    too_few_days = "too_few_days"


@dataclass(frozen=True)
class RosterRules:
    min_days: int
    registered_only: bool
    inactive_months: int


@dataclass(frozen=True)
class KaderMonth:
    """A kader as the month saw them."""

    registered: bool  # the posyandu has a Kemendagri registration number
    start: date
    end: date | None
    last_present: date | None  # on or before the month's end
    days_present: int  # distinct present days within the month


def exclusion(k: KaderMonth, first: date, last: date, rules: RosterRules) -> Exclusion | None:
    """None when the kader is on the roster for the month ``first``..``last``."""
    if rules.registered_only and not k.registered:
        return Exclusion.posyandu_not_registered
    if k.start > last or (k.end is not None and k.end < first):
        return Exclusion.not_appointed
    # Inactive at the month's end, by the same rule as the inactivity check; a kader whose
    # role ended within the month is judged on their last day instead.
    judged_on = min(last, k.end) if k.end is not None else last
    if is_inactive(k.last_present or k.start, judged_on, rules.inactive_months):
        return Exclusion.inactive
    if k.days_present < rules.min_days:
        return Exclusion.too_few_days
    return None
