"""Housing's reaction to a stunted child (``health.stunting.detected``): an unlivable house is
one of stunting's causes (no safe water or latrine, damp earth floors, crowding), so the
child's household gets housing's attention.

- The household lives in a house whose latest survey is RTLH under Permen PUPR 29/2018 → a
  referral ``stunting_rtlh``: the house is prioritised with jenis kawasan STUNTING.
- The house was never surveyed → a referral ``stunting_house_unsurveyed``: a survey task for a
  housing kader.
- Housing does not know the household (no current house for it) → the same survey referral:
  not being known to housing is no sign of a livable house, and surveying is how housing
  comes to know it; the referral carries the posyandu, where the kader asks.
- The house is RLH under PUPR → a recorded decision, no referral.
- The event names no household → a recorded decision: there is no one to refer.

"Once" means one open stunting referral per household, of either reason: while one is
requested or accepted, a redelivered detection, an escalation, a new episode or a sibling's
detection is recorded as ``referral_open`` and opens nothing. Once the referral is resolved
(the house surveyed, aid assigned, the household moved), a later detection is new news and is
decided afresh.
"""

from __future__ import annotations

from typing import Literal

Decision = Literal[
    "referred_rtlh",
    "referred_unsurveyed",
    "referred_unknown",
    "house_rlh",
    "referral_open",
    "no_household",
]
DECISIONS: tuple[Decision, ...] = (
    "referred_rtlh",
    "referred_unsurveyed",
    "referred_unknown",
    "house_rlh",
    "referral_open",
    "no_household",
)
# The referral reason each referring decision opens (the HOUSING catalogue's automatic ones).
REASONS: dict[Decision, str] = {
    "referred_rtlh": "stunting_rtlh",
    "referred_unsurveyed": "stunting_house_unsurveyed",
    "referred_unknown": "stunting_house_unsurveyed",
}
KAWASAN_STUNTING = "stunting"


def decide(
    *, has_household: bool, house_known: bool, rtlh_pupr: bool | None, referral_open: bool
) -> Decision:
    """What one detection leads to (pure: the caller gathers the facts). ``rtlh_pupr`` is the
    house's latest survey's PUPR classification (None: never surveyed). A livable house is
    judged before an open referral: nothing would be opened either way, and the decision
    says why."""
    if not has_household:
        return "no_household"
    if not house_known:
        decision: Decision = "referred_unknown"
    elif rtlh_pupr is None:
        decision = "referred_unsurveyed"
    elif rtlh_pupr:
        decision = "referred_rtlh"
    else:
        return "house_rlh"
    return "referral_open" if referral_open else decision
