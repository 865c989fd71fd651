"""Public works' reaction to a stunted child (``health.stunting.detected``): unsafe drinking
water and open defecation are among stunting's causes (diarrhoea, environmental enteropathy),
so the child's household gets Dinas PU's attention.

- The household's latest survey (whatever its source) shows no SPM basic daily drinking water,
  or sanitation below the layak rungs → ``referred_wash``: a prioritised ``stunting_wash``
  referral.
- The household is known but never surveyed → ``referred_unsurveyed``, and a household public
  works does not know → ``referred_unknown``: both a ``stunting_household_unsurveyed``
  referral, a survey task for a PU kader at the posyandu (not being known is no sign of safe
  water; surveying is how public works comes to know it).
- The latest survey shows basic water and layak sanitation → ``served``: recorded, no referral.
- The event names no household → ``no_household``: there is no one to refer.

"Once" means one open stunting referral per household, of either reason: while one is open, a
redelivered detection, an escalation, a new episode or a sibling's detection is recorded as
``already_open`` and opens nothing. A served household is judged before that (nothing would
open either way, and the decision says why).
"""

from __future__ import annotations

from typing import Literal

from simpul_public_works.domain.ladder import wash_served

Decision = Literal[
    "referred_wash",
    "referred_unsurveyed",
    "referred_unknown",
    "served",
    "already_open",
    "no_household",
]
DECISIONS: tuple[Decision, ...] = (
    "referred_wash",
    "referred_unsurveyed",
    "referred_unknown",
    "served",
    "already_open",
    "no_household",
)
# The referral reason each referring decision opens (the PUBLIC_WORKS catalogue's automatic ones).
REASONS: dict[Decision, str] = {
    "referred_wash": "stunting_wash",
    "referred_unsurveyed": "stunting_household_unsurveyed",
    "referred_unknown": "stunting_household_unsurveyed",
}


def decide(
    *,
    has_household: bool,
    household_known: bool,
    basic_water: bool | None,
    sanitation_level: str | None,
    referral_open: bool,
) -> Decision:
    """What one detection leads to (pure: the caller gathers the facts): ``basic_water`` and
    ``sanitation_level`` are the household's latest survey's (None: never surveyed)."""
    if not has_household:
        return "no_household"
    if not household_known:
        decision: Decision = "referred_unknown"
    elif basic_water is None or sanitation_level is None:
        decision = "referred_unsurveyed"
    elif wash_served(basic_water, sanitation_level):
        return "served"
    else:
        decision = "referred_wash"
    return "already_open" if referral_open else decision
