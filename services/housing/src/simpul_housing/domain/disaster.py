"""Disaster housing (SPM perumahan 1, Permen PUPR 29/2018 Lampiran II): a disaster event's
damaged houses, from the report to the handling that makes them livable again.

FIELDS.md §2(b)/(c): a damaged house is reported → assessed RR / RS / RB (PUPR 2021 "Tata Cara
Identifikasi dan Verifikasi Kerusakan") or hilang / belum dapat ditentukan (BPS's extra
classes) → fixed by the SK Bupati (number, date, the year t it is planned to be handled in) →
handled in the way its class allows → completed. The SPM numerator counts completed houses
against the houses the SK planned for year t. Pure: no FastAPI, SQL or Kafka.

A house whose class cannot be determined yet waits as ``undetermined``: the SK fixes classes,
so it cannot fix one that has none (``fix`` is not a step from there; assess it again first).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Literal

from simpul_platform.domain import RuleViolation, Step, Workflow

DisasterKind = Literal[
    "banjir",
    "tanah_longsor",
    "gempa_bumi",
    "kebakaran",
    "angin_puting_beliung",
    "tsunami",
    "erupsi",
    "abrasi",
    "lainnya",
]
# rr / rs / rb: rusak ringan / sedang / berat (PUPR 2021); hilang: washed away or buried;
# belum_ditentukan: not yet classifiable (BPS 2025).
Damage = Literal["rr", "rs", "rb", "hilang", "belum_ditentukan"]
UNDETERMINED: Damage = "belum_ditentukan"
Handling = Literal["rehabilitation", "rebuild", "relocation", "rental_access"]
DisasterStatus = Literal[
    "reported", "assessed", "undetermined", "fixed", "in_handling", "completed"
]
DisasterAction = Literal["report", "assess", "assess_undetermined", "fix", "handle", "complete"]
# Where a disaster house came from: a user's report, another field's referral, or a trantib
# event (its consumer calls the same operation with the event's id).
HouseSource = Literal["report", "referral", "trantib"]
# Who paid for the handling: the aid history "already aided" is judged by.
AidProgram = Literal["bnpb", "apbn", "apbd", "baznas", "csr", "lainnya"]

# Until the SK fixes it, a class may be corrected (assessed again); after, it is the SK's.
DISASTER_HOUSE: Workflow[DisasterStatus, DisasterAction] = Workflow(
    "disaster house",
    [
        Step("report", None, "reported"),
        Step("assess", "reported", "assessed"),
        Step("assess_undetermined", "reported", "undetermined"),
        Step("assess", "assessed", "assessed"),
        Step("assess_undetermined", "assessed", "undetermined"),
        Step("assess", "undetermined", "assessed"),
        Step("assess_undetermined", "undetermined", "undetermined"),
        Step("fix", "assessed", "fixed"),
        Step("handle", "fixed", "in_handling"),
        Step("complete", "in_handling", "completed"),
    ],
)

# The forms of help each class allows (FIELDS.md §2(a)): rehabilitation repairs light or
# moderate damage; a heavily damaged house is rebuilt on its site; a new build at a safe site
# (relocation) replaces one heavily damaged or lost; rental access (rusunawa, public rental)
# fits any class (a renter's home, say).
HANDLING_FITS: Mapping[Handling, tuple[Damage, ...]] = {
    "rehabilitation": ("rr", "rs"),
    "rebuild": ("rb",),
    "relocation": ("rb", "hilang"),
    "rental_access": ("rr", "rs", "rb", "hilang"),
}
# An SK plans its houses for its own year or a few after it, not before.
MAX_PLANNED_YEARS_AHEAD = 5


def assess_action(damage: Damage) -> DisasterAction:
    """The step an assessment takes: a determined class, or the wait for one."""
    return "assess_undetermined" if damage == UNDETERMINED else "assess"


def handlings_for(damage: str) -> list[Handling]:
    """The forms of help a class allows, in table order."""
    return [h for h, classes in HANDLING_FITS.items() if damage in classes]


def check_handling(damage: str, handling: Handling, field: str = "body.handling") -> None:
    """The handling must fit the house's fixed class."""
    if damage not in HANDLING_FITS[handling]:
        allowed = ", ".join(handlings_for(damage)) or "none"
        raise RuleViolation(
            field,
            "handling_does_not_fit_damage",
            f"{handling} does not fit a house assessed {damage}; it allows: {allowed}.",
        )


def check_planned_year(planned_year: int, sk_date: date, field: str = "body.planned_year") -> None:
    """Year t is the SK's year or one of the few after it."""
    low, high = sk_date.year, sk_date.year + MAX_PLANNED_YEARS_AHEAD
    if not low <= planned_year <= high:
        raise RuleViolation(
            field,
            "planned_year_out_of_range",
            f"An SK dated {sk_date.isoformat()} plans for {low}–{high}, not {planned_year}.",
        )


def fixed_on(sk_date: date, assessed_on: date) -> date:
    """The day the SK fixes a house's class: the SK's date, or, for a house assessed after it
    (joining the SK later), the assessment's."""
    return max(sk_date, assessed_on)


def not_before(day: date, previous: date | None, field: str, what: str) -> None:
    """Steps stay in date order: a step is not dated before the one it follows."""
    if previous is not None and day < previous:
        raise RuleViolation(
            field, "before_previous_step", f"Not before {what} ({previous.isoformat()})."
        )
