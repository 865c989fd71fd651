"""Ibu bersalin and bayi baru lahir (SPM kesehatan no. 2 and 3): a delivery to standard, and
the neonatal visits KN1–KN3 by the newborn's age.

The rules' figures are the definitions' parameters (``spm_kesehatan.json``): the facilities
and attendants that make a delivery "at a health facility by competent staff", and the
windows of the neonatal visits (KN1 6–48 hours, KN2 to day 7, KN3 to day 28). A window's end
is inclusive and the next one starts just after it, so every age from 6 hours to 28 days
falls in exactly one window.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Literal, get_args

from simpul_health.domain.indicators import SPM
from simpul_platform.domain import RuleViolation

_DELIVERY = SPM["ibu_bersalin"].parameters
FACILITIES: tuple[str, ...] = tuple(_DELIVERY["facilities"])
COMPETENT_ATTENDANTS: tuple[str, ...] = tuple(_DELIVERY["attendants"])

# The API's vocabulary: the definition's facilities plus the places that are not one. A
# Literal must be spelled out for the type checker; a unit test holds it to the definition.
DeliveryPlace = Literal["puskesmas", "hospital", "clinic", "midwife_practice", "home", "other"]
Attendant = Literal[
    "doctor", "obgyn", "midwife", "nurse", "traditional_birth_attendant", "family", "none"
]
PLACES: tuple[str, ...] = get_args(DeliveryPlace)
ATTENDANTS: tuple[str, ...] = get_args(Attendant)
BIRTH_OUTCOMES = ("live_birth", "stillbirth")  # a delivery; the other outcomes end a pregnancy

_NEONATAL = SPM["bayi_baru_lahir"].parameters
KN1_FROM = timedelta(hours=int(_NEONATAL["kn1_from_hours"]))
KN1_TO = timedelta(hours=int(_NEONATAL["kn1_to_hours"]))
KN2_TO = timedelta(days=int(_NEONATAL["kn2_to_day"]))
KN3_TO = timedelta(days=int(_NEONATAL["kn3_to_day"]))
KN_WINDOWS: tuple[tuple[int, timedelta], ...] = ((1, KN1_TO), (2, KN2_TO), (3, KN3_TO))
LOW_BIRTH_WEIGHT_KG = 2.5  # BBLR: below 2,500 g (WHO)


def delivered_to_standard(place: str | None, attendants: Iterable[str]) -> bool:
    """At one of the definition's facilities AND with at least one competent attendant."""
    return place in FACILITIES and any(a in COMPETENT_ATTENDANTS for a in attendants)


def check_delivery(outcome: str, place: str | None, attendants: Iterable[str]) -> list[str]:
    """The attendants in the vocabulary's order, once each, after the delivery's rules: a
    birth (live or still) names its place and at least one attendant ("none": unattended,
    alone)."""
    given = set(attendants)
    ordered = [a for a in ATTENDANTS if a in given]
    if "none" in given and len(given) > 1:
        raise RuleViolation(
            "delivery_attendants", "none_with_attendants", "'none' cannot come with attendants."
        )
    if outcome in BIRTH_OUTCOMES:
        if place is None:
            raise RuleViolation(
                "delivery_place", "delivery_place_required", "A birth names where it took place."
            )
        if not ordered:
            raise RuleViolation(
                "delivery_attendants",
                "delivery_attendants_required",
                "A birth names who attended it (or 'none').",
            )
    return ordered


def neonatal_visit(born_at: datetime, visited_at: datetime) -> int:
    """Which neonatal visit (1, 2 or 3) a visit at ``visited_at`` is, by the newborn's exact
    age; a visit outside 6 hours–28 days is refused."""
    age = visited_at - born_at
    if age < timedelta(0):
        raise RuleViolation("visited_at", "before_birth", "The visit is before the birth.")
    if age < KN1_FROM:
        raise RuleViolation(
            "visited_at",
            "before_kn1_window",
            f"KN1 is from {KN1_FROM.total_seconds() / 3600:g} hours after birth.",
        )
    for kn, until in KN_WINDOWS:
        if age <= until:
            return kn
    raise RuleViolation(
        "visited_at",
        "after_neonatal_period",
        f"The neonatal period ends {KN3_TO.days} days after birth.",
    )


def age_hours(born_at: datetime, visited_at: datetime) -> int:
    """Whole hours of age (what the visit row shows; the window uses the exact age)."""
    return int((visited_at - born_at).total_seconds() // 3600)


def low_birth_weight(weight_kg: float | None) -> bool | None:
    return None if weight_kg is None else weight_kg < LOW_BIRTH_WEIGHT_KG
