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

from datetime import date
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_housing.domain.stunting_rtlh import KAWASAN_STUNTING, REASONS, Decision, decide
from simpul_housing.events import StuntingDetected
from simpul_housing.models import House, StuntedHousehold, StuntingRtlhDecision
from simpul_housing.ops import tallies
from simpul_housing.ops.houses import house_of, houses_of
from simpul_platform.stunting import HouseholdReaction

ACTOR = "system:stunting-rtlh"


class StuntingRtlh(HouseholdReaction[StuntingDetected, House]):
    """The handler of the ``housing.stunting-rtlh`` consumer (consumers.py): the household's
    current house is what housing reads; the household is the referral's subject."""

    field = "housing"
    actor = ACTOR
    decisions = StuntingRtlhDecision
    stunted = StuntedHousehold
    reasons = REASONS

    async def counts_changed(self, session: AsyncSession, posyandu: list[str], since: date) -> None:
        await tallies.invalidate_many(session, posyandu, since)

    async def find(self, session: AsyncSession, household_ref: str) -> House | None:
        return await house_of(session, household_ref)

    async def find_many(self, session: AsyncSession, household_refs: list[str]) -> dict[str, House]:
        return await houses_of(session, household_refs)

    def rule(self, data: StuntingDetected, found: House | None, referral_open: bool) -> Decision:
        return decide(
            has_household=data.household_ref is not None,
            house_known=found is not None,
            rtlh_pupr=None if found is None else found.rtlh_pupr,
            referral_open=referral_open,
        )

    def columns(self, found: House | None) -> dict[str, Any]:
        if found is None:
            return {"house_id": None, "assessment_id": None}
        return {"house_id": found.id, "assessment_id": found.latest_assessment_id}

    def details(self, decision: str, found: House | None) -> dict[str, Any]:
        """For an RTLH house, its priority marking (jenis kawasan STUNTING) and which house
        and survey; for a survey, which house if known."""
        if found is None:
            return {"house_known": "no"}
        details: dict[str, Any] = {"house_id": found.id}
        if decision == "referred_rtlh":
            details |= {"kawasan": KAWASAN_STUNTING, "priority": "prioritised"}
            details["assessment_id"] = found.latest_assessment_id
        return details
