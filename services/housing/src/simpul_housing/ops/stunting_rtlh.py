"""The ``housing.stunting-rtlh`` consumer's handler: health's stunting detections in; the
household recorded as stunted (its posyandu's kept counts dropped), then a referral or a
recorded decision (``domain.stunting_rtlh`` says which and what "once" means). Deciding each
event once and opening the referral is the platform's (``simpul_platform.stunting``).

The referral is housing's own rule, written already accepted with the decision as its case:
the kader resolves it (``rtlh_listed``, ``surveyed_rlh``, ``aid_assigned``, …). A
``stunting_rtlh`` referral carries in its details what the RTLH case's prioritisation reads:
jenis kawasan ``stunting``, the house and the survey that found it RTLH. It is opened at the
house's posyandu when housing knows the house (where its kader works), else at the child's.
"""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_housing.domain.stunting_rtlh import KAWASAN_STUNTING, REASONS, Decision, decide
from simpul_housing.events import StuntingDetected
from simpul_housing.models import House, StuntedHousehold, StuntingRtlhDecision
from simpul_housing.ops import tallies
from simpul_housing.ops.houses import house_of
from simpul_platform.events import Envelope
from simpul_platform.stunting import Referral, StuntingReaction, Verdict, record_stunted

ACTOR = "system:stunting-rtlh"
STUNTING_REASONS = tuple(sorted(set(REASONS.values())))


def referral_details(decision: Decision, house: House | None) -> dict[str, Any]:
    """What the referral says beyond its reason: for an RTLH house, its priority marking
    (jenis kawasan STUNTING) and which house and survey; for a survey, which house if known."""
    if house is None:
        return {"house_known": "no"}
    details: dict[str, Any] = {"house_id": house.id}
    if decision == "referred_rtlh":
        details |= {"kawasan": KAWASAN_STUNTING, "priority": "prioritised"}
        details["assessment_id"] = house.latest_assessment_id
    return details


class StuntingRtlh(StuntingReaction[StuntingDetected]):
    """The handler of the ``housing.stunting-rtlh`` consumer (consumers.py)."""

    field = "housing"
    actor = ACTOR
    decisions = StuntingRtlhDecision

    async def judge(
        self, session: AsyncSession, data: StuntingDetected, event: Envelope
    ) -> Verdict:
        house, is_open = None, False
        if data.household_ref is not None:
            await record_stunted(
                session,
                StuntedHousehold,
                data.household_ref,
                data,
                event.id,
                counts_changed=tallies.invalidate_many,
            )
            house = await house_of(session, data.household_ref)
            is_open = await self.referral_open(
                session, STUNTING_REASONS, household_ref=data.household_ref
            )
        decision = decide(
            has_household=data.household_ref is not None,
            house_known=house is not None,
            rtlh_pupr=None if house is None else house.rtlh_pupr,
            referral_open=is_open,
        )
        columns = {
            "house_id": None if house is None else house.id,
            "assessment_id": None if house is None else house.latest_assessment_id,
        }
        if decision not in REASONS:
            return Verdict(decision, columns=columns)
        # The household is the subject: housing works on its house.
        wanted = Referral(REASONS[decision], referral_details(decision, house), at=house)
        return Verdict(decision, wanted, columns)
